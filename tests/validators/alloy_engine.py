"""The real Alloy (ALLOY_BIN): `alloy fmt` as the parser, `alloy run` on loopback with a rendered config.

`run_config` boots a stack's rendered Alloy directory with the rendered command and environment; only what
binds or dials is rewritten (listeners to free loopback ports, service hosts to closed loopback ports, the
data path to a temporary directory), so every component is built and evaluated exactly as shipped. Alloy
answers 200 on `/-/ready` only once its whole configuration has loaded (the `/-/ready` handler of Alloy's
HTTP service, https://grafana.com/docs/alloy/latest/reference/http/).
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.validators.engine_servers import rendered_service
from tests.validators.engines import require_engine
from tests.validators.tools import free_port

READY_TIMEOUT_SECONDS = 60
_WILDCARD = {"0.0.0.0", "[::]", ""}
# host:port as a whole string literal ("0.0.0.0:4317", "tempo:4317") or after a URL scheme (http://loki:3100,
# tcp://docker-api:2375). Hosts with a dot are left alone: the stack's own services have bare names.
_HOST_PORT = re.compile(r'(?P<lead>"|://|@)(?P<host>0\.0\.0\.0|\[::\]|[A-Za-z][A-Za-z0-9-]*):(?P<port>\d+)')


def fmt_errors(files: list[Path]) -> list[str]:
    """`alloy fmt FILE` for each file: the parser's message for every file it refuses (empty: all parse)."""
    alloy = require_engine("alloy")
    errors = []
    for path in files:
        result = subprocess.run([alloy, "fmt", str(path)], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            errors.append(f"{path}: {(result.stderr or result.stdout).strip()}")
    return errors


class LoopbackMap:
    """Rewrites each distinct host:port to one loopback port: listeners to a free port, peers to a closed one."""

    def __init__(self) -> None:
        self.ports: dict[tuple[str, str], int] = {}

    def __call__(self, text: str) -> str:
        def to_loopback(match: re.Match[str]) -> str:
            key = (match["host"], match["port"])
            if key not in self.ports:
                self.ports[key] = free_port()
            return f"{match['lead']}127.0.0.1:{self.ports[key]}"

        return _HOST_PORT.sub(to_loopback, text)

    def listener(self, port: int | str) -> int:
        """The loopback port a wildcard listener on `port` was moved to."""
        return next(p for (host, original), p in self.ports.items() if host in _WILDCARD and original == str(port))


@dataclass
class Alloy:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, b""


def alloy_service(render_dir: Path) -> dict[str, Any]:
    """The rendered Alloy container: {name (its files/ directory), command, env}."""
    return rendered_service(render_dir, "alloy")


def loopback_copy(config_dir: Path, workdir: Path, env: Mapping[str, str],
                  mapping: LoopbackMap) -> tuple[Path, dict[str, str]]:
    """The .alloy files of `config_dir` and `env`, with every host:port moved to loopback."""
    target = workdir / "config"
    target.mkdir(parents=True)
    files = sorted(config_dir.glob("*.alloy"))
    assert files, f"no .alloy file in {config_dir}"
    for path in files:
        (target / path.name).write_text(mapping(path.read_text()))
    # A whole variable is mapped as the string literal it becomes in the config (`sys.env("TEMPO_OTLP_ENDPOINT")`).
    return target, {name: mapping(f'"{value}"')[1:-1] for name, value in env.items()}


def wait_ready(alloy: Alloy, timeout: float = READY_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if alloy.process.poll() is not None:
            raise AssertionError(f"alloy exited with {alloy.process.returncode}:\n{alloy.log[-4000:]}")
        status, _ = alloy.get("/-/ready")
        if status == 200:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"alloy not ready after {timeout}s (last HTTP {status}):\n{alloy.log[-4000:]}")
        time.sleep(0.5)


@contextmanager
def running(command: list[str], config_dir: Path, workdir: Path, env: Mapping[str, str]) -> Iterator[Alloy]:
    """`alloy <command>` with its listen address, storage path and config path moved here; ready, for the block."""
    port = free_port()
    moved = {"--server.http.listen-addr": f"127.0.0.1:{port}", "--storage.path": str(workdir / "data")}
    args = [f"{a.split('=', 1)[0]}={moved[a.split('=', 1)[0]]}" if a.split("=", 1)[0] in moved else a
            for a in command]
    positional = [i for i, a in enumerate(args) if i > 0 and not a.startswith("-")]
    assert args[0] == "run" and len(positional) == 1, f"not an `alloy run <path>` command: {command}"
    args[positional[0]] = str(config_dir)
    for flag, value in moved.items():
        if not any(a.startswith(flag + "=") for a in args):
            args.append(f"{flag}={value}")
    log_path = workdir / "alloy.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([require_engine("alloy"), *args], stdout=log, stderr=subprocess.STDOUT,
                                   cwd=workdir, env=dict(env))
    alloy = Alloy(f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_ready(alloy)
        yield alloy
    finally:
        process.kill()
        process.wait()


@contextmanager
def running_render(render_dir: Path, workdir: Path) -> Iterator[tuple[Alloy, LoopbackMap]]:
    """The stack's rendered Alloy, booted on loopback (see the module docstring)."""
    service = alloy_service(render_dir)
    config_dir = render_dir / "files" / service["name"] / "etc" / "alloy"
    mapping = LoopbackMap()
    config, env = loopback_copy(config_dir, workdir, service["env"], mapping)
    with running(service["command"], config, workdir, env) as alloy:
        yield alloy, mapping

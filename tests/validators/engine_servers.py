"""The real Loki and Tempo (LOKI_BIN, TEMPO_BIN: tests/validators/engines.py) on loopback, booted with a stack's
rendered config.

Only what binds or writes is rewritten — listen addresses and ports, and data paths moved under a
temporary directory — so retention, limits, schema and receivers are exactly what the stack ships. The
command line and environment are the rendered container's own (`manifest.json`: a container's, or a
Railway service's CMD and variables), so `-config.expand-env` and the stack's `LOKI_RETENTION_PERIOD` /
`TEMPO_RETENTION_PERIOD` are live. Listeners the harness does not move (Railway's `[::]`) stay: they
answer on loopback too. Boot each server once per
module (the fixtures in the test modules do): Loki and Tempo take a few seconds to become ready.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.validators.engines import require_engine
from tests.validators.tools import free_port

READY_TIMEOUT_SECONDS = 90
TEMPO_DATA_ROOT = "/var/tempo"
# Tempo 3 paths the stack's file leaves at their defaults, all under the data volume in the container: set
# explicitly here so two servers never share a directory on this machine (read off GET /status/config).
TEMPO_DEFAULT_PATHS = {
    ("live_store", "wal", "path"): "/var/tempo/live-store/traces",
    ("live_store", "shutdown_marker_dir"): "/var/tempo/live-store/shutdown-marker",
    ("block_builder", "wal", "path"): "/var/tempo/block-builder/traces",
    ("backend_scheduler", "local_work_path"): "/var/tempo",
}
REQUEST_TIMEOUT_SECONDS = 10


def rendered_service(render_dir: Path, service: str) -> dict[str, Any]:
    """The service as the render ships it: {name (its files/ directory), command, env}. A Docker host or
    cluster render lists `containers`; a Railway render lists `railway.services`, each with its variables
    and the Dockerfile whose exec-form CMD is the command (the image's entrypoint is the binary)."""
    manifest = json.loads((render_dir / "manifest.json").read_text())
    if "containers" in manifest:
        return next(c for c in manifest["containers"] if c["service"] == service)
    (entry,) = [s for s in manifest["railway"]["services"] if s["name"] == service]
    (cmd,) = re.findall(r"^CMD (\[.*\])$", entry["dockerfile"], re.MULTILINE)
    (name,) = [d.name for d in (render_dir / "files").iterdir()
               if all((d / path.lstrip("/")).is_file() for path in entry["files"])]
    return {"name": name, "service": service, "command": json.loads(cmd), "env": entry["variables"]}


def _config_path(command: list[str]) -> str:
    return next(arg.split("=", 1)[1] for arg in command if arg.startswith("-config.file="))


def moved_under(value: Any, data_root: str, data_dir: Path) -> Any:
    """Every path under the container's data root, moved under `data_dir` (same relative layout)."""
    if isinstance(value, dict):
        return {k: moved_under(v, data_root, data_dir) for k, v in value.items()}
    if isinstance(value, list):
        return [moved_under(v, data_root, data_dir) for v in value]
    if isinstance(value, str) and (value == data_root or value.startswith(data_root + "/")):
        return str(data_dir) + value[len(data_root):]
    return value


@dataclass
class Server:
    """A running Loki or Tempo: `url` is its HTTP API on 127.0.0.1; `log` its combined output so far."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    ports: Mapping[str, int]

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(self, path: str, params: Mapping[str, Any] | None = None, body: bytes | None = None,
                content_type: str = "application/json", base: str | None = None) -> tuple[int, bytes]:
        """(status, body) of a GET (no body) or POST; HTTP errors are returned, not raised."""
        url = (base or self.url) + path + ("?" + urllib.parse.urlencode(params) if params else "")
        request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type} if body else {})
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        status, body = self.request(path, params)
        assert status == 200, f"{self.name} GET {path} {params}: HTTP {status}: {body[:500]!r}"
        return json.loads(body)

    def get_text(self, path: str) -> str:
        status, body = self.request(path)
        assert status == 200, f"{self.name} GET {path}: HTTP {status}: {body[:500]!r}"
        return body.decode()

    def config(self) -> dict[str, Any]:
        """The running configuration as the server reports it (Loki /config, Tempo /status/config)."""
        if self.name == "loki":
            return yaml.safe_load(self.get_text("/config"))
        # Tempo prefixes the YAML with a "GET /status/config" line and a document separator.
        return yaml.safe_load(self.get_text("/status/config").split("\n---\n", 1)[-1])


def start_server(name: str, binary: str, command: list[str], env: Mapping[str, str], config: dict[str, Any],
           workdir: Path, ports: Mapping[str, int]) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / f"{name}.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=True))
    args = [f"-config.file={config_file}" if a.startswith("-config.file=") else a for a in command]
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([binary, *args], stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                                   env={"PATH": os.environ.get("PATH", ""), **env})
    return Server(name, f"http://127.0.0.1:{ports['http']}", process, log_path, ports)


def stop(server: Server) -> None:
    """Kills the server: its data is a test's temporary directory, so there is nothing to flush."""
    server.process.kill()
    server.process.wait()


@contextmanager
def _ready(server: Server) -> Iterator[Server]:
    try:
        wait_ready(server)
        yield server
    finally:
        stop(server)


def wait_ready(*servers: Server) -> None:
    """Returns once every server's `/ready` answers 200; fails with a server's log if it exits or times out.

    All are polled in turn: Loki starts its ingesters' min_ready_duration clock at the first /ready call."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending, last = list(servers), {}
    while pending:
        for server in list(pending):
            if server.process.poll() is not None:
                raise AssertionError(f"{server.name} exited with {server.process.returncode}:\n{server.log[-4000:]}")
            try:
                last[server.name] = server.request("/ready")
            except OSError:
                last[server.name] = (0, b"")
            if last[server.name][0] == 200:
                pending.remove(server)
        if pending and time.monotonic() > deadline:
            raise AssertionError(f"not ready after {READY_TIMEOUT_SECONDS}s: " + "; ".join(
                f"{s.name} (last {last[s.name]!r}):\n{s.log[-2000:]}" for s in pending))
        if pending:
            time.sleep(0.5)


def start_loki(render_dir: Path, workdir: Path) -> Server:
    """Starts Loki with the rendered obs-loki config and command (data under `workdir/data`); see wait_ready."""
    container = rendered_service(render_dir, "loki")
    config_path = _config_path(container["command"])
    config = yaml.safe_load((render_dir / "files" / container["name"] / config_path.lstrip("/")).read_text())
    data_root = config["common"]["path_prefix"]
    config = moved_under(config, data_root, workdir / "data")
    ports = {"http": free_port(), "grpc": free_port(), "memberlist": free_port()}
    config["server"] |= {"http_listen_address": "127.0.0.1", "http_listen_port": ports["http"],
                         "grpc_listen_address": "127.0.0.1", "grpc_listen_port": ports["grpc"]}
    config["memberlist"] = {**config.get("memberlist", {}), "bind_addr": ["127.0.0.1"],
                            "bind_port": ports["memberlist"]}
    return start_server("loki", require_engine("loki"), container["command"], container["env"], config, workdir, ports)


def tempo_data_under(config: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """`config` with every Tempo data path — its own and the defaults it leaves — moved under `data_dir`."""
    config = json.loads(json.dumps(config))
    for keys, default in TEMPO_DEFAULT_PATHS.items():
        section = config
        for key in keys[:-1]:
            section = section.setdefault(key, {})
        section.setdefault(keys[-1], default)
    return moved_under(config, TEMPO_DATA_ROOT, data_dir)


def start_tempo(render_dir: Path, workdir: Path, remote_write_url: str = "http://127.0.0.1:9/api/v1/write"
                ) -> Server:
    """Starts Tempo with the rendered obs-tempo config and command; OTLP HTTP on `ports["otlp_http"]`.

    A pushed trace is found by id at once, by search only once its live-store block completes (Tempo's
    default max_block_duration, 30 s): push traces early (`tempo_seed`), search late.

    The metrics generator writes to `remote_write_url` (by default a closed port: it retries quietly)."""
    container = rendered_service(render_dir, "tempo")
    config_path = _config_path(container["command"])
    config = yaml.safe_load((render_dir / "files" / container["name"] / config_path.lstrip("/")).read_text())
    config = tempo_data_under(config, workdir / "data")
    ports = {"http": free_port(), "grpc": free_port(), "otlp_grpc": free_port(), "otlp_http": free_port(),
             "memberlist": free_port()}
    config["server"] |= {"http_listen_address": "127.0.0.1", "http_listen_port": ports["http"],
                         "grpc_listen_address": "127.0.0.1", "grpc_listen_port": ports["grpc"]}
    protocols = config["distributor"]["receivers"]["otlp"]["protocols"]
    protocols["grpc"]["endpoint"] = f"127.0.0.1:{ports['otlp_grpc']}"
    protocols["http"]["endpoint"] = f"127.0.0.1:{ports['otlp_http']}"
    config["memberlist"] = {**config.get("memberlist", {}), "bind_addr": ["127.0.0.1"],
                            "bind_port": ports["memberlist"]}
    env = {**container["env"], "PROMETHEUS_REMOTE_WRITE_URL": remote_write_url}
    return start_server("tempo", require_engine("tempo"), container["command"], env, config, workdir, ports)


@contextmanager
def running_loki(render_dir: Path, workdir: Path) -> Iterator[Server]:
    """Loki, ready, for the length of the block."""
    with _ready(start_loki(render_dir, workdir)) as server:
        yield server


@contextmanager
def running_tempo(render_dir: Path, workdir: Path, **kwargs: Any) -> Iterator[Server]:
    """Tempo, ready, for the length of the block."""
    with _ready(start_tempo(render_dir, workdir, **kwargs)) as server:
        yield server


# --- Loki: push and query ---------------------------------------------------------------------------

def loki_push(loki: Server, streams: list[dict[str, Any]]) -> None:
    """POST /loki/api/v1/push; each stream is {"stream": labels, "values": [[ns, line] or [ns, line, meta]]}."""
    status, body = loki.request("/loki/api/v1/push", body=json.dumps({"streams": streams}).encode())
    assert status == 204, f"push refused: HTTP {status}: {body[:500]!r}"


def loki_query_range(loki: Server, query: str, start_ns: int, end_ns: int, **params: Any) -> dict[str, Any]:
    """The `data` of /loki/api/v1/query_range; fails the test on a query error (it must execute)."""
    result = loki.get_json("/loki/api/v1/query_range",
                           {"query": query, "start": start_ns, "end": end_ns, "limit": 1000, **params})
    assert result["status"] == "success", result
    return result["data"]


def now_ns() -> int:
    return time.time_ns()


# --- Tempo: OTLP push and search ------------------------------------------------------------------

# Functions `seed(stack, tempo)` that test modules register at import time (`@tempo_seed`): the session's
# Tempo servers run them as soon as they are ready, so the traces are searchable by the time tests ask.
TEMPO_SEEDS: list[Callable[[str, Server], None]] = []


def tempo_seed(seed: Callable[[str, Server], None]) -> Callable[[str, Server], None]:
    TEMPO_SEEDS.append(seed)
    return seed


def otlp_trace(trace_id: str, spans: list[dict[str, Any]], service: str,
               resource_attributes: Mapping[str, str] | None = None) -> bytes:
    """An OTLP/JSON ExportTraceServiceRequest body: `spans` carry spanId, name, times and attributes."""
    def attrs(values: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [{"key": k, "value": {"stringValue": str(v)}} for k, v in values.items()]

    return json.dumps({"resourceSpans": [{
        "resource": {"attributes": attrs({"service.name": service, **(resource_attributes or {})})},
        "scopeSpans": [{"scope": {"name": "tests"}, "spans": [
            {**span, "traceId": trace_id, "attributes": attrs(span.get("attributes", {}))} for span in spans]}],
    }]}).encode()


def tempo_push(tempo: Server, body: bytes) -> None:
    status, response = tempo.request("/v1/traces", body=body, base=f"http://127.0.0.1:{tempo.ports['otlp_http']}")
    assert status == 200, f"OTLP push refused: HTTP {status}: {response[:500]!r}"


def tempo_search(tempo: Server, traceql: str, start_s: int, end_s: int) -> dict[str, Any]:
    """The /api/search result of a TraceQL query; fails the test on a query error."""
    return tempo.get_json("/api/search", {"q": traceql, "start": start_s, "end": end_s, "limit": 100})


def wait_for(probe, what: str, timeout: float = 30.0, interval: float = 0.5) -> Any:
    """`probe()`'s first truthy result, polled until `timeout` (ingestion is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)

"""Runs the rendered Prometheus container's files and command outside Docker, for the validators.

The render writes each file at its path inside the container; here those paths are mapped onto the
render directory and a scratch data directory, so promtool and prometheus see exactly what the
container would. Also a minimal remote-write client (protobuf + snappy by hand, no extra packages).
"""

from __future__ import annotations

import json
import struct
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.validators.tools import free_port, require_tool

CONTAINER = "obs-prometheus"
CONFIG_FLAG = "--config.file="
DATA_FLAG = "--storage.tsdb.path="
OTLP_FLAG = "--web.enable-otlp-receiver"
STARTUP_SECONDS = 30


def container_root(render_dir: Path) -> Path:
    """Where the render put the files of the Prometheus container."""
    return render_dir / "files" / CONTAINER


def mapped_config(render_dir: Path, config_path: str, out_dir: Path) -> Path:
    """The rendered prometheus.yml, any rule_files globs pointing into the render instead of /etc."""
    root = container_root(render_dir)
    config = yaml.safe_load((root / config_path.lstrip("/")).read_text())
    config["rule_files"] = [str(root / pattern.lstrip("/")) for pattern in config.get("rule_files", [])]
    mapped = out_dir / "prometheus.yml"
    mapped.write_text(yaml.safe_dump(config, sort_keys=False))
    return mapped


def container_command(manifest: dict) -> list[str]:
    [container] = [c for c in manifest["containers"] if c["name"] == CONTAINER]
    return list(container["command"])


def flag_value(command: list[str], prefix: str) -> str:
    [value] = [arg[len(prefix):] for arg in command if arg.startswith(prefix)]
    return value


# --- the live server (the rendered config and flags, on the loopback) ------------------------------

def local_command(binary: str, command: list[str], config: Path, data: Path, port: int) -> list[str]:
    """The container's command with its paths moved here and the address on the loopback."""
    help_run = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    supported = help_run.stdout + help_run.stderr
    args = [a for a in command if not a.startswith((CONFIG_FLAG, DATA_FLAG))
            and (a != OTLP_FLAG or OTLP_FLAG in supported)]
    return [binary, *args, f"{CONFIG_FLAG}{config}", f"{DATA_FLAG}{data}", f"--web.listen-address=127.0.0.1:{port}"]


class Prometheus:
    """A running Prometheus: its HTTP API, the container command it mirrors, its log."""

    def __init__(self, port: int, command: list[str], log: Path):
        self.base, self.command, self.log = f"http://127.0.0.1:{port}", command, log

    def get(self, path: str, **params: str) -> dict:
        url = f"{self.base}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(f"{self.base}{path}", data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status

    def eventually(self, check, what: str):
        """The first truthy result of check() within 15 seconds."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if result := check():
                return result
            time.sleep(0.2)
        pytest.fail(f"{what} did not happen within 15s; log:\n{self.log.read_text()[-3000:]}")


# Test modules import this under its function name and request it as `live_prometheus`: one server per session.
@pytest.fixture(scope="session", name="live_prometheus")
def live_prometheus_fixture(rendered, tmp_path_factory):
    binary = require_tool("prometheus")
    render_dir = rendered("local")
    command = container_command(json.loads((render_dir / "manifest.json").read_text()))
    scratch = tmp_path_factory.mktemp("prometheus")
    config = mapped_config(render_dir, flag_value(command, CONFIG_FLAG), scratch)
    port, log = free_port(), scratch / "prometheus.log"
    with log.open("w") as out:
        process = subprocess.Popen(local_command(binary, command, config, scratch / "data", port),
                                   stdout=out, stderr=subprocess.STDOUT)
    server = Prometheus(port, command, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _ready(server.base):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prometheus did not become ready; log:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/-/ready", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


# --- remote write 1.0: a snappy-compressed prometheus.WriteRequest ------------------------------

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _double(number: int, value: float) -> bytes:
    return _varint(number << 3 | 1) + struct.pack("<d", value)


def _int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _labels(labels: dict[str, str]) -> bytes:
    return b"".join(_field(1, _field(1, k) + _field(2, v)) for k, v in sorted(labels.items()))


def write_request(labels: dict[str, str], value: float, timestamp_ms: int,
                  exemplar_labels: dict[str, str] | None = None) -> bytes:
    """One series with one sample and, optionally, one exemplar (TimeSeries fields 1, 2 and 3)."""
    series = _labels(labels) + _field(2, _double(1, value) + _int(2, timestamp_ms))
    if exemplar_labels:
        series += _field(3, _labels(exemplar_labels) + _double(2, value) + _int(3, timestamp_ms))
    return _field(1, series)


def snappy_block(data: bytes) -> bytes:
    """Snappy's block format with literal elements only: valid, just not smaller."""
    out = bytearray(_varint(len(data)))
    for start in range(0, len(data), 65536):
        chunk = data[start:start + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + n.to_bytes(2, "little")
        out += chunk
    return bytes(out)

"""Railway's private network may be IPv6-only: the real Tempo (TEMPO_BIN), started with the
railway render's own tempo.yaml (only ports and data paths moved to this machine), answers on the IPv6
loopback, and its OTLP receiver bound to `[::]` takes a trace over IPv6. (Loki, Grafana and Prometheus
listen on Go's wildcard or an explicit `[::]`, which is dual-stack the same way.)"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.validators.engine_servers import tempo_data_under
from tests.validators.engines import require_engine
from tests.validators.tools import free_port

IPV6_LOOPBACK = "[::1]"


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status, answer.read()
    except OSError:
        return 0, b""


def _wait_ready(process: subprocess.Popen, url: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited {process.returncode}:\n{log.read_text()[-3000:]}")
        if _get(url)[0] == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"{url} not ready after {seconds} s:\n{log.read_text()[-3000:]}")



def _start(binary: Path, args: list[str], env: dict[str, str], workdir: Path) -> Iterator[subprocess.Popen]:
    log = workdir / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen([str(binary), *args], stdout=sink, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env}, cwd=workdir)
    try:
        yield process
    finally:
        process.kill()  # a graceful flush is not under test: do not wait for it
        process.wait()


@pytest.fixture(scope="module")
def tempo(rendered, tmp_path_factory) -> Iterator[dict[str, int]]:
    workdir = tmp_path_factory.mktemp("tempo")
    text = (rendered("railway") / "files/obs-tempo/etc/tempo/tempo.yaml").read_text()
    assert '"[::]:4317"' in text and '"[::]:4318"' in text
    ports = {"http": free_port(), "grpc": free_port(), "otlp_grpc": free_port(), "otlp_http": free_port()}
    text = (text.replace("http_listen_port: 3200", f"http_listen_port: {ports['http']}")
                .replace("grpc_listen_port: 9095", f"grpc_listen_port: {ports['grpc']}")
                .replace('"[::]:4317"', f'"[::]:{ports["otlp_grpc"]}"')
                .replace('"[::]:4318"', f'"[::]:{ports["otlp_http"]}"'))
    config = workdir / "tempo.yaml"
    config.write_text(yaml.safe_dump(tempo_data_under(yaml.safe_load(text), workdir / "data")))
    env = {"TEMPO_RETENTION_PERIOD": "24h", "PROMETHEUS_REMOTE_WRITE_URL": f"http://127.0.0.1:{free_port()}/w"}
    args = ["-target=all", f"-config.file={config}", "-config.expand-env=true", f"-memberlist.bind-port={free_port()}"]
    for process in _start(Path(require_engine("tempo")), args, env, workdir):
        _wait_ready(process, f"http://{IPV6_LOOPBACK}:{ports['http']}/ready", workdir / "server.log")
        yield ports


def test_tempo_answers_on_the_ipv6_loopback(tempo):
    assert _get(f"http://{IPV6_LOOPBACK}:{tempo['http']}/ready")[0] == 200


def test_tempo_takes_an_otlp_trace_over_ipv6_on_its_bracketed_listener(tempo):
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    now = time.time_ns()
    body = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name",
                                                             "value": {"stringValue": "railway-probe"}}]},
                               "scopeSpans": [{"spans": [{"traceId": trace_id, "spanId": span_id, "name": "probe",
                                                          "kind": 1, "startTimeUnixNano": str(now - 1_000_000),
                                                          "endTimeUnixNano": str(now)}]}]}]}
    request = urllib.request.Request(f"http://{IPV6_LOOPBACK}:{tempo['otlp_http']}/v1/traces",
                                     data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, found = _get(f"http://{IPV6_LOOPBACK}:{tempo['http']}/api/v2/traces/{trace_id}")
        if status == 200 and b"railway-probe" in found:
            return
        time.sleep(0.5)
    pytest.fail(f"trace {trace_id} never came back from Tempo")


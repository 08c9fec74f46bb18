"""The real Prometheus binary runs the local stack's rendered prometheus.yml and rules with the
container's own flags, on 127.0.0.1 only, and answers over HTTP: ready, the stack's retention applied,
the rule groups loaded, the five scrape jobs configured, a remote write with an exemplar stored.

Only two flags change: paths move from the container into a scratch directory, and
--web.enable-otlp-receiver is dropped when the binary lacks it (Debian's 3.5.3 is built without OTLP;
the image's v3.13 has it)."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from components import constants as c
from tests.validators.prometheus_harness import (CONFIG_FLAG, DATA_FLAG, container_command, container_root,
                                                 flag_value, mapped_config, snappy_block, write_request)
from tests.validators.tools import free_port, require_tool

STACK_JOBS = {c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY}
RETENTION_FLAG = "--storage.tsdb.retention.time="
OTLP_FLAG = "--web.enable-otlp-receiver"
STARTUP_SECONDS = 30


def seconds(duration: str) -> int:
    """A Prometheus duration (7d, 1w, 1h30m) in seconds; Prometheus prints 7d back as 1w."""
    units = {"y": 31536000, "w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([ywdhms])", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(int(n) * units[u] for n, u in parts)


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


@pytest.fixture(scope="module")
def prometheus(rendered, tmp_path_factory):
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


def test_prometheus_becomes_ready(prometheus):
    with urllib.request.urlopen(f"{prometheus.base}/-/ready", timeout=5) as response:
        assert response.status == 200


def test_the_stacks_retention_reaches_prometheus(prometheus):
    flags = prometheus.get("/api/v1/status/flags")["data"]
    expected = flag_value(prometheus.command, RETENTION_FLAG)
    assert seconds(flags["storage.tsdb.retention.time"]) == seconds(expected)


def test_every_rule_group_of_the_rules_folder_is_loaded(rendered, prometheus):
    rules_dir = container_root(rendered("local")) / "etc" / "prometheus" / "rules"
    expected = {g["name"] for path in rules_dir.glob("*.yml") for g in yaml.safe_load(path.read_text())["groups"]}
    loaded = {g["name"] for g in prometheus.get("/api/v1/rules")["data"]["groups"]}
    assert expected and loaded == expected


def test_the_five_stack_services_are_scrape_targets(prometheus):
    def jobs():
        found = {t["labels"]["job"] for t in prometheus.get("/api/v1/targets")["data"]["activeTargets"]}
        return found if found == STACK_JOBS else None
    assert prometheus.eventually(jobs, "discovery of the five scrape jobs") == STACK_JOBS


def test_remote_write_with_an_exemplar_is_stored_and_queryable(prometheus):
    now_ms = int(time.time() * 1000)
    body = write_request({"__name__": "stack_remote_write_probe", "job": "probe"}, 42.0, now_ms,
                         exemplar_labels={"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})
    status = prometheus.post("/api/v1/write", snappy_block(body), {
        "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
        "X-Prometheus-Remote-Write-Version": "0.1.0"})
    assert status == 204
    samples = prometheus.eventually(
        lambda: prometheus.get("/api/v1/query", query="stack_remote_write_probe")["data"]["result"], "the sample")
    assert samples[0]["value"][1] == "42"
    window = {"start": str(now_ms / 1000 - 60), "end": str(now_ms / 1000 + 60)}
    exemplars = prometheus.eventually(lambda: prometheus.get(
        "/api/v1/query_exemplars", query="stack_remote_write_probe", **window)["data"], "the exemplar")
    assert exemplars[0]["exemplars"][0]["labels"] == {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}

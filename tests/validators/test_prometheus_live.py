"""The real Prometheus binary runs the local stack's rendered prometheus.yml and rules with the
container's own flags, on 127.0.0.1 only, and answers over HTTP: ready, the stack's retention applied,
the rule groups loaded, the five scrape jobs configured, a remote write with an exemplar stored.

Only two flags change: paths move from the container into a scratch directory, and
--web.enable-otlp-receiver is dropped when the binary lacks it (Debian's 3.5.3 is built without OTLP;
the image's v3.13 has it)."""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request

import pytest

from components import constants as c
from tests.validators.prometheus_harness import live_prometheus_fixture  # noqa: F401  (provides live_prometheus)
from tests.validators.prometheus_harness import flag_value, snappy_block, write_request

STACK_JOBS = {c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY}
RETENTION_FLAG = "--storage.tsdb.retention.time="


def seconds(duration: str) -> int:
    """A Prometheus duration (7d, 1w, 1h30m) in seconds; Prometheus prints 7d back as 1w."""
    units = {"y": 31536000, "w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([ywdhms])", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(int(n) * units[u] for n, u in parts)


@pytest.fixture
def prometheus(live_prometheus):
    return live_prometheus


def test_prometheus_becomes_ready(prometheus):
    with urllib.request.urlopen(f"{prometheus.base}/-/ready", timeout=5) as response:
        assert response.status == 200


def test_the_stacks_retention_reaches_prometheus(prometheus):
    flags = prometheus.get("/api/v1/status/flags")["data"]
    expected = flag_value(prometheus.command, RETENTION_FLAG)
    assert seconds(flags["storage.tsdb.retention.time"]) == seconds(expected)


def test_prometheus_evaluates_no_rules_grafana_evaluates_them(prometheus):
    assert prometheus.get("/api/v1/rules")["data"]["groups"] == []


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

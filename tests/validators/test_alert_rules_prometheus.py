"""Each Prometheus-backed Grafana rule fires on series that cross its threshold and stays quiet otherwise.

Series go into the live Prometheus (the local stack's rendered config and flags) by remote write, each
scenario at its own past timestamp, ten minutes apart: an instant query at that time sees only that
scenario (Prometheus looks back 5 minutes) and none of the targets the server scrapes. The rule's own
query runs there; Grafana's reduce and threshold are replayed over the result (grafana_rules.py)."""

from __future__ import annotations

import time

from components import constants as c
from components.alerts.platform_health import COMPONENT_DOWN_UID, VOLUME_USAGE_UID
from tests.validators.grafana_rules import NO_DATA, by, evaluate, threshold
from tests.validators.prometheus_harness import live_prometheus_fixture  # noqa: F401  (provides live_prometheus)
from tests.validators.prometheus_harness import snappy_block, write_request

JOBS = (c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY)
NOW = time.time()
SIZE = 100 * 2**30


def _write(prometheus, at: float, series: list[tuple[dict[str, str], float]]) -> None:
    body = b"".join(write_request(labels, value, int(at * 1000)) for labels, value in series)
    status = prometheus.post("/api/v1/write", snappy_block(body), {
        "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
        "X-Prometheus-Remote-Write-Version": "0.1.0"})
    assert status == 204


def _evaluate(prometheus, rule: dict, at: float) -> dict:
    """The rule's query A at `at`, as Grafana's instant query, then reduce and threshold."""
    (query,) = [d for d in rule["data"] if d["refId"] == "A"]
    assert query["datasourceUid"] == c.PROMETHEUS and query["model"]["instant"] is True
    result = prometheus.get("/api/v1/query", query=query["model"]["expr"], time=f"{at:.3f}")
    assert result["status"] == "success", result
    return evaluate(rule, [(s["metric"], [float(s["value"][1])]) for s in result["data"]["result"]])


def _filesystem(device: str, mountpoint: str, used_percent: float) -> list[tuple[dict[str, str], float]]:
    labels = {"job": "volumes", "device": device, "mountpoint": mountpoint, "fstype": "ext4"}
    return [({"__name__": "node_filesystem_size_bytes", **labels}, SIZE),
            ({"__name__": "node_filesystem_avail_bytes", **labels}, SIZE * (100 - used_percent) / 100)]


def _up(instance: str, values: dict[str, float]) -> list[tuple[dict[str, str], float]]:
    return [({"__name__": "up", "job": job, "instance": instance}, value) for job, value in values.items()]


def test_volume_usage_fires_per_full_disk_and_stays_quiet_on_roomy_ones(live_prometheus, rules):
    rule, at = rules[VOLUME_USAGE_UID], NOW - 600
    limit = threshold(rule)
    _write(live_prometheus, at, _filesystem("/dev/full", "/volumes/loki", (limit + 100) / 2)
           + _filesystem("/dev/edge", "/volumes/tempo", limit)  # exactly the limit: inclusive (gte)
           + _filesystem("/dev/roomy", "/volumes/prometheus", limit / 2)
           + _filesystem("/dev/root", "/", 99))  # not a data volume: never part of this alert
    assert by("device", _evaluate(live_prometheus, rule, at)) == {
        "/dev/full": "Alerting", "/dev/edge": "Alerting", "/dev/roomy": "Normal"}


def test_volume_usage_just_under_the_threshold_is_normal(live_prometheus, rules):
    rule, at = rules[VOLUME_USAGE_UID], NOW - 1200
    _write(live_prometheus, at, _filesystem("/dev/almost", "/volumes/grafana", threshold(rule) - 0.1))
    assert by("device", _evaluate(live_prometheus, rule, at)) == {"/dev/almost": "Normal"}


def test_component_down_stays_quiet_while_every_component_is_up(live_prometheus, rules):
    rule, at = rules[COMPONENT_DOWN_UID], NOW - 1800
    _write(live_prometheus, at, _up("quiet", dict.fromkeys(JOBS, 1.0)))
    assert by("job", _evaluate(live_prometheus, rule, at)) == dict.fromkeys(JOBS, "Normal")


def test_component_down_fires_for_the_component_whose_scrape_fails(live_prometheus, rules):
    rule, at = rules[COMPONENT_DOWN_UID], NOW - 2400
    _write(live_prometheus, at, _up("down", dict.fromkeys(JOBS, 1.0) | {c.LOKI: 0.0}))
    assert by("job", _evaluate(live_prometheus, rule, at)) == dict.fromkeys(JOBS, "Normal") | {c.LOKI: "Alerting"}


def test_component_down_fires_for_a_component_with_no_series_at_all(live_prometheus, rules):
    rule, at = rules[COMPONENT_DOWN_UID], NOW - 3000
    _write(live_prometheus, at, _up("missing", {job: 1.0 for job in JOBS if job != c.TEMPO}))
    assert by("job", _evaluate(live_prometheus, rule, at)) == dict.fromkeys(JOBS, "Normal") | {c.TEMPO: "Alerting"}


def test_component_down_alerts_when_prometheus_has_nothing_at_all(rules):
    """No series and no answer are both a component down: the rule maps NoData and errors to Alerting."""
    rule = rules[COMPONENT_DOWN_UID]
    assert evaluate(rule, []) == {NO_DATA: "Alerting"}
    assert rule["execErrState"] == "Alerting"


def test_the_replay_follows_grafanas_threshold_semantics(rules):
    rule = rules[VOLUME_USAGE_UID]
    assert by("d", evaluate(rule, [({"d": "nan"}, [float("nan")]),
                                       ({"d": "null"}, [None, threshold(rule) + 1])])) == {
        "nan": "Normal", "null": "Alerting"}  # NaN never crosses; dropNN drops the null before `last`

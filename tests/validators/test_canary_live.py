"""The canary end to end: its real script's three requests, delivered the way Alloy delivers them, reach
the real engines; each canary rule's own query, evaluated there at its own window, says "arrived" while
the signal flows, fires once it stops, and the redaction rule fires on an unredacted line only.

Logs go through the log pipeline's replay (alloy_pipeline.py: otelcol.exporter.loki, then every stage)
into the live Loki; the sample is remote-written as otelcol.exporter.prometheus names it (job =
service.name) into the live Prometheus; the span goes over OTLP into a Tempo whose metrics generator
writes span metrics into that Prometheus. Each scenario sits at its own past time, so none sees another.
"""

from __future__ import annotations

import time

import pytest

from components import constants as c
from components.alerts import canary as rules_module
from tests.validators.alloy_pipeline import otlp_entry, run
from tests.validators.canary_capture import capture_round
from tests.validators.engine_servers import loki_push, running_tempo, tempo_push, wait_for
from tests.validators.grafana_rules import NO_DATA, evaluate
from tests.validators.prometheus_harness import live_prometheus_fixture  # noqa: F401  (provides live_prometheus)
from tests.validators.prometheus_harness import snappy_block, write_request

MINUTE_NS = 60 * 10**9
WINDOW_MINUTES = int(rules_module.WINDOW.removesuffix("m"))
NOW_NS = time.time_ns()


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> dict:
    return capture_round(tmp_path_factory.mktemp("canary"))


def _attrs(values: list[dict]) -> dict[str, str]:
    return {a["key"]: a["value"]["stringValue"] for a in values}


def _resource(body: dict, key: str) -> dict[str, str]:
    return _attrs(body[key][0]["resource"]["attributes"])


def _query(rule: dict) -> str:
    (query,) = [d for d in rule["data"] if d["refId"] == "A"]
    return query["model"]["expr"]


def _loki_states(loki, rule: dict, at_ns: int) -> dict:
    result = loki.get_json("/loki/api/v1/query", {"query": _query(rule), "time": at_ns})
    assert result["status"] == "success", result
    return evaluate(rule, [(s["metric"], [float(s["value"][1])]) for s in result["data"]["result"]])


def _prometheus_states(prometheus, rule: dict, at_s: float) -> dict:
    result = prometheus.get("/api/v1/query", query=_query(rule), time=f"{at_s:.3f}")
    assert result["status"] == "success", result
    return evaluate(rule, [(s["metric"], [float(s["value"][1])]) for s in result["data"]["result"]])


def _delivered_log(sent: dict, at_ns: int, redacted: bool = True) -> dict:
    """The canary's log record as Alloy writes it to Loki; unredacted: as if the redaction stages were gone."""
    (record,) = sent["logs"]["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    raw = otlp_entry(record["body"]["stringValue"], severity_text=record["severityText"],
                     severity_number=record["severityNumber"], trace_id=record["traceId"],
                     span_id=record["spanId"], resources=_resource(sent["logs"], "resourceLogs"))
    entry = run(raw)
    line = entry.line if redacted else raw.line
    return {"stream": entry.labels, "values": [[str(at_ns), line, entry.metadata]]}


ARRIVED, MISSING = {frozenset(): "Normal"}, {NO_DATA: "Alerting"}


# --- the script itself ----------------------------------------------------------------------------

def test_one_round_sends_one_log_line_one_span_and_one_sample_all_tagged_as_the_canary(sent):
    for signal, key in (("logs", "resourceLogs"), ("traces", "resourceSpans"), ("metrics", "resourceMetrics")):
        assert _resource(sent[signal], key)["service.name"] == c.CANARY_SERVICE_NAME
    (record,) = sent["logs"]["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    assert f"api_key={c.CANARY_FAKE_SECRET}" in record["body"]["stringValue"]
    (span,) = sent["traces"]["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert (len(span["traceId"]), len(span["spanId"])) == (32, 16)
    (metric,) = sent["metrics"]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]
    (point,) = metric["gauge"]["dataPoints"]
    assert metric["name"] == c.CANARY_METRIC and abs(point["asDouble"] - time.time()) < 60


def test_alloy_redacts_the_canarys_fake_secret(sent):
    line = _delivered_log(sent, NOW_NS)["values"][0][1]
    assert c.CANARY_FAKE_SECRET not in line and "<redacted>" in line


# --- logs: Loki ----------------------------------------------------------------------------------

def test_logs_missing_is_quiet_while_canary_lines_arrive_and_fires_once_they_stop(live_backends, rules, sent):
    loki, rule = live_backends["loki", "local"], rules[rules_module.LOGS_MISSING_UID]
    at = NOW_NS - 90 * MINUTE_NS
    loki_push(loki, [_delivered_log(sent, at)])
    wait_for(lambda: _loki_states(loki, rule, at + MINUTE_NS) == ARRIVED, "the canary line in Loki")
    assert _loki_states(loki, rule, at + (WINDOW_MINUTES - 1) * MINUTE_NS) == ARRIVED
    assert _loki_states(loki, rule, at + (WINDOW_MINUTES + 1) * MINUTE_NS) == MISSING


def test_the_secret_rule_stays_quiet_on_a_redacted_line_and_fires_on_an_unredacted_one(live_backends, rules, sent):
    loki, rule = live_backends["loki", "local"], rules[rules_module.SECRET_UNREDACTED_UID]
    redacted_at, clear_at = NOW_NS - 110 * MINUTE_NS, NOW_NS - 130 * MINUTE_NS
    loki_push(loki, [_delivered_log(sent, redacted_at), _delivered_log(sent, clear_at, redacted=False)])
    wait_for(lambda: _loki_states(loki, rule, clear_at + MINUTE_NS) != {NO_DATA: "Normal"}, "the clear line")
    assert set(_loki_states(loki, rule, clear_at + MINUTE_NS).values()) == {"Alerting"}
    assert _loki_states(loki, rule, redacted_at + MINUTE_NS) == {NO_DATA: "Normal"}


# --- metric samples: Prometheus ------------------------------------------------------------------

def test_metrics_missing_is_quiet_while_samples_arrive_and_fires_once_they_stop(live_prometheus, rules, sent):
    # Within the hour before the newest sample: the oldest time Prometheus' head accepts for a new series.
    rule, at = rules[rules_module.METRICS_MISSING_UID], NOW_NS / 1e9 - 45 * 60
    (metric,) = sent["metrics"]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]
    labels = {"__name__": metric["name"], "job": _resource(sent["metrics"], "resourceMetrics")["service.name"],
              "environment": "local"}  # otelcol.exporter.prometheus: job from service.name; the write's label
    body = write_request(labels, metric["gauge"]["dataPoints"][0]["asDouble"], int(at * 1000))
    assert live_prometheus.post("/api/v1/write", snappy_block(body), {
        "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
        "X-Prometheus-Remote-Write-Version": "0.1.0"}) == 204
    assert _prometheus_states(live_prometheus, rule, at + 60) == ARRIVED
    assert _prometheus_states(live_prometheus, rule, at + (WINDOW_MINUTES - 1) * 60) == ARRIVED
    assert _prometheus_states(live_prometheus, rule, at + (WINDOW_MINUTES + 1) * 60) == MISSING


# --- spans: Tempo's span metrics in Prometheus ---------------------------------------------------

def test_spans_missing_is_quiet_while_spans_arrive_and_fires_once_they_stop(live_prometheus, rules, sent, rendered,
                                                                            tmp_path):
    rule = rules[rules_module.SPANS_MISSING_UID]
    calls = f'sum(traces_spanmetrics_calls_total{{service="{c.CANARY_SERVICE_NAME}"}})'

    def counted() -> float:
        result = live_prometheus.get("/api/v1/query", query=calls)["data"]["result"]
        return float(result[0]["value"][1]) if result else 0.0

    with running_tempo(rendered("local"), tmp_path, remote_write_url=f"{live_prometheus.base}/api/v1/write") as tempo:
        tempo_push(tempo, _with_now(sent["traces"]))
        wait_for(lambda: counted() >= 1, "the canary span counted by Tempo's span metrics", timeout=60)
        # A new series' first sample shows no increase (Tempo 3.0.3 writes no zero first): the next
        # minute's span makes the counter grow — why the rule's pending period outlasts a minute.
        tempo_push(tempo, _with_now(sent["traces"]))
        wait_for(lambda: counted() >= 2, "the second canary span counted", timeout=60)
        stopped = time.time()
    assert _prometheus_states(live_prometheus, rule, stopped) == ARRIVED
    assert _prometheus_states(live_prometheus, rule, stopped + (WINDOW_MINUTES + 1) * 60) == MISSING


def _with_now(traces: dict) -> bytes:
    """The canary's span re-sent now, with a new span id (as the next round's would be)."""
    import json

    body = json.loads(json.dumps(traces))
    (span,) = body["resourceSpans"][0]["scopeSpans"][0]["spans"]
    now = time.time_ns()
    span |= {"spanId": f"{now:016x}"[-16:], "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 10**6)}
    return json.dumps(body).encode()

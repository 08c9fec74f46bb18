"""The demo's OTLP metrics, as Alloy's Prometheus conversion writes them, make every Agent Health and Tenant
Memory panel on the generated metrics return data in the REAL Prometheus started with the local render.

Modelled conversion (otelcol.exporter.prometheus, default suffixes): a monotonic cumulative sum becomes
`<name>_total`; a histogram `<name>_bucket{le}` (OpenTelemetry's default explicit bounds, which
telemetrygen uses), `<name>_sum` and `<name>_count`; data-point attributes become labels, service.name
becomes `job`, and remote_write adds `environment`. Samples are cumulative (telemetrygen resends fixed
bucket samples, which Prometheus reads as resets; the panels then still have data).
"""

from __future__ import annotations

import json
import time

import pytest

from components import constants as c
from components.dashboards import dashboard_files
from components.services import demo_telemetry
from components.settings import from_stack_file
from tests.validators.grammars import expand_grafana_variables
from tests.validators.prometheus_harness import live_prometheus_fixture  # noqa: F401  (the local render's)
from tests.validators.prometheus_harness import snappy_block, write_request

BOUNDS = (0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000)
SAMPLES, STEP_S = 12, 15  # three minutes of samples, one per scrape-like interval
METRIC_STREAMS = [s for s in demo_telemetry.STREAMS if s.signal == "metrics"]


def _flag(stream: demo_telemetry.Stream, name: str) -> str:
    return stream.flags[stream.flags.index(name) + 1]


def _series(stream: demo_telemetry.Stream, i: int) -> list[tuple[dict[str, str], float]]:
    """(labels, value) of the series one telemetrygen data point becomes, at its i-th sample."""
    name, kind = _flag(stream, "--otlp-metric-name"), _flag(stream, "--metric-type")
    labels = {**dict(stream.attributes), "job": _flag(stream, "--service"), "environment": "local"}
    if kind == "Sum":
        return [({"__name__": f"{name}_total", **labels}, float(5 * i))]
    assert kind == "Histogram", kind
    observations = 4 * i  # cumulative: four observations per sample, spread over the buckets below 500
    buckets = [({"__name__": f"{name}_bucket", "le": str(float(b)), **labels},
                float(observations if b >= 500 else observations * (BOUNDS.index(b) + 1) // 10)) for b in BOUNDS]
    return [*buckets, ({"__name__": f"{name}_bucket", "le": "+Inf", **labels}, float(observations)),
            ({"__name__": f"{name}_sum", **labels}, float(180 * observations)),
            ({"__name__": f"{name}_count", **labels}, float(observations))]


def _promql_panels() -> list[tuple[str, str]]:
    """(id, expression) of every Prometheus target that reads a metric the demo generates."""
    names = {_flag(s, "--otlp-metric-name") for s in METRIC_STREAMS}
    found = []
    for text in dashboard_files(from_stack_file("local")).values():
        board = json.loads(text)
        for panel in [p for top in board["panels"] for p in (top, *top.get("panels", []))]:
            for target in panel.get("targets", []):
                expr = target.get("expr", "")
                if target.get("datasource", {}).get("uid") == c.PROMETHEUS and any(n in expr for n in names):
                    found.append((f"{board['uid']}/{panel['title']}/{target['refId']}", expr))
    return found


PANELS = _promql_panels()


@pytest.fixture(scope="module")
def demo_metrics(live_prometheus):
    prometheus = live_prometheus
    start_ms = int(time.time() * 1000) - SAMPLES * STEP_S * 1000
    for i in range(1, SAMPLES + 1):  # in time order, as Alloy writes them
        for stream in METRIC_STREAMS:
            body = b"".join(write_request(labels, value, start_ms + i * STEP_S * 1000)
                            for labels, value in _series(stream, i))
            status = prometheus.post("/api/v1/write", snappy_block(body), {
                "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
                "X-Prometheus-Remote-Write-Version": "0.1.0"})
            assert status == 204
    return prometheus


def test_the_agent_and_tenant_memory_dashboards_chart_the_generated_metrics():
    boards = {query_id.split("/")[0] for query_id, _ in PANELS}
    assert boards == {"platform-agent-health", "platform-tenant-memory"}, boards


@pytest.mark.parametrize(("query_id", "expr"), PANELS, ids=[p[0] for p in PANELS])
def test_every_panel_on_generated_metrics_returns_data(demo_metrics, query_id, expr):
    query = expand_grafana_variables(expr).replace("[1h]", "[5m]")  # $__range as the last five minutes
    now = time.time()
    result = demo_metrics.eventually(lambda: [
        series for series in demo_metrics.get("/api/v1/query_range", query=query, start=str(now - 120),
                                              end=str(now), step="15")["data"]["result"]
        if any(value not in ("NaN", "0") for _, value in series["values"])], f"{query_id}: data for {query}")
    assert result

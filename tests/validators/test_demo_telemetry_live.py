"""The local stack's demo telemetry, pushed into the REAL Loki and Tempo started with the local stack's
rendered configs (tests/validators/engine_servers.py), makes every LogQL and TraceQL panel of the platform
dashboards return data — run as the dashboards send them — and no fake secret reaches Loki.

Log lines come from the demo emitter's own script, through Alloy's pipeline replayed from its config
(labels, structured metadata, redaction); spans have telemetrygen's shape with the demo streams' flags.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from components import constants as c
from components.dashboards import dashboard_files
from components.services import demo_telemetry
from components.settings import from_stack_file
from tests.validators.demo_samples import demo_log_entries, demo_otlp_log_entries, otlp_traces, trace_streams
from tests.validators.engine_servers import (Server, loki_push, loki_query_range, now_ns, tempo_push, tempo_search,
                                          tempo_seed, wait_for)
from tests.validators.grammars import expand_grafana_variables

STACK = "local"
PLATFORM_DASHBOARD = "platform-app-logs"  # the platform's logs; Stack Health reads the stack's own services
WINDOW_NS = 15 * 60 * 10**9  # queries look at the last 15 minutes, like a dashboard opened after the deploy
# Tempo makes pushed spans searchable after its live store cuts a block: seconds idle, longer on a busy CI box.
TEMPO_WAIT_SECONDS = 90
LOKI_WAIT_SECONDS = 60


def _custom_variables_on_all(board: dict, expr: str) -> str:
    """Grafana's `${name:regex}` of a custom variable on "All" (no allValue): every option, as (a|b|c)."""
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("type") == "custom" and not variable.get("allValue"):
            options = [o.strip() for o in str(variable.get("query", "")).split(",") if o.strip()]
            expr = expr.replace(f"${{{variable['name']}:regex}}", "(" + "|".join(map(re.escape, options)) + ")")
    return expr


def _panel_queries() -> list[tuple[str, str, str]]:
    """(id, datasource uid, expression) of every Loki and Tempo panel target of the platform dashboards,
    custom variables already expanded as on "All"."""
    found = []
    for text in dashboard_files(from_stack_file(STACK)).values():
        board = json.loads(text)
        for panel in [p for top in board["panels"] for p in (top, *top.get("panels", []))]:
            for target in panel.get("targets", []):
                uid = target.get("datasource", {}).get("uid")
                if uid in (c.LOKI, c.TEMPO):
                    expr = target["query"] if uid == c.TEMPO else target["expr"]
                    found.append((f"{board['uid']}/{panel['title']}/{target['refId']}", uid,
                                  _custom_variables_on_all(board, expr)))
    return found


QUERIES = _panel_queries()
DEMO_QUERIES = [q for q in QUERIES if q[0].startswith(PLATFORM_DASHBOARD + "/")]
LOGQL = [(q[0], q[2]) for q in DEMO_QUERIES if q[1] == c.LOKI]
TRACEQL = [(q[0], q[2]) for q in DEMO_QUERIES if q[1] == c.TEMPO]
# One tenant picked in the dashboard's variables (not "All"): the demo's lines must carry real ids.
ONE_TENANT = {"$client_account_id": demo_telemetry.CLIENTS[0], "$engagement_id": demo_telemetry.ENGAGEMENTS[0]}


@pytest.fixture(scope="module")
def settings():
    return from_stack_file(STACK)


@pytest.fixture(scope="module")
def entries(settings):
    """The emitter's Docker lines and the OTLP log records, as Loki receives them."""
    return demo_log_entries(settings, lines=60) + demo_otlp_log_entries(settings)


@pytest.fixture(scope="module")
def loki(live_backends, entries):
    """The local stack's real Loki with the demo lines pushed as Alloy would, one second apart."""
    server, newest = live_backends["loki", STACK], now_ns()
    oldest = newest - len(entries) * 10**9
    loki_push(server, [{"stream": entry.labels,
                        "values": [[str(oldest + i * 10**9), entry.line, entry.metadata]]}
                       for i, entry in enumerate(entries)])
    return server


# Spans the shared Tempo's metrics generator dropped as older than its ingestion slack, before ours.
_TOO_OLD_BEFORE: dict[str, float] = {}


@tempo_seed
def _push_the_demo_traces(stack: str, server: Server) -> None:
    """Pushed as soon as the session's Tempo is ready, so they are searchable by the time the tests ask."""
    if stack != STACK:
        return
    _TOO_OLD_BEFORE[stack] = _tempo_metric(server, *TOO_OLD)
    for stream in trace_streams():
        tempo_push(server, json.dumps(otlp_traces(stream, from_stack_file(stack).environment)).encode())


@pytest.fixture(scope="module")
def too_old_before(tempo):
    return _TOO_OLD_BEFORE[STACK]


@pytest.fixture(scope="module")
def tempo(live_backends):
    """The local stack's real Tempo with the demo traces pushed (see _push_the_demo_traces)."""
    return live_backends["tempo", STACK]


TOO_OLD = ("tempo_metrics_generator_spans_discarded_total", 'reason="outside_metrics_ingestion_slack"')


def _tempo_metric(tempo, name: str, label_matcher: str = "") -> float:
    """The sum of a Tempo self-metric's samples whose labels contain `label_matcher` (Prometheus text format)."""
    total = 0.0
    for line in tempo.get_text("/metrics").splitlines():
        match = re.match(rf"^{name}(?:\{{(?P<labels>[^}}]*)\}})? (?P<value>\S+)$", line)
        if match and label_matcher in (match["labels"] or ""):
            total += float(match["value"])
    return total


def _logs(loki, query: str) -> list:
    now = now_ns()
    return loki_query_range(loki, query, now - WINDOW_NS, now + 10**9, limit=5000)["result"]


def _traces(tempo, query: str) -> list:
    now = int(time.time())
    try:
        return tempo_search(tempo, query, now - WINDOW_NS // 10**9, now + 1).get("traces", [])
    except AssertionError as error:  # HTTP 5xx while the live store completes a block: ask again
        if "HTTP 5" not in str(error):
            raise
        return []


def test_the_platform_dashboards_query_loki_and_tempo():
    assert {uid for _, uid, _ in DEMO_QUERIES} == {c.LOKI, c.TEMPO}


@pytest.mark.parametrize("scenario", ["all", "one tenant"])
@pytest.mark.parametrize(("query_id", "expr"), LOGQL, ids=[q[0] for q in LOGQL])
def test_every_logql_panel_returns_demo_lines(loki, query_id, expr, scenario):
    if scenario == "one tenant":
        for variable, value in ONE_TENANT.items():
            expr = expr.replace(variable, value)
    query = expand_grafana_variables(expr)  # every other variable on "All", $__auto as 1m
    wait_for(lambda: _logs(loki, query), f"{query_id} to return data for\n{query}", LOKI_WAIT_SECONDS)


@pytest.mark.parametrize(("query_id", "expr"), TRACEQL, ids=[q[0] for q in TRACEQL])
def test_every_traceql_panel_finds_demo_traces(tempo, query_id, expr):
    wait_for(lambda: _traces(tempo, expr), f"{query_id} to find traces for {expr}", TEMPO_WAIT_SECONDS)


def test_a_demo_trace_is_found_by_its_platform_attributes(tempo):
    query = f'{{ resource.service.name = "backend" && span.flow_id = "{demo_telemetry.FLOW}" }}'
    wait_for(lambda: _traces(tempo, query), query, TEMPO_WAIT_SECONDS)


def test_the_emitter_prints_the_fake_secret_and_the_pipeline_redacts_it(entries, settings):
    # Guards the next test: the secret really enters the pipeline, so its absence in Loki means redaction.
    emitter = next(s for s in demo_telemetry.specs(settings) if s.service == demo_telemetry.LOG_EMITTER)
    assert emitter.env["DEMO_FAKE_SECRET"] == demo_telemetry.FAKE_SECRET
    errors = [entry for entry in entries if json.loads(entry.line).get("level") == "ERROR"]
    assert errors and all(entry.line.count("<redacted>") >= 2 for entry in errors)


def test_no_fake_secret_reaches_loki(loki):
    redacted = '{container="obs-demo-backend"} |= "<redacted>"'
    streams = wait_for(lambda: _logs(loki, redacted), "redacted lines", LOKI_WAIT_SECONDS)
    everything = json.dumps(_logs(loki, '{container=~".+"}'))
    assert streams and demo_telemetry.FAKE_SECRET not in everything


def test_the_service_graph_and_span_metrics_are_built_from_demo_traces(tempo, too_old_before):
    """Tempo's metrics generator pairs the demo's client and server spans into service-graph edges and
    adds span-metric series (what it remote-writes to Prometheus); none is dropped as too old."""
    wait_for(lambda: _tempo_metric(tempo, "tempo_metrics_generator_processor_service_graphs_edges") > 0,
             "service-graph edges", TEMPO_WAIT_SECONDS)
    assert _tempo_metric(tempo, "tempo_metrics_generator_registry_series_added_total") > 0
    assert _tempo_metric(tempo, *TOO_OLD) == too_old_before


def test_the_otlp_demo_logs_arrive_with_their_secret_redacted(loki):
    query = '{exporter="OTLP"} |= "LLM call finished" |= "<redacted>"'
    streams = wait_for(lambda: _logs(loki, query), "the OTLP demo log lines", LOKI_WAIT_SECONDS)
    assert demo_telemetry.FAKE_SECRET not in json.dumps(streams)

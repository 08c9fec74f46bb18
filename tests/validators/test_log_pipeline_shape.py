"""The log pipeline's output shape is the one the dashboards and alert rules query.

One input per shape the pipeline receives — a platform container's JSON line, a plain-text line, a logfmt
line, and an OTLP log record through otelcol.exporter.loki — run through the replayed pipeline
(alloy_pipeline.py), compared with the labels and structured metadata it must produce; then every label
that a dashboard, an alert rule or a datasource link uses must be produced by some input shape, and every
stream selector may only use stream labels (structured metadata cannot select a stream)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
import yaml

from components import constants as c
from components.alerts import alerting_files, canary
from components.settings import from_stack_file
from tests.validators.alloy_pipeline import docker_entry, kubernetes_entry, otlp_entry, run, stages
from tests.validators.grammars import expand_grafana_variables
from tests.validators.test_dashboard_queries import QUERIES
from tests.validators.test_loki_tempo_queries import DASHBOARD_QUERIES

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN_ID = "00f067aa0ba902b7"
PLATFORM_FIELDS = {
    "client_account_id": "11111111-1111-4111-8111-111111111111",
    "engagement_id": "22222222-2222-4222-8222-222222222222",
    "flow_id": "33333333-3333-4333-8333-333333333333",
    "agent": "asset_inventory_agent",
    "phase": "discovery",
    "status": "failed",
}
# What the platform fields become, whatever the input shape.
PLATFORM_LABELS = {"level": "error", "client_account_id": PLATFORM_FIELDS["client_account_id"]}
PLATFORM_METADATA = {k: v for k, v in PLATFORM_FIELDS.items() if k != "client_account_id"} | {"trace_id": TRACE_ID}

DOCKER_JSON = docker_entry(json.dumps({"timestamp": "2026-12-01T05:00:00Z", "level": "ERROR", "logger": "flows",
                                       "message": "Flow failed: Exception in discovery", "trace_id": TRACE_ID,
                                       **PLATFORM_FIELDS}), "migration_backend", "backend")
PLAIN_TEXT = docker_entry("Traceback (most recent call last): ValueError: bad row 7", "migration_backend", "backend")
LOGFMT = docker_entry('level=WARN ts=2026-12-01T05:00:00Z caller=compactor.go:42 msg="slow compaction"', "obs-loki")
OTLP = otlp_entry("Flow failed: Exception in discovery", severity_text="ERROR", severity_number=17,
                  trace_id=TRACE_ID, span_id=SPAN_ID, attributes=PLATFORM_FIELDS,
                  resources={"service.name": "backend", "service.instance.id": "backend-7f9c"})
# A record with a severity number and no severity text: its only level is the exporter's upper-case label.
OTLP_SEVERITY_NUMBER = otlp_entry("Flow failed: Exception in discovery", severity_number=17, trace_id=TRACE_ID,
                                  span_id=SPAN_ID, attributes=PLATFORM_FIELDS,
                                  resources={"service.name": "backend", "service.instance.id": "backend-7f9c"})
KUBERNETES_JSON = kubernetes_entry(DOCKER_JSON.line, "migration", "backend-7f9c-x2x4z", "backend", app="backend")
SHAPES = {"docker-json": DOCKER_JSON, "plain-text": PLAIN_TEXT, "logfmt": LOGFMT, "otlp": OTLP,
          "otlp-severity-number": OTLP_SEVERITY_NUMBER, "kubernetes-json": KUBERNETES_JSON}


def test_a_platform_json_line_from_docker():
    out = run(DOCKER_JSON)
    assert out.labels == {"container": "migration_backend", "service_name": "backend", "environment": "local",
                          **PLATFORM_LABELS}
    assert out.metadata == PLATFORM_METADATA


def test_a_platform_json_line_from_a_kubernetes_pod_meets_the_same_expectations():
    out = run(KUBERNETES_JSON)
    assert out.labels == {"container": "backend", "namespace": "migration", "pod": "backend-7f9c-x2x4z",
                          "app": "backend", "service_name": "backend", "environment": "local", **PLATFORM_LABELS}
    assert out.metadata == PLATFORM_METADATA


def test_a_pod_without_an_app_label_is_named_after_its_container():
    entry = kubernetes_entry("plain", "migration", "worker-0", "worker")
    assert entry is not None and entry.labels["service_name"] == "worker"


def test_pods_that_are_not_running_are_not_read():
    assert kubernetes_entry("x", "migration", "job-1", "job", phase="Succeeded") is None


def test_an_otlp_log_record_meets_the_same_expectations():
    out = run(OTLP)
    assert out.labels == {"exporter": "OTLP", "job": "backend", "instance": "backend-7f9c",
                          "service_name": "backend", "environment": "local", **PLATFORM_LABELS}
    assert out.metadata == PLATFORM_METADATA | {"span_id": SPAN_ID}


def test_an_otlp_record_with_only_a_severity_number_gets_a_lower_case_level():
    out = run(OTLP_SEVERITY_NUMBER)
    assert out.labels == run(OTLP).labels
    assert out.metadata == PLATFORM_METADATA | {"span_id": SPAN_ID}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_level_reaching_loki_is_lower_case(shape):
    level = run(SHAPES[shape]).labels.get("level", "")
    assert level == level.lower()


def test_a_plain_text_line_keeps_only_its_source_labels():
    out = run(PLAIN_TEXT)
    assert out.labels == {"container": "migration_backend", "service_name": "backend", "environment": "local"}
    assert out.metadata == {} and out.line == PLAIN_TEXT.line


def test_a_logfmt_line_of_the_stacks_own_services_gets_its_level():
    out = run(LOGFMT)
    assert out.labels == {"container": "obs-loki", "service_name": "loki", "level": "warn", "environment": "local"}


def test_the_pipeline_splits_fields_as_the_constants_say():
    labels = {name for s in stages() if s.name == "stage.labels" for name in s.attrs["values"]}
    metadata = {name for s in stages() if s.name == "stage.structured_metadata" for name in s.attrs["values"]}
    assert labels == set(c.LOG_STREAM_LABELS)
    assert metadata == set(c.LOG_STRUCTURED_METADATA)
    assert not labels & metadata


def test_per_flow_fields_never_become_stream_labels():
    """Loki's cardinality guidance: ids that grow with every flow or request would multiply streams."""
    for shape, entry in SHAPES.items():
        assert not {"flow_id", "engagement_id", "trace_id", "span_id"} & set(run(entry).labels), shape


# --- every label a query uses is produced ---------------------------------------------------------------

_SELECTOR = re.compile(r"\{([^{}]*)\}")
_MATCHER = re.compile(r"([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)")
_FILTER = re.compile(r"\|\s*([A-Za-z_]\w*)\s*(?:=~|!~|!=|==|=|>=|<=|>|<)")
_GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")


def _logql_queries() -> list[tuple[str, str]]:
    local = from_stack_file("local")
    settings = dataclasses.replace(local, postgres=dataclasses.replace(local.postgres, enabled=True))
    rules = [(f"rule {rule['uid']}", data["model"]["expr"])
             for group in yaml.safe_load(alerting_files(settings)["rules.yaml"])["groups"]
             for rule in group["rules"] for data in rule["data"] if data["datasourceUid"] == c.LOKI]
    dashboards = [(query_id, expr) for query_id, lang, expr in QUERIES if lang == "logql"]
    tempo_link = _tempo_to_loki_query()
    return rules + dashboards + [("tempo tracesToLogs", tempo_link)]


def _tempo_to_loki_query() -> str:
    """The Tempo datasource's trace-to-logs query, with the tag mapping it fills `${__tags}` from."""
    sources = yaml.safe_load((_datasources_dir() / "datasources.yaml").read_text())["datasources"]
    (tempo,) = [ds for ds in sources if ds["uid"] == c.TEMPO]
    link = tempo["jsonData"]["tracesToLogsV2"]
    tags = ", ".join(f'{tag["value"]}="x"' for tag in link["tags"])
    return link["query"].replace("$${__tags}", tags).replace("$$", "$")


def _datasources_dir():
    from components.services.common import CONFIG_DIR
    return CONFIG_DIR / c.GRAFANA / "provisioning" / "datasources"


def _used(expr: str) -> tuple[set[str], set[str]]:
    """(labels used in stream selectors, labels used in label filters and groupings)."""
    expr = expand_grafana_variables(expr)
    selectors = {name for body in _SELECTOR.findall(expr) for name in _MATCHER.findall(body)}
    outside = _SELECTOR.sub("", expr)
    others = set(_FILTER.findall(outside))
    others |= {name.strip() for group in _GROUPING.findall(outside) for name in group.split(",") if name.strip()}
    return selectors, others


QUERIES_LOGQL = _logql_queries()
OUTPUTS = [run(entry) for entry in SHAPES.values()]
STREAM_LABELS = {name for out in OUTPUTS for name in out.labels}
ALL_FIELDS = STREAM_LABELS | {name for out in OUTPUTS for name in out.metadata}


def test_queries_were_found_for_rules_dashboards_and_the_trace_link():
    ids = [query_id for query_id, _ in QUERIES_LOGQL]
    assert any(i.startswith("rule ") for i in ids) and any(i.startswith("platform-") for i in ids)
    assert len(ids) >= 8


@pytest.mark.parametrize(("query_id", "expr"), QUERIES_LOGQL, ids=[q for q, _ in QUERIES_LOGQL])
def test_every_label_a_query_uses_is_produced_by_the_pipeline(query_id, expr):
    selectors, others = _used(expr)
    assert selectors, f"{query_id}: no stream selector found in {expr}"
    assert selectors <= STREAM_LABELS, f"{query_id}: selects streams by {selectors - STREAM_LABELS}, not labels"
    assert others <= ALL_FIELDS, f"{query_id}: uses {others - ALL_FIELDS}, which no input shape produces"


def test_the_check_catches_a_label_no_pipeline_produces():
    selectors, _ = _used('{tenant=~".+"} | flow_id="x"')
    assert not selectors <= STREAM_LABELS
    _, others = _used('{container=~".+"} | customer="x"')
    assert not others <= ALL_FIELDS
    selectors, _ = _used('{flow_id="x"}')
    assert not selectors <= STREAM_LABELS  # metadata cannot select a stream


def test_loki_derived_field_for_traces_reads_a_produced_field():
    sources = yaml.safe_load((_datasources_dir() / "datasources.yaml").read_text())["datasources"]
    (loki,) = [ds for ds in sources if ds["uid"] == c.LOKI]
    by_label = [f["matcherRegex"] for f in loki["jsonData"]["derivedFields"] if f["matcherType"] == "label"]
    assert by_label and set(by_label) <= ALL_FIELDS


def _selector_matches(expr: str, labels: dict[str, str]) -> bool:
    """Whether the query's stream selector selects a stream with these labels (Loki's matcher semantics:
    anchored regular expressions, a missing label is the empty string)."""
    body = _SELECTOR.search(expand_grafana_variables(expr))
    assert body, expr
    for name, op, value in re.findall(r'([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', body[1]):
        actual = labels.get(name, "")
        matched = re.fullmatch(value, actual) is not None if op in ("=~", "!~") else value == actual
        if matched != (op in ("=", "=~")):
            return False
    return True


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_loki_alert_rule_selects_every_input_shape(shape):
    """An alert over "all logs" that missed OTLP logs (no container label) would stay quiet on them."""
    out = run(SHAPES[shape])
    for query_id, expr in QUERIES_LOGQL:
        if query_id.startswith("rule ") and not _is_canary(query_id):
            assert _selector_matches(expr, out.labels), f"{query_id} does not select {shape} lines {out.labels}"


# The canary's OTLP log line as Alloy ships it (config/canary/canary.sh): its rules and panel select it alone.
CANARY_SHAPE = otlp_entry(f"canary heartbeat api_key={c.CANARY_FAKE_SECRET}", severity_text="INFO",
                          severity_number=9, resources={"service.name": c.CANARY_SERVICE_NAME})


def _is_canary(query_id: str) -> bool:
    return query_id.startswith(tuple(f"rule {uid}" for uid in canary.UIDS)) or "/Canary: " in query_id


def test_the_canary_rules_and_panel_select_the_canarys_lines_and_no_others():
    queries = [(query_id, expr) for query_id, expr in QUERIES_LOGQL if _is_canary(query_id)]
    assert len(queries) == 3
    for query_id, expr in queries:
        assert _selector_matches(expr, run(CANARY_SHAPE).labels), query_id
        assert not any(_selector_matches(expr, run(entry).labels) for entry in SHAPES.values()), query_id


# The stack's own Grafana: its container's log on the Docker host and its pod's on Kubernetes (no OTLP logs).
GRAFANA_SHAPES = {
    "docker": docker_entry('logger=context error="[password-auth.failed] invalid username or password"',
                           c.container_name(c.GRAFANA)),
    "kubernetes": kubernetes_entry("logger=context", "observability", "grafana-0", c.GRAFANA, app=c.GRAFANA),
}
# Every shape a platform service's log arrives in (LOGFMT is the stack's own Loki, not a platform service).
PLATFORM_SHAPES = {name: entry for name, entry in SHAPES.items() if name != "logfmt"}
# Dashboard log queries (panels and label_values variables) with the values a user gets on opening them.
DASHBOARD_LOGQL = [(query_id, expr) for query_id, kind, expr in DASHBOARD_QUERIES if kind != "traceql"]


def test_dashboard_log_queries_were_found_for_app_logs_and_stack_health():
    boards = {query_id.split("/")[0] for query_id, _ in DASHBOARD_LOGQL}
    assert {"platform-app-logs", "platform-stack-health"} <= boards
    assert any("/var " in query_id for query_id, _ in DASHBOARD_LOGQL)


@pytest.mark.parametrize(("query_id", "expr"), DASHBOARD_LOGQL, ids=[q for q, _ in DASHBOARD_LOGQL])
def test_every_dashboard_log_query_selects_every_input_shape_of_its_logs(query_id, expr):
    """App Logs over container streams only would show no OTLP line; Stack Health's Grafana panel over the
    Docker container's name would show nothing on Kubernetes."""
    if _is_canary(query_id):
        return  # test_the_canary_rules_and_panel_select_the_canarys_lines_and_no_others
    shapes = GRAFANA_SHAPES if query_id.startswith("platform-stack-health/") else PLATFORM_SHAPES
    for shape, entry in shapes.items():
        assert entry is not None
        out = run(entry)
        assert _selector_matches(expr, out.labels), f"{query_id} does not select {shape} lines {out.labels}: {expr}"


def test_the_stacks_own_containers_are_named_after_their_service():
    assert run(GRAFANA_SHAPES["docker"]).labels["service_name"] == c.GRAFANA
    assert "service_name" not in run(docker_entry("x", "some_other_container")).labels

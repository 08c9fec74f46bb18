"""Every dashboard and alert-rule LogQL/TraceQL query executes on the real Loki and Tempo of each stack, and
each Loki-backed rule fires on lines shaped exactly like the Alloy pipeline's output and stays quiet without.

Dashboard queries run with the values a user gets on opening the dashboard (every "All", empty text boxes),
as Grafana substitutes them; Loki refuses, for instance, a selector whose matchers all match the empty
string — a failure a grammar check cannot see. The rule scenarios push lines at their own past minute and
query the rule's expression at that instant, then replay Grafana's reduce and threshold (grafana_rules.py)."""

from __future__ import annotations

import json
import re
import time

import pytest
import yaml

from components import constants as c
from components.alerts import canary
from components.alerts.platform_health import ERROR_LOGS_UID
from components.dashboards import dashboard_files
from components.services.common import CONFIG_DIR
from components.settings import from_stack_file
from tests.validators.alloy_pipeline import Entry, docker_entry, kubernetes_entry, otlp_entry, run
from tests.validators.conftest import BACKEND_STACKS
from tests.validators.engine_servers import (loki_push, loki_query_range, otlp_trace, tempo_push, tempo_search,
                                          tempo_seed, wait_for)
from tests.validators.grafana_rules import NO_DATA, evaluate, threshold
from tests.validators.grammars import expand_grafana_variables

LABEL_VALUES = re.compile(r"^label_values\((?P<selector>.+),\s*(?P<label>\w+)\)$")
HOUR_NS = 3600 * 10**9


def _defaults(dashboard: dict) -> dict[str, str]:
    """Each variable's value on first load: its allValue for "All", or the regex of all custom options
    (Grafana's `${var:regex}` of a multi-value selection), or a text box's default."""
    values = {}
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "textbox":
            values[variable["name"]] = variable.get("query") or ""
        elif variable.get("allValue"):
            values[variable["name"]] = variable["allValue"]
        elif variable["type"] == "custom":
            values[variable["name"]] = "(" + "|".join(map(re.escape, variable["query"].split(","))) + ")"
    return values


def _substitute(expr: str, values: dict[str, str]) -> str:
    for name in sorted(values, key=len, reverse=True):
        expr = re.sub(r"\$\{" + name + r"(?::[^}]*)?\}|\$" + name + r"\b", lambda _, v=values[name]: v, expr)
    return expand_grafana_variables(expr)  # the built-in intervals ($__auto, $__rate_interval, ...)


def _dashboard_queries() -> list[tuple[str, str, str]]:
    """(id, kind, query): kind is logql, label_values:<label> or traceql."""
    found = []
    for text in dashboard_files(from_stack_file("local")).values():
        board = json.loads(text)
        values = _defaults(board)
        for panel in [p for top in board["panels"] for p in (top, *top.get("panels", []))]:
            for target in panel.get("targets", []):
                uid = target.get("datasource", {}).get("uid")
                if uid == c.LOKI:
                    found.append((f"{board['uid']}/{panel['title']}", "logql", _substitute(target["expr"], values)))
                elif uid == c.TEMPO:
                    found.append((f"{board['uid']}/{panel['title']}", "traceql", _substitute(target["query"], values)))
        for variable in board["templating"]["list"]:
            if variable.get("datasource", {}).get("uid") == c.LOKI:
                match = LABEL_VALUES.match(variable["query"])
                assert match, variable["query"]
                found.append((f"{board['uid']}/var {variable['name']}", f"label_values:{match['label']}",
                              _substitute(match["selector"], values)))
    return found


DASHBOARD_QUERIES = _dashboard_queries()
ERROR_TRACE_ID = f"{time.time_ns():032x}"[-32:]


@tempo_seed
def _an_error_trace(stack: str, tempo) -> None:
    """A failed request's trace, so the dashboards' TraceQL has something to find (seeded at Tempo's start)."""
    now = time.time_ns()
    tempo_push(tempo, otlp_trace(ERROR_TRACE_ID, [{"spanId": "00f067aa0ba902b7", "name": "flow.execute", "kind": 2,
                                                   "startTimeUnixNano": str(now - 10**8), "endTimeUnixNano": str(now),
                                                   "status": {"code": 2, "message": "flow failed"}}], "backend"))


def test_the_dashboards_have_log_trace_and_variable_queries():
    assert {kind.split(":")[0] for _, kind, _ in DASHBOARD_QUERIES} == {"logql", "traceql", "label_values"}


@pytest.mark.parametrize("stack", BACKEND_STACKS)
@pytest.mark.parametrize(("query_id", "kind", "query"), DASHBOARD_QUERIES, ids=[q[0] for q in DASHBOARD_QUERIES])
def test_every_dashboard_query_executes(live_backends, stack, query_id, kind, query):
    end = time.time_ns()
    if kind == "traceql":
        tempo = live_backends["tempo", stack]
        found = wait_for(lambda: tempo_search(tempo, query, end // 10**9 - 3600, end // 10**9 + 60)["traces"],
                         f"the seeded error trace by {query}", timeout=60)
        assert ERROR_TRACE_ID in {t["traceID"].rjust(32, "0") for t in found}
    elif kind == "logql":
        loki_query_range(live_backends["loki", stack], query, end - HOUR_NS, end)
    else:
        label = kind.split(":", 1)[1]
        result = live_backends["loki", stack].get_json(f"/loki/api/v1/label/{label}/values",
                                                       {"query": query, "start": end - HOUR_NS, "end": end})
        assert result["status"] == "success", result


# --- the Loki-backed rules, on lines shaped like the pipeline's output ------------------------------------

def test_the_loki_rules_are_the_error_log_surge_and_the_canarys(rules):
    assert {uid for uid, rule in rules.items() if rule["data"][0]["datasourceUid"] == c.LOKI} == {
        ERROR_LOGS_UID, canary.LOGS_MISSING_UID, canary.SECRET_UNREDACTED_UID}


def _limit(rule: dict) -> int:
    """The error-log limit as a line count (the setting is a whole number of lines a minute)."""
    limit = threshold(rule)
    assert limit.is_integer(), limit
    return int(limit)


def _lines(count: int, level: str, tag: str) -> list[Entry]:
    """`count` distinct lines, alternating a platform container's JSON line and an OTLP log record."""
    entries = []
    for i in range(count):
        message = f"{tag} {i}: " + ("Flow failed with an Exception" if level == "ERROR" else "flow step done")
        if i % 2:
            entries.append(otlp_entry(message, severity_text=level, severity_number=17 if level == "ERROR" else 9,
                                      attributes={"flow_id": f"flow-{i}"}, resources={"service.name": "backend"}))
        else:
            entries.append(docker_entry(json.dumps({"level": level, "message": message, "flow_id": f"flow-{i}"}),
                                        "migration_backend", "backend"))
    return [run(entry) for entry in entries]


def _push_before(loki, at_ns: int, entries: list[Entry]) -> None:
    """The entries within the 50 seconds before `at_ns`, grouped into streams by their labels."""
    streams: dict[tuple, dict] = {}
    for i, entry in enumerate(entries):
        ts = at_ns - 50 * 10**9 + i * 10**6
        stream = streams.setdefault(tuple(sorted(entry.labels.items())), {"stream": entry.labels, "values": []})
        stream["values"].append([str(ts), entry.line, entry.metadata] if entry.metadata else [str(ts), entry.line])
    loki_push(loki, list(streams.values()))


def _evaluate_at(loki, rule: dict, at_ns: int) -> dict:
    (query,) = [d for d in rule["data"] if d["refId"] == "A"]
    assert query["model"]["queryType"] == "instant"
    data = loki.get_json("/loki/api/v1/query", {"query": query["model"]["expr"], "time": at_ns})["data"]
    assert data["resultType"] == "vector", data
    return evaluate(rule, [(s["metric"], [float(s["value"][1])]) for s in data["result"]])


def _wait_for_state(loki, rule: dict, at_ns: int, expected: dict) -> dict:
    """Ingestion is asynchronous: the state once it is `expected`, or the last one after 20 seconds."""
    deadline = time.monotonic() + 20
    while (states := _evaluate_at(loki, rule, at_ns)) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return states


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_error_log_surge_fires_on_more_error_lines_than_the_limit(live_backends, rules, stack):
    loki, rule, at = live_backends["loki", stack], rules[ERROR_LOGS_UID], time.time_ns() - 20 * 60 * 10**9
    _push_before(loki, at, _lines(_limit(rule) + 1, "ERROR", f"surge-{stack}") + _lines(20, "INFO", "calm"))
    expected = {frozenset(): "Alerting"}
    assert _wait_for_state(loki, rule, at, expected) == expected


def _count_at(loki, at_ns: int, line_filter: str = "") -> float:
    """All pipeline lines (every one carries `environment`) in the minute before `at_ns`."""
    query = f'sum(count_over_time({{environment=~".+"}} {line_filter} [1m]))'
    result = loki.get_json("/loki/api/v1/query", {"query": query, "time": at_ns})["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_error_log_surge_stays_quiet_at_the_limit(live_backends, rules, stack):
    loki, rule, at = live_backends["loki", stack], rules[ERROR_LOGS_UID], time.time_ns() - 30 * 60 * 10**9
    limit = _limit(rule)
    _push_before(loki, at, _lines(limit, "ERROR", f"steady-{stack}") + _lines(40, "INFO", "calm"))
    wait_for(lambda: _count_at(loki, at) == limit + 40, "the pushed lines")
    assert _evaluate_at(loki, rule, at) == {frozenset(): "Normal"}
    (series,) = loki.get_json("/loki/api/v1/query", {"query": rule["data"][0]["model"]["expr"],
                                                     "time": at})["data"]["result"]
    assert float(series["value"][1]) == limit  # every error line counted, the OTLP ones too


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_error_log_surge_stays_quiet_without_error_lines(live_backends, rules, stack):
    loki, rule, at = live_backends["loki", stack], rules[ERROR_LOGS_UID], time.time_ns() - 40 * 60 * 10**9
    _push_before(loki, at, _lines(30, "INFO", f"quiet-{stack}"))
    wait_for(lambda: _count_at(loki, at) == 30, "the pushed lines")
    assert _evaluate_at(loki, rule, at) == {NO_DATA: "Normal"}  # no matching line: noDataState OK


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_loki_runs_without_a_pattern_ingester_and_with_the_written_stream_limit(live_backends, stack):
    loki = live_backends["loki", stack]
    config = loki.config()
    assert config.get("pattern_ingester", {}).get("enabled", False) is False  # /config omits false
    services = loki.get_text("/services")
    assert "ingester => Running" in services and "pattern-ingester" not in services
    assert config["limits_config"]["max_global_streams_per_user"] == 5000
    assert config["limits_config"]["allow_structured_metadata"] is True


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_app_logs_finds_a_flow_by_its_structured_metadata(live_backends, stack):
    """The App Logs "Logs" panel with the flow_id and engagement boxes filled in finds the container's line,
    although flow_id and engagement_id are structured metadata, not stream labels."""
    from components.dashboards import app_logs
    loki, flow, engagement = live_backends["loki", stack], f"flow-{time.time_ns()}", "eng-42"
    shaped = run(docker_entry(json.dumps({"level": "INFO", "message": "step done", "flow_id": flow,
                                          "engagement_id": engagement, "client_account_id": "client-7"}),
                              "migration_backend", "backend"))
    assert "flow_id" not in shaped.labels and shaped.metadata["flow_id"] == flow
    now = time.time_ns()
    _push_before(loki, now, [shaped])
    (board,) = [json.loads(t) for p, t in dashboard_files(from_stack_file(stack)).items() if p == app_logs.PATH]
    query = _substitute(app_logs.LINES, _defaults(board) | {"flow_id": flow[-12:], "engagement_id": engagement})
    streams = wait_for(lambda: loki_query_range(loki, query, now - 60 * 10**9, now)["result"], f"the line of {flow}")
    assert [v[1] for s in streams for v in s["values"]] == [shaped.line]


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_app_logs_shows_a_flows_lines_from_every_input_shape(live_backends, stack):
    """A flow's lines from a Docker container, a Kubernetes pod and an OTLP record (severity number only) all
    appear on the App Logs "Logs" panel as it opens (every "All"), each with a lower-case level."""
    from components.dashboards import app_logs
    loki, flow = live_backends["loki", stack], f"flow-shapes-{time.time_ns()}"
    record = {"level": "WARNING", "flow_id": flow}
    shaped = [run(docker_entry(json.dumps(record | {"message": "from docker"}), "migration_backend", "backend")),
              run(kubernetes_entry(json.dumps(record | {"message": "from a pod"}), "migration", "backend-7f9c",
                                   "backend", app="backend")),
              run(otlp_entry("from otlp", severity_number=13, attributes={"flow_id": flow},
                             resources={"service.name": "backend"}))]
    now = time.time_ns()
    _push_before(loki, now, shaped)
    (board,) = [json.loads(t) for p, t in dashboard_files(from_stack_file(stack)).items() if p == app_logs.PATH]
    query = _substitute(app_logs.LINES, _defaults(board) | {"flow_id": flow})
    streams = wait_for(lambda: loki_query_range(loki, query, now - 60 * 10**9, now)["result"], f"the lines of {flow}")
    assert sorted(v[1] for s in streams for v in s["values"]) == sorted(e.line for e in shaped)
    assert {s["stream"]["level"] for s in streams} == {"warning", "warn"}


@pytest.mark.parametrize("stack", BACKEND_STACKS)
def test_tempos_trace_to_logs_link_finds_the_otlp_and_container_lines_of_a_trace(live_backends, stack):
    """The Tempo datasource's logs query (tracesToLogsV2: service.name → service_name, then trace_id) on the
    lines of one trace, as an OTLP log record and as the backend container's JSON line."""
    loki, trace_id = live_backends["loki", stack], f"{time.time_ns():032x}"[-32:]
    shaped = [run(otlp_entry("flow failed", severity_text="ERROR", severity_number=17, trace_id=trace_id,
                             resources={"service.name": "backend"})),
              run(docker_entry(json.dumps({"level": "ERROR", "message": "flow failed", "trace_id": trace_id}),
                               "migration_backend", "backend"))]
    now = time.time_ns()
    _push_before(loki, now, shaped)
    datasources = yaml.safe_load((CONFIG_DIR / c.GRAFANA / "provisioning/datasources/datasources.yaml").read_text())
    (tempo,) = [ds for ds in datasources["datasources"] if ds["uid"] == c.TEMPO]
    link = tempo["jsonData"]["tracesToLogsV2"]
    tags = ", ".join(f'{tag["value"]}="backend"' for tag in link["tags"])  # the span's service.name
    query = link["query"].replace("$${__tags}", tags).replace("$${__trace.traceId}", trace_id)
    streams = wait_for(lambda: loki_query_range(loki, query, now - 60 * 10**9, now)["result"], "the trace's lines")
    assert sorted(v[1] for s in streams for v in s["values"]) == sorted(e.line for e in shaped)

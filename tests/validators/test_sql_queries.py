"""Every SQL query the stack ships runs in a real PostgreSQL loaded with the platform fixtures, as
`grafana_readonly` created by the project's own script, and returns rows for the sample data.

Queries come from the rendered Grafana files: dashboard panel targets and postgres query variables,
and alert rules on the `postgres` datasource. Grafana's macros and variables are expanded over the last
30 days, once with every variable on "All" and once with a single value.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from components import constants as c
from components.render import render
from components.settings import from_stack_file
from tests.validators.grafana_macros import Selection, TimeRange, expand, options_from_rows
from tests.validators.pg_harness import pg_cluster_fixture  # noqa: F401  (provides pg_cluster)

STACK = "azure-dev"
TIME_RANGE = TimeRange.last(days=30)
SCENARIOS = ("all", "single")
TIME_COLUMNS = ("time", "time_sec")  # what a time_series result needs, or Grafana errors


@dataclass(frozen=True)
class Query:
    id: str
    sql: str
    format: str  # "table" or "time_series" (Grafana's default when unset)
    dashboard: str | None = None  # uid whose variables apply; None for alert rules
    variable_index: int | None = None  # for a variable's own query: only earlier variables apply


def _grafana_files(stack: str = STACK) -> dict[str, str]:
    """The Grafana container's rendered files, by path inside the container.

    Rendered here, not through the `rendered` fixture: one test per query needs the queries when
    pytest collects, before any fixture runs.
    """
    settings = from_stack_file(stack)
    # Every query the stack can ship, whether or not this stack file turns the database on.
    settings = dataclasses.replace(settings, postgres=dataclasses.replace(settings.postgres, enabled=True))
    with tempfile.TemporaryDirectory(prefix="render-sql-") as out:
        render(settings, Path(out))
        root = Path(out) / "files" / c.container_name(c.GRAFANA)
        return {"/" + str(p.relative_to(root)): p.read_text() for p in root.rglob("*") if p.is_file()}


def _is_postgres(datasource) -> bool:
    uid = datasource.get("uid") if isinstance(datasource, dict) else datasource
    return uid == c.POSTGRES_DATASOURCE_UID


def _panels(panels: list[dict]):
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))  # panels inside collapsed rows


def _variable_sql(variable: dict) -> str:
    query = variable.get("query", "")
    return query.get("rawSql") or query.get("query", "") if isinstance(query, dict) else query


def _dashboard_queries(dashboard: dict) -> list[Query]:
    uid = dashboard["uid"]
    queries = [Query(f"{uid}/var {v['name']}", _variable_sql(v), "table", uid, index)
               for index, v in enumerate(dashboard.get("templating", {}).get("list", []))
               if v.get("type") == "query" and _is_postgres(v.get("datasource"))]
    for panel in _panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("rawSql"):
                queries.append(Query(f"{uid}/{panel.get('title', panel.get('id'))}/{target.get('refId', 'A')}",
                                     target["rawSql"], target.get("format", "time_series"), uid))
    return queries


def _alert_queries(document: dict) -> list[Query]:
    return [Query(f"alert {rule['title']}/{data['refId']}", data["model"]["rawSql"],
                  data["model"].get("format", "time_series"))
            for group in document.get("groups", []) for rule in group.get("rules", [])
            for data in rule.get("data", []) if data.get("datasourceUid") == c.POSTGRES_DATASOURCE_UID]


def _collect(stack: str = STACK) -> tuple[dict[str, dict], list[Query], list[Query]]:
    files = _grafana_files(stack)
    dashboards = {}
    for path, text in sorted(files.items()):
        if path.startswith(c.GRAFANA_DASHBOARDS_DIR + "/") and path.endswith(".json"):
            dashboard = json.loads(text)
            dashboards[dashboard["uid"]] = dashboard
    alerting = f"{c.GRAFANA_PROVISIONING_DIR}/alerting/"
    alerts = [q for path, text in sorted(files.items())
              if path.startswith(alerting) and path.endswith((".yaml", ".yml"))
              for q in _alert_queries(yaml.safe_load(text) or {})]
    panels = [q for d in dashboards.values() for q in _dashboard_queries(d)]
    return dashboards, panels, alerts


DASHBOARDS, DASHBOARD_QUERIES, ALERT_QUERIES = _collect()


def _uses_variables(query: Query) -> bool:
    if query.dashboard is None:
        return False
    names = [v["name"] for v in DASHBOARDS[query.dashboard].get("templating", {}).get("list", [])]
    return any(f"${n}" in query.sql or f"${{{n}" in query.sql or f"[[{n}" in query.sql for n in names)


CASES = [pytest.param(q, s, id=f"{q.id} [{s}]") for q in DASHBOARD_QUERIES + ALERT_QUERIES
         for s in (SCENARIOS if _uses_variables(q) else ("fixed",))]


def _static_options(variable: dict) -> tuple[str, ...]:
    """Options of the variables that need no query: custom, constant, textbox, interval."""
    if variable.get("type") in ("custom", "interval"):
        items = [item.strip() for item in str(variable.get("query", "")).split(",")]
        return tuple(item.split(" : ")[-1] for item in items if item)
    return (str(variable.get("query", "")),)


@pytest.fixture(scope="module")
def selections(pg_cluster):
    """selections(dashboard uid, scenario, up to) -> the variable values Grafana would substitute."""

    @functools.cache
    def _selections(uid: str, scenario: str, up_to: int | None = None) -> dict[str, Selection]:
        chosen: dict[str, Selection] = {}
        for variable in DASHBOARDS[uid].get("templating", {}).get("list", [])[:up_to]:
            if variable.get("type") == "query" and _is_postgres(variable.get("datasource")):
                sql = expand(_variable_sql(variable), chosen, TIME_RANGE)
                result = pg_cluster.readonly(sql)
                assert result.returncode == 0, f"variable {variable['name']} failed: {result.stderr}"
                options = options_from_rows(result.rows[0], result.rows[1:])
            elif variable.get("type") in ("custom", "constant", "textbox", "interval"):
                options = _static_options(variable)
            else:
                continue  # not a SQL value (datasource, adhoc): queries cannot reference it
            assert options, f"variable {variable['name']} of {uid} has no options for the sample data"
            multi, include_all = bool(variable.get("multi")), bool(variable.get("includeAll"))
            everything = scenario == "all" and (multi or include_all)
            chosen[variable["name"]] = Selection(
                options if everything else options[:1], multi, include_all,
                variable.get("allValue") or None, is_all=scenario == "all" and include_all)
        return chosen

    return _selections


def test_dashboards_ship_sql_panels():
    assert [q for q in DASHBOARD_QUERIES if q.variable_index is None], \
        f"no SQL panel found under {c.GRAFANA_DASHBOARDS_DIR} in the rendered {STACK} stack"


def test_alert_rules_ship_sql_queries():
    assert ALERT_QUERIES, f"no alert rule on the {c.POSTGRES_DATASOURCE_UID} datasource in the rendered {STACK} stack"


@pytest.mark.parametrize(("query", "scenario"), CASES)
def test_query_returns_rows_as_grafana_readonly(pg_cluster, selections, query, scenario):
    chosen = selections(query.dashboard, scenario, query.variable_index) if query.dashboard else {}
    sql = expand(query.sql, chosen, TIME_RANGE)
    result = pg_cluster.readonly(sql)
    assert result.returncode == 0, f"{result.stderr}\n--- SQL as Grafana sends it ---\n{sql}"
    header, rows = result.rows[0], result.rows[1:]
    assert rows, f"no rows for the sample data\n--- SQL ---\n{sql}"
    if query.format == "time_series":
        assert set(header) & set(TIME_COLUMNS), f"time_series result has no time column: {header}"


# The expansion itself, on a fixed range, against what Grafana's own code produces.
JANUARY = TimeRange(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 31, tzinfo=UTC), timedelta(hours=1))
TENANTS = Selection(("a1", "b'2"), multi=True, include_all=True, is_all=True)


@pytest.mark.parametrize(("sql", "expected"), [
    ("$__timeFilter(created_at)", "created_at BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-31T00:00:00Z'"),
    ("$__timeFrom() / $__timeTo()", "'2024-01-01T00:00:00Z' / '2024-01-31T00:00:00Z'"),
    ("$__timeGroupAlias(created_at, '1h')", 'floor(extract(epoch from created_at)/3600)*3600 AS "time"'),
    ("$__timeGroup(created_at, $__interval) AS t", "floor(extract(epoch from created_at)/3600)*3600 AS t"),
    ("$__unixEpochFilter(ts)", "ts >= 1704067200 AND ts <= 1706659200"),
    ("$__interval $__interval_ms", "1h 3600000"),
])
def test_macros_expand_like_grafana(sql, expected):
    assert expand(sql, {}, JANUARY) == expected


@pytest.mark.parametrize(("sql", "expected"), [
    ("IN ($tenant)", "IN ('a1','b''2')"),
    ("IN (${tenant})", "IN ('a1','b''2')"),
    ("IN (${tenant:sqlstring})", "IN ('a1','b''2')"),
    ("'{${tenant:csv}}'", "'{a1,b'2}'"),
])
def test_all_selection_expands_to_every_option(sql, expected):
    assert expand(sql, {"tenant": TENANTS}, JANUARY) == expected


def test_single_value_of_a_plain_variable_is_inserted_escaped_but_unquoted():
    assert expand("'$tenant'", {"tenant": Selection(("b'2",))}, JANUARY) == "'b''2'"


def test_custom_all_value_is_inserted_as_it_is():
    tenants = Selection(("a1",), include_all=True, all_value="%", is_all=True)
    assert expand("LIKE '${tenant}'", {"tenant": tenants}, JANUARY) == "LIKE '%'"


def test_unknown_macro_is_rejected():
    with pytest.raises(ValueError, match="unknown macro"):
        expand("$__timeFilterr(created_at)", {}, JANUARY)

"""The local stack's demo database, loaded as its container loads it (config/demo/*.sql in order), makes
every SQL panel and SQL alert query the local stack ships return rows, read as `grafana_readonly`
created by the same role script as in production. Runs on a real PostgreSQL (tests/validators/pg_harness.py).
"""

from __future__ import annotations

import pytest

from components import constants as c
from components.alerts import platform_usage
from components.services import demo_postgres, demo_telemetry
from components.services.common import CONFIG_DIR
from components.settings import from_stack_file
from tests.validators import test_sql_queries as sql
from tests.validators.grafana_macros import expand
from tests.validators.pg_harness import DATABASE, PgCluster, running_cluster
from tests.validators.test_sql_queries import selections  # noqa: F401  (runs against this module's pg_cluster)

LOCAL_DASHBOARDS, LOCAL_PANELS, LOCAL_ALERTS = sql._collect("local")


def _load_demo(cluster: PgCluster) -> None:
    cluster.admin(f"CREATE DATABASE {DATABASE}", db="postgres")
    for script in demo_postgres.INIT_SCRIPTS:
        cluster.admin_file(CONFIG_DIR / "demo" / script)


@pytest.fixture(scope="module", name="pg_cluster")
def demo_cluster():
    with running_cluster(_load_demo) as cluster:
        yield cluster


def test_the_demo_database_is_the_one_the_local_stack_reads():
    assert (c.PLATFORM_DATABASE, demo_postgres.INIT_SCRIPTS) == (DATABASE, ("01-platform-schema.sql",
                                                                            "02-demo-rows.sql"))


def test_the_local_stack_ships_the_queries_checked_here():
    """The cases below are the full query set; the local stack ships exactly those."""
    assert LOCAL_PANELS and LOCAL_ALERTS
    assert {q.sql for q in LOCAL_PANELS + LOCAL_ALERTS} == {q.sql for q in sql.DASHBOARD_QUERIES + sql.ALERT_QUERIES}


@pytest.mark.parametrize(("query", "scenario"), sql.CASES)
def test_query_returns_rows_on_the_demo_database(pg_cluster, selections, query, scenario):  # noqa: F811
    chosen = selections(query.dashboard, scenario, query.variable_index) if query.dashboard else {}
    statement = expand(query.sql, chosen, sql.TIME_RANGE)
    result = pg_cluster.readonly(statement)
    assert result.returncode == 0, f"{result.stderr}\n--- SQL ---\n{statement}"
    assert result.rows[1:], f"no rows from the demo data\n--- SQL ---\n{statement}"


@pytest.mark.parametrize("query", sql.ALERT_QUERIES, ids=lambda q: q.id)
def test_sql_alert_rules_see_activity_in_their_window(pg_cluster, query):
    """Not just a row of zeros: the last hour has flows and LLM spend, so each rule evaluates real data."""
    result = pg_cluster.readonly(query.sql)
    assert result.returncode == 0, result.stderr
    assert float(result.rows[1][0]) > 0, f"{query.id} is 0 on the demo data"


@pytest.mark.parametrize(("table", "column", "value"), [
    ("migration.llm_usage_logs", "client_account_id", demo_telemetry.CLIENTS[0]),
    ("migration.llm_usage_logs", "client_account_id", demo_telemetry.CLIENTS[1]),
    ("migration.agent_performance_analytics", "engagement_id", demo_telemetry.ENGAGEMENTS[0]),
    ("migration.agent_performance_analytics", "engagement_id", demo_telemetry.ENGAGEMENTS[1]),
    ("migration.crewai_flow_state_extensions", "flow_id", demo_telemetry.FLOW),
])
def test_the_live_telemetry_uses_ids_of_the_demo_rows(pg_cluster, table, column, value):
    result = pg_cluster.readonly(f"SELECT count(*) FROM {table} WHERE {column} = '{value}'")
    assert result.returncode == 0 and int(result.rows[1][0]) > 0, result.stderr


def test_no_sql_alert_rule_fires_on_the_demo_rows(pg_cluster):
    """The README promises a quiet first run: both values stay under the local stack's thresholds."""
    alerts = from_stack_file("local").alerts
    for query, limit in ((platform_usage.LLM_COST_RATIO, alerts.llm_cost_spike_ratio),
                         (platform_usage.FLOW_FAILED_PERCENT, alerts.flow_error_rate_percent)):
        result = pg_cluster.readonly(query)
        assert result.returncode == 0, result.stderr
        assert 0 < float(result.rows[1][0]) < limit, query

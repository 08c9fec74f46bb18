"""MFO Flow Lifecycle: master flows (`migration.crewai_flow_state_extensions`) by status and duration,
the child flows' phase progression (discovery / assessment / collection tables, ADR-012's two-table
pattern), error rates by flow type against the alert threshold, and a per-tenant summary.
"""

from __future__ import annotations

from components.dashboards import common as k
from components.settings import Settings

UID = "platform-mfo-flows"
PATH = "platform/mfo-flow-lifecycle.json"
MASTER = "migration.crewai_flow_state_extensions"
CHILDREN = ("discovery", "assessment", "collection")
WHERE = f"WHERE $__timeFilter(created_at) AND {k.SQL_TENANT_FILTER}"
# The same definition as the flow error-rate alert: failed flows among those started, in percent.
ERROR_RATE = "100.0 * COUNT(*) FILTER (WHERE flow_status = 'failed') / NULLIF(COUNT(*), 0)"
MINUTES = "EXTRACT(EPOCH FROM completed_at - created_at) / 60"
ACTIVE = "('initialized', 'running', 'paused')"


def _count(condition: str) -> k.Sql:
    return k.sql(f"SELECT COUNT(*) FILTER (WHERE {condition}) AS value FROM {MASTER} {WHERE}")


BY_STATUS = f"""
    SELECT flow_status, COUNT(*) AS flows, AVG({MINUTES}) AS avg_duration_minutes
    FROM {MASTER} {WHERE}
    GROUP BY flow_status ORDER BY flows DESC"""

STARTED_BY_STATUS = f"""
    SELECT $__timeGroupAlias(created_at, $__interval), flow_status AS metric, COUNT(*) AS value
    FROM {MASTER} {WHERE}
    GROUP BY 1, 2 ORDER BY 1"""

PHASE_PROGRESSION = " UNION ALL ".join(f"""
    SELECT '{kind}' AS flow_type, COALESCE(current_phase, 'not started') AS current_phase, status,
           COUNT(*) AS flows, AVG(progress_percentage) AS avg_progress_percent
    FROM migration.{kind}_flows {WHERE}
    GROUP BY 1, 2, 3""" for kind in CHILDREN) + " ORDER BY flow_type, flows DESC"

# Finished flows, placed at their completion time.
DURATION_OVER_TIME = f"""
    SELECT $__timeGroupAlias(completed_at, $__interval), flow_type AS metric, AVG({MINUTES}) AS value
    FROM {MASTER}
    WHERE $__timeFilter(completed_at) AND {k.SQL_TENANT_FILTER}
    GROUP BY 1, 2 ORDER BY 1"""

DURATION_PERCENTILES = f"""
    SELECT flow_type, COUNT(*) AS finished_flows,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {MINUTES}) AS p50_minutes,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY {MINUTES}) AS p95_minutes,
           MAX({MINUTES}) AS max_minutes
    FROM {MASTER}
    WHERE $__timeFilter(completed_at) AND {k.SQL_TENANT_FILTER}
    GROUP BY flow_type ORDER BY flow_type"""

ERROR_RATE_BY_TYPE = f"""
    SELECT flow_type, COALESCE({ERROR_RATE}, 0) AS error_rate_percent
    FROM {MASTER} {WHERE}
    GROUP BY flow_type ORDER BY flow_type"""

ERROR_RATE_OVER_TIME = f"""
    SELECT $__timeGroupAlias(created_at, $__interval), flow_type AS metric, COALESCE({ERROR_RATE}, 0) AS value
    FROM {MASTER} {WHERE}
    GROUP BY 1, 2 ORDER BY 1"""

PER_TENANT = f"""
    SELECT client_account_id::text AS client_account_id, engagement_id::text AS engagement_id,
           COUNT(*) AS flows,
           COUNT(*) FILTER (WHERE flow_status IN {ACTIVE}) AS active,
           COUNT(*) FILTER (WHERE flow_status = 'completed') AS completed,
           COUNT(*) FILTER (WHERE flow_status = 'failed') AS failed,
           COALESCE({ERROR_RATE}, 0) AS error_rate_percent,
           AVG({MINUTES}) AS avg_duration_minutes
    FROM {MASTER} {WHERE}
    GROUP BY 1, 2 ORDER BY flows DESC"""


def build(settings: Settings):
    limit = settings.alerts.flow_error_rate_percent
    error_steps = k.steps((None, "green"), (limit * 0.8, "yellow"), (limit, "red"))
    board = k.new_dashboard(UID, "MFO Flow Lifecycle",
                            "Master and child flows of the Master Flow Orchestrator (ADR-006, ADR-012).", "now-7d")
    return k.assemble(board, k.sql_tenant_variables(MASTER, time_filtered=True), [
        k.stat_panel("Flows started", "short", _count("true")),
        k.stat_panel("Active", "short", _count(f"flow_status IN {ACTIVE}")),
        k.stat_panel("Completed", "short", _count("flow_status = 'completed'")),
        k.stat_panel("Failed", "short", _count("flow_status = 'failed'"), steps=k.steps((None, "green"), (1, "red"))),
        k.table_panel("Master flows by status", k.sql(BY_STATUS), w=8),
        k.timeseries_panel("Flows started by status", "short", k.series(STARTED_BY_STATUS), w=16, bars=True,
                           stacked=True),
        k.table_panel("Child phase progression (discovery / assessment / collection)", k.sql(PHASE_PROGRESSION), h=10),
        k.timeseries_panel("Lifecycle duration (created → completed)", "m", k.series(DURATION_OVER_TIME), w=16),
        k.table_panel("Lifecycle duration percentiles", k.sql(DURATION_PERCENTILES), w=8),
        k.bargauge_panel("Error rate by flow type", "percent", k.sql(ERROR_RATE_BY_TYPE), steps=error_steps, w=8,
                         maximum=100, per_row=True,
                         description=f"Failed flows among those started; the alert fires at {limit}%."),
        k.timeseries_panel("Error rate by flow type over time", "percent", k.series(ERROR_RATE_OVER_TIME), w=16),
        k.table_panel("Per-tenant flows", k.sql(PER_TENANT)),
    ])

"""Agent Health: the agent registry's 17 agents across 9 phases from `migration.agent_performance_analytics`
(success rate, duration percentiles, failures), and the run metrics the backend exports through OTel
(`agent_runs_total`, `agent_duration_ms`), which stay empty until that instrumentation ships.
"""

from __future__ import annotations

from components.dashboards import common as k
from components.settings import Settings

UID = "platform-agent-health"
PATH = "platform/agent-health.json"
TABLE = "migration.agent_performance_analytics"
EXPECTED_AGENTS = 17  # ADR-031: "17 agents tracked across 9 phases"
EXPECTED_PHASES = 9
WHERE = f"WHERE $__timeFilter(created_at) AND {k.SQL_TENANT_FILTER}"
SUCCESS_RATE = "100.0 * COUNT(*) FILTER (WHERE status = 'completed') / NULLIF(COUNT(*), 0)"
FAILED = "status IN ('failed', 'timeout')"
RUNS = f"agent_runs_total{{{k.PROM_TENANT_MATCHERS}}}"
DURATION_BUCKETS = f"agent_duration_ms_bucket{{{k.PROM_TENANT_MATCHERS}}}"


def _stat(expression: str) -> k.Sql:
    return k.sql(f"SELECT {expression} AS value FROM {TABLE} {WHERE}")


PER_AGENT = f"""
    SELECT agent_name, phase, COUNT(*) AS runs, {SUCCESS_RATE} AS success_rate_percent,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms,
           COUNT(*) FILTER (WHERE status = 'failed') AS failed,
           COUNT(*) FILTER (WHERE status = 'timeout') AS timeouts,
           MAX(created_at) AS last_run
    FROM {TABLE} {WHERE}
    GROUP BY agent_name, phase ORDER BY phase, agent_name"""

SUCCESS_BY_PHASE = f"""
    SELECT phase, {SUCCESS_RATE} AS success_rate_percent
    FROM {TABLE} {WHERE}
    GROUP BY phase ORDER BY phase"""

FAILURES_OVER_TIME = f"""
    SELECT $__timeGroupAlias(created_at, $__interval), agent_name AS metric, COUNT(*) AS value
    FROM {TABLE} {WHERE} AND {FAILED}
    GROUP BY 1, 2 ORDER BY 1"""

P95_BY_PHASE = f"""
    SELECT $__timeGroupAlias(created_at, $__interval), phase AS metric,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS value
    FROM {TABLE} {WHERE}
    GROUP BY 1, 2 ORDER BY 1"""

PROMETHEUS_NOTE = "From Prometheus; empty until the backend exports agent_runs_total / agent_duration_ms via OTel."


def _run_metrics() -> list:
    return [
        k.dashboard.Row("Run metrics (Prometheus)"),
        k.timeseries_panel("Runs by agent", "ops", k.promql(f"sum by (agent) (rate({RUNS}[$__rate_interval]))",
                                                            "{{agent}}"), description=PROMETHEUS_NOTE, w=8),
        k.timeseries_panel("Runs by outcome", "ops", k.promql(f"sum by (outcome) (rate({RUNS}[$__rate_interval]))",
                                                              "{{outcome}}"), description=PROMETHEUS_NOTE, w=8),
        k.timeseries_panel("Duration p50 / p95 by agent", "ms",
                           *(k.quantile_query(DURATION_BUCKETS, q, "agent") for q in (0.5, 0.95)),
                           description=PROMETHEUS_NOTE, w=8),
    ]


def build(settings: Settings):
    success_steps = k.steps((None, "red"), (90, "yellow"), (98, "green"))
    board = k.new_dashboard(UID, "Agent Health", "Agent registry performance (17 agents, 9 phases).", "now-7d")
    return k.assemble(board, k.sql_tenant_variables(TABLE, time_filtered=True), [
        k.stat_panel("Agents reporting", "short", _stat("COUNT(DISTINCT agent_name)"),
                     description=f"Distinct agents with runs in the range, of {EXPECTED_AGENTS}.",
                     steps=k.steps((None, "orange"), (EXPECTED_AGENTS, "green"))),
        k.stat_panel("Phases reporting", "short", _stat("COUNT(DISTINCT phase)"),
                     description=f"Distinct phases with runs in the range, of {EXPECTED_PHASES}.",
                     steps=k.steps((None, "orange"), (EXPECTED_PHASES, "green"))),
        k.stat_panel("Success rate", "percent", _stat(SUCCESS_RATE), steps=success_steps),
        k.stat_panel("Failures and timeouts", "short", _stat(f"COUNT(*) FILTER (WHERE {FAILED})"),
                     steps=k.steps((None, "green"), (1, "red"))),
        k.table_panel("Agents: runs, success rate, duration percentiles, failures", k.sql(PER_AGENT), h=12),
        k.bargauge_panel("Success rate by phase", "percent", k.sql(SUCCESS_BY_PHASE), steps=success_steps, w=8,
                         maximum=100, per_row=True),
        k.timeseries_panel("Failures and timeouts by agent", "short", k.series(FAILURES_OVER_TIME), w=16, bars=True,
                           stacked=True),
        k.timeseries_panel("p95 duration by phase", "ms", k.series(P95_BY_PHASE), w=24),
        *_run_metrics(),
    ])

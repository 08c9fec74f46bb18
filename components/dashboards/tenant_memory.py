"""Tenant Memory: the TenantMemoryManager's stored patterns (`migration.agent_discovered_patterns`, ADR-024)
by tenant, type and scope; the cost of the statements that read and write them (pg_stat_statements,
pgvector similarity searches flagged); search rate and latency from the `tenant_memory_*` OTel metrics.
"""

from __future__ import annotations

from components.dashboards import common as k
from components.settings import Settings

UID = "platform-tenant-memory"
PATH = "platform/tenant-memory.json"
TABLE = "migration.agent_discovered_patterns"
# Client- and global-scope patterns have no engagement; the "none" engagement option selects them.
TENANT = f"WHERE {k.SQL_TENANT_FILTER}"
SEARCHES = f"tenant_memory_search_total{{{k.PROM_TENANT_MATCHERS}}}"
RETRIEVED = f"tenant_memory_patterns_retrieved_total{{{k.PROM_TENANT_MATCHERS}}}"
LATENCY_BUCKETS = f"tenant_memory_search_duration_ms_bucket{{{k.PROM_TENANT_MATCHERS}}}"
VECTOR_OPERATORS = "(<->|<=>|<#>)"  # pgvector: L2 distance, cosine distance, negative inner product

# Stored state, not events: these count every pattern, whatever the time range.
PATTERNS = f"SELECT COUNT(*) AS value FROM {TABLE} {TENANT}"

BY_TENANT_AND_TYPE = f"""
    SELECT client_account_id::text AS client_account_id, COALESCE(engagement_id::text, '{k.NONE}') AS engagement_id,
           pattern_type, scope, COUNT(*) AS patterns, SUM(times_referenced) AS times_referenced,
           AVG(confidence_score) AS avg_confidence
    FROM {TABLE} {TENANT}
    GROUP BY 1, 2, 3, 4 ORDER BY patterns DESC"""

BY_TYPE = f"""
    SELECT pattern_type, COUNT(*) AS patterns
    FROM {TABLE} {TENANT}
    GROUP BY pattern_type ORDER BY patterns DESC"""

CREATED_OVER_TIME = f"""
    SELECT $__timeGroupAlias(created_at, $__interval), pattern_type AS metric, COUNT(*) AS value
    FROM {TABLE} WHERE $__timeFilter(created_at) AND {k.SQL_TENANT_FILTER}
    GROUP BY 1, 2 ORDER BY 1"""

# Cumulative since the last pg_stat_statements reset, so no time filter. Reading other roles' query
# text needs pg_read_all_stats; without it `query` shows as <insufficient privilege> and nothing matches.
STATEMENTS = f"""
    SELECT query ~ '{VECTOR_OPERATORS}' AS vector_search, calls, mean_exec_time AS mean_ms,
           total_exec_time AS total_ms, rows, query
    FROM pg_stat_statements
    WHERE query ILIKE '%agent_discovered_patterns%'
    ORDER BY total_exec_time DESC LIMIT 10"""

VECTOR_CALLS = f"""
    SELECT COALESCE(SUM(calls), 0) AS value FROM pg_stat_statements
    WHERE query ILIKE '%agent_discovered_patterns%' AND query ~ '{VECTOR_OPERATORS}'"""

PROMETHEUS_NOTE = "From Prometheus; empty until the TenantMemoryManager exports its OTel metrics (ADR-031 phase 4)."


def _search_metrics() -> list:
    return [
        k.dashboard.Row("Search metrics (Prometheus)"),
        k.timeseries_panel("Memory search rate by scope", "ops",
                           k.promql(f"sum by (scope) (rate({SEARCHES}[$__rate_interval]))", "{{scope}}"),
                           description=PROMETHEUS_NOTE),
        k.timeseries_panel("Memory search latency", "ms",
                           *(k.quantile_query(LATENCY_BUCKETS, q) for q in (0.5, 0.95, 0.99)),
                           description=PROMETHEUS_NOTE),
    ]


def build(settings: Settings):
    board = k.new_dashboard(UID, "Tenant Memory", "TenantMemoryManager patterns and pgvector search (ADR-024).",
                            "now-7d")
    return k.assemble(board, k.sql_tenant_variables(TABLE, time_filtered=False), [
        k.stat_panel("Patterns stored", "short", k.sql(PATTERNS),
                     description="Every stored pattern, whatever the time range."),
        k.stat_panel("Vector searches on patterns", "short", k.sql(VECTOR_CALLS),
                     description="pg_stat_statements calls with a pgvector operator since the last reset."),
        k.stat_panel("Memory searches", "short", k.promql(f"sum(increase({SEARCHES}[$__range]))", instant=True),
                     description=PROMETHEUS_NOTE),
        k.stat_panel("Patterns per search", "short",
                     k.promql(f"sum(increase({RETRIEVED}[$__range])) / sum(increase({SEARCHES}[$__range]))",
                              instant=True), description=PROMETHEUS_NOTE),
        k.table_panel("Patterns by tenant, type and scope", k.sql(BY_TENANT_AND_TYPE), w=16, h=10),
        k.bargauge_panel("Patterns by type", "short", k.sql(BY_TYPE), steps=k.steps((None, "blue")), w=8, h=10,
                         per_row=True),
        k.timeseries_panel("Patterns created by type", "short", k.series(CREATED_OVER_TIME), w=24, bars=True,
                           stacked=True),
        k.table_panel("Statements on agent_discovered_patterns (pg_stat_statements)", k.sql(STATEMENTS),
                      description="Needs the pg_stat_statements extension, and pg_read_all_stats to see other "
                                  "roles' statements; vector_search marks pgvector similarity queries."),
        *_search_metrics(),
    ])

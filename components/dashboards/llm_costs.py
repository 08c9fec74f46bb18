"""LLM Usage Costs: what the platform's LLM calls cost, by model, provider, feature and tenant, read from
`migration.llm_usage_logs` (written by the backend's LiteLLM callback), with a linear 30-day forecast
and a link to the frontend's own `/finops/llm-costs` page.
"""

from __future__ import annotations

from components.dashboards import common as k
from components.settings import Settings

UID = "platform-llm-costs"
PATH = "platform/llm-usage-costs.json"
TABLE = "migration.llm_usage_logs"
FRONTEND_PATH = "/finops/llm-costs"
WHERE = f"WHERE $__timeFilter(created_at) AND {k.SQL_TENANT_FILTER}"


def frontend_url(settings: Settings) -> str:
    """The frontend page (frontendUrl; by default the HTTPS root of the Grafana host name)."""
    return f"{settings.frontend_url.rstrip('/')}{FRONTEND_PATH}"


def _total(expression: str) -> k.Sql:
    return k.sql(f"SELECT {expression} AS value FROM {TABLE} {WHERE}")


def _cost_by(dimension: str, column: str):
    query = k.series(f"""
        SELECT $__timeGroupAlias(created_at, $__interval), {column} AS metric, SUM(total_cost_usd) AS value
        FROM {TABLE} {WHERE}
        GROUP BY 1, 2 ORDER BY 1""")
    return k.timeseries_panel(f"Cost by {dimension}", "currencyUSD", query, w=8, bars=True, stacked=True)


# Daily cost in the range and its least-squares line; x is days from now so the fit stays well scaled.
_DAILY = f"""
    WITH daily AS (
        SELECT date_trunc('day', created_at) AS day, SUM(total_cost_usd)::float8 AS cost
        FROM {TABLE} {WHERE} GROUP BY 1),
    fit AS (
        SELECT regr_slope(cost, EXTRACT(EPOCH FROM day - now()) / 86400) AS slope,
               regr_intercept(cost, EXTRACT(EPOCH FROM day - now()) / 86400) AS intercept,
               AVG(cost) AS mean
        FROM daily)"""

TREND = f"""{_DAILY}
    SELECT daily.day AS time, daily.cost AS "Daily cost",
           COALESCE(fit.intercept + fit.slope * EXTRACT(EPOCH FROM daily.day - now()) / 86400, fit.mean) AS "Trend"
    FROM daily, fit ORDER BY 1"""

# The next 30 days on the fitted line (never below zero); the daily mean when there are too few days to fit.
FORECAST = f"""{_DAILY}
    SELECT SUM(GREATEST(COALESCE(fit.intercept + fit.slope * d, fit.mean), 0)) AS value
    FROM fit, generate_series(1, 30) AS d"""

TOKENS_BY_TENANT = f"""
    SELECT COALESCE(client_account_id::text, '{k.NONE}') AS client_account_id,
           COALESCE(engagement_id::text, '{k.NONE}') AS engagement_id,
           SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
           SUM(total_tokens) AS total_tokens, SUM(total_cost_usd) AS cost_usd, COUNT(*) AS calls
    FROM {TABLE} {WHERE}
    GROUP BY 1, 2 ORDER BY total_tokens DESC"""

TOP_CALLS = f"""
    SELECT created_at AS time, model_name, provider, COALESCE(feature_context, 'unspecified') AS feature,
           client_account_id::text AS client_account_id, engagement_id::text AS engagement_id,
           input_tokens, output_tokens, total_cost_usd AS cost_usd, response_time_ms, success
    FROM {TABLE} {WHERE}
    ORDER BY total_cost_usd DESC LIMIT 10"""


def build(settings: Settings):
    url = frontend_url(settings)
    board = k.new_dashboard(UID, "LLM Usage Costs", "Cost and tokens of every LLM call (migration.llm_usage_logs).",
                            "now-30d")
    board = board.link(k.external_link("FinOps: LLM costs", url, f"The platform frontend's {FRONTEND_PATH}"))
    return k.assemble(board, k.sql_tenant_variables(TABLE, time_filtered=True), [
        k.stat_panel("Total cost", "currencyUSD", _total("COALESCE(SUM(total_cost_usd), 0)")),
        k.stat_panel("Total tokens", "short", _total("COALESCE(SUM(total_tokens), 0)")),
        k.stat_panel("LLM calls", "short", _total("COUNT(*)")),
        k.stat_panel("Forecast: next 30 days", "currencyUSD", k.sql(FORECAST),
                     description="Linear fit of the daily cost in the selected range, projected 30 days ahead."),
        _cost_by("model", "model_name"),
        _cost_by("provider", "provider"),
        _cost_by("feature", "COALESCE(feature_context, 'unspecified')"),
        k.timeseries_panel("Usage trend: daily cost and linear trend", "currencyUSD", k.series(TREND), w=24),
        k.table_panel("Tokens by client account and engagement", k.sql(TOKENS_BY_TENANT)),
        k.table_panel("Top 10 most expensive calls", k.sql(TOP_CALLS)),
        k.text_panel("Frontend", f"Per-call detail and budgets in the platform: [FinOps → LLM costs]({url})", h=2),
    ])

"""Rule group "Platform usage": LLM spend and flow failures, read from the platform database.

Only provisioned when the Postgres datasource is (postgresEnabled). Each query returns one row with one
numeric column, computed over its own fixed window with now(), so it runs as-is in psql too.
"""

from __future__ import annotations

from typing import Any

from components.alerts import rules as r
from components.settings import Settings

LLM_COST_SPIKE_UID = "platform-llm-cost-spike"
FLOW_ERROR_RATE_UID = "platform-flow-error-rate"
UIDS = (LLM_COST_SPIKE_UID, FLOW_ERROR_RATE_UID)

# The last hour's spend over the hourly average of the 7 days before it (168 hours). With no spend in
# those 7 days there is no baseline to spike against: 0, not a division by zero.
LLM_COST_RATIO = """\
SELECT COALESCE(
         SUM(total_cost_usd) FILTER (WHERE created_at >= now() - interval '1 hour')
         / NULLIF(SUM(total_cost_usd) FILTER (WHERE created_at < now() - interval '1 hour') / 168, 0),
         0)::float8 AS cost_ratio
FROM migration.llm_usage_logs
WHERE created_at >= now() - interval '7 days 1 hour'"""

# Master flows started in the last hour that ended in 'failed', as a percentage (0 with no flows).
FLOW_FAILED_PERCENT = """\
SELECT COALESCE(
         100.0 * COUNT(*) FILTER (WHERE flow_status = 'failed') / NULLIF(COUNT(*), 0),
         0)::float8 AS failed_percent
FROM migration.crewai_flow_state_extensions
WHERE created_at >= now() - interval '1 hour'"""

_HOUR, _WEEK_AND_HOUR = 3600, 8 * 24 * 3600


def _llm_cost_spike(settings: Settings) -> dict[str, Any]:
    ratio = settings.alerts.llm_cost_spike_ratio
    return r.rule(
        LLM_COST_SPIKE_UID, "LLM cost spike", r.sql(LLM_COST_RATIO, _WEEK_AND_HOUR),
        evaluator=r.Threshold.ABOVE, threshold_value=ratio, pending="15m", severity="warning",
        environment=settings.environment, no_data="OK",
        summary="LLM spend in the last hour is {{ humanize $values.B.Value }}x its 7-day hourly average",
        description=f"The last hour's LLM cost (migration.llm_usage_logs) is more than {ratio:g} times "
                    "the hourly average of the previous 7 days. Break it down by model_name and "
                    "feature_context in that table.",
    )


def _flow_error_rate(settings: Settings) -> dict[str, Any]:
    limit = settings.alerts.flow_error_rate_percent
    return r.rule(
        FLOW_ERROR_RATE_UID, "Flow error rate", r.sql(FLOW_FAILED_PERCENT, _HOUR),
        evaluator=r.Threshold.AT_LEAST, threshold_value=limit, pending="10m", severity="warning",
        environment=settings.environment, no_data="OK",
        summary="{{ humanize $values.B.Value }}% of the flows started in the last hour failed",
        description=f"At least {limit}% of the master flows (migration.crewai_flow_state_extensions) "
                    "started in the last hour have flow_status 'failed'.",
    )


def group(settings: Settings) -> dict[str, Any]:
    return r.group("Platform usage", "5m", [_llm_cost_spike(settings), _flow_error_rate(settings)])

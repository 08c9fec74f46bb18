"""Each SQL-backed Grafana rule fires on platform rows that cross its threshold and stays quiet otherwise.

Fixture rows go into the real PostgreSQL (pg_harness: the platform schema, the project's grafana_readonly
role) inside a transaction that is rolled back; the rule's own SQL runs there as grafana_readonly, and
Grafana's reduce and threshold are replayed over its one-row, one-number result (grafana_rules.py)."""

from __future__ import annotations

from fractions import Fraction

from components import constants as c
from components.alerts.platform_usage import FLOW_ERROR_RATE_UID, LLM_COST_SPIKE_UID
from tests.validators.grafana_rules import evaluate, threshold
from tests.validators.pg_harness import pg_cluster_fixture  # noqa: F401  (provides pg_cluster)

NO_LABELS: frozenset = frozenset()


def _state(pg_cluster, rule: dict, rows: str) -> str:
    (query,) = [d for d in rule["data"] if d["refId"] == "A"]
    assert query["datasourceUid"] == c.POSTGRES_DATASOURCE_UID and query["model"]["format"] == "table"
    result = pg_cluster.in_rolled_back_transaction(rows, query["model"]["rawSql"])
    assert result.returncode == 0, result.stderr
    header, *values = result.rows
    assert len(header) == 1 and len(values) == 1, result.rows  # one number: one alert instance
    return evaluate(rule, [({}, [float(values[0][0])])])[NO_LABELS]


# --- LLM cost spike: the last hour's spend over the hourly average of the 7 days before it -------------

def _llm_spend(last_hour_usd: float, week_usd: float) -> str:
    """The week's spend spread over seven calls a day apart, and one call in the last hour."""
    rows = [f"(gen_random_uuid(), now() - interval '{day} days 2 hours', 'gpt-4o', 'openai', {week_usd / 7})"
            for day in range(7)]
    if last_hour_usd:
        rows.append(f"(gen_random_uuid(), now() - interval '20 minutes', 'gpt-4o', 'openai', {last_hour_usd})")
    return ("TRUNCATE migration.llm_usage_logs CASCADE; INSERT INTO migration.llm_usage_logs "
            f"(id, created_at, model_name, provider, total_cost_usd) VALUES {', '.join(rows)}")


def test_llm_cost_spike_fires_when_the_last_hour_is_several_times_the_weekly_average(pg_cluster, rules):
    rule = rules[LLM_COST_SPIKE_UID]
    ratio = threshold(rule)
    assert _state(pg_cluster, rule, _llm_spend(last_hour_usd=ratio + 1, week_usd=168)) == "Alerting"


def test_llm_cost_spike_stays_quiet_at_or_under_the_ratio(pg_cluster, rules):
    rule = rules[LLM_COST_SPIKE_UID]
    ratio = threshold(rule)
    assert _state(pg_cluster, rule, _llm_spend(last_hour_usd=ratio, week_usd=168)) == "Normal"  # gt: not equal
    assert _state(pg_cluster, rule, _llm_spend(last_hour_usd=1, week_usd=168)) == "Normal"


def test_llm_cost_spike_stays_quiet_without_a_baseline_week(pg_cluster, rules):
    assert _state(pg_cluster, rules[LLM_COST_SPIKE_UID], _llm_spend(last_hour_usd=50, week_usd=0)) == "Normal"


# --- flow error rate: failed master flows among those started in the last hour --------------------------

def _flows(recent_failed: int, recent_other: int, old_failed: int = 0) -> str:
    def row(status: str, age: str) -> str:
        return (f"(gen_random_uuid(), 'discovery', '{status}', gen_random_uuid(), gen_random_uuid(), "
                f"now() - interval '{age}')")
    rows = ([row("failed", "10 minutes")] * recent_failed + [row("completed", "15 minutes")] * recent_other
            + [row("failed", "3 hours")] * old_failed)
    columns = "flow_id, flow_type, flow_status, client_account_id, engagement_id, created_at"
    insert = f"INSERT INTO migration.crewai_flow_state_extensions ({columns}) VALUES {', '.join(rows)}"
    return "TRUNCATE migration.crewai_flow_state_extensions CASCADE" + (f"; {insert}" if rows else "")


def _exact_share(percent: float) -> tuple[int, int]:
    """(failed, total) flows, at least 100, whose failed share is exactly `percent`, a fractional setting too:
    12.5% is 13 of 104 (truncating it to 12 of 100 would test a rate below the setting)."""
    share = Fraction(str(percent)) / 100
    scale = -(-100 // share.denominator)
    return share.numerator * scale, share.denominator * scale


def test_exact_share_keeps_a_fractional_percentage():
    assert _exact_share(12.5) == (13, 104) and _exact_share(20.0) == (20, 100) and _exact_share(7.25) == (29, 400)


def test_flow_error_rate_fires_at_the_threshold_percentage(pg_cluster, rules):
    rule = rules[FLOW_ERROR_RATE_UID]
    failed, total = _exact_share(threshold(rule))  # exactly the threshold, inclusive (gte)
    assert _state(pg_cluster, rule, _flows(failed, total - failed)) == "Alerting"


def test_flow_error_rate_stays_quiet_under_it(pg_cluster, rules):
    rule = rules[FLOW_ERROR_RATE_UID]
    failed, total = _exact_share(threshold(rule))
    # one failed flow fewer: just under the share
    assert _state(pg_cluster, rule, _flows(failed - 1, total - failed + 1, old_failed=50)) == "Normal"


def test_flow_error_rate_stays_quiet_without_flows(pg_cluster, rules):
    assert _state(pg_cluster, rules[FLOW_ERROR_RATE_UID], _flows(0, 0)) == "Normal"

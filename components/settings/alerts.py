"""The alert rules' thresholds and where they notify (alertContactType and its address or URL)."""

from __future__ import annotations

from dataclasses import dataclass

from components.settings import formats as f
from components.settings.reader import Reader
from components.settings.secret import Secret

CONTACT_TYPES = ("none", "email", "webhook", "teams")
MAX_COST_SPIKE_RATIO = 1000.0


@dataclass(frozen=True)
class Alerts:
    disk_usage_percent: int
    error_logs_per_minute: int
    llm_cost_spike_ratio: float
    flow_error_rate_percent: int
    contact_type: str
    contact_address: str
    contact_url: Secret | None


def read_alerts(r: Reader) -> Alerts:
    return Alerts(r.integer("alertDiskUsagePercent", 1, 100), r.integer("alertErrorLogsPerMinute", 1, 1_000_000),
                  r.number("alertLlmCostSpikeRatio", 1.0, MAX_COST_SPIKE_RATIO),
                  r.integer("alertFlowErrorRatePercent", 1, 100), r.string("alertContactType", CONTACT_TYPES),
                  r.string("alertContactAddress", fmt=f.EMAILS), r.secret("alertContactUrl"))


def check_alerts(r: Reader, alerts: Alerts) -> None:
    if alerts.contact_type == "email" and not alerts.contact_address:
        r.problem("alertContactAddress", "", "required when alertContactType is email")


def check_deploy_secrets(r: Reader, alerts: Alerts) -> None:
    if alerts.contact_type in ("webhook", "teams") and alerts.contact_url is None:
        r.problem("alertContactUrl", "", f"required when alertContactType is {alerts.contact_type}: "
                  "pulumi config set --secret alertContactUrl")

"""Rule group "Canary": the stack watching itself end to end (components/services/canary.py).

The canary sends one log line, one span and one metric sample a minute through Alloy. A rule per signal
fires when none has reached its backend in WINDOW — Loki for logs; Prometheus for the sample, and for the
span through Tempo's span metrics (Grafana cannot alert on the Tempo datasource) — and one fires when the
canary's fake secret reaches Loki unredacted.
"""

from __future__ import annotations

from typing import Any

from components import constants as c
from components.alerts import rules as r
from components.settings import Settings

LOGS_MISSING_UID = "canary-logs-missing"
SPANS_MISSING_UID = "canary-spans-missing"
METRICS_MISSING_UID = "canary-metrics-missing"
SECRET_UNREDACTED_UID = "canary-secret-unredacted"
UIDS = (LOGS_MISSING_UID, SPANS_MISSING_UID, METRICS_MISSING_UID, SECRET_UNREDACTED_UID)

WINDOW = "5m"  # five sends: one late or lost request never fires a rule
# A new span-metrics series (first deploy, Tempo restarted) shows no increase until its second span a
# minute later: a pending period beyond that keeps a start from paging anyone.
PENDING = "2m"

LOG_SELECTOR = f'{{service_name="{c.CANARY_SERVICE_NAME}"}}'
LOGS_ARRIVED = f"sum(count_over_time({LOG_SELECTOR} [{WINDOW}]))"
# Tempo's span-metrics processor counts each span it receives, per service (tempo.yaml's overrides).
SPANS_ARRIVED = f'sum(increase(traces_spanmetrics_calls_total{{service="{c.CANARY_SERVICE_NAME}"}}[{WINDOW}]))'
METRICS_ARRIVED = f'sum(count_over_time({c.CANARY_METRIC}{{job="{c.CANARY_SERVICE_NAME}"}}[{WINDOW}]))'
SECRET_IN_LOKI = f'sum(count_over_time({LOG_SELECTOR} |= "{c.CANARY_FAKE_SECRET}" [{WINDOW}]))'


def _missing(uid: str, signal: str, query: dict[str, Any], backend: str, settings: Settings) -> dict[str, Any]:
    return r.rule(
        uid, f"Canary {signal} not arriving", query,
        evaluator=r.Threshold.BELOW, threshold_value=1, pending=PENDING, severity="critical",
        environment=settings.environment,
        # Nothing at all in the window is the failure this rule exists for.
        no_data="Alerting",
        summary=f"No canary {signal} reached {backend} in the last {WINDOW}",
        description=f"The canary (container {c.container_name(c.CANARY)}) sends one {signal[:-1]} a minute "
                    f"through Alloy's OTLP receiver; none reached {backend} in {WINDOW}. The {signal} path is "
                    "broken: check Alloy (its UI's component health), then the backend.",
    )


def _secret_unredacted(settings: Settings) -> dict[str, Any]:
    return r.rule(
        SECRET_UNREDACTED_UID, "Canary secret stored unredacted", r.logql(SECRET_IN_LOKI),
        evaluator=r.Threshold.ABOVE, threshold_value=0, pending="0s", severity="critical",
        environment=settings.environment, no_data="OK",
        summary="{{ humanize $values.B.Value }} canary log lines reached Loki with the fake secret in clear",
        description="The canary's log line carries a fake api_key that Alloy's redaction stages must replace "
                    "before Loki. It arrived unredacted: real secrets in logs are being stored too. Check "
                    "config/alloy/logs-process.alloy and the running Alloy's config.",
    )


def group(settings: Settings) -> dict[str, Any]:
    return r.group("Canary", "1m", [
        _missing(LOGS_MISSING_UID, "log lines", r.logql(LOGS_ARRIVED), "Loki", settings),
        _missing(SPANS_MISSING_UID, "spans", r.promql(SPANS_ARRIVED), "Tempo", settings),
        _missing(METRICS_MISSING_UID, "metric samples", r.promql(METRICS_ARRIVED), "Prometheus", settings),
        _secret_unredacted(settings),
    ])

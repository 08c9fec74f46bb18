"""Rule group "Platform health": the stack's own state, from Prometheus and Loki.

A data volume filling up (ADR-031's disk risk), a stack component down, and a surge of error logs.
"""

from __future__ import annotations

from typing import Any

from components import constants as c
from components.alerts import rules as r
from components.settings import Settings

VOLUME_USAGE_UID = "platform-volume-usage"
COMPONENT_DOWN_UID = "platform-component-down"
ERROR_LOGS_UID = "platform-error-logs"
UIDS = (VOLUME_USAGE_UID, COMPONENT_DOWN_UID, ERROR_LOGS_UID)

# Alloy mounts every data volume read-only under /volumes/<service> and reports it as job "volumes".
_VOLUMES = 'job="volumes", mountpoint=~"/volumes/.*"'
# Per filesystem (device): volumes on one disk share it, so one alert per disk, not one per volume.
VOLUME_USAGE = (
    "max by (device) (100 * (1 - "
    f"node_filesystem_avail_bytes{{{_VOLUMES}}} / node_filesystem_size_bytes{{{_VOLUMES}}}))"
)

# `max by (job)` merges the copies of a target scraped twice (one labelled scraped_by="alloy");
# `absent(...) - 1` reports a job with no series at all as 0 (down), under its own job label.
_JOBS = (c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY)
COMPONENT_UP = " or ".join(
    [f'max by (job) (up{{job=~"{"|".join(_JOBS)}"}})']
    + [f'(absent(up{{job="{job}"}}) - 1)' for job in _JOBS]
)

# Every line Alloy ships carries `environment` (its write file's external label); `container` would miss
# OTLP logs, which have none.
ERROR_LOGS = 'sum(count_over_time({environment=~".+"} |~ "ERROR|CRITICAL|Exception" [1m]))'


def reports_volume_usage(settings: Settings) -> bool:
    """Whether the target has a volume metrics source. Railway has none (no host paths, no kubelet: it ships
    neither docker-volumes.alloy nor kubernetes-volumes.alloy), so the rule would sit in NoData forever."""
    return settings.railway is None


def absent_uids(settings: Settings) -> tuple[str, ...]:
    """This group's rules the settings leave out (file provisioning removes them only when told)."""
    return () if reports_volume_usage(settings) else (VOLUME_USAGE_UID,)


def _volume_usage(settings: Settings) -> dict[str, Any]:
    limit = settings.alerts.disk_usage_percent
    return r.rule(
        VOLUME_USAGE_UID, "Data volume filling up", r.promql(VOLUME_USAGE),
        evaluator=r.Threshold.AT_LEAST, threshold_value=limit, pending="10m", severity="critical",
        environment=settings.environment,
        summary="The disk of the data volumes ({{ $labels.device }}) is {{ humanize $values.B.Value }}% full",
        description=f"The filesystem holding the data volumes is at least {limit}% full. When it fills up, "
                    "Loki, Tempo or Prometheus stop writing. Shorten retention or grow the disk.",
    )


def _component_down(settings: Settings) -> dict[str, Any]:
    return r.rule(
        COMPONENT_DOWN_UID, "Stack component down", r.promql(COMPONENT_UP),
        evaluator=r.Threshold.BELOW, threshold_value=1, pending="2m", severity="critical",
        environment=settings.environment,
        # If Prometheus itself does not answer, the query fails: that is a component down too.
        no_data="Alerting", exec_error="Alerting",
        summary="{{ $labels.job }} is down",
        description="No successful scrape of {{ $labels.job }} for 2 minutes. "
                    "Check `docker ps` and `docker logs obs-{{ $labels.job }}` on the host.",
    )


def _error_logs(settings: Settings) -> dict[str, Any]:
    limit = settings.alerts.error_logs_per_minute
    return r.rule(
        ERROR_LOGS_UID, "Surge of error logs", r.logql(ERROR_LOGS),
        evaluator=r.Threshold.ABOVE, threshold_value=limit, pending="5m", severity="warning",
        environment=settings.environment,
        # No matching line in the last minute is an empty result: that is the healthy case.
        no_data="OK",
        summary="{{ humanize $values.B.Value }} error log lines in the last minute",
        description=f"More than {limit} log lines a minute contain ERROR, CRITICAL or Exception, "
                    "across all containers and OTLP log sources. Explore Loki for the sources that log them.",
    )


def group(settings: Settings) -> dict[str, Any]:
    volume = [_volume_usage(settings)] if reports_volume_usage(settings) else []
    return r.group("Platform health", "1m", [*volume, _component_down(settings), _error_logs(settings)])

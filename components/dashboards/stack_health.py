"""Stack Health: the observability stack watching itself — every scraped component up, log / trace /
sample ingestion rates, disk used per data volume against the alert threshold and retention budget,
failed Grafana logins (Grafana's own logs in Loki, and its HTTP metrics), and the canary's last arrival per
signal (components/services/canary.py; its rules are components/alerts/canary.py).
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from components import constants as c
from components.dashboards import common as k
from components.settings import Settings

UID = "platform-stack-health"
PATH = "platform/stack-health.json"
VOLUMES = "|".join(s for s in c.SERVICES if s != c.PROXY)  # the services that keep a data volume
VOLUME_MATCHERS = f'job="volumes", mountpoint=~"/volumes/({VOLUMES})"'
USED_PERCENT = (f"max by (mountpoint) (100 * (1 - node_filesystem_avail_bytes{{{VOLUME_MATCHERS}}}"
                f" / node_filesystem_size_bytes{{{VOLUME_MATCHERS}}}))")
# Grafana 12+ logs a failed form/basic login as msg="Failed to authenticate request" with
# error="[password-auth.failed] ..." (wrong password or unknown user), or login-attempt.blocked. Selected by
# service_name, which Grafana's log carries both from Docker (obs-grafana) and from its Kubernetes pod.
LOGIN_FAILURES = f'{{service_name="{c.GRAFANA}"}} |~ `password-auth\\.failed|login-attempt\\.blocked`'
INGESTION = (("Log ingestion (Loki)", "loki_distributor_lines_received_total", c.LOKI, "lines/s"),
             ("Trace ingestion (Tempo)", "tempo_distributor_spans_received_total", c.TEMPO, "spans/s"),
             ("Sample ingestion (Prometheus)", "prometheus_tsdb_head_samples_appended_total", c.PROMETHEUS,
              "samples/s"))


def per_job(metric: str, job: str, matchers: str = "", fn: str = "rate", window: str = "$__rate_interval") -> str:
    """Some targets are scraped twice (once more with scraped_by="alloy"): sum per scrape, keep one."""
    selector = ", ".join(m for m in (f'job="{job}"', matchers) if m)
    return f"max by (job) (sum by (job, scraped_by) ({fn}({metric}{{{selector}}}[{window}])))"


def _components_up():
    mapping = dm.ValueMap(options={"0": dm.ValueMappingResult(text="DOWN", color="red", index=0),
                                   "1": dm.ValueMappingResult(text="UP", color="green", index=1)})
    return (k.stat_panel("Components up", "none", k.promql("max by (job) (up)", "{{job}}", instant=True), w=24,
                         steps=k.steps((None, "red"), (1, "green")),
                         description="Every scrape job; a job scraped twice counts once.")
            .mappings([mapping]).color_mode(cm.BigValueColorMode.BACKGROUND))


def _ingestion() -> list:
    return [k.timeseries_panel(title, "short", k.promql(per_job(metric, job), legend), w=8)
            for title, metric, job, legend in INGESTION]


def _disk(settings: Settings) -> list:
    limit = settings.alerts.disk_usage_percent
    disk_steps = k.steps((None, "green"), (max(limit - 10, 0), "yellow"), (limit, "red"))
    r = settings.retention
    budget = (f"Retention: Loki **{r.loki_days} d**, Tempo **{r.tempo_days} d**, Prometheus **{r.prometheus_days} d**. "
              f"The disk alert fires at **{limit}%** used: shorten retention or grow the disk before then.")
    return [
        k.bargauge_panel("Disk used per volume", "percent", k.promql(USED_PERCENT, "{{mountpoint}}", instant=True),
                         steps=disk_steps, maximum=100, w=8,
                         description=f"Alert threshold {limit}% (alertDiskUsagePercent). Each volume's "
                                     "filesystem: volumes on the same disk show the same value."),
        k.timeseries_panel("Disk used per volume over time", "percent", k.promql(USED_PERCENT, "{{mountpoint}}"),
                           w=16).max(100).thresholds(k.thresholds(disk_steps))
        .thresholds_style(cb.GraphThresholdsStyleConfig().mode(cm.GraphThresholdsStyleMode.LINE)),
        k.text_panel("Retention budget", budget, h=2),
    ]


def _logins() -> list:
    failed_posts = per_job("grafana_http_request_duration_seconds_count", c.GRAFANA,
                           'handler="/login", method="POST", status_code=~"4.."', "increase", "$__range")
    return [
        k.timeseries_panel("Grafana login failures", "short",
                           k.logql(f"sum(count_over_time({LOGIN_FAILURES} [$__auto]))", "failed logins"),
                           w=12, bars=True,
                           description="Grafana's log lines for failed password logins and blocked attempts."),
        k.stat_panel("Failed POST /login in range", "short", k.promql(failed_posts, instant=True), w=4, h=8,
                     steps=k.steps((None, "green"), (1, "orange"), (10, "red"))),
        k.logs_panel("Grafana login failure lines", k.logql(LOGIN_FAILURES, max_lines=200), w=8, h=8),
    ]


# The canary's sample holds the time it was sent: now minus the newest one is how long ago the last arrived.
CANARY_SAMPLE_AGE = f'time() - max(last_over_time({c.CANARY_METRIC}{{job="{c.CANARY_SERVICE_NAME}"}}[$__range]))'
CANARY_LOGS = f'{{service_name="{c.CANARY_SERVICE_NAME}"}}'
CANARY_TRACES = f'{{ resource.service.name = "{c.CANARY_SERVICE_NAME}" }}'


def _canary() -> list:
    return [
        k.stat_panel("Canary: last metric sample", "s", k.promql(CANARY_SAMPLE_AGE, instant=True), w=6, h=8,
                     steps=k.steps((None, "green"), (180, "orange"), (300, "red")),
                     description="Seconds since the canary sent the newest sample Prometheus holds. It sends one "
                                 "a minute; the canary rules alert after 5 minutes without one."),
        k.table_panel("Canary: last spans in Tempo", k.traceql(CANARY_TRACES, limit=5), w=9, h=8,
                      description="The canary's newest traces (one a minute): the start time is its last arrival."),
        k.logs_panel("Canary: last log lines in Loki", k.logql(CANARY_LOGS, max_lines=5), w=9, h=8,
                     description="One a minute. The fake api_key must read <redacted>: Alloy's redaction works."),
    ]


def build(settings: Settings):
    board = k.new_dashboard(UID, "Stack Health", "The observability stack itself (ADR-031 Tier B).",
                            "now-6h", refresh="1m")
    return k.assemble(board, [], [_components_up(), *_canary(), *_ingestion(), *_disk(settings), *_logins()])

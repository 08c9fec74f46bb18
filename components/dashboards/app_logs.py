"""Application Logs: the platform's services (backend, frontend, postgres, redis) from Loki, with
service, level, tenant and flow_id filters, log volume by service and level, the error lines
(`ERROR|CRITICAL|Exception`), and traces that ended in error from Tempo.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard
from grafana_foundation_sdk.models import dashboard as dm

from components import constants as c
from components.dashboards import common as k
from components.settings import Settings

UID = "platform-app-logs"
PATH = "platform/app-logs.json"
SERVICES = ("backend", "frontend", "postgres", "redis")
ERROR_PATTERN = "ERROR|CRITICAL|Exception"
# service_name is the one stream label every input shape carries: the compose service of a Docker
# container (docker-logs.alloy), a pod's app.kubernetes.io/name or container (kubernetes-logs.alloy), an
# OTLP record's service.name (logs-process.alloy); `container` would miss OTLP logs. A service is matched
# by the name it contains (`migration-backend` too); the variable's "All" is the four platform services.
SELECTOR = '{service_name=~".*(${service:regex}).*"}'
# Label filters (not stream matchers) so they also match structured metadata (engagement_id, flow_id) and
# lines without the field: empty engagement/flow boxes and the tenant/level "All" (`.*`) keep every line.
FILTERS = ('| level=~"$level" | client_account_id=~"$client_account_id" | engagement_id=~".*${engagement_id}.*"'
           ' | flow_id=~".*${flow_id}.*"')
LINES = f"{SELECTOR} {FILTERS}"
ERROR_LINES = f'{SELECTOR} |~ "{ERROR_PATTERN}" {FILTERS}'


def _variables() -> list:
    service = (dashboard.CustomVariable("service").label("Service").values(",".join(SERVICES))
                 .multi(True).include_all(True).current(k.all_selected()))
    level = (dashboard.QueryVariable("level").label("Level").datasource(k.datasource(c.LOKI))
             .query(f"label_values({SELECTOR}, level)").refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
             .multi(True).include_all(True).all_value(".*").sort(dm.VariableSort.ALPHABETICAL_ASC)
             .current(k.all_selected()))
    flow_id = dashboard.TextBoxVariable("flow_id").label("flow_id contains").default_value("")
    return [service, level, *k.loki_tenant_variables(SELECTOR), flow_id]


def build(settings: Settings):
    board = k.new_dashboard(UID, "Application Logs", "Logs of the platform's services (Loki).", "now-6h",
                            refresh="1m")
    by = "sum by ({0}) (count_over_time({1} [$__auto]))"
    return k.assemble(board, _variables(), [
        k.timeseries_panel("Log volume by service", "short",
                           k.logql(by.format("service_name", LINES), "{{service_name}}"), bars=True, stacked=True),
        k.timeseries_panel("Log volume by level", "short", k.logql(by.format("level", LINES), "{{level}}"),
                           bars=True, stacked=True),
        k.timeseries_panel(f"Errors ({ERROR_PATTERN}) by service", "short",
                           k.logql(by.format("service_name", ERROR_LINES), "{{service_name}}"), w=24, h=6, bars=True,
                           stacked=True),
        k.logs_panel("Errors", k.logql(ERROR_LINES, max_lines=500), h=10),
        k.logs_panel("Logs", k.logql(LINES, max_lines=1000), h=16),
        k.table_panel("Traces that ended in error", k.traceql("{ status = error }"),
                      description="From Tempo; open a trace to reach its logs through trace_id."),
    ])

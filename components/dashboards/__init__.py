"""ADR-031's six platform dashboards, built with Grafana's foundation SDK and rendered to classic
dashboard JSON for file provisioning under /etc/grafana/provisioning/dashboard-files/platform/ (folder "Platform").

SDK pin: grafana-foundation-sdk==1769699241 — the plain-epoch build generated from Grafana's main
branch ("next"), the newest schemas PyPI has; the `<epoch>!<version>` builds stop at Grafana 11.6. It
still emits the classic model (schemaVersion 41, `panels`, `templating.list`) that Grafana 13's file
provisioning loads and migrates; its v2 schema (dashboardv2beta1) is not used here.
"""

from __future__ import annotations

from components.dashboards import agent_health, app_logs, common, llm_costs, mfo_flows, stack_health, tenant_memory
from components.settings import Settings

# Read only Loki, Tempo and Prometheus: always provisioned.
ALWAYS = (app_logs, stack_health)
# Built on the platform's database (their tenant variables come from it): only with the postgres
# datasource, which is provisioned only when postgresEnabled; otherwise every panel would be broken.
WITH_POSTGRES = (llm_costs, mfo_flows, agent_health, tenant_memory)


def dashboard_modules(settings: Settings) -> tuple:
    return ALWAYS + (WITH_POSTGRES if settings.postgres.enabled else ())


def dashboard_files(settings: Settings) -> dict[str, str]:
    """Path relative to the dashboards directory → dashboard JSON text."""
    return {module.PATH: common.render(module.build(settings)) for module in dashboard_modules(settings)}

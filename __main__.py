"""ADR-031's Tier B observability stack — Grafana, Loki, Tempo, Prometheus, Alloy — behind an nginx TLS
proxy on port 9999 on a Docker host, behind an Ingress on a Kubernetes cluster (aks-dev), or on Railway:
settings → secrets → target → outputs. See README.md."""

import pulumi

from components import targets
from components.program import load_settings
from components.rotation import current_window
from components.secret_names import GRAFANA_ADMIN_PASSWORD
from components.targets.secret_catalog import secret_catalog
from components.targets.secrets import StackSecrets

settings = load_settings()
window = current_window(settings.rotation_days)
target = targets.chosen(settings.environment)  # docker (local, azure-dev), kubernetes (aks-dev) or railway
specs = target.specs(settings)
# The secrets are exactly those the specs (and the deploy) refer to.
secrets = StackSecrets("secrets", secret_catalog(settings, specs), window)
deployed = target.deploy("observability", settings, specs, secrets.values, window)

for key, value in deployed.outputs.items():
    pulumi.export(key, value)
if deployed.grafana_url:  # none in Railway's grafana-cloud mode: Alloy alone
    pulumi.export("grafanaUrl", deployed.grafana_url)
    pulumi.export("grafanaAdminUser", settings.grafana.admin_user)
    pulumi.export("grafanaAdminPassword", secrets.values[GRAFANA_ADMIN_PASSWORD])

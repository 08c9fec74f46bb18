"""ADR-031's Tier B observability stack — Grafana, Loki, Tempo, Prometheus, Alloy — on a Docker host
behind an nginx TLS proxy on port 9999, or on Railway: settings → secrets → target → outputs. See README.md."""

import pulumi

from components.program import docker_provider, load_settings
from components.rotation import current_window
from components.services import stack_specs
from components.services.railway import railway_specs
from components.targets.azure import AzureEdge
from components.targets.docker_host import DockerStack, DockerStackArgs
from components.targets.railway import RailwayStack, RailwayStackArgs
from components.targets.secrets import StackSecrets

settings = load_settings()
window = current_window(settings.rotation_days)
secrets = StackSecrets("secrets", settings, window)

if settings.railway:
    # Railway: the services through its API (self-hosted, or Alloy alone for Grafana Cloud).
    railway = RailwayStack("observability", RailwayStackArgs(settings, railway_specs(settings), secrets.values))
    if railway.grafana_url:
        pulumi.export("grafanaUrl", railway.grafana_url)
        pulumi.export("grafanaAdminUser", settings.grafana.admin_user)
        pulumi.export("grafanaAdminPassword", secrets.values["grafana_admin_password"])
    pulumi.export("railwayServices", railway.service_names)
    pulumi.export("imageDigests", railway.image_digests)
else:
    # azure-dev: the VM's NSG rule, Key Vault copies of the secrets, and ACR mirrors the VM pulls from.
    azure = AzureEdge("azure", settings, secrets.values, window) if settings.azure else None
    host = docker_provider(settings, azure.registry_auth if azure else None)
    stack = DockerStack(
        "observability",
        DockerStackArgs(settings, stack_specs(settings), secrets.values),
        pulumi.ResourceOptions(provider=host),
    )

    pulumi.export("grafanaUrl", settings.grafana.root_url)
    pulumi.export("grafanaAdminUser", settings.grafana.admin_user)
    pulumi.export("grafanaAdminPassword", secrets.values["grafana_admin_password"])
    pulumi.export("containerNames", stack.container_names)
    pulumi.export("imageDigests", stack.image_digests)
    if azure:
        azure.export()

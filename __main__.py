"""ADR-031's Tier B observability stack — Grafana, Loki, Tempo, Prometheus, Alloy — behind an nginx TLS
proxy on port 9999, on a Docker host: settings → target → stack → outputs. See README.md."""

import pulumi

from components.program import docker_provider, load_settings, pull_provider
from components.rotation import current_window
from components.services import stack_specs
from components.targets.azure import AzureEdge
from components.targets.docker_host import DockerStack, DockerStackArgs
from components.targets.secrets import StackSecrets

settings = load_settings()
window = current_window(settings.rotation_days)
secrets = StackSecrets("secrets", settings, window)

# azure-dev: the VM's NSG rule, Key Vault copies of the secrets, and ACR mirrors the VM pulls from.
azure = AzureEdge("azure", settings, secrets.values, window) if settings.azure else None
host = docker_provider(settings)
pulls = pull_provider(settings, azure.registry_auth if azure else None)
stack = DockerStack(
    "observability",
    DockerStackArgs(settings, stack_specs(settings), secrets.values, pulls, azure.pull_prerequisites if azure else ()),
    pulumi.ResourceOptions(provider=host),
)

pulumi.export("grafanaUrl", settings.grafana.root_url)
pulumi.export("grafanaAdminUser", settings.grafana.admin_user)
pulumi.export("grafanaAdminPassword", secrets.values["grafana_admin_password"])
pulumi.export("containerNames", stack.container_names)
pulumi.export("imageDigests", stack.image_digests)
if azure:
    azure.export()

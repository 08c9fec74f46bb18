"""ADR-031's Tier B observability stack — Grafana, Loki, Tempo, Prometheus, Alloy — behind an nginx TLS
proxy on port 9999 on a Docker host, behind an Ingress on a Kubernetes cluster (aks-dev), or on Railway:
settings → secrets → target → outputs. See README.md."""

import pulumi

from components.model import DOCKER, KUBERNETES
from components.program import docker_provider, kubernetes_provider, load_settings, pull_provider
from components.rotation import current_window
from components.services import stack_specs
from components.targets.azure import AzureEdge
from components.targets.docker_host import DockerStack, DockerStackArgs
from components.targets.kubernetes.stack import KubernetesStack, KubernetesStackArgs
from components.targets.railway import RailwayStack, RailwayStackArgs
from components.targets.railway.specs import service_specs
from components.targets.secrets import StackSecrets

settings = load_settings()
window = current_window(settings.rotation_days)
secrets = StackSecrets("secrets", settings, window)
grafana_url: pulumi.Input[str] | None = settings.grafana.root_url

if settings.railway:
    # Railway: the services through its API (self-hosted, or Alloy alone for Grafana Cloud).
    railway = RailwayStack("observability", RailwayStackArgs(settings, service_specs(settings), secrets.values))
    grafana_url = railway.grafana_url
    pulumi.export("railwayServices", railway.service_names)
    pulumi.export("imageDigests", railway.image_digests)
elif settings.kubernetes:
    # aks-dev: the same specs as objects in one namespace; Grafana behind the cluster's Ingress.
    cluster = KubernetesStack(
        "observability",
        KubernetesStackArgs(settings, stack_specs(settings, KUBERNETES), secrets.values),
        pulumi.ResourceOptions(provider=kubernetes_provider(settings)),
    )
    pulumi.export("namespace", cluster.namespace_name)
else:
    # azure-dev: the VM's NSG rule, Key Vault copies of the secrets, and ACR mirrors the VM pulls from.
    azure = AzureEdge("azure", settings, secrets.values, window) if settings.azure else None
    host = docker_provider(settings)
    pulls = pull_provider(settings, azure.registry_auth if azure else None)
    stack = DockerStack(
        "observability",
        DockerStackArgs(settings, stack_specs(settings, DOCKER), secrets.values, pulls,
                        azure.pull_prerequisites if azure else ()),
        pulumi.ResourceOptions(provider=host),
    )
    pulumi.export("containerNames", stack.container_names)
    pulumi.export("imageDigests", stack.image_digests)
    if azure:
        azure.export()

if grafana_url:  # none in Railway's grafana-cloud mode: Alloy alone
    pulumi.export("grafanaUrl", grafana_url)
    pulumi.export("grafanaAdminUser", settings.grafana.admin_user)
    pulumi.export("grafanaAdminPassword", secrets.values["grafana_admin_password"])

"""Program plumbing `__main__.py` calls: settings loading with a clean error, the Docker and Kubernetes providers."""

from __future__ import annotations

import pulumi
import pulumi_docker as docker
import pulumi_kubernetes as kubernetes

from components import settings as settings_module
from components.settings import Settings, SettingsError


def load_settings() -> Settings:
    """Settings, or one clear message (RunError prints no traceback) before any resource exists."""
    try:
        settings = settings_module.from_pulumi()
    except SettingsError as error:
        raise pulumi.RunError(str(error)) from None
    if unrouted_alerts(settings):
        pulumi.log.warn(
            f"alertContactType is none on {settings.environment}: every alert rule evaluates in Grafana but "
            "notifies nobody. Set alertContactType (email | webhook | teams) with its address or URL; see README, "
            "'Alerting: how alerts reach people'.")
    return settings


def unrouted_alerts(settings: Settings) -> bool:
    """Whether a stack others rely on ships Grafana's rules with no contact point (local may: it is a try-out)."""
    has_grafana = not (settings.railway and not settings.railway.self_hosted)
    return settings.environment != "local" and has_grafana and settings.alerts.contact_type == "none"


def docker_provider(settings: Settings) -> docker.Provider:
    """The Docker host for networks, volumes and containers: configuration known at preview, so the
    engine checks and diffs every container even on the runs that rotate the registry password."""
    return _docker_daemon("docker-host", settings)


def pull_provider(settings: Settings, registry_auth: list | None) -> docker.Provider | None:
    """The same host for image pulls with the registry's credentials (a password that may only be known
    during `up`), or None to pull with the host provider."""
    if not registry_auth:
        return None
    return _docker_daemon("docker-registry", settings, registry_auth=registry_auth)


def _docker_daemon(name: str, settings: Settings, registry_auth: list | None = None) -> docker.Provider:
    """A provider for the stack's one Docker daemon (both providers must reach the same one)."""
    return docker.Provider(name, host=settings.docker.host, ssh_opts=list(settings.docker.ssh_opts) or None,
                           registry_auth=registry_auth)


def kubernetes_provider(settings: Settings) -> kubernetes.Provider:
    """The cluster from kubeconfig/kubeContext (empty: KUBECONFIG or ~/.kube/config, its current context)."""
    kube = settings.kubernetes
    assert kube is not None
    return kubernetes.Provider("kubernetes-cluster", kubeconfig=kube.kubeconfig or None,
                               context=kube.context or None)

"""The Docker target (local, azure-dev) as the target table sees it: its specs, their offline render, and the
deploy: the daemon's providers, azure-dev's Azure edges, then the stack's containers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pulumi
import pulumi_docker as docker

from components.model import DOCKER, ContainerSpec
from components.rotation import Window
from components.services import stack_specs
from components.settings import Settings
from components.targets import Deployed
from components.targets.containers import container_entry
from components.targets.docker.stack import DockerStack, DockerStackArgs

if TYPE_CHECKING:
    from components.targets.docker.azure import AzureEdge


def specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    return stack_specs(settings, DOCKER)


def render(settings: Settings, specs: tuple[ContainerSpec, ...], out: Path) -> dict:
    return {"containers": [container_entry(spec, settings) for spec in specs]}


def summary(out: Path, manifest: dict) -> str:
    published = [f"{c['name']}:{p['external']}" for c in manifest["containers"] for p in c["ports"]]
    return (f"Rendered {len(manifest['containers'])} containers for stack '{manifest['stack']}' into {out} "
            f"(published ports: {', '.join(published) or 'none'})")


def deploy(name: str, settings: Settings, specs: tuple[ContainerSpec, ...],
           values: Mapping[str, pulumi.Output[str]], window: Window) -> Deployed:
    azure = _azure_edge(settings, values, window) if settings.azure else None
    host = docker_provider(settings)
    pulls = pull_provider(settings, azure.registry_auth if azure else None)
    pull_after = azure.pull_prerequisites if azure else ()
    stack = DockerStack(name, DockerStackArgs(settings, specs, values, pulls, pull_after),
                        pulumi.ResourceOptions(provider=host))
    outputs = {"containerNames": stack.container_names, "imageDigests": stack.image_digests}
    return Deployed(settings.grafana.root_url, outputs | (azure.outputs() if azure else {}))


def _azure_edge(settings: Settings, values: Mapping[str, pulumi.Output[str]], window: Window) -> AzureEdge:
    """azure-dev: the VM's NSG rule, Key Vault copies of the secrets, and ACR mirrors the VM pulls from.
    Imported here: local never loads the Azure SDK."""
    from components.targets.docker.azure import AzureEdge

    return AzureEdge("azure", settings, values, window)


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

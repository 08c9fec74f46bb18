"""A container as a host runs it, shared by the targets that run containers and by their offline renders: the
Docker network names a spec joins, and the manifest entry a render lists for each container."""

from __future__ import annotations

from components import constants as c
from components.model import ContainerSpec, rendered_text
from components.settings import Settings


def network_name(role: str, settings: Settings) -> str:
    """The stack network is dockerNetworkName; every other one is named after it, so two stacks on one
    daemon (different dockerNetworkName) never share one."""
    base = settings.docker.network_name
    return base if role == c.STACK_NETWORK else f"{base}-{role}"


def spec_networks(spec: ContainerSpec, settings: Settings) -> list[str]:
    """The stack's networks the spec joins, then the platform's (externalNetwork) if it talks to it."""
    names = [network_name(role, settings) for role in spec.networks]
    if spec.platform_network and settings.docker.external_network:
        names.append(settings.docker.external_network)
    return names


def container_entry(spec: ContainerSpec, settings: Settings) -> dict:
    """The container in the render's manifest (secrets as their placeholder)."""
    return {
        "name": spec.name,
        "service": spec.service,
        "image": spec.image.reference(settings.image_registry_prefix),
        "entrypoint": list(spec.entrypoint),
        "command": list(spec.command),
        "ports": [{"internal": p.internal, "external": p.external, "ip": p.ip} for p in spec.ports],
        "env": {k: rendered_text(v) for k, v in spec.env.items()},
        "volumes": [{"source": v.source, "container_path": v.container_path, "read_only": v.read_only,
                     "bind": v.bind} for v in spec.volumes],
        "healthcheck": list(spec.healthcheck.test) if spec.healthcheck else [],
        "memory_mb": spec.memory_mb,
        "user": spec.user,
        "restart": spec.restart,
        "networks": spec_networks(spec, settings),
        "files": sorted(f.path for f in spec.files),
    }

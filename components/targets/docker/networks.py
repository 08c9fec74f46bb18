"""The Docker network names a spec joins, for the Docker target and the offline render alike."""

from __future__ import annotations

from components import constants as c
from components.model import ContainerSpec
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

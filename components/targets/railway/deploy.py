"""Declares the Railway target: the project, environment and services through Railway's API. Its dynamic
providers are the provider: each reads the API token (railwayToken or RAILWAY_TOKEN) when it runs."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.model import ContainerSpec
from components.rotation import Window
from components.settings import Settings
from components.targets import Deployed
from components.targets.railway.stack import RailwayStack, RailwayStackArgs


def deploy(name: str, settings: Settings, specs: tuple[ContainerSpec, ...],
           values: Mapping[str, pulumi.Output[str]], window: Window) -> Deployed:
    """Self-hosted, or Alloy alone for Grafana Cloud (no Grafana of ours: no address)."""
    railway = RailwayStack(name, RailwayStackArgs(settings, specs, values))
    return Deployed(railway.grafana_url, {"railwayServices": railway.service_names,
                                          "imageDigests": railway.image_digests})

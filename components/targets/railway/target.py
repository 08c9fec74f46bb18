"""The Railway target as the target table sees it: its specs (services.py), their offline render (what `pulumi up`
creates on Railway), and the deploy: the project, environment and services through Railway's API. Its dynamic
providers are the provider: each reads the API token (railwayToken or RAILWAY_TOKEN) when it runs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pulumi

from components.model import ContainerSpec, rendered_text
from components.rotation import Window
from components.settings import Settings
from components.targets import Deployed
from components.targets.railway.plan import plan
from components.targets.railway.services import service_specs
from components.targets.railway.stack import RailwayStack, RailwayStackArgs


def specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    return service_specs(settings)


def render(settings: Settings, specs: tuple[ContainerSpec, ...], out: Path) -> dict:
    """Railway services, variables, volumes, domain (no containers of ours); secrets as their placeholder."""
    railway = settings.railway
    assert railway is not None, "the Railway target needs environment railway"
    services = []
    for spec in specs:
        base = spec.image.reference(settings.image_registry_prefix)
        service = plan(spec, base)
        services.append({
            "name": service.name,
            "image": f"{railway.image_registry or '<railwayImageRegistry>'}/{service.name}:"
                     f"{service.context_digest()[:16]} (built FROM {base})",
            "dockerfile": service.dockerfile,
            "variables": {k: rendered_text(v) for k, v in service.variables.items()},
            "volume": {"name": service.volume.source, "mount_path": service.volume.container_path}
            if service.volume else None,
            "domain": spec.browser_entry and spec.http_check is not None,  # as stack.py creates it
            "healthcheck_path": spec.http_check.path if spec.http_check else None,
            "restart_policy": service.restart_policy,
            "memory_gb": service.memory_gb,
            "region": railway.region or "(Railway's default)",
            "files": sorted(f.path for f in spec.files),
        })
    return {"railway": {"mode": railway.mode, "project": railway.project_name,
                        "environment": railway.environment_name, "services": services}}


def summary(out: Path, manifest: dict) -> str:
    railway = manifest["railway"]
    public = ", ".join(s["name"] for s in railway["services"] if s["domain"]) or "none"
    return (f"Rendered {len(railway['services'])} Railway services ({railway['mode']}) for stack "
            f"'{manifest['stack']}' into {out} (public domain: {public})")


def deploy(name: str, settings: Settings, specs: tuple[ContainerSpec, ...],
           values: Mapping[str, pulumi.Output[str]], window: Window) -> Deployed:
    """Self-hosted, or Alloy alone for Grafana Cloud (no Grafana of ours: no address)."""
    railway = RailwayStack(name, RailwayStackArgs(settings, specs, values))
    return Deployed(railway.grafana_url, {"railwayServices": railway.service_names,
                                          "imageDigests": railway.image_digests})

"""The Docker target's specs and their offline render: one manifest entry per container."""

from __future__ import annotations

from pathlib import Path

from components.model import DOCKER, ContainerSpec, rendered_text
from components.services import stack_specs
from components.settings import Settings
from components.targets.docker.networks import spec_networks


def specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    return stack_specs(settings, DOCKER)


def container_entry(spec: ContainerSpec, settings: Settings) -> dict:
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


def render(settings: Settings, specs: tuple[ContainerSpec, ...], out: Path) -> dict:
    return {"containers": [container_entry(spec, settings) for spec in specs]}


def summary(out: Path, manifest: dict) -> str:
    published = [f"{c['name']}:{p['external']}" for c in manifest["containers"] for p in c["ports"]]
    return (f"Rendered {len(manifest['containers'])} containers for stack '{manifest['stack']}' into {out} "
            f"(published ports: {', '.join(published) or 'none'})")

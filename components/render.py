"""Offline render: every file the stack puts in a container, and a manifest of the containers.

    python -m components.render --stack <name> --out <dir>

Needs no Pulumi CLI, Docker or cloud access. It reads the same Pulumi.<stack>.yaml as the program and
writes `<dir>/files/<container>/<path inside the container>` plus `<dir>/manifest.json` (and, for a
Kubernetes stack, `<dir>/kubernetes/` with every object); every secret value appears as "[secret]".
This is the review artifact and what the validators check.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from components import render_kubernetes
from components.model import DOCKER, KUBERNETES, ContainerSpec, Content, Ref
from components.services import stack_specs
from components.settings import ROOT, Settings, SettingsError, from_stack_file
from components.targets.docker_networks import spec_networks
from components.targets.railway import plan as railway_plan
from components.targets.railway.specs import service_specs


def _text(content: Content) -> str:
    return content.placeholder if isinstance(content, Ref) else content


def container_entry(spec: ContainerSpec, settings: Settings) -> dict:
    return {
        "name": spec.name,
        "service": spec.service,
        "image": spec.image.reference(settings.image_registry_prefix),
        "entrypoint": list(spec.entrypoint),
        "command": list(spec.command),
        "ports": [{"internal": p.internal, "external": p.external, "ip": p.ip} for p in spec.ports],
        "env": {k: _text(v) for k, v in spec.env.items()},
        "volumes": [{"source": v.source, "container_path": v.container_path, "read_only": v.read_only,
                     "bind": v.bind} for v in spec.volumes],
        "healthcheck": list(spec.healthcheck.test) if spec.healthcheck else [],
        "memory_mb": spec.memory_mb,
        "user": spec.user,
        "restart": spec.restart,
        "networks": spec_networks(spec, settings),
        "files": sorted(f.path for f in spec.files),
    }


def render(settings: Settings, out: Path) -> dict:
    on = KUBERNETES if settings.kubernetes else DOCKER
    specs = service_specs(settings) if settings.railway else stack_specs(settings, on)
    files_root = out / "files"
    if files_root.exists():
        shutil.rmtree(files_root)  # a re-render never leaves files the stack no longer ships
    for spec in specs:
        for file in spec.files:
            target = files_root / spec.name / file.path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_text(file.content))
    manifest: dict = {"stack": settings.stack, "environment": settings.environment}
    if settings.railway:  # Railway services, variables, volumes, domain (no containers of ours)
        manifest["railway"] = railway_plan.manifest(settings, specs)
    else:
        manifest["containers"] = [container_entry(spec, settings) for spec in specs]
    if on == KUBERNETES:  # plus every object the cluster gets (<out>/kubernetes/)
        manifest["kubernetes"] = render_kubernetes.write(settings, specs, out)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.render", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--project-dir", type=Path, default=ROOT, help="where Pulumi.yaml and the stack files are")
    args = parser.parse_args(argv)
    try:
        settings = from_stack_file(args.stack, args.project_dir)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = render(settings, args.out)
    if "railway" in manifest:
        railway = manifest["railway"]
        public = ", ".join(s["name"] for s in railway["services"] if s["domain"]) or "none"
        print(f"Rendered {len(railway['services'])} Railway services ({railway['mode']}) for stack '{args.stack}' "
              f"into {args.out} (public domain: {public})")
        return 0
    if "kubernetes" in manifest:  # containers are pods here: nothing is published, the entry is the way in
        print(f"Rendered stack '{args.stack}' into {args.out}: "
              f"{render_kubernetes.summary(args.out, manifest['kubernetes'])}; "
              f"the files of {len(manifest['containers'])} containers in {args.out / 'files'}")
        return 0
    published = [f"{c['name']}:{p['external']}" for c in manifest["containers"] for p in c["ports"]]
    print(f"Rendered {len(manifest['containers'])} containers for stack '{args.stack}' into {args.out} "
          f"(published ports: {', '.join(published) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

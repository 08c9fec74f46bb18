"""The Kubernetes part of the offline render: every object of a cluster stack as YAML, one file each.

`<out>/kubernetes/<kind>-<name>.yaml`, keys sorted, secret values replaced by "[secret]" — the same dicts
the Kubernetes target deploys (components/targets/kubernetes/objects.py), so a review sees what ships.
ConfigMaps and Secrets appear under their base name; the deploy auto-names them (name-<suffix>), which
is what rolls exactly the pods that mount one when its content changes.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from components.model import ContainerSpec, Ref
from components.settings import Settings
from components.targets.kubernetes.objects import stack_objects

DIRECTORY = "kubernetes"


def placeholders(value: Any) -> Any:
    """The object with every `Ref` shown as its placeholder."""
    if isinstance(value, Ref):
        return value.placeholder
    if isinstance(value, dict):
        return {k: placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [placeholders(v) for v in value]
    return value


def file_name(obj: dict) -> str:
    return f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


def write(settings: Settings, specs: tuple[ContainerSpec, ...], out: Path) -> list[str]:
    """Writes every object; returns their file names in apply order (for the manifest)."""
    root = out / DIRECTORY
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    names = []
    for obj in stack_objects(settings, specs):
        name = file_name(obj)
        assert name not in names, f"two objects render to {name}"
        (root / name).write_text(yaml.safe_dump(placeholders(obj), sort_keys=True, width=120))
        names.append(name)
    return names


def objects_summary(out: Path, names: list[str]) -> str:
    """What the render wrote for a cluster: its objects by kind, and Grafana's entry with its host."""
    objects = [yaml.safe_load((out / DIRECTORY / name).read_text()) for name in names]
    kinds = Counter(o["kind"] for o in objects)
    by_kind = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    [entry] = [o for o in objects if o["kind"] in ("Ingress", "HTTPRoute")]
    if entry["kind"] == "Ingress":
        where = f"Ingress https://{entry['spec']['rules'][0]['host']}/ (class {entry['spec']['ingressClassName']})"
    else:
        [gateway] = entry["spec"]["parentRefs"]
        where = (f"HTTPRoute https://{entry['spec']['hostnames'][0]}/ on Gateway "
                 f"{gateway['namespace']}/{gateway['name']}")
    return f"{len(objects)} Kubernetes objects in {out / DIRECTORY} ({by_kind}); entry: {where}"

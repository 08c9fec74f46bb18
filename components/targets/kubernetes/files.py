"""A spec's files as ConfigMaps (plain text) and Secrets (`Ref` values), and how a pod mounts them.

A ConfigMap key cannot hold a '/', so files are grouped under mount roots: the shallowest directories
that hold them. Each root is one volume of the service's ConfigMap (or Secret) with `items` mapping keys
to paths below it, so nested directories (prometheus.yml beside rules/) ride in one mount.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from components.model import ContainerSpec, File, Ref

CONFIG_MODE = 0o444
# Secret files are root-owned and group-owned by the pod's fsGroup: group-readable for the service only.
SECRET_MODE = 0o440


@dataclass(frozen=True)
class Mount:
    volume: str  # volume name in the pod
    source_kind: str  # ConfigMap | Secret
    source: str  # the ConfigMap/Secret name (before auto-naming)
    root: str  # mount path
    items: tuple[tuple[str, str], ...]  # (key, path below root)


def config_map_name(spec: ContainerSpec) -> str:
    return f"{spec.service}-config"


def secret_name(spec: ContainerSpec) -> str:
    return f"{spec.service}-secrets"


def _key(relative: str) -> str:
    return relative.replace("/", "_")


def _roots(paths: list[str]) -> list[str]:
    parents = sorted({posixpath.dirname(p) for p in paths})
    return [d for d in parents if not any(d.startswith(other.rstrip("/") + "/") for other in parents if other != d)]


def _mounts(files: list[File], kind: str, source: str, prefix: str) -> tuple[list[Mount], dict]:
    roots = _roots([f.path for f in files])
    mounts, data = [], {}
    for index, root in enumerate(roots):
        items = []
        for file in sorted(files, key=lambda f: f.path):
            if posixpath.dirname(file.path) == root or file.path.startswith(root.rstrip("/") + "/"):
                relative = posixpath.relpath(file.path, root)
                key = _key(relative)
                assert key not in data, f"two files of {source} map to the key {key}"
                data[key] = file.content
                items.append((key, relative))
        mounts.append(Mount(f"{prefix}-{index}", kind, source, root, tuple(items)))
    return mounts, data


def env_secret_key(name: str) -> str:
    return f"env.{name}"


def file_objects(spec: ContainerSpec, namespace: str, labels: dict, volume_prefix: str = "") -> tuple[
        list[dict], list[Mount]]:
    """The service's ConfigMap and Secret (either may be absent) and the mounts of their files."""
    plain = [f for f in spec.files if not isinstance(f.content, Ref)]
    private = [f for f in spec.files if isinstance(f.content, Ref)]
    secret_env = {k: v for k, v in spec.env.items() if isinstance(v, Ref)}
    objects: list[dict] = []
    config_mounts, config_data = _mounts(plain, "ConfigMap", config_map_name(spec), f"{volume_prefix}config")
    secret_mounts, secret_data = _mounts(private, "Secret", secret_name(spec), f"{volume_prefix}secrets")
    secret_data |= {env_secret_key(k): v for k, v in secret_env.items()}
    meta = {"namespace": namespace, "labels": labels}
    if config_data:
        objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": config_map_name(spec), **meta}, "data": config_data})
    if secret_data:
        objects.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                        "metadata": {"name": secret_name(spec), **meta}, "stringData": secret_data})
    return objects, config_mounts + secret_mounts


def volume(mount: Mount) -> dict:
    items = [{"key": key, "path": path} for key, path in mount.items]
    if mount.source_kind == "ConfigMap":
        return {"name": mount.volume, "configMap": {"name": mount.source, "items": items,
                                                    "defaultMode": CONFIG_MODE}}
    return {"name": mount.volume, "secret": {"secretName": mount.source, "items": items,
                                             "defaultMode": SECRET_MODE}}

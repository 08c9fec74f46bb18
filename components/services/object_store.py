"""Loki's and Tempo's object store: their data volume (the file as it is) or an Azure blob container
(config/<service>/azure-blob.yaml merged over it, values from the environment set here)."""

from __future__ import annotations

from typing import Any

import yaml

from components import constants as c
from components.model import File, Ref
from components.secret_names import AZURE_STORAGE_KEY
from components.services.common import CONFIG_DIR
from components.settings import Settings

OVERLAY = "azure-blob.yaml"


def _blob(settings: Settings):
    kube = settings.kubernetes
    return kube.object_store if kube and kube.object_store.is_blob else None


def merged(base: Any, overlay: Any) -> Any:
    """`overlay` over `base`: mappings merge key by key (None deletes), lists item by item."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = merged(base.get(key), value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(overlay, list) and len(base) == len(overlay):
        return [merged(b, o) for b, o in zip(base, overlay, strict=True)]
    return overlay


def config(settings: Settings, service: str, name: str, path: str, overlays: tuple[str, ...] = ()) -> File:
    """The service's file; with the blob store, config/<service>/azure-blob.yaml and then each of
    `overlays` (more files of config/<service>/) merged over it."""
    text = (CONFIG_DIR / service / name).read_text()
    if _blob(settings) is None:
        assert not overlays, f"{service}: {overlays} need the blob store"
        return File(path, text)
    combined = yaml.safe_load(text)
    for overlay in (OVERLAY, *overlays):
        combined = merged(combined, yaml.safe_load((CONFIG_DIR / service / overlay).read_text()))
    merged_names = " and ".join(f"config/{service}/{o}" for o in (OVERLAY, *overlays))
    header = f"# Generated from config/{service}/{name} with {merged_names} merged over it.\n"
    return File(path, header + yaml.safe_dump(combined, sort_keys=False))


def env(settings: Settings, service: str) -> dict[str, str | Ref]:
    store = _blob(settings)
    if store is None:
        return {}
    values: dict[str, str | Ref] = {
        "AZURE_STORAGE_ACCOUNT": store.account,
        f"{service.upper()}_BLOB_CONTAINER": store.containers[service],
        "AZURE_USE_FEDERATED_TOKEN": str(store.auth == "workload-identity").lower(),
    }
    if store.auth == "account-key":
        values["AZURE_STORAGE_KEY"] = Ref(AZURE_STORAGE_KEY)
    return values


def spec_parts(settings: Settings) -> dict[str, Any]:
    """The ContainerSpec fields an object store changes: workload identity and HTTPS to the account."""
    if _blob(settings) is None:
        return {}
    return {"object_store": True, "external_ports": (c.HTTPS_PORT,)}

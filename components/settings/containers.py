"""What every container runs: its image (the pinned catalog, or an override pinned by digest), where images are
pulled from (registryPrefix), and its memory limit, all limits together within memoryBudgetMb."""

from __future__ import annotations

from components import constants as c
from components import images as catalog
from components.images import Image
from components.settings.reader import IMAGE_PREFIX, Reader

MAX_SERVICE_MEMORY_MB = 16384


def read_memory(r: Reader) -> dict[str, int]:
    """Each container's limit; together, with the canary's fixed limit (it runs on every stack with this stack's
    collector), within the host budget the README promises (memoryBudgetMb)."""
    memory = {s: r.integer(f"{s}MemoryMb", 32, MAX_SERVICE_MEMORY_MB) for s in c.SERVICES}
    budget = r.integer("memoryBudgetMb", 256, 1_048_576)
    total = sum(memory.values()) + c.CANARY_MEMORY_MB
    if total > budget:
        raised = [f"{s}MemoryMb" for s in memory if r.is_set(f"{s}MemoryMb")]
        for key in raised or ["memoryBudgetMb"]:
            r.problem(key, r.raw.get(key, budget), f"the {len(memory)} container limits and the canary's "
                      f"{c.CANARY_MEMORY_MB} MiB add up to {total} MiB, over memoryBudgetMb ({budget} MiB): lower a "
                      "limit, or raise memoryBudgetMb if the host has the memory")
    return memory


def read_images(r: Reader) -> dict[str, Image]:
    return {s: _image(r, s) for s in c.SERVICES}


def _image(r: Reader, service: str) -> Image:
    key, pinned = f"{service}Image", catalog.BY_SERVICE[service]
    override = r.string(key)
    if not override:
        return pinned
    image = catalog.parse_reference(override)
    if image is None:
        r.problem(key, override, "must be repository:tag@sha256:<64 hex digest> (both a tag and a digest), "
                  f"e.g. {pinned.repository}:<tag>@sha256:<digest>")
        return pinned
    if image.repository != pinned.repository:  # parse_reference already spelled Docker Hub's `library/`
        r.problem(key, override, f"must be an image of {pinned.repository} (the {service} image), "
                  f"not {image.repository}")
        return pinned
    return image


def read_registry_prefix(r: Reader) -> str:
    registry_prefix = r.string("registryPrefix").rstrip("/")
    if registry_prefix and not IMAGE_PREFIX.match(registry_prefix):
        r.problem("registryPrefix", registry_prefix, "must be a registry host with an optional path, "
                  "e.g. myacr.azurecr.io")
    return registry_prefix


def check_registry_prefix(r: Reader, registry_prefix: str, acr_name: str | None) -> None:
    """azure-dev's ACR mirror replaces the prefix: both set would leave one silently unused."""
    if acr_name and registry_prefix:
        r.problem("registryPrefix", registry_prefix, "leave empty when acrName is set: images then come "
                  f"from {acr_name.lower()}.azurecr.io")

"""The deploy targets, one package each, all of one shape; a run imports only the target its stack chooses.

Every target package has a `target` module with:
- `specs(settings)`: the service specs as they run there (pure);
- `render(settings, specs, out)`: the offline render's manifest entries for them (pure; writes under `out`),
  and `summary(out, manifest)`: the line the render prints;
- `deploy(name, settings, specs, values, window)`: declares the resources, its provider first, and returns
  the stack outputs (`values`: the secret catalog's Outputs by name).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    import pulumi

    from components.model import ContainerSpec
    from components.rotation import Window
    from components.settings import Settings

# environment -> target package (components/targets/<package>/)
TARGETS = {"local": "docker", "azure-dev": "docker", "aks-dev": "kubernetes", "railway": "railway"}


@dataclass(frozen=True)
class Deployed:
    """What a target's deploy hands back: its stack outputs, and Grafana's address (None: no Grafana)."""

    grafana_url: pulumi.Input[str] | None
    outputs: Mapping[str, Any] = field(default_factory=dict)


class Target(Protocol):
    def specs(self, settings: Settings) -> tuple[ContainerSpec, ...]: ...

    def render(self, settings: Settings, specs: tuple[ContainerSpec, ...], out: Path) -> dict: ...

    def summary(self, out: Path, manifest: dict) -> str: ...

    def deploy(self, name: str, settings: Settings, specs: tuple[ContainerSpec, ...],
               values: Mapping[str, pulumi.Output[str]], window: Window) -> Deployed: ...


def chosen(environment: str) -> Target:
    """The target of `environment`, its package imported now (and no other target's)."""
    return cast(Target, importlib.import_module(f"{__name__}.{TARGETS[environment]}.target"))

"""What a container is, independent of where it runs: the pure spec each service module returns.

Targets turn a `ContainerSpec` into resources (docker provider) and the offline render turns it into
files and a manifest. Values only known at deploy time (generated passwords, certificates) are `Ref`s
that the target resolves; the render shows their placeholder instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from collections.abc import Mapping
from urllib.parse import quote

from components.images import Image


@dataclass(frozen=True)
class Ref:
    """A deploy-time value by name (see components/targets/secrets.py), optionally inside a template."""

    name: str
    secret: bool = True
    template: str = "{}"
    quoting: str = ""  # "pgpass" or "url": how the value is escaped inside the template

    @property
    def placeholder(self) -> str:
        return "[secret]" if self.secret else f"[generated at deploy: {self.name}]"

    def fill(self, value: str) -> str:
        if self.quoting == "pgpass":
            value = value.replace("\\", "\\\\").replace(":", "\\:")
        elif self.quoting == "url":
            value = quote(value, safe="")
        return self.template.format(value)


Content = str | Ref


@dataclass(frozen=True)
class File:
    path: str  # absolute path inside the container
    content: Content
    mode: int = 0o444


@dataclass(frozen=True)
class Volume:
    source: str  # a named volume, or an absolute host path when `bind`
    container_path: str
    read_only: bool = False
    bind: bool = False


@dataclass(frozen=True)
class Port:
    internal: int
    external: int
    ip: str = "0.0.0.0"


@dataclass(frozen=True)
class Healthcheck:
    test: tuple[str, ...]
    interval: str = "30s"
    timeout: str = "5s"
    retries: int = 3
    start_period: str = "30s"


@dataclass(frozen=True)
class ContainerSpec:
    service: str
    name: str
    image: Image
    command: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    env: Mapping[str, Content] = field(default_factory=lambda: MappingProxyType({}))
    files: tuple[File, ...] = ()
    volumes: tuple[Volume, ...] = ()
    ports: tuple[Port, ...] = ()
    healthcheck: Healthcheck | None = None
    memory_mb: int = 256
    user: str | None = None
    group_add: tuple[str, ...] = ()
    privileged: bool = False
    oneshot: bool = False  # runs to completion once per change (jobs), never restarted
    platform_network: bool = False  # also joins the platform's existing network (externalNetwork)
    depends_on: tuple[str, ...] = ()  # services that must be healthy first
    # For platforms that route and probe over HTTP themselves (Railway): the service's HTTP port, the
    # path that answers 200 once it is ready, and whether users reach it through the platform's edge.
    http_port: int | None = None
    health_path: str | None = None
    public: bool = False

    @property
    def restart(self) -> str:
        return "no" if self.oneshot else "unless-stopped"

    @property
    def data_volumes(self) -> tuple[Volume, ...]:
        return tuple(v for v in self.volumes if not v.bind and not v.read_only)


def frozen_env(**values: Content) -> Mapping[str, Content]:
    return MappingProxyType(dict(sorted(values.items())))


def data_volume_name(service: str) -> str:
    return f"obs-{service}-data"

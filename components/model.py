"""What a container is, independent of where it runs: the pure spec each service module returns.

Targets turn a `ContainerSpec` into resources (docker provider) and the offline render turns it into
files and a manifest. Values only known at deploy time (generated passwords, certificates) are `Ref`s
that the target resolves; the render shows their placeholder instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from collections.abc import Mapping
from urllib.parse import quote

from components.constants import STACK_NETWORK
from components.images import Image


@dataclass(frozen=True)
class Ref:
    """A deploy-time value by name (components/secret_names.py), optionally inside a template."""

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


def rendered_text(content: Content) -> str:
    """Content as the offline render shows it: text as it is, a `Ref` as its placeholder."""
    return content.placeholder if isinstance(content, Ref) else content


# Where a part of a spec runs: a Docker host, a Kubernetes cluster, Railway, or each of them (the default).
DOCKER = "docker"
KUBERNETES = "kubernetes"
RAILWAY = "railway"
EVERY_TARGET = frozenset({DOCKER, KUBERNETES, RAILWAY})


@dataclass(frozen=True)
class File:
    path: str  # absolute path inside the container
    content: Content
    mode: int = 0o444
    targets: frozenset[str] = EVERY_TARGET
    reloadable: bool = False  # under the spec's `reload.directory`: the running service re-reads it


@dataclass(frozen=True)
class Reload:
    """How a running service re-reads its reloadable files (all under `directory`): POST each of `urls`
    as `user` with `password`. A target may then deliver those files without recreating the container;
    one that ignores this delivers them like any other file."""

    directory: str
    urls: tuple[str, ...]
    user: str
    password: Ref


@dataclass(frozen=True)
class Volume:
    source: str  # a named volume, or an absolute host path when `bind`
    container_path: str
    read_only: bool = False
    bind: bool = False
    targets: frozenset[str] = EVERY_TARGET


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
class HttpCheck:
    """Health as an HTTP GET (Kubernetes probes); Docker keeps the exec `Healthcheck` above."""

    path: str
    port: int
    live_path: str | None = None  # a liveness endpoint that never fails on slow work (WAL replay, ring join)
    startup_seconds: int = 600  # how long a start may take before the container is restarted


@dataclass(frozen=True)
class Listen:
    """A port the service serves, by name (a Kubernetes port name: at most 15 characters)."""

    name: str
    port: int
    from_platform: bool = False  # the platform's own services connect here (OTLP)


@dataclass(frozen=True)
class Flow:
    """A connection this service opens to another service of the stack."""

    service: str
    port: int


@dataclass(frozen=True)
class Override:
    """What a container starts with on one target in place of its spec's own (None keeps the spec's value).
    Parts that exist on some targets only (files, volumes, whole containers) are tagged with `targets`."""

    target: str
    entrypoint: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None
    env: Mapping[str, Content] | None = None


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
    privileged: bool = False
    oneshot: bool = False  # runs to completion once per change (jobs), never restarted
    platform_network: bool = False  # also joins the platform's existing network (externalNetwork)
    networks: tuple[str, ...] = (STACK_NETWORK,)  # the stack's Docker networks it joins (constants: *_NETWORK)
    depends_on: tuple[str, ...] = ()  # services that must be healthy first (jobs: have run)
    reload: Reload | None = None  # set when some `files` are reloadable
    # Target-neutral facts the Kubernetes target needs (Docker ignores them).
    targets: frozenset[str] = EVERY_TARGET  # where this container runs at all
    http_check: HttpCheck | None = None
    # uid, gid a cluster runs the pod as, only where it differs on purpose from `user` (see `pod_ids`).
    run_as: tuple[int, int] | None = None
    scratch_dirs: tuple[str, ...] = ()  # writable paths beside the data volume (read-only root filesystem)
    listens: tuple[Listen, ...] = ()
    connects_to: tuple[Flow, ...] = ()
    reads_cluster_api: bool = False  # discovers and reads pods/logs through the Kubernetes API
    browser_entry: bool = False  # what users' browsers reach (behind the proxy or the ingress)
    object_store: bool = False  # keeps its data in a cloud object store (workload identity)
    external_ports: tuple[int, ...] = ()  # connects outside the stack on these ports (webhooks, object store)
    cpu_request_millis: int = 100
    # A one-shot job that prepares this service's data: on a cluster, an init container of that service's
    # pod (sharing its data volume), so it runs whenever the pod starts — which a changed Secret causes.
    init_of: str | None = None
    # Several pods of one service (Kubernetes): how many, the ports they open to each other (gossip, gRPC;
    # they may also be `listens`), and how long a pod may take to stop (an ingester flushes its chunks).
    replicas: int = 1
    peer_ports: tuple[Listen, ...] = ()
    stop_grace_seconds: int = 30
    overrides: tuple[Override, ...] = ()  # at most one per target

    def for_target(self, target: str) -> ContainerSpec | None:
        """The parts of this spec that run on `target` with that target's overrides, or None when the
        container does not run there."""
        if target not in self.targets:
            return None
        spec = replace(self, files=tuple(f for f in self.files if target in f.targets),
                       volumes=tuple(v for v in self.volumes if target in v.targets), overrides=())
        overrides = [o for o in self.overrides if o.target == target]
        if len(overrides) > 1:
            raise ValueError(f"{self.service}: {len(overrides)} overrides for {target}: state one")
        if not overrides:
            return spec
        override = overrides[0]
        return replace(spec, entrypoint=self.entrypoint if override.entrypoint is None else override.entrypoint,
                       command=self.command if override.command is None else override.command,
                       env=self.env if override.env is None else override.env)

    @property
    def restart(self) -> str:
        return "no" if self.oneshot else "unless-stopped"

    @property
    def pod_ids(self) -> tuple[int, int] | None:
        """The non-root uid, gid on a cluster: `run_as` where set, else the Docker `user`'s numeric ids."""
        if self.run_as:
            return self.run_as
        uid, _, gid = (self.user or "").partition(":")
        return (int(uid), int(gid)) if uid.isdigit() and gid.isdigit() else None

    @property
    def data_volumes(self) -> tuple[Volume, ...]:
        return tuple(v for v in self.volumes if not v.bind and not v.read_only)


def frozen_env(**values: Content) -> Mapping[str, Content]:
    return MappingProxyType(dict(sorted(values.items())))


def data_volume_name(service: str) -> str:
    return f"obs-{service}-data"

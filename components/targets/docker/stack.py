"""Declares the stack on a Docker daemon (local socket or the Azure VM over SSH): a private network,
named data volumes, and one `ServiceContainer` per spec, wired in dependency order.

Two providers reach the same daemon: `host` (in opts) for networks, volumes and containers, whose
configuration is always known at preview so the engine checks and diffs every container; and
`pull_provider` for the image pulls, which may carry a registry password only known during `up`."""

from __future__ import annotations

import asyncio

from dataclasses import dataclass, field
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_docker as docker

from components import constants as c
from components.model import ContainerSpec, Content, File, Ref, Volume
from components.settings import Settings
from components.targets.containers import network_name
from components.targets.docker.reloadable import deliverable
from components.targets.values import resolve

LOG_OPTS = {"max-size": "10m", "max-file": "3"}  # json-file rotation: at most 30 MB of logs per container
WAIT_TIMEOUT_SECONDS = 300  # `pulumi up` waits this long for a container to report healthy


@dataclass(frozen=True)
class ServiceContainerArgs:
    spec: ContainerSpec
    image_reference: str
    networks: list[docker.ContainerNetworksAdvancedArgs]
    values: Mapping[str, pulumi.Output[str]]
    stack: str
    depends_on: Sequence[pulumi.Resource] = ()  # what the container waits for
    pull_provider: docker.Provider | None = None  # None: the container's own provider
    pull_after: Sequence[pulumi.Resource] = ()  # what must exist before the pull (registry mirrors)


class ServiceContainer(pulumi.ComponentResource):
    """One service: its pinned image pulled on the daemon, and its container."""

    def __init__(self, name: str, args: ServiceContainerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:docker:ServiceContainer", name, None, opts)
        spec = args.spec
        # Pinned by digest, so the image never moves under a running stack; kept when the stack goes
        # (scripts/prune-images.sh removes the ones no container uses any more).
        self.image = docker.RemoteImage(
            f"{name}-image", name=args.image_reference, keep_locally=True,
            opts=pulumi.ResourceOptions(parent=self, provider=args.pull_provider,
                                        depends_on=list(args.pull_after)))
        self.container = docker.Container(
            f"{name}-container",
            name=spec.name,
            image=self.image.image_id,  # the image id, not the name: avoids a replace on every up
            command=list(spec.command) or None,
            entrypoints=list(spec.entrypoint) or None,
            envs=[_env(key, value, args.values) for key, value in spec.env.items()],
            user=spec.user,
            restart=spec.restart,
            must_run=not spec.oneshot,
            # A job runs to the end inside `pulumi up`, so its exit code and output are known (below).
            attach=spec.oneshot or None,
            logs=spec.oneshot or None,
            memory=spec.memory_mb,
            healthcheck=_healthcheck(spec),
            wait=spec.healthcheck is not None,
            wait_timeout=WAIT_TIMEOUT_SECONDS,
            log_driver="json-file",
            log_opts=LOG_OPTS,
            networks_advanced=args.networks,
            ports=[docker.ContainerPortArgs(internal=p.internal, external=p.external, ip=p.ip, protocol="tcp")
                   for p in spec.ports],
            volumes=[_volume(v) for v in spec.volumes if not v.bind] or None,
            mounts=[_bind_mount(v) for v in spec.volumes if v.bind] or None,
            uploads=[_upload(f, spec, args.values) for f in spec.files],
            labels=[docker.ContainerLabelArgs(label=k, value=v) for k, v in labels(spec, args.stack).items()],
            privileged=spec.privileged or None,
            destroy_grace_seconds=30,  # let Loki, Tempo and Prometheus flush before SIGKILL
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        if spec.oneshot:
            # A failed job (say the role script) must fail the deploy, not leave stale passwords in place.
            pulumi.Output.all(self.container.exit_code, self.container.container_logs).apply(
                lambda result: job_succeeded(spec.name, name, *result))
        self.register_outputs({"name": self.container.name, "image": self.image.repo_digest})


def job_succeeded(container: str, resource: str, exit_code: int | None, logs: str | None) -> None:
    """Raises when a one-shot job exited non-zero: its container stays in state, so say how to re-run it."""
    if exit_code:  # None while unknown (preview), 0 on success
        raise pulumi.RunError(
            f"{container} exited with {int(exit_code)}:\n{(logs or '').strip()[-2000:]}\n"
            f"Fix the cause, then re-run it: pulumi up --replace <urn> (`pulumi stack --show-urns | grep "
            f"{resource}-container`)")


def labels(spec: ContainerSpec, stack: str) -> dict[str, str]:
    """Labels the policy pack and SREs select by (`docker ps --filter label=observability.service=...`)."""
    return {"observability.service": spec.service, "observability.stack": stack,
            "observability.oneshot": str(spec.oneshot).lower()}


def _env(key: str, value: Content, values: Mapping[str, pulumi.Output[str]]) -> pulumi.Input[str]:
    """KEY=value; an Output only where a Ref's deploy-time value goes in (every Output costs the run time)."""
    return f"{key}={value}" if isinstance(value, str) else pulumi.Output.concat(key, "=", resolve(value, values))


def _healthcheck(spec: ContainerSpec) -> docker.ContainerHealthcheckArgs | None:
    h = spec.healthcheck
    if h is None:
        return None
    return docker.ContainerHealthcheckArgs(tests=list(h.test), interval=h.interval, timeout=h.timeout,
                                           retries=h.retries, start_period=h.start_period)


def _bind_mount(volume: Volume) -> docker.ContainerMountArgs:
    """A host path as a `mounts` bind: unlike a `volumes` bind, a missing source fails the create
    instead of Docker creating an empty root-owned directory in its place."""
    return docker.ContainerMountArgs(type="bind", source=volume.source, target=volume.container_path,
                                     read_only=volume.read_only)


def _volume(volume: Volume) -> docker.ContainerVolumeArgs:
    return docker.ContainerVolumeArgs(container_path=volume.container_path, volume_name=volume.source,
                                      read_only=volume.read_only)


def _upload(file: File, spec: ContainerSpec, values: Mapping[str, pulumi.Output[str]]) -> docker.ContainerUploadArgs:
    # Secret files belong to the process that reads them, readable by it alone.
    owner, _, group = (spec.user or "0:0").partition(":")
    private = isinstance(file.content, Ref) and file.content.secret
    return docker.ContainerUploadArgs(file=file.path, content=resolve(file.content, values),
                                      permissions=format(file.mode, "04o"),
                                      owner=owner if private else None, group=(group or owner) if private else None)


@dataclass(frozen=True)
class DockerStackArgs:
    settings: Settings
    specs: tuple[ContainerSpec, ...]
    values: Mapping[str, pulumi.Output[str]]
    pull_provider: docker.Provider | None = None  # None: the stack's own provider
    pull_after: Sequence[pulumi.Resource] = field(default_factory=tuple)


class DockerStack(pulumi.ComponentResource):
    """The whole stack on one Docker daemon; the daemon is the `docker` provider passed in opts."""

    def __init__(self, name: str, args: DockerStackArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("observability:docker:Stack", name, None, opts)
        settings = args.settings
        specs = deliverable(args.specs)
        child = pulumi.ResourceOptions(parent=self)
        stack_label = [docker.NetworkLabelArgs(label="observability.stack", value=settings.stack)]
        self.network = docker.Network(f"{name}-network", name=network_name(c.STACK_NETWORK, settings),
                                      driver="bridge", labels=stack_label, opts=child)
        # Every other network is private to its members and `internal` (no route out of the host).
        self.networks = {c.STACK_NETWORK: self.network} | {
            role: docker.Network(f"{name}-network-{role}", name=network_name(role, settings), driver="bridge",
                                 internal=True, labels=stack_label, opts=child)
            for role in sorted({role for spec in specs for role in spec.networks} - {c.STACK_NETWORK})}
        # Data outlives the stack: `pulumi destroy` leaves the volumes (and the logs, metrics, traces).
        volume_names = sorted({v.source for spec in specs for v in spec.data_volumes})
        self.volumes = {
            volume: docker.Volume(f"{name}-{volume}", name=volume,
                                  opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True))
            for volume in volume_names
        }
        self.external_network = settings.docker.external_network
        if self.external_network:
            self.external_network_id = _check_network_exists(self.external_network, self)
        self.services: dict[str, ServiceContainer] = {}
        for spec in specs:
            depends = [self.services[s].container for s in spec.depends_on] + [
                self.volumes[v.source] for v in spec.volumes if v.source in self.volumes]
            self.services[spec.service] = ServiceContainer(
                f"{name}-{spec.service}",
                ServiceContainerArgs(spec, spec.image.reference(settings.image_registry_prefix), self._networks(spec),
                                     args.values, settings.stack, depends, args.pull_provider, args.pull_after),
                pulumi.ResourceOptions(parent=self))
        self.container_names = pulumi.Output.all(*(s.container.name for s in self.services.values()))
        self.image_digests = pulumi.Output.all(**{k: s.image.repo_digest for k, s in self.services.items()})
        self.register_outputs({"network": self.network.name, "containers": self.container_names,
                               "images": self.image_digests})

    def _networks(self, spec: ContainerSpec) -> list[docker.ContainerNetworksAdvancedArgs]:
        # The resources' names (not the configured strings): each container waits for its networks.
        networks = [docker.ContainerNetworksAdvancedArgs(name=self.networks[role].name, aliases=[spec.service])
                    for role in spec.networks]
        if self.external_network and spec.platform_network:
            # Only the containers that talk to the platform join its network; the platform's apps send
            # OTLP to `alloy:4317/4318` there. The configured name, known at preview.
            networks.append(docker.ContainerNetworksAdvancedArgs(name=self.external_network,
                                                                 aliases=[spec.service]))
        return networks


NETWORK_LOOKUP = "docker:index/getNetwork:getNetwork"  # what docker.get_network invokes


def _check_network_exists(network: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """The platform's network is not ours to create: fail early, naming it, when the daemon lacks it.
    The provider's docker_network data source never answers an empty id for a missing network: its read
    fails ("Could not find docker network: ... not found"). So the invoke's failure is caught here, awaited
    directly (a failed `get_network_output` would fail the run first, with the provider's bare message)."""

    async def exists() -> str:
        try:
            found = await pulumi.runtime.invoke_async(NETWORK_LOOKUP, {"name": network},
                                              opts=pulumi.InvokeOptions(parent=parent))
        except Exception as error:  # noqa: BLE001 -- whatever failed, the network cannot be joined
            raise pulumi.RunError(f"observability:externalNetwork = {network}: no such Docker network on the "
                                  f"host ({error}). Start the platform first, or set externalNetwork to ''.") from None
        return str((found or {}).get("id", ""))  # None while unknown (preview before the provider exists)

    # An Output is tracked: the run waits for it and fails with it.
    return pulumi.Output.from_input(asyncio.ensure_future(exists()))

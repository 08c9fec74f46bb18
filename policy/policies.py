"""CrossGuard policies for the azure-dev and aks-dev stacks: the 9999 NSG rule, the Kubernetes entry's source
allowlist, published host ports, image provenance,
Grafana's anonymous access and sign-up, Key Vault secret expiry, container memory limits and healthchecks,
and who mounts the Docker socket.

Props carry the engine's camelCase names. In `pulumi preview` a prop can be unknown: reading it raises
`UnknownValueError`, which the engine reports as "can't run policy during preview" (advisory), and
`pulumi up` checks the known value. An absent prop is a violation only where the policy requires it.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import (PolicyConfigSchema, ReportViolation, ResourceValidationArgs,
                           ResourceValidationPolicy, Severity)
from pulumi_policy.proxy import UnknownValueError

# The allowlist rule is the program's own (components/allowlist.py, standard library only), so the settings and
# this pack can never disagree. The CLI runs the pack from policy/ with policy/venv: put the project root on the
# path so `components.allowlist` imports there too (it needs nothing from the program's virtualenv).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from components.allowlist import open_to_internet_problem  # noqa: E402

CONTAINER = "docker:index/container:Container"
REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage"
SECURITY_RULE = "azure-native:network:SecurityRule"
NSG = "azure-native:network:NetworkSecurityGroup"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
SERVICE = "kubernetes:core/v1:Service"
# ingress-nginx (AKS application routing) reads either spelling; 1.9+ prefers allowlist-.
INGRESS_ALLOWLISTS = ("nginx.ingress.kubernetes.io/whitelist-source-range",
                      "nginx.ingress.kubernetes.io/allowlist-source-range")
EXPOSED_SERVICE_TYPES = ("LoadBalancer", "NodePort")  # NodePort opens the port on every node

# Set on every container by components/targets/docker/stack.py; names are the fallback (`obs-<service>`).
SERVICE_LABEL = "observability.service"
ONESHOT_LABEL = "observability.oneshot"
CONTAINER_PREFIX = "obs-"
PROXY = "proxy"
GRAFANA = "grafana"
DOCKER_API = "docker-api"  # the read-only Docker API proxy: the one container that may mount the socket
DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")

GRAFANA_PORT = 9999
LOOPBACK_IPS = frozenset({"127.0.0.1", "::1"})
GRAFANA_LOCKED_ENV = {"GF_AUTH_ANONYMOUS_ENABLED": "false", "GF_USERS_ALLOW_SIGN_UP": "false"}
DIGEST_PIN = re.compile(r"@sha256:[0-9a-f]{64}$")
IMAGE_ID = re.compile(r"^sha256:[0-9a-f]{64}$")  # what RemoteImage.image_id resolves to


def _known_items(values: Sequence[Any]) -> tuple[list[Any], UnknownValueError | None]:
    """The known elements of a list prop, and the first unknown one's error (elements can be unknown alone)."""
    known: list[Any] = []
    unknown = None
    for index in range(len(values)):
        try:
            known.append(values[index])
        except UnknownValueError as error:
            unknown = unknown or error
    return known, unknown


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _number(value: Any) -> Any:
    """Engine numbers arrive as floats (9999.0); print whole ones as integers."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _labels(props: Mapping[str, Any]) -> tuple[dict[str, str], UnknownValueError | None]:
    items, unknown = _known_items(props.get("labels") or [])
    labels = {}
    for item in items:
        try:
            labels[str(item.get("label"))] = str(item.get("value"))
        except UnknownValueError as error:
            unknown = unknown or error
    return labels, unknown


def _service(props: Mapping[str, Any]) -> str:
    """The container's service: its label, else the name without the `obs-` prefix."""
    labels, unknown = _labels(props)
    if SERVICE_LABEL in labels:
        return labels[SERVICE_LABEL]
    if unknown is not None:
        raise unknown  # the service label may be the unknown one: decide at `pulumi up`
    name = str(props.get("name") or "")
    return name[len(CONTAINER_PREFIX):] if name.startswith(CONTAINER_PREFIX) else name


def _envs(props: Mapping[str, Any]) -> tuple[dict[str, str], UnknownValueError | None]:
    items, unknown = _known_items(props.get("envs") or [])
    pairs = (str(item).partition("=") for item in items)
    return {key: value for key, _, value in pairs}, unknown


# --- network ----------------------------------------------------------------------------------------

def _covers_port(ranges: list[Any], port: int) -> bool:
    for entry in ranges:
        text = str(entry).strip()
        if text == "*":
            return True
        low, _, high = text.partition("-")
        if low.isdigit() and (high or low).isdigit() and int(low) <= port <= int(high or low):
            return True
    return False


def _open_rule_problem(name: str, rule: Mapping[str, Any], port: int) -> str | None:
    if str(rule.get("access", "")).lower() != "allow" or str(rule.get("direction", "")).lower() != "inbound":
        return None
    ports = _as_list(rule.get("destinationPortRange")) + _as_list(rule.get("destinationPortRanges"))
    if not _covers_port(ports, port):
        return None
    sources = _as_list(rule.get("sourceAddressPrefix")) + _as_list(rule.get("sourceAddressPrefixes"))
    if not sources:
        sources = ["*"]  # ARM reads a rule without a source as any source
    problem = open_to_internet_problem(str(s) for s in sources)
    if problem is None:
        return None
    return (f"NSG rule '{name}' allows port {port} from the internet ({problem}): restrict the source to "
            "the office CIDRs (allowedSourceCidrs)")


def _validate_nsg(args: ResourceValidationArgs, report: ReportViolation) -> None:
    port = int(args.get_config().get("port", GRAFANA_PORT))
    if args.resource_type == SECURITY_RULE:
        rules = [(str(args.props.get("securityRuleName") or args.name), args.props)]
    elif args.resource_type == NSG:  # inline rules, should anyone move the rule into the NSG resource
        rules = [(str(rule.get("name") or args.name), rule) for rule in args.props.get("securityRules") or []]
    else:
        return
    for name, rule in rules:
        problem = _open_rule_problem(name, rule, port)
        if problem:
            report(problem, None)


# --- kubernetes -------------------------------------------------------------------------------------

def _ingress_problem(name: str, annotations: Mapping[str, Any]) -> str | None:
    ranges = [str(annotations[key]) for key in INGRESS_ALLOWLISTS if annotations.get(key) is not None]
    if not ranges:
        return (f"Ingress '{name}' has no source allowlist ({INGRESS_ALLOWLISTS[0]}): it is open to the internet; "
                "set allowedSourceCidrs")
    sources = [entry.strip() for value in ranges for entry in value.split(",")]
    problem = open_to_internet_problem(s for s in sources if s) if any(sources) else "the allowlist is empty"
    return f"Ingress '{name}' is open to the internet ({problem}): restrict it to the office CIDRs" if problem else None


def _service_problem(name: str, spec: Mapping[str, Any]) -> str | None:
    kind = str(spec.get("type") or "ClusterIP")
    if kind not in EXPOSED_SERVICE_TYPES:
        return None
    ranges = [str(r) for r in _as_list(spec.get("loadBalancerSourceRanges"))]
    if kind == "NodePort" or not ranges:
        reason = "NodePort takes no source ranges" if kind == "NodePort" else "no loadBalancerSourceRanges"
        return f"Service '{name}' of type {kind} is open to the internet ({reason}); use a ClusterIP and the Ingress"
    problem = open_to_internet_problem(ranges)
    return (f"Service '{name}' of type LoadBalancer is open to the internet ({problem}): restrict "
            "loadBalancerSourceRanges to the office CIDRs") if problem else None


def _validate_kubernetes_entry(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (INGRESS, SERVICE) or args.get_config().get("allowAnySource", False):
        return
    metadata = args.props.get("metadata") or {}
    name = str(metadata.get("name") or args.name)
    if args.resource_type == INGRESS:
        problem = _ingress_problem(name, metadata.get("annotations") or {})
    else:
        problem = _service_problem(name, args.props.get("spec") or {})
    if problem:
        report(problem, None)


# --- containers -------------------------------------------------------------------------------------

def _validate_published_ports(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CONTAINER or not args.props.get("ports") or _service(args.props) == PROXY:
        return
    allow_loopback = bool(args.get_config().get("allowLoopbackPorts", False))
    for port in args.props["ports"]:
        if allow_loopback and str(port.get("ip") or "") in LOOPBACK_IPS:
            continue
        report(f"container '{args.props.get('name')}' publishes host port {_number(port.get('external'))} "
               f"(container port {_number(port.get('internal'))}); only the TLS proxy may publish a port", None)


def _validate_grafana_locked(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CONTAINER or _service(args.props) != GRAFANA:
        return
    envs, unknown = _envs(args.props)
    for key, wanted in GRAFANA_LOCKED_ENV.items():
        if key not in envs and unknown is not None:
            raise unknown  # the setting may be the unknown element
        # Required even though Grafana defaults to off: the env var overrides any grafana.ini.
        if envs.get(key, "").strip().lower() != wanted:
            report(f"Grafana must set {key}={wanted} (found {envs.get(key, 'nothing')})", None)


def _reaches_socket(source: str) -> str | None:
    """The Docker socket a host bind of `source` exposes: the socket itself, or inside a parent directory
    (binds are recursive, so a bind of `/` carries /run and the socket with it). None for anything else."""
    if not source.startswith("/"):
        return None  # a named volume
    prefix = source.rstrip("/") + "/"
    return next((sock for sock in DOCKER_SOCKETS if sock == source.rstrip("/") or sock.startswith(prefix)), None)


def _socket_proof_user(props: Mapping[str, Any]) -> str | None:
    """Why the container could open the socket (root:docker, 0660), or None when it provably cannot: not
    privileged, a numeric non-root uid and gid, no added group (the host's docker gid is unknown here)."""
    if props.get("privileged"):
        return "it is privileged"
    uid, _, gid = str(props.get("user") or "").partition(":")
    if not (uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0):
        return f"it runs as {props.get('user') or 'the image user (root unless proven otherwise)'}"
    groups = list(props.get("groupAdds") or [])
    return f"it adds the groups {groups}" if groups else None


def _validate_docker_socket(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A bind of the socket is allowed only for the read-only Docker API proxy, read-only. A bind of a parent
    of the socket (read-only does not help: a process can still connect to a socket in a read-only mount)
    also for a container that cannot open the socket at all (see _socket_proof_user): the host-metrics
    bind of `/` in the non-root Alloy."""
    if args.resource_type != CONTAINER:
        return
    mounts, unknown = _known_items([*_as_list(args.props.get("mounts")), *_as_list(args.props.get("volumes"))])
    for mount in mounts:
        if mount.get("type") not in (None, "bind"):
            continue
        source = str(mount.get("source") or mount.get("hostPath") or "")
        sock = _reaches_socket(source)
        if sock is None:
            continue
        read_only = bool(mount.get("readOnly"))
        if _service(args.props) == DOCKER_API:
            if not read_only:
                report(f"container '{args.props.get('name')}' mounts the Docker socket {source} writable: "
                       f"the Docker API proxy (obs-{DOCKER_API}) may mount it read-only only", None)
            continue
        # The socket itself: never (pointless unless it can be opened); a parent: only if it cannot be.
        exact = source.rstrip("/") == sock
        why = "only the proxy needs it" if exact else _socket_proof_user(args.props)
        if why is not None:
            reach = "the Docker socket" if exact else f"{source}, which holds the Docker socket {sock},"
            report(f"container '{args.props.get('name')}' mounts {reach} and {why}: whoever reaches the socket is "
                   f"root on the host. Only the read-only Docker API proxy (obs-{DOCKER_API}) may mount it, "
                   "read-only; any other container binding it or a parent directory must be unprivileged, run "
                   "as a numeric non-root uid:gid and add no groups", None)
    if unknown is not None:
        raise unknown


def _is_oneshot(props: Mapping[str, Any]) -> bool:
    """A job that runs to completion: labelled one-shot and not kept running by the provider."""
    labels, _ = _labels(props)
    return labels.get(ONESHOT_LABEL) == "true" and props.get("mustRun") is False


def _validate_memory(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CONTAINER:
        return
    memory = args.props.get("memory")
    if isinstance(memory, bool) or not isinstance(memory, (int, float)) or memory <= 0:
        report(f"container '{args.props.get('name')}' has no memory limit (memory, in MB)", None)


def _validate_healthcheck(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != CONTAINER or _is_oneshot(args.props):
        return
    healthcheck = args.props.get("healthcheck") or {}
    tests = list(healthcheck.get("tests") or [])
    if not tests or tests[0] == "NONE":
        report(f"container '{args.props.get('name')}' has no healthcheck (healthcheck.tests)", None)


# --- images -----------------------------------------------------------------------------------------

def _image_problem(reference: str, registry: str) -> str | None:
    if not reference.lower().startswith(registry.lower().rstrip("/") + "/"):
        return f"image '{reference}' does not come from the configured registry {registry}"
    if not DIGEST_PIN.search(reference):
        return f"image '{reference}' is not pinned by digest (@sha256:<64 hex>)"
    return None


def _validate_images(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == REMOTE_IMAGE:
        reference = args.props.get("name")
    elif args.resource_type == CONTAINER:
        try:
            reference = args.props.get("image")
        except UnknownValueError:
            return  # another resource's output (a RemoteImage's id): that RemoteImage is checked by name
        if isinstance(reference, str) and IMAGE_ID.match(reference):
            return  # a pulled image's id, as above
    else:
        return
    registry = str(args.get_config().get("registry") or "")
    if not registry:
        report("policy config 'registry' is not set (see policy/azure-dev.json)", None)
    elif isinstance(reference, str):
        problem = _image_problem(reference, registry)
        if problem:
            report(problem, None)


# --- Key Vault --------------------------------------------------------------------------------------

def _validate_secret_expiry(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KEY_VAULT_SECRET:
        return
    attributes = (args.props.get("properties") or {}).get("attributes") or {}
    expires = attributes.get("expires")
    if isinstance(expires, bool) or not isinstance(expires, (int, float)):
        report(f"Key Vault secret '{args.name}' has no expiry (properties.attributes.expires)", None)
    elif expires <= time.time():
        report(f"Key Vault secret '{args.name}' expires in the past ({int(expires)})", None)


NSG_9999_NOT_OPEN = ResourceValidationPolicy(
    name="nsg-9999-not-open-to-internet",
    description="No Allow Inbound NSG rule opens the Grafana port (9999) to the internet.",
    validate=_validate_nsg, severity=Severity.CRITICAL,
    config_schema=PolicyConfigSchema({"port": {"type": "integer", "default": GRAFANA_PORT}}),
)
KUBERNETES_ENTRY_NOT_OPEN = ResourceValidationPolicy(
    name="kubernetes-entry-not-open-to-internet",
    description="Every Ingress has a source allowlist and no Service is a LoadBalancer/NodePort open to the "
                "internet (the same rule as the NSG's).",
    validate=_validate_kubernetes_entry, severity=Severity.CRITICAL,
    config_schema=PolicyConfigSchema({"allowAnySource": {
        "type": "boolean", "default": False,
        "description": "The stack's allowAnySource: true (an ADR-031 exception, decided explicitly)."}}),
)
ONLY_PROXY_PUBLISHES_PORTS = ResourceValidationPolicy(
    name="only-proxy-publishes-host-ports",
    description="No container but the TLS proxy publishes a host port.",
    validate=_validate_published_ports, severity=Severity.HIGH,
    config_schema=PolicyConfigSchema({"allowLoopbackPorts": {
        "type": "boolean", "default": False,
        "description": "Allow 127.0.0.1/::1 binds (adminPortsOnLoopback, for SSH tunnels)."}}),
)
IMAGES_FROM_REGISTRY = ResourceValidationPolicy(
    name="images-from-registry-by-digest",
    description="Every image comes from the configured registry, pinned by digest.",
    validate=_validate_images, severity=Severity.HIGH,
    config_schema=PolicyConfigSchema({"registry": {
        "type": "string", "minLength": 1, "description": "Registry host, e.g. myacr.azurecr.io."}},
        required=["registry"]),
)
GRAFANA_ANONYMOUS_AND_SIGNUP_OFF = ResourceValidationPolicy(
    name="grafana-anonymous-and-signup-off",
    description="Grafana runs with anonymous access and user sign-up off.",
    validate=_validate_grafana_locked, severity=Severity.HIGH,
)
KEY_VAULT_SECRET_EXPIRES = ResourceValidationPolicy(
    name="keyvault-secret-has-expiry",
    description="Every Key Vault secret has an expiry date in the future.",
    validate=_validate_secret_expiry, severity=Severity.MEDIUM,
)
CONTAINER_MEMORY_LIMIT = ResourceValidationPolicy(
    name="container-memory-limit",
    description="Every container has a memory limit.",
    validate=_validate_memory, severity=Severity.MEDIUM,
)
CONTAINER_HEALTHCHECK = ResourceValidationPolicy(
    name="container-healthcheck",
    description="Every long-running container has a healthcheck (one-shot jobs are exempt).",
    validate=_validate_healthcheck, severity=Severity.MEDIUM,
)

DOCKER_SOCKET_ONLY_IN_READ_ONLY_API = ResourceValidationPolicy(
    name="docker-socket-only-in-read-only-api",
    description="Only the read-only Docker API proxy mounts the Docker socket, and read-only; a bind of a parent "
                "of the socket (say /) only in an unprivileged container of a non-root uid:gid with no added group.",
    validate=_validate_docker_socket, severity=Severity.CRITICAL,
)

ALL = [NSG_9999_NOT_OPEN, KUBERNETES_ENTRY_NOT_OPEN, ONLY_PROXY_PUBLISHES_PORTS, IMAGES_FROM_REGISTRY,
       GRAFANA_ANONYMOUS_AND_SIGNUP_OFF, KEY_VAULT_SECRET_EXPIRES, CONTAINER_MEMORY_LIMIT, CONTAINER_HEALTHCHECK,
       DOCKER_SOCKET_ONLY_IN_READ_ONLY_API]

"""Checks that span several settings: each problem names a key the user set wherever one is to blame."""

from __future__ import annotations

import re
from collections.abc import Mapping

from components import constants as c
from components.allowlist import WILDCARDS, as_network, open_to_internet_problem, strict_cidr_problem
from components.settings.reader import Reader
from components.settings.types import Alerts, Azure, DockerHost, Exporters, GrafanaAccess, Postgres, Tls

MIN_GIVEN_PASSWORD = 20
MIN_PASSWORD_ANY_SOURCE = 32
DOCKER_HOST = re.compile(r"unix:///\S+|ssh://[^@\s/]+@[A-Za-z0-9.-]+(:\d{1,5})?|tcp://[A-Za-z0-9.-]+:\d{1,5}")
DOCKER_BUILTIN_NETWORKS = ("bridge", "host", "none")


def check_memory(r: Reader, memory: Mapping[str, int], budget: int) -> None:
    """The containers' limits together stay within the host budget the README promises (memoryBudgetMb),
    the canary's fixed limit included (it runs on every stack with this stack's collector)."""
    total = sum(memory.values()) + c.CANARY_MEMORY_MB
    if total <= budget:
        return
    raised = [f"{s}MemoryMb" for s in memory if r.is_set(f"{s}MemoryMb")]
    blamed = raised or ["memoryBudgetMb"]
    for key in blamed:
        r.problem(key, r.raw.get(key, budget), f"the {len(memory)} container limits and the canary's "
                  f"{c.CANARY_MEMORY_MB} MiB add up to {total} MiB, over memoryBudgetMb ({budget} MiB): lower a "
                  "limit, or raise memoryBudgetMb if the host has the memory")


def check_azure(r: Reader, azure: Azure) -> None:
    for key, value in (("azureResourceGroup", azure.resource_group), ("azureVmName", azure.vm_name),
                       ("azureNsgName", azure.nsg_name)):
        if not value:
            r.problem(key, value, "required for azure-dev (the existing resource's name)")
    check_allowlist(r, azure.allowed_source_cidrs, azure.allow_any_source, f"port {c.PORTS[c.PROXY]}")


def check_allowlist(r: Reader, cidrs: tuple[str, ...], allow_any: bool, entry: str) -> None:
    """allowedSourceCidrs/allowAnySource for whatever opens `entry` (the NSG rule, a Kubernetes ingress)."""
    for cidr in cidrs:
        if problem := strict_cidr_problem(cidr):
            r.problem("allowedSourceCidrs", cidr, f"malformed CIDR ({problem}); write it as e.g. 203.0.113.0/28")
    if allow_any:
        return
    # What Azure would read as an address or "any" (e.g. 0.0.0.0/00, 1.2.3.4/0, Internet) is judged by coverage.
    readable = [s for s in cidrs if as_network(s) is not None or s.strip().lower() in WILDCARDS]
    if not cidrs:
        r.problem("allowedSourceCidrs", [], "list at least one source CIDR (office egress), or set "
                  "allowAnySource: true explicitly")
    elif problem := open_to_internet_problem(readable):
        r.problem("allowedSourceCidrs", list(cidrs), f"opens {entry} to the internet: {problem}; list specific "
                  "CIDRs, or set allowAnySource: true explicitly")


def check_cross_field(r: Reader, environment: str, grafana: GrafanaAccess, tls: Tls, docker: DockerHost,
                      postgres: Postgres, alerts: Alerts, exporters: Exporters, azure: Azure | None,
                      any_source: bool = False) -> None:
    """`any_source`: another target (a Kubernetes ingress) is open to any source by allowAnySource."""
    password = grafana.admin_password
    any_source = any_source or bool(azure and azure.allow_any_source)
    minimum = MIN_PASSWORD_ANY_SOURCE if any_source else MIN_GIVEN_PASSWORD
    if password and password.known and len(password.reveal()) < minimum:
        r.problem("grafanaAdminPassword", "[secret]", f"must be at least {minimum} characters"
                  + (" because allowAnySource is true" if minimum == MIN_PASSWORD_ANY_SOURCE else ""))
    admin_ports = sorted(c.PORTS[s] for s in c.ADMIN_PORT_SERVICES)
    if grafana.port in admin_ports:
        r.problem("grafanaPort", grafana.port, "collides with a host port adminPortsOnLoopback binds "
                  f"({', '.join(map(str, admin_ports))}); choose another")
    if tls.source == "host-files":
        for key, path in (("tlsHostCertPath", tls.host_cert_path), ("tlsHostKeyPath", tls.host_key_path)):
            if not path:
                r.problem(key, path, "required when tlsSource is host-files (an absolute path on the Docker host)")
    if environment == "azure-dev" and tls.source == "self-signed":
        r.problem("tlsSource", tls.source, "azure-dev must use the existing certificate: pem | host-files")
    if not DOCKER_HOST.fullmatch(docker.host):
        r.problem("dockerHost", docker.host, "must be unix:///path, ssh://user@host[:port] or tcp://host:port")
    if docker.network_name in DOCKER_BUILTIN_NETWORKS:
        r.problem("dockerNetworkName", docker.network_name, "is one of Docker's built-in networks "
                  f"({', '.join(DOCKER_BUILTIN_NETWORKS)}); the stack creates its own, choose another name")
    if docker.external_network and docker.external_network == docker.network_name:
        r.problem("externalNetwork", docker.external_network, "must differ from dockerNetworkName (the network "
                  "the stack creates)")
    if exporters.postgres and not postgres.enabled:
        r.problem("exportPostgres", True, "needs postgresEnabled: true (it uses the read-only role)")
    if exporters.containers and not r.boolean("exportContainerMetricsAsRoot"):
        r.problem("exportContainerMetrics", True, "runs Alloy privileged as root (root on the host, for "
                  "cAdvisor); set exportContainerMetricsAsRoot: true to accept that, or leave it off")
    if alerts.contact_type == "email" and not alerts.contact_address:
        r.problem("alertContactAddress", "", "required when alertContactType is email")
    if environment == "railway":
        for key in ("exportPostgres", "exportRedis", "exportHostMetrics", "exportContainerMetrics"):
            if r.is_set(key) and str(r.raw[key]).lower() == "true":
                r.problem(key, r.raw[key], "exporters are off for railway (ADR-031: Railway uses its native "
                          "metrics)")


def check_deploy_secrets(r: Reader, tls: Tls, postgres: Postgres, alerts: Alerts) -> None:
    if tls.source == "pem":
        for key, pem in (("tlsCertificatePem", tls.certificate_pem), ("tlsPrivateKeyPem", tls.private_key_pem)):
            if pem is None:
                r.problem(key, "", f"required when tlsSource is pem: pulumi config set --secret {key} < file.pem")
    if postgres.enabled and not postgres.demo and postgres.admin_password is None:
        r.problem("postgresAdminPassword", "", "required when postgresEnabled is true: "
                  "pulumi config set --secret postgresAdminPassword")
    if alerts.contact_type in ("webhook", "teams") and alerts.contact_url is None:
        r.problem("alertContactUrl", "", f"required when alertContactType is {alerts.contact_type}: "
                  "pulumi config set --secret alertContactUrl")

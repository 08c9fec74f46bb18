"""Checks that span several settings: each problem names a key the user set wherever one is to blame."""

from __future__ import annotations

from collections.abc import Mapping

from components import constants as c
from components.allowlist import Allowlist, parse_allowlist
from components.settings.docker_host import check_docker_host
from components.settings.reader import Reader
from components.settings.types import Alerts, Azure, DockerHost, Exporters, GrafanaAccess, Postgres, Tls

DOCKER_ENVIRONMENTS = ("local", "azure-dev")  # the environments that deploy containers to a Docker host
MIN_GIVEN_PASSWORD = 20
MIN_PASSWORD_ANY_SOURCE = 32


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


def read_allowlist(r: Reader, entry: str) -> Allowlist:
    """allowedSourceCidrs/allowAnySource, parsed once into the value whatever opens `entry` (the NSG rule, a
    Kubernetes ingress) is declared from; components/allowlist.py holds the rules."""
    cidrs, any_source = r.strings("allowedSourceCidrs"), r.boolean("allowAnySource")
    allowlist, problem = parse_allowlist(cidrs, any_source, entry)
    if problem:
        shown = any_source if problem.setting == "allowAnySource" else list(cidrs)
        r.problem(problem.setting, shown, problem.reason)
    return allowlist


def check_cross_field(r: Reader, environment: str, grafana: GrafanaAccess, tls: Tls, docker: DockerHost,
                      postgres: Postgres, alerts: Alerts, exporters: Exporters, azure: Azure | None,
                      any_source: bool = False) -> None:
    """`any_source`: another target (a Kubernetes ingress) is open to any source by allowAnySource."""
    password = grafana.admin_password
    any_source = any_source or bool(azure and azure.allowlist.any_source)
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
    if environment in DOCKER_ENVIRONMENTS:
        check_docker_host(r, environment, docker, grafana)
    if environment == "azure-dev" and tls.source == "self-signed":
        r.problem("tlsSource", tls.source, "azure-dev must use the existing certificate: pem | host-files")
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

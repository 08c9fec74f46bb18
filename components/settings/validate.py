"""Validation of every stack setting into `Settings`: all problems found, then reported together."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from components import constants as c
from components import images as catalog
from components.images import Image
from components.settings.reader import IMAGE_PREFIX, ROOT, Reader, cidr_problem, load_schema
from components.settings.types import (Alerts, Azure, DockerHost, Exporters, GrafanaAccess, Postgres, Retention,
                                       Settings, SettingsError, Tls)

ENVIRONMENTS = ("local", "azure-dev", "railway")
TLS_SOURCES = ("self-signed", "pem", "host-files")
SSL_MODES = ("disable", "require", "verify-ca", "verify-full")
CONTACT_TYPES = ("none", "email", "webhook", "teams")
RAILWAY_MODES = ("self-hosted", "grafana-cloud")
OPEN_SOURCES = ("*", "0.0.0.0/0", "::/0", "internet", "any")
MIN_GIVEN_PASSWORD = 20
MIN_PASSWORD_ANY_SOURCE = 32


def parse(stack: str, raw: Mapping[str, Any], secret_keys: set[str] | None = None,
          root: Path = ROOT, deploying: bool = True) -> Settings:
    """Validate raw values (keys without the project prefix) into Settings, or raise SettingsError.

    `deploying=False` (the offline render) does not require secrets that only a deploy uses, so a fresh
    clone renders every stack before anyone has run `pulumi config set --secret`."""
    schema = load_schema(root)
    r = Reader(raw, set(secret_keys or ()), schema)
    for key in sorted(set(raw) - set(schema)):
        close = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "not a setting of this project (see Pulumi.yaml)"
        r.problem(key, raw[key], f"unknown key, {hint}")

    environment = r.string("environment", ENVIRONMENTS)
    retention = Retention(r.integer("lokiRetentionDays"), r.integer("tempoRetentionDays"),
                          r.integer("prometheusRetentionDays"))
    grafana = GrafanaAccess(r.integer("grafanaPort", 1, 65535), r.string("domain"),
                            r.string("grafanaAdminUser"), r.secret("grafanaAdminPassword"))
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", grafana.domain):
        r.problem("domain", grafana.domain, "must be a host name such as grafana.example.com")
    tls = Tls(r.string("tlsSource", TLS_SOURCES), r.secret("tlsCertificatePem"),
              r.secret("tlsPrivateKeyPem"), r.string("tlsHostCertPath"), r.string("tlsHostKeyPath"))
    docker = DockerHost(r.string("dockerHost"), r.strings("dockerSshOpts"), r.string("dockerNetworkName"),
                        r.string("externalNetwork") or None, r.boolean("adminPortsOnLoopback"),
                        r.integer("dockerSocketGid", 0, 2**31))
    memory = {s: r.integer(f"{s}MemoryMb", 32, 65536) for s in c.SERVICES}
    images = {s: _image(r, s) for s in c.SERVICES}
    postgres = Postgres(r.boolean("postgresEnabled"), r.string("postgresHost"),
                        r.integer("postgresPort", 1, 65535), r.string("postgresDatabase"),
                        r.string("postgresSslMode", SSL_MODES), r.string("postgresAdminUser"),
                        r.secret("postgresAdminPassword"), r.boolean("postgresReadAllStats"))
    alerts = Alerts(r.integer("alertDiskUsagePercent", 1, 100), r.integer("alertErrorLogsPerMinute"),
                    r.number("alertLlmCostSpikeRatio", 1.0), r.integer("alertFlowErrorRatePercent", 1, 100),
                    r.string("alertContactType", CONTACT_TYPES), r.string("alertContactAddress"),
                    r.secret("alertContactUrl"))
    exporters = Exporters(r.boolean("exportPostgres"), r.boolean("exportRedis"), r.string("redisAddress"),
                          r.secret("redisPassword"), r.boolean("exportHostMetrics"),
                          r.boolean("exportContainerMetrics"))
    registry_prefix = r.string("registryPrefix").rstrip("/")
    if registry_prefix and not IMAGE_PREFIX.match(registry_prefix):
        r.problem("registryPrefix", registry_prefix, "must be a registry host with an optional path, "
                  "e.g. myacr.azurecr.io")
    railway_mode = r.string("railwayMode", RAILWAY_MODES)
    azure = _azure(r) if environment == "azure-dev" else None
    rotation_days = r.integer("rotationWindowDays", 1, 3650)
    frontend_url = r.string("frontendUrl") or f"https://{grafana.domain}"
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", frontend_url):
        r.problem("frontendUrl", frontend_url, "must be an http(s) URL such as https://app.example.com")
    if azure and azure.acr_name and registry_prefix:
        r.problem("registryPrefix", registry_prefix, "leave empty when acrName is set: images then come "
                  f"from {azure.acr_name.lower()}.azurecr.io")

    _check_cross_field(r, environment, grafana, tls, docker, postgres, alerts, exporters, azure)
    if deploying:
        _check_deploy_secrets(r, tls, postgres, alerts)
    if r.problems:
        raise SettingsError(stack, r.problems)
    return Settings(stack, environment, retention, grafana, tls, docker, registry_prefix,
                    MappingProxyType(memory), MappingProxyType(images), postgres, alerts, exporters, azure,
                    railway_mode, rotation_days, frontend_url)


def _image(r: Reader, service: str) -> Image:
    override = r.string(f"{service}Image")
    if not override:
        return catalog.BY_SERVICE[service]
    image = catalog.parse_reference(override)
    if image is None:
        r.problem(f"{service}Image", override, "must be repository:tag@sha256:<64 hex digest> "
                  "(both a tag and a digest), e.g. grafana/grafana:<tag>@sha256:<digest>")
        return catalog.BY_SERVICE[service]
    return image


def _azure(r: Reader) -> Azure:
    azure = Azure(r.string("azureResourceGroup"), r.string("azureVmName"), r.string("azureNsgName"),
                  r.integer("nsgRulePriority", 100, 4096), r.strings("allowedSourceCidrs"),
                  r.boolean("allowAnySource"), r.string("keyVaultName") or None, r.string("acrName") or None,
                  r.boolean("acrCreate"), r.string("acrCredentialSetId") or None)
    for key, value in (("azureResourceGroup", azure.resource_group), ("azureVmName", azure.vm_name),
                       ("azureNsgName", azure.nsg_name)):
        if not value:
            r.problem(key, value, "required for azure-dev (the existing resource's name)")
    open_sources = [s for s in azure.allowed_source_cidrs if s.lower() in OPEN_SOURCES]
    if not azure.allow_any_source:
        if not azure.allowed_source_cidrs:
            r.problem("allowedSourceCidrs", [], "list at least one source CIDR (office egress), or set "
                      "allowAnySource: true explicitly")
        if open_sources:
            r.problem("allowedSourceCidrs", open_sources, "opens port 9999 to the internet; list specific "
                      "CIDRs, or set allowAnySource: true explicitly")
    for cidr in azure.allowed_source_cidrs:
        if cidr.lower() not in OPEN_SOURCES and (err := cidr_problem(cidr)):
            r.problem("allowedSourceCidrs", cidr, f"malformed CIDR ({err})")
    if azure.acr_name and not re.fullmatch(r"[a-zA-Z0-9]{5,50}", azure.acr_name):
        r.problem("acrName", azure.acr_name, "must be 5-50 letters or digits (an ACR name)")
    return azure


def _check_cross_field(r: Reader, environment: str, grafana: GrafanaAccess, tls: Tls, docker: DockerHost,
                       postgres: Postgres, alerts: Alerts, exporters: Exporters, azure: Azure | None) -> None:
    password = grafana.admin_password
    minimum = MIN_PASSWORD_ANY_SOURCE if azure and azure.allow_any_source else MIN_GIVEN_PASSWORD
    if password and password.known and len(password.reveal()) < minimum:
        r.problem("grafanaAdminPassword", "[secret]", f"must be at least {minimum} characters"
                  + (" because allowAnySource is true" if minimum == MIN_PASSWORD_ANY_SOURCE else ""))
    admin_ports = sorted(c.PORTS[s] for s in c.ADMIN_PORT_SERVICES)
    if grafana.port in admin_ports:
        r.problem("grafanaPort", grafana.port, "collides with a host port adminPortsOnLoopback binds "
                  f"({', '.join(map(str, admin_ports))}); choose another")
    if tls.source == "host-files":
        for key, path in (("tlsHostCertPath", tls.host_cert_path), ("tlsHostKeyPath", tls.host_key_path)):
            if not path.startswith("/"):
                r.problem(key, path, "must be an absolute path on the Docker host when tlsSource is host-files")
    if environment == "azure-dev" and tls.source == "self-signed":
        r.problem("tlsSource", tls.source, "azure-dev must use the existing certificate: pem | host-files")
    if not re.fullmatch(r"(unix:///\S+|ssh://[^@\s]+@[^\s:]+(:\d+)?|tcp://\S+)", docker.host):
        r.problem("dockerHost", docker.host, "must be unix:///path, ssh://user@host[:port] or tcp://host:port")
    if exporters.postgres and not postgres.enabled:
        r.problem("exportPostgres", True, "needs postgresEnabled: true (it uses the read-only role)")
    if alerts.contact_type == "email" and not alerts.contact_address:
        r.problem("alertContactAddress", "", "required when alertContactType is email")
    if environment == "railway" and (exporters.postgres or exporters.redis or exporters.host or exporters.containers):
        r.problem("exportPostgres/exportRedis/exportHostMetrics/exportContainerMetrics", True,
                  "exporters are off for railway (ADR-031: Railway uses its native metrics)")


def _check_deploy_secrets(r: Reader, tls: Tls, postgres: Postgres, alerts: Alerts) -> None:
    if tls.source == "pem":
        for key, pem in (("tlsCertificatePem", tls.certificate_pem), ("tlsPrivateKeyPem", tls.private_key_pem)):
            if pem is None:
                r.problem(key, "", f"required when tlsSource is pem: pulumi config set --secret {key} < file.pem")
    if postgres.enabled and postgres.admin_password is None:
        r.problem("postgresAdminPassword", "", "required when postgresEnabled is true: "
                  "pulumi config set --secret postgresAdminPassword")
    if alerts.contact_type in ("webhook", "teams") and alerts.contact_url is None:
        r.problem("alertContactUrl", "", f"required when alertContactType is {alerts.contact_type}: "
                  "pulumi config set --secret alertContactUrl")

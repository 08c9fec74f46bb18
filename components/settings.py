"""Every stack setting, read once and validated before any resource is declared.

`Pulumi.yaml`'s `config:` schema is the single list of keys, types and defaults. Values come from the
Pulumi engine (`from_pulumi`) or from `Pulumi.<stack>.yaml` (`from_stack_file`, used by the offline
render and the tests). All problems are collected and reported together as one `SettingsError`.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from components import constants as c
from components import images as catalog
from components.images import Image

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("local", "azure-dev", "railway")
TLS_SOURCES = ("self-signed", "pem", "host-files")
SSL_MODES = ("disable", "require", "verify-ca", "verify-full")
CONTACT_TYPES = ("none", "email", "webhook", "teams")
RAILWAY_MODES = ("self-hosted", "grafana-cloud")
OPEN_SOURCES = ("*", "0.0.0.0/0", "::/0", "internet", "any")
MIN_GIVEN_PASSWORD = 20
MIN_PASSWORD_ANY_SOURCE = 32


class Secret:
    """A secret setting value. Never printed; `known` is False when the value is still encrypted."""

    def __init__(self, value: str, known: bool = True):
        self._value = value
        self.known = known

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret([secret])"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and (self._value, self.known) == (other._value, other.known)

    def __hash__(self) -> int:
        return hash((self._value, self.known))


class SettingsError(Exception):
    """One message naming every bad key, its value and what is allowed."""

    def __init__(self, stack: str, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Stack '{stack}' has {len(problems)} configuration problem(s):\n{lines}")


@dataclass(frozen=True)
class Retention:
    loki_days: int
    tempo_days: int
    prometheus_days: int


@dataclass(frozen=True)
class DockerHost:
    host: str
    ssh_opts: tuple[str, ...]
    network_name: str
    external_network: str | None
    admin_ports_on_loopback: bool
    docker_socket_gid: int

    @property
    def is_ssh(self) -> bool:
        return self.host.startswith("ssh://")


@dataclass(frozen=True)
class GrafanaAccess:
    port: int
    domain: str
    admin_user: str
    admin_password: Secret | None

    @property
    def root_url(self) -> str:
        return f"https://{self.domain}:{self.port}/"


@dataclass(frozen=True)
class Tls:
    source: str
    certificate_pem: Secret | None
    private_key_pem: Secret | None
    host_cert_path: str
    host_key_path: str


@dataclass(frozen=True)
class Postgres:
    enabled: bool
    host: str
    port: int
    database: str
    sslmode: str
    admin_user: str
    admin_password: Secret | None


@dataclass(frozen=True)
class Alerts:
    disk_usage_percent: int
    error_logs_per_minute: int
    llm_cost_spike_ratio: float
    flow_error_rate_percent: int
    contact_type: str
    contact_address: str


@dataclass(frozen=True)
class Exporters:
    postgres: bool
    redis: bool
    redis_address: str
    redis_password: Secret | None
    host: bool
    containers: bool


@dataclass(frozen=True)
class Azure:
    resource_group: str
    nsg_name: str
    nsg_rule_priority: int
    allowed_source_cidrs: tuple[str, ...]
    allow_any_source: bool
    key_vault_name: str | None
    acr_name: str | None
    acr_create: bool
    acr_credential_set_id: str | None


@dataclass(frozen=True)
class Settings:
    stack: str
    environment: str
    retention: Retention
    grafana: GrafanaAccess
    tls: Tls
    docker: DockerHost
    registry_prefix: str
    memory_mb: Mapping[str, int]
    images: Mapping[str, Image]
    postgres: Postgres
    alerts: Alerts
    exporters: Exporters
    azure: Azure | None
    railway_mode: str
    rotation_days: int

    @property
    def image_registry_prefix(self) -> str:
        """Where containers pull from: the ACR mirror in azure-dev, else registryPrefix (empty: upstream)."""
        if self.azure and self.azure.acr_name:
            return f"{self.azure.acr_name.lower()}.azurecr.io"
        return self.registry_prefix


def load_schema(root: Path = ROOT) -> dict[str, dict]:
    return yaml.safe_load((root / "Pulumi.yaml").read_text())["config"]


class _Reader:
    """Typed access to raw values that records a problem instead of raising."""

    def __init__(self, raw: Mapping[str, Any], secret_keys: set[str], schema: dict[str, dict]):
        self.raw, self.secret_keys, self.schema = raw, secret_keys, schema
        self.problems: list[str] = []

    def problem(self, key: str, value: Any, allowed: str) -> None:
        shown = "[secret]" if key in self.secret_keys else json.dumps(value)
        self.problems.append(f"{c.PROJECT}:{key} = {shown}: {allowed}")

    def _value(self, key: str) -> Any:
        return self.raw[key] if key in self.raw else self.schema[key]["default"]

    def string(self, key: str, choices: tuple[str, ...] | None = None) -> str:
        value = self._value(key)
        if not isinstance(value, str):
            self.problem(key, value, "must be a string")
            return str(value)
        if choices and value not in choices:
            self.problem(key, value, f"allowed values are {' | '.join(choices)}")
        return value

    def integer(self, key: str, low: int = 1, high: int | None = None) -> int:
        value = self._value(key)
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            number = int(value)
        span = f"from {low} to {high}" if high is not None else f"at least {low}"
        if number is None or number < low or (high is not None and number > high):
            self.problem(key, value, f"must be a whole number {span}")
            return low
        return number

    def number(self, key: str, low: float) -> float:
        value = self._value(key)
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or number < low:
            self.problem(key, value, f"must be a number of at least {low}")
            return low
        return number

    def boolean(self, key: str) -> bool:
        value = self._value(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.problem(key, value, "must be true or false")
        return False

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._value(key)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, value, "must be a list of strings")
            return ()
        return tuple(value)

    def secret(self, key: str) -> Secret | None:
        value = self._value(key)
        if isinstance(value, Secret):
            return value if value.known is False or value.reveal() else None
        if not isinstance(value, str):
            self.problem(key, value, "must be a string")
            return None
        if value and key not in self.secret_keys:
            self.problem(key, "<cleartext>", f"must be set as a secret: pulumi config set --secret {key}")
        return Secret(value) if value else None


_IMAGE_PREFIX = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(/[a-z0-9._-]+)*$")


def _cidr_problem(cidr: str) -> str | None:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        return str(exc)
    return None


def parse(stack: str, raw: Mapping[str, Any], secret_keys: set[str] | None = None, root: Path = ROOT) -> Settings:
    """Validate raw values (keys without the project prefix) into Settings, or raise SettingsError."""
    schema = load_schema(root)
    r = _Reader(raw, set(secret_keys or ()), schema)
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
                        r.secret("postgresAdminPassword"))
    alerts = Alerts(r.integer("alertDiskUsagePercent", 1, 100), r.integer("alertErrorLogsPerMinute"),
                    r.number("alertLlmCostSpikeRatio", 1.0), r.integer("alertFlowErrorRatePercent", 1, 100),
                    r.string("alertContactType", CONTACT_TYPES), r.string("alertContactAddress"))
    exporters = Exporters(r.boolean("exportPostgres"), r.boolean("exportRedis"), r.string("redisAddress"),
                          r.secret("redisPassword"), r.boolean("exportHostMetrics"),
                          r.boolean("exportContainerMetrics"))
    registry_prefix = r.string("registryPrefix").rstrip("/")
    if registry_prefix and not _IMAGE_PREFIX.match(registry_prefix):
        r.problem("registryPrefix", registry_prefix, "must be a registry host with an optional path, "
                  "e.g. myacr.azurecr.io")
    railway_mode = r.string("railwayMode", RAILWAY_MODES)
    azure = _azure(r) if environment == "azure-dev" else None
    rotation_days = r.integer("passwordRotationDays", 1, 3650)
    if azure and azure.acr_name and registry_prefix:
        r.problem("registryPrefix", registry_prefix, "leave empty when acrName is set: images then come "
                  f"from {azure.acr_name.lower()}.azurecr.io")

    _check_cross_field(r, environment, grafana, tls, docker, postgres, alerts, exporters, azure)
    if r.problems:
        raise SettingsError(stack, r.problems)
    return Settings(stack, environment, retention, grafana, tls, docker, registry_prefix,
                    MappingProxyType(memory), MappingProxyType(images), postgres, alerts, exporters, azure, railway_mode,
                    rotation_days)


def _image(r: _Reader, service: str) -> Image:
    override = r.string(f"{service}Image")
    if not override:
        return catalog.BY_SERVICE[service]
    image = catalog.parse_reference(override)
    if image is None:
        r.problem(f"{service}Image", override, "must be repository:tag@sha256:<64 hex digest> "
                  "(both a tag and a digest), e.g. grafana/grafana:<tag>@sha256:<digest>")
        return catalog.BY_SERVICE[service]
    return image


def _azure(r: _Reader) -> Azure:
    azure = Azure(r.string("azureResourceGroup"), r.string("azureNsgName"),
                  r.integer("nsgRulePriority", 100, 4096), r.strings("allowedSourceCidrs"),
                  r.boolean("allowAnySource"), r.string("keyVaultName") or None, r.string("acrName") or None,
                  r.boolean("acrCreate"), r.string("acrCredentialSetId") or None)
    for key, value in (("azureResourceGroup", azure.resource_group), ("azureNsgName", azure.nsg_name)):
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
        if cidr.lower() not in OPEN_SOURCES and (err := _cidr_problem(cidr)):
            r.problem("allowedSourceCidrs", cidr, f"malformed CIDR ({err})")
    if azure.acr_name and not re.fullmatch(r"[a-zA-Z0-9]{5,50}", azure.acr_name):
        r.problem("acrName", azure.acr_name, "must be 5-50 letters or digits (an ACR name)")
    return azure


def _check_cross_field(r: _Reader, environment: str, grafana: GrafanaAccess, tls: Tls, docker: DockerHost,
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
    if tls.source == "pem":
        for key, value in (("tlsCertificatePem", tls.certificate_pem), ("tlsPrivateKeyPem", tls.private_key_pem)):
            if value is None:
                r.problem(key, "", "required when tlsSource is pem")
    if tls.source == "host-files":
        for key, value in (("tlsHostCertPath", tls.host_cert_path), ("tlsHostKeyPath", tls.host_key_path)):
            if not value.startswith("/"):
                r.problem(key, value, "must be an absolute path on the Docker host when tlsSource is host-files")
    if environment == "azure-dev" and tls.source == "self-signed":
        r.problem("tlsSource", tls.source, "azure-dev must use the existing certificate: pem | host-files")
    if not re.fullmatch(r"(unix:///\S+|ssh://[^@\s]+@[^\s:]+(:\d+)?|tcp://\S+)", docker.host):
        r.problem("dockerHost", docker.host, "must be unix:///path, ssh://user@host[:port] or tcp://host:port")
    if postgres.enabled and postgres.admin_password is None:
        r.problem("postgresAdminPassword", "", "required (as a secret) when postgresEnabled is true")
    if exporters.postgres and not postgres.enabled:
        r.problem("exportPostgres", True, "needs postgresEnabled: true (it uses the read-only role)")
    if alerts.contact_type != "none" and not alerts.contact_address:
        r.problem("alertContactAddress", "", f"required when alertContactType is {alerts.contact_type}")
    if environment == "railway" and (exporters.postgres or exporters.redis or exporters.host or exporters.containers):
        r.problem("exportPostgres/exportRedis/exportHostMetrics/exportContainerMetrics", True,
                  "exporters are off for railway (ADR-031: Railway uses its native metrics)")


def from_stack_file(stack: str, root: Path = ROOT) -> Settings:
    """Settings from Pulumi.<stack>.yaml, for the offline render and the tests (secure values stay unknown)."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise SettingsError(stack, [f"no {path.name}; stacks here: {', '.join(stacks)}"])
    raw, secret_keys = {}, set()
    for key, value in (yaml.safe_load(path.read_text()) or {}).get("config", {}).items():
        namespace, _, short = key.rpartition(":")
        if namespace not in ("", c.PROJECT):
            continue  # provider settings such as azure-native:location
        if isinstance(value, dict) and "secure" in value:
            value, _ = Secret("[secret]", known=False), secret_keys.add(short)
        raw[short] = value
    return parse(stack, raw, secret_keys, root)


def from_pulumi() -> Settings:
    """Settings from the running Pulumi program's configuration (the only reader of pulumi config)."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    prefix = f"{c.PROJECT}:"
    everything = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    raw: dict[str, Any] = {}
    for key, value in everything.items():
        if key.startswith(prefix):
            raw[key[len(prefix):]] = _decode(value)
    secret_keys = {k for k in raw if runtime_config.is_config_secret(prefix + k)}
    secret_keys |= {k[len(prefix):] for k in runtime_config.get_config_secret_keys_env() if k.startswith(prefix)}
    return parse(pulumi.get_stack(), raw, secret_keys)


def _decode(value: Any) -> Any:
    """The engine hands every value over as a string; arrays arrive JSON-encoded."""
    if isinstance(value, str) and value[:1] == "[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value

"""The typed, immutable settings objects the rest of the program reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from components.allowlist import Allowlist
from components.images import Image

if TYPE_CHECKING:
    from components.settings.railway import Railway
    from components.settings.kubernetes import Kubernetes
    from components.settings.smtp import Smtp



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
        # Invisible characters (bidirectional overrides, zero-width, control) are printed escaped: a message
        # about a hostile value must show it, not be reordered or hidden by it.
        self.problems = ["".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in p) for p in problems]
        lines = "\n".join(f"  - {p}" for p in self.problems)
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
        port = "" if self.port == 443 else f":{self.port}"  # browsers never show :443
        return f"https://{self.domain}{port}/"


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
    read_all_stats: bool
    demo: bool = False  # the stack's own demo database (demoData), not the platform's


@dataclass(frozen=True)
class Alerts:
    disk_usage_percent: int
    error_logs_per_minute: int
    llm_cost_spike_ratio: float
    flow_error_rate_percent: int
    contact_type: str
    contact_address: str
    contact_url: Secret | None


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
    vm_name: str
    nsg_name: str
    nsg_rule_priority: int
    allowlist: Allowlist  # who may reach port 9999 through the NSG rule
    key_vault_name: str | None
    acr_name: str | None
    acr_create: bool
    acr_credential_set_id: str | None
    docker_hub_secret_uris: tuple[str, str] | None = None  # (username, password) in key_vault_name


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
    frontend_url: str
    railway: Railway | None = None  # environment railway only (components/settings/railway.py)
    kubernetes: Kubernetes | None = None  # set when the stack deploys to a Kubernetes cluster (aks-dev)
    smtp: Smtp | None = None  # components/settings/smtp.py; None only in code that builds Settings by hand
    demo_data: bool = False  # demoData: local only, demo database and telemetry generators

    @property
    def image_registry_prefix(self) -> str:
        """Where containers pull from: the ACR mirror in azure-dev, else registryPrefix (empty: upstream)."""
        if self.azure and self.azure.acr_name:
            return f"{self.azure.acr_name.lower()}.azurecr.io"
        return self.registry_prefix

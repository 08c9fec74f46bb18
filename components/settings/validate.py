"""Every stack setting validated into `Settings`: each area reads its own keys, then the checks that span
areas run; all problems are found, then reported together.

Adding a setting: declare it in Pulumi.yaml's `config:` (type, description, default), read it in its area's
module with the Reader accessor of its type (with bounds, choices or a `formats` Format), and if it only means
something in some environments, list it in ONLY_IN. A key taken out of the schema goes to RETIRED with what
replaced it, so a stack that still sets it is told how to migrate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from components import constants as c
from components.images import Image
from components.settings import access as access_settings
from components.settings import alerts as alert_settings
from components.settings import azure as azure_settings
from components.settings import containers
from components.settings import docker_host as docker_settings
from components.settings import exporters as exporter_settings
from components.settings import grafana as grafana_settings
from components.settings import kubernetes as kube_settings
from components.settings import postgres as postgres_settings
from components.settings import retention as retention_settings
from components.settings import tls as tls_settings
from components.settings.alerts import Alerts
from components.settings.azure import Azure
from components.settings.docker_host import DOCKER_ENVIRONMENTS, DockerHost
from components.settings.errors import SettingsError
from components.settings.exporters import Exporters
from components.settings.grafana import GrafanaAccess
from components.settings.kubernetes import Kubernetes
from components.settings.postgres import DEMO_POSTGRES, Postgres
from components.settings.railway import RAILWAY_KEYS, Railway, parse_railway
from components.settings.reader import ROOT, Reader, load_schema
from components.settings.retention import Retention
from components.settings.smtp import Smtp, read_smtp
from components.settings.suggest import close_match
from components.settings.tls import Tls

# One list of environments: a new target adds its name here (and its keys to ONLY_IN).
ENVIRONMENTS = ("local", "azure-dev", "railway", *kube_settings.ENVIRONMENTS)
ACCESS_ENVIRONMENTS = ("azure-dev", *kube_settings.ENVIRONMENTS)  # the targets that open an entry by allowlist
# Keys that mean something only in these environments: set elsewhere they would be silently ignored.
ONLY_IN = {
    **dict.fromkeys(azure_settings.KEYS, ("azure-dev",)),
    **dict.fromkeys(access_settings.KEYS, ACCESS_ENVIRONMENTS),
    **dict.fromkeys(kube_settings.KEYS, kube_settings.ENVIRONMENTS),
    **dict.fromkeys(RAILWAY_KEYS, ("railway",)),
    # The Docker host and the proxy's certificate: Railway and a cluster have their own entry and TLS.
    **dict.fromkeys((*docker_settings.KEYS, *tls_settings.KEYS), DOCKER_ENVIRONMENTS),
}
# Keys no longer in the schema, with what a stack that still sets one must do (instead of "unknown key").
RETIRED = {
    "dockerSocketGid": "no longer used: Alloy runs non-root on every stack and reads Docker through the read-only "
                       "API proxy (obs-docker-api); remove the setting",
}


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

    @property
    def ships_to_grafana_cloud(self) -> bool:
        """Railway's grafana-cloud mode: Alloy alone ships everything to Grafana Cloud; no backend of ours runs."""
        return self.railway is not None and not self.railway.self_hosted


def parse(stack: str, raw: Mapping[str, Any], secret_keys: set[str] | None = None, root: Path = ROOT,
          deploying: bool = True, found: Sequence[str] = ()) -> Settings:
    """Validate raw values (keys without the project prefix) into Settings, or raise SettingsError.

    `deploying=False` (the offline render) does not require secrets that only a deploy uses, so a fresh
    clone renders every stack before anyone has run `pulumi config set --secret`. `found` are problems
    already found with the keys (e.g. an unknown namespace), reported with the rest."""
    schema = load_schema(root)
    nulls = sorted(k for k, v in raw.items() if v is None)
    r = Reader({k: v for k, v in raw.items() if v is not None}, set(secret_keys or ()), schema)
    r.problems.extend(found)
    for key in nulls:
        r.problems.append(f"{c.PROJECT}:{key} = null: give it a value, or remove it to use the default")
    _check_keys(r)

    environment = r.string("environment", ENVIRONMENTS)
    _check_stack_target(r, stack, environment)
    for key in sorted(k for k in ONLY_IN if r.is_set(k) and environment not in ONLY_IN[k]):
        r.problem(key, r.raw[key], f"applies only to environment {' | '.join(ONLY_IN[key])} (this stack is "
                  f"{environment}): remove it")
    retention = retention_settings.read_retention(r)
    grafana = grafana_settings.read_grafana(r)
    tls = tls_settings.read_tls(r)
    docker = docker_settings.read_docker_host(r)
    memory = containers.read_memory(r)
    images = containers.read_images(r)
    postgres = postgres_settings.read_postgres(r)
    alerts = alert_settings.read_alerts(r)
    exporters = exporter_settings.read_exporters(r)
    registry_prefix = containers.read_registry_prefix(r)
    azure = railway = kube = None
    if environment == "azure-dev":
        azure = azure_settings.read_azure(r, access_settings.read_access(r))
    elif environment == "railway":
        railway = parse_railway(r, deploying)
    elif environment in kube_settings.ENVIRONMENTS:
        kube = kube_settings.parse_kubernetes(r, access_settings.read_access(r))
    rotation_days = retention_settings.read_rotation_days(r)
    frontend_url = grafana_settings.read_frontend_url(r, grafana)
    containers.check_registry_prefix(r, registry_prefix, azure.acr_name if azure else None)
    smtp = read_smtp(r, alerts.contact_type, deploying)
    demo = postgres_settings.read_demo_data(r, environment, postgres)
    if demo:
        postgres = DEMO_POSTGRES

    entry = azure.allowlist if azure else kube.allowlist if kube else None
    grafana_settings.check_grafana(r, grafana, any_source=bool(entry and entry.any_source))
    tls_settings.check_host_files(r, tls)
    if environment in DOCKER_ENVIRONMENTS:
        docker_settings.check_docker_host(r, environment, docker, grafana.port)
    tls_settings.check_environment(r, tls, environment)
    exporter_settings.check_exporters(r, exporters, postgres, environment)
    alert_settings.check_alerts(r, alerts)
    if kube:
        kube_settings.check_cross_field(r, grafana, postgres, exporters)
    if deploying:
        tls_settings.check_deploy_secrets(r, tls)
        postgres_settings.check_deploy_secrets(r, postgres)
        alert_settings.check_deploy_secrets(r, alerts)
        if kube:
            kube_settings.check_deploy_secrets(r, kube)
    if r.problems:
        raise SettingsError(stack, r.problems)
    return Settings(stack, environment, retention, grafana, tls, docker, registry_prefix,
                    MappingProxyType(memory), MappingProxyType(images), postgres, alerts, exporters, azure,
                    rotation_days, frontend_url, railway=railway, kubernetes=kube, smtp=smtp, demo_data=demo)


def _check_keys(r: Reader) -> None:
    """Every key the stack sets is a setting of the schema: a retired one says what replaced it."""
    for key in sorted(set(r.raw) - set(r.schema)):
        if key in RETIRED:
            r.problem(key, r.raw[key], RETIRED[key])
            continue
        close = close_match(key, r.schema)
        hint = f"did you mean {close}?" if close else "not a setting of this project (see Pulumi.yaml)"
        r.problem(key, r.raw[key], f"unknown key, {hint}")


def _check_stack_target(r: Reader, stack: str, environment: str) -> None:
    """A stack named for a target deploys to it, said in its file: never the default (local) by a missing key."""
    named = next((e for e in ENVIRONMENTS if e != "local" and (stack == e or stack.startswith(f"{e}-"))), None)
    if named and environment != named:
        r.problem("environment", environment, f"stack '{stack}' is named for environment {named}: set "
                  f"observability:environment: {named} in Pulumi.{stack}.yaml (a target is never taken from a "
                  "missing key), or name the stack for its environment")

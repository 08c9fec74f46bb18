"""Validation of every stack setting into `Settings`: all problems found, then reported together.

Adding a setting: declare it in Pulumi.yaml's `config:` (type, description, default), read it here with the
Reader accessor of its type (with bounds, choices or a `formats` Format), and if it only means something in
some environments, list it in ONLY_IN.
"""

from __future__ import annotations

import re
from dataclasses import replace
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from components import constants as c
from components import images as catalog
from components.images import Image
from components.settings import formats as f
from components.settings import kubernetes as kube_settings
from components.settings.demo import DEMO_POSTGRES, demo_data
from components.settings.checks import (DOCKER_ENVIRONMENTS, check_azure, check_cross_field, check_deploy_secrets,
                                       check_memory, read_allowlist)
from components.settings.railway import RAILWAY_KEYS, parse_railway
from components.settings.reader import IMAGE_PREFIX, ROOT, Reader, load_schema
from components.settings.smtp import read_smtp
from components.settings.suggest import close_match
from components.settings.types import (Alerts, Azure, DockerHost, Exporters, GrafanaAccess, Postgres, Retention,
                                       Settings, SettingsError, Tls)

# One list of environments: a new target adds its name here (and its keys to ONLY_IN).
ENVIRONMENTS = ("local", "azure-dev", "railway", *kube_settings.ENVIRONMENTS)
TLS_SOURCES = ("self-signed", "pem", "host-files")
SSL_MODES = ("disable", "require", "verify-ca", "verify-full")
CONTACT_TYPES = ("none", "email", "webhook", "teams")
RAILWAY_MODES = ("self-hosted", "grafana-cloud")
# Keys that mean something only in these environments: set elsewhere they would be silently ignored.
ONLY_IN = {
    **dict.fromkeys(("azureResourceGroup", "azureVmName", "azureNsgName", "nsgRulePriority", "keyVaultName",
                     "acrName", "acrCreate", "acrCredentialSetId", "acrDockerHubUsernameSecretUri",
                     "acrDockerHubPasswordSecretUri"), ("azure-dev",)),
    **dict.fromkeys(("allowedSourceCidrs", "allowAnySource"), ("azure-dev", *kube_settings.ENVIRONMENTS)),
    **dict.fromkeys(kube_settings.KEYS, kube_settings.ENVIRONMENTS),
    "railwayMode": ("railway",),
    # The Docker host and the proxy's certificate: Railway and a cluster have their own entry and TLS.
    **dict.fromkeys(("dockerHost", "dockerSshOpts", "dockerNetworkName", "externalNetwork", "adminPortsOnLoopback",
                     "tlsSource", "tlsCertificatePem", "tlsPrivateKeyPem", "tlsHostCertPath", "tlsHostKeyPath"),
                    DOCKER_ENVIRONMENTS),
}
ONLY_IN.update(dict.fromkeys(RAILWAY_KEYS, ("railway",)))
# Days each store keeps data: within what Loki/Tempo/Prometheus accept (Go durations overflow past ~106,000
# days), capped at a sane 10 years.
MAX_RETENTION_DAYS = 3650
MAX_SERVICE_MEMORY_MB = 16384
MAX_COST_SPIKE_RATIO = 1000.0


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
    for key in sorted(set(r.raw) - set(schema)):
        close = close_match(key, schema)
        hint = f"did you mean {close}?" if close else "not a setting of this project (see Pulumi.yaml)"
        r.problem(key, r.raw[key], f"unknown key, {hint}")

    environment = r.string("environment", ENVIRONMENTS)
    _check_stack_target(r, stack, environment)
    for key in sorted(k for k in ONLY_IN if r.is_set(k) and environment not in ONLY_IN[k]):
        r.problem(key, r.raw[key], f"applies only to environment {' | '.join(ONLY_IN[key])} (this stack is "
                  f"{environment}): remove it")
    retention = Retention(*(r.integer(f"{s}RetentionDays", 1, MAX_RETENTION_DAYS) for s in ("loki", "tempo",
                                                                                             "prometheus")))
    # A trailing-dot FQDN is the same name: kept without the dot (an Ingress host or a cookie domain refuses it).
    grafana = GrafanaAccess(r.integer("grafanaPort", 1, 65535),
                            r.string("domain", fmt=f.HOST_NAME, required=True).removesuffix("."),
                            r.string("grafanaAdminUser", fmt=f.LOGIN, required=True),
                            r.secret("grafanaAdminPassword"))
    tls = Tls(r.string("tlsSource", TLS_SOURCES), r.secret("tlsCertificatePem"), r.secret("tlsPrivateKeyPem"),
              r.string("tlsHostCertPath", fmt=f.HOST_FILE), r.string("tlsHostKeyPath", fmt=f.HOST_FILE))
    docker = DockerHost(r.string("dockerHost", required=True), r.strings("dockerSshOpts"),
                        r.string("dockerNetworkName", fmt=f.DOCKER_NAME, required=True),
                        r.string("externalNetwork", fmt=f.DOCKER_NAME) or None, r.boolean("adminPortsOnLoopback"),
                        r.integer("dockerSocketGid", 0, 2**31 - 1))
    if docker.docker_socket_gid:
        r.problem("dockerSocketGid", docker.docker_socket_gid, "no longer used: Alloy runs non-root on every stack "
                  "and reads Docker through the read-only API proxy (obs-docker-api); remove the setting")
    memory = {s: r.integer(f"{s}MemoryMb", 32, MAX_SERVICE_MEMORY_MB) for s in c.SERVICES}
    check_memory(r, memory, r.integer("memoryBudgetMb", 256, 1_048_576))
    images = {s: _image(r, s) for s in c.SERVICES}
    postgres = Postgres(r.boolean("postgresEnabled"), r.string("postgresHost", fmt=f.HOST_NAME, required=True),
                        r.integer("postgresPort", 1, 65535),
                        r.string("postgresDatabase", fmt=f.SQL_NAME, required=True),
                        r.string("postgresSslMode", SSL_MODES),
                        r.string("postgresAdminUser", fmt=f.SQL_NAME, required=True),
                        r.secret("postgresAdminPassword"), r.boolean("postgresReadAllStats"))
    alerts = Alerts(r.integer("alertDiskUsagePercent", 1, 100), r.integer("alertErrorLogsPerMinute", 1, 1_000_000),
                    r.number("alertLlmCostSpikeRatio", 1.0, MAX_COST_SPIKE_RATIO),
                    r.integer("alertFlowErrorRatePercent", 1, 100), r.string("alertContactType", CONTACT_TYPES),
                    r.string("alertContactAddress", fmt=f.EMAILS), r.secret("alertContactUrl"))
    exporters = Exporters(r.boolean("exportPostgres"), r.boolean("exportRedis"),
                          r.string("redisAddress", fmt=f.HOST_PORT, required=True), r.secret("redisPassword"),
                          r.boolean("exportHostMetrics"), r.boolean("exportContainerMetrics"))
    registry_prefix = r.string("registryPrefix").rstrip("/")
    if registry_prefix and not IMAGE_PREFIX.match(registry_prefix):
        r.problem("registryPrefix", registry_prefix, "must be a registry host with an optional path, "
                  "e.g. myacr.azurecr.io")
    railway_mode = r.string("railwayMode", RAILWAY_MODES)
    azure = _azure(r) if environment == "azure-dev" else None
    railway = parse_railway(r, railway_mode, deploying) if environment == "railway" else None
    kube = kube_settings.parse_kubernetes(r) if environment in kube_settings.ENVIRONMENTS else None
    rotation_days = r.integer("rotationWindowDays", 1, 3650)
    frontend_url = r.string("frontendUrl") or f"https://{grafana.domain}"
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", frontend_url):
        r.problem("frontendUrl", frontend_url, "must be an http(s) URL such as https://app.example.com")
    if azure and azure.acr_name and registry_prefix:
        r.problem("registryPrefix", registry_prefix, "leave empty when acrName is set: images then come "
                  f"from {azure.acr_name.lower()}.azurecr.io")

    smtp = read_smtp(r, alerts.contact_type, deploying)
    demo = demo_data(r, environment, postgres)
    if demo:
        postgres = DEMO_POSTGRES
    check_cross_field(r, environment, grafana, tls, docker, postgres, alerts, exporters, azure,
                      any_source=bool(kube and kube.allowlist.any_source))
    if kube:
        kube_settings.check_cross_field(r, grafana, postgres, exporters)
    if deploying:
        check_deploy_secrets(r, tls, postgres, alerts)
        if kube:
            kube_settings.check_deploy_secrets(r, kube)
    if r.problems:
        raise SettingsError(stack, r.problems)
    return Settings(stack, environment, retention, grafana, tls, docker, registry_prefix,
                    MappingProxyType(memory), MappingProxyType(images), postgres, alerts, exporters, azure,
                    railway_mode, rotation_days, frontend_url, railway=railway, kubernetes=kube, smtp=smtp,
                    demo_data=demo)


def _check_stack_target(r: Reader, stack: str, environment: str) -> None:
    """A stack named for a target deploys to it, said in its file: never the default (local) by a missing key."""
    named = next((e for e in ENVIRONMENTS if e != "local" and (stack == e or stack.startswith(f"{e}-"))), None)
    if named and environment != named:
        r.problem("environment", environment, f"stack '{stack}' is named for environment {named}: set "
                  f"observability:environment: {named} in Pulumi.{stack}.yaml (a target is never taken from a "
                  "missing key), or name the stack for its environment")


def _image(r: Reader, service: str) -> Image:
    key, pinned = f"{service}Image", catalog.BY_SERVICE[service]
    override = r.string(key)
    if not override:
        return pinned
    image = catalog.parse_reference(override)
    if image is None:
        r.problem(key, override, "must be repository:tag@sha256:<64 hex digest> (both a tag and a digest), "
                  f"e.g. {pinned.repository}:<tag>@sha256:<digest>")
        return pinned
    if image.repository != pinned.repository:  # parse_reference already spelled Docker Hub's `library/`
        r.problem(key, override, f"must be an image of {pinned.repository} (the {service} image), "
                  f"not {image.repository}")
        return pinned
    return image


def _azure(r: Reader) -> Azure:
    azure = Azure(r.string("azureResourceGroup", fmt=f.RESOURCE_GROUP), r.string("azureVmName", fmt=f.VM_NAME),
                  r.string("azureNsgName", fmt=f.NSG_NAME), r.integer("nsgRulePriority", 100, 4096),
                  read_allowlist(r, f"port {c.PORTS[c.PROXY]}"),
                  r.string("keyVaultName", fmt=f.KEY_VAULT) or None, r.string("acrName", fmt=f.ACR_NAME) or None,
                  r.boolean("acrCreate"), r.string("acrCredentialSetId", fmt=f.CREDENTIAL_SET_ID) or None)
    check_azure(r, azure)
    return replace(azure, docker_hub_secret_uris=_docker_hub_secrets(r, azure))


def _docker_hub_secrets(r: Reader, azure: Azure) -> tuple[str, str] | None:
    """The Key Vault secret URIs of a Docker Hub credential for the cache rules: both or neither, in the
    stack's vault (whose access the stack grants), and not together with an existing credential set."""
    keys = ("acrDockerHubUsernameSecretUri", "acrDockerHubPasswordSecretUri")
    uris = tuple(r.string(key) for key in keys)
    if not any(uris):
        return None
    vault = azure.key_vault_name or "<keyVaultName>"
    secret_uri = rf"https://{re.escape(vault)}\.vault\.azure\.net/secrets/[0-9A-Za-z-]{{1,127}}(/[0-9a-f]{{32}})?"
    for key, uri in zip(keys, uris, strict=True):
        if not re.fullmatch(secret_uri, uri, re.IGNORECASE):
            r.problem(key, uri, f"must be a secret URI in keyVaultName: https://{vault}.vault.azure.net/secrets/"
                      "<name> (set both Docker Hub secret URIs, and keyVaultName)")
    if azure.acr_credential_set_id:
        r.problem("acrCredentialSetId", azure.acr_credential_set_id,
                  "set either an existing credential set or the Docker Hub secret URIs, not both")
    if not azure.acr_name:
        r.problem(keys[0], uris[0], "needs acrName (the registry whose cache rules use the credential)")
    return (uris[0], uris[1])

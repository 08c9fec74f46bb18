"""Broken stack files, each with what its one message must name (a key, or file:line) and a fragment it contains.

Built from valid stacks (LOCAL, AZURE here; aks-dev, Railway and SMTP in cases_targets.py) with one change
each, plus raw files for YAML-level mistakes. The
corpus only assumes the keys it breaks: new settings added elsewhere do not change it.
"""

from __future__ import annotations

from dataclasses import dataclass

FILE = "Pulumi.case.yaml"
P = "observability:"
DIGEST = "sha256:" + "c" * 64


@dataclass(frozen=True)
class Case:
    id: str
    text: str | bytes
    names: str  # what the message must name: observability:<key>, or the file and line
    fragment: str  # what it must say
    deploy_only: bool = False  # only a deploy needs what is missing: the offline render accepts it (no secrets)
    stack: str = "case"  # the stack's name (a stack named for an environment must deploy to it)


LOCAL = {"environment": "local"}
AZURE = {"environment": "azure-dev", "domain": "grafana.example.com", "dockerHost": "ssh://azureuser@10.20.0.4:22",
         "tlsSource": "host-files", "tlsHostCertPath": "/etc/ssl/site/c.pem",
         "tlsHostKeyPath": "/etc/ssl/site/k.pem",
         "azureResourceGroup": "rg-dev", "azureVmName": "vm-dev", "azureNsgName": "nsg-dev",
         "allowedSourceCidrs": '["10.100.0.0/24"]'}
SECURE = "{secure: AAABADxEpRGlsnH0}"  # a `pulumi config set --secret` value; the harness decrypts it as text
# Everything a self-hosted Railway deploy needs, so a case is refused for its one change, not a missing token.
RAILWAY = {"environment": "railway", "domain": "observability.up.railway.app", "railwayToken": SECURE,
           "railwayImageRegistry": "ghcr.io/acme/observability", "grafanaGithubClientId": "Iv1.abc",
           "grafanaGithubClientSecret": SECURE, "grafanaGithubAllowedOrganizations": '["acme"]'}


def stack(base: dict[str, str], **changes: str | None) -> str:
    """A stack file: `base` with `changes` (a YAML value text; None drops the key)."""
    values = {**base, **changes}
    return "config:\n" + "".join(f"  {P}{key}: {value}\n" for key, value in values.items() if value is not None)


def local(key: str, value: str, fragment: str, case_id: str | None = None) -> Case:
    return Case(case_id or f"local-{key}={value}"[:60], stack(LOCAL, **{key: value}), P + key, fragment)


def azure(key: str, value: str | None, fragment: str, case_id: str | None = None) -> Case:
    return Case(case_id or f"azure-{key}={value}"[:60], stack(AZURE, **{key: value}), P + key, fragment)


def cidrs(*entries: str, fragment: str = "opens port 9999 to the internet") -> Case:
    listed = "[" + ", ".join(f'"{e}"' for e in entries) + "]"
    return azure("allowedSourceCidrs", listed, fragment, f"cidrs-{','.join(entries)}"[:60])


YAML_CASES = [
    Case("yaml-unclosed-flow", "config:\n  observability:dockerSshOpts: [-o,\n", FILE, "not valid YAML"),
    Case("yaml-tab-indent", "config:\n\tobservability:domain: x\n", f"{FILE}:2", "not valid YAML"),
    Case("yaml-bad-indent", "config:\n  observability:domain: a\n    observability:grafanaPort: 1\n", f"{FILE}:3",
         "not valid YAML"),
    Case("yaml-unclosed-quote", 'config:\n  observability:domain: "abc\n', FILE, "not valid YAML"),
    Case("yaml-two-documents", "config: {}\n---\nconfig: {}\n", f"{FILE}:", "not valid YAML"),
    Case("yaml-undefined-alias", "config:\n  observability:domain: *host\n", f"{FILE}:2", "not valid YAML"),
    Case("yaml-not-utf8", b"config:\n  observability:domain: caf\xe9\n", FILE, "not valid YAML"),
    Case("yaml-duplicate-key", stack(LOCAL, grafanaPort="9999") + f"  {P}grafanaPort: 8443\n", f"{P}grafanaPort",
         "appears twice"),
    Case("yaml-duplicate-config", "config:\n  observability:environment: local\nconfig: {}\n", "config",
         "appears twice"),
    Case("yaml-empty-config", "config:\n", "config:", "is empty"),
    Case("yaml-config-list", "config:\n  - observability:domain: x\n", "config:", "not a list"),
    Case("yaml-config-scalar", "config: local\n", "config:", "not a single value"),
    Case("yaml-top-level-list", "- config\n", FILE, "a stack file is a mapping"),
    Case("yaml-key-outside-config", f"{P}lokiRetentionDays: 3\n" + stack(LOCAL), f"{P}lokiRetentionDays",
         "outside config:"),
    Case("yaml-misspelled-config", "confg:\n  observability:environment: local\n", "confg", "did you mean config?"),
    Case("yaml-key-without-namespace", "config:\n  lokiRetentionDays: 3\n", "lokiRetentionDays",
         "<namespace>:<name>"),
    Case("yaml-null-value", stack(LOCAL) + f"  {P}domain:\n", f"{P}domain", "is empty (null)"),
    Case("yaml-tilde-null", stack(LOCAL, domain="~"), f"{P}domain", "is empty (null)"),
    Case("yaml-null-word", stack(LOCAL, grafanaPort="null"), f"{P}grafanaPort", "is empty (null)"),
    Case("yaml-secure-with-extra-key", stack(LOCAL, grafanaAdminPassword="{secure: v1abc, note: x}"),
         f"{P}grafanaAdminPassword", "must be a string"),
]

KEY_CASES = [
    Case("namespace-typo", "config:\n  observabilty:lokiRetentionDays: 3\n", "observabilty:lokiRetentionDays",
         "did you mean observability:lokiRetentionDays?"),
    Case("namespace-case", "config:\n  Observability:domain: x.example.com\n", "Observability:domain",
         "did you mean observability:domain?"),
    Case("namespace-unknown", "config:\n  grafana:theme: dark\n", "grafana:theme", "unknown namespace 'grafana'"),
    Case("namespace-provider-typo", "config:\n  azure-nativ:location: eastus\n", "azure-nativ:location",
         "did you mean azure-native:location?"),
    local("lokiRetentonDays", "3", "did you mean lokiRetentionDays?"),
    local("LokiRetentionDays", "3", "did you mean lokiRetentionDays?"),
    local("grafanaTheme", "dark", "not a setting of this project"),
    local("allowedSourceCidrs", '["10.100.0.0/24"]', "applies only to environment azure-dev"),
    local("keyVaultName", "kv-dev", "applies only to environment azure-dev"),
    local("allowAnySource", "true", "applies only to environment azure-dev"),
    local("railwayMode", "grafana-cloud", "applies only to environment railway"),
]

TYPE_CASES = [
    local("grafanaPort", "abc", "whole number"),
    local("grafanaPort", "0", "from 1 to 65535"),
    local("grafanaPort", "65536", "from 1 to 65535"),
    local("grafanaPort", "99999999999999999999", "from 1 to 65535"),
    local("grafanaPort", "9999.5", "whole number"),
    local("grafanaPort", "true", "whole number"),
    local("grafanaPort", "[9999]", "whole number"),
    local("grafanaPort", "9090", "collides"),
    local("lokiRetentionDays", "0", "from 1 to 3650"),
    local("lokiRetentionDays", "-3", "from 1 to 3650"),
    local("lokiRetentionDays", "200000", "from 1 to 3650"),
    local("tempoRetentionDays", "3651", "from 1 to 3650"),
    local("prometheusRetentionDays", "seven", "whole number"),
    local("adminPortsOnLoopback", "yes", "true or false"),
    local("adminPortsOnLoopback", "on", "true or false"),
    local("postgresEnabled", "no", "true or false"),
    local("exportHostMetrics", "1", "true or false"),
    local("postgresReadAllStats", "Y", "true or false"),
    local("environment", "prod", "local | azure-dev | railway"),
    local("environment", "Local", "local | azure-dev | railway"),
    local("environment", '""', "local | azure-dev | railway"),
    local("tlsSource", "letsencrypt", "self-signed | pem | host-files"),
    local("postgresSslMode", "prefer", "disable | require"),
    local("alertContactType", "slack", "none | email | webhook | teams"),
    Case("railway-mode-unknown", stack(RAILWAY, railwayMode="cloud"), f"{P}railwayMode", "self-hosted"),
    local("dockerSocketGid", "998", "no longer used: Alloy runs non-root"),
    local("rotationWindowDays", "0", "from 1 to 3650"),
    local("rotationWindowDays", "4000", "from 1 to 3650"),
    local("nsgRulePriority", "300", "applies only to environment azure-dev"),
]

FORMAT_CASES = [
    local("domain", '""', "must not be empty"),
    local("domain", "bad_host", "RFC 1123"),
    local("domain", "-bad.example.com", "RFC 1123"),
    local("domain", "a..b", "RFC 1123"),
    local("domain", "a" * 64 + ".example.com", "RFC 1123"),
    local("domain", "https://grafana.example.com", "RFC 1123"),
    local("grafanaAdminUser", '""', "must not be empty"),
    local("grafanaAdminUser", '"ad min"', "a login of 1-64"),
    local("grafanaAdminUser", '"a:b"', "a login of 1-64"),
    local("dockerNetworkName", '""', "must not be empty"),
    local("dockerNetworkName", '"my net"', "Docker network name"),
    local("dockerNetworkName", "-net", "Docker network name"),
    local("dockerNetworkName", "bridge", "built-in networks"),
    local("externalNetwork", "bad/net", "Docker network name"),
    local("externalNetwork", "observability", "must differ from dockerNetworkName"),
    local("dockerHost", '""', "must not be empty"),
    local("dockerHost", "docker.example.com", "unix:///path"),
    local("dockerHost", "ssh://host.example.com", "unix:///path"),
    local("dockerHost", "tcp://host.example.com", "without TLS"),
    local("dockerSshOpts", "-o", "list of non-empty strings"),
    local("dockerSshOpts", '["", "-v"]', "list of non-empty strings"),
    local("dockerSshOpts", "[-o, 1]", "list of non-empty strings"),
    local("grafanaMemoryMb", "16", "from 32 to 16384"),
    local("lokiMemoryMb", "100000", "from 32 to 16384"),
    local("lokiMemoryMb", "2048", "over memoryBudgetMb"),
    local("memoryBudgetMb", "1024", "over memoryBudgetMb"),
    local("memoryBudgetMb", "100", "from 256"),
    local("grafanaImage", "grafana/grafana:13.2.0", "both a tag and a digest"),
    local("grafanaImage", f"grafana/grafana@{DIGEST}", "both a tag and a digest"),
    local("lokiImage", f"grafana/grafana:9.9.9@{DIGEST}", "must be an image of grafana/loki"),
    local("proxyImage", f"grafana/alloy:v9.9.9@{DIGEST}", "must be an image of library/nginx"),
    local("registryPrefix", "https://myacr.azurecr.io", "registry host"),
    local("frontendUrl", "app.example.com", "http(s) URL"),
    local("postgresHost", '""', "must not be empty"),
    local("postgresHost", '"db host"', "RFC 1123"),
    local("postgresPort", "0", "from 1 to 65535"),
    local("postgresDatabase", '""', "must not be empty"),
    local("postgresDatabase", '"my db"', "Postgres name"),
    local("postgresAdminUser", "1admin", "Postgres name"),
    local("exportPostgres", "true", "needs postgresEnabled"),
    local("alertDiskUsagePercent", "101", "from 1 to 100"),
    local("alertErrorLogsPerMinute", "0", "from 1 to 1000000"),
    local("alertErrorLogsPerMinute", "2000000", "from 1 to 1000000"),
    local("alertLlmCostSpikeRatio", "nan", "number from 1 to 1000"),
    local("alertLlmCostSpikeRatio", "inf", "number from 1 to 1000"),
    local("alertLlmCostSpikeRatio", ".inf", "infinite or NaN numbers cannot be config values"),
    local("alertLlmCostSpikeRatio", ".NaN", "infinite or NaN numbers cannot be config values"),
    local("alertLlmCostSpikeRatio", "0.5", "number from 1 to 1000"),
    local("alertLlmCostSpikeRatio", '"1e9"', "number from 1 to 1000"),
    local("alertFlowErrorRatePercent", "0", "from 1 to 100"),
    Case("email-without-address", stack(LOCAL, alertContactType="email"), f"{P}alertContactAddress",
         "required when alertContactType is email"),
    local("alertContactAddress", "not-an-email", "e-mail addresses"),
    local("alertContactAddress", '"ops@example.com, bad"', "e-mail addresses"),
    local("redisAddress", "redis", "host:port"),
    local("redisAddress", "redis:99999", "host:port"),
    local("redisAddress", '""', "must not be empty"),
    local("grafanaAdminPassword", "correct-horse-battery-staple-2026", "--secret"),
    Case("host-files-without-paths", stack(LOCAL, tlsSource="host-files"), f"{P}tlsHostCertPath",
         "required when tlsSource is host-files"),
    Case("host-files-relative-path", stack(LOCAL, tlsSource="host-files", tlsHostCertPath="certs/c.pem",
                                           tlsHostKeyPath="/etc/ssl/site/k.pem"), f"{P}tlsHostCertPath",
         "absolute file path"),
    Case("railway-export-redis", stack(RAILWAY, exportRedis="true"), f"{P}exportRedis", "exporters are off"),
    Case("railway-export-host", stack(RAILWAY, exportHostMetrics="true"), f"{P}exportHostMetrics",
         "exporters are off"),
]

AZURE_CASES = [
    cidrs("0.0.0.0/00"),
    cidrs("0::/0"),
    cidrs("::/0"),
    cidrs("0.0.0.0/0"),
    cidrs("0.0.0.0/1", "128.0.0.0/1"),
    cidrs("Internet"),
    cidrs("internet"),
    cidrs("Any"),
    cidrs("*"),
    cidrs("1.2.3.4/0"),
    cidrs("10.0.0.0/7"),
    cidrs("2000::/3"),
    cidrs("::ffff:0.0.0.0/96"),
    cidrs("10.100.0.0/24", "0.0.0.0/0"),
    cidrs(*(f"{first}.0.0.0/8" for first in range(256)), fragment="cover all of IPv4"),
    cidrs(fragment="list at least one source CIDR"),
    cidrs("10.0.0.300/24", fragment="entries are CIDRs"),
    cidrs("10.0.0.5/24", fragment="entries are CIDRs"),
    cidrs("AzureCloud", fragment="entries are CIDRs"),
    azure("allowedSourceCidrs", "10.100.0.0/24", "must be a list", "cidrs-scalar"),
    azure("allowAnySource", "yes", "true or false"),
    azure("azureResourceGroup", '""', "required for azure-dev"),
    azure("azureResourceGroup", "rg.", "resource group name"),
    azure("azureVmName", '"vm name"', "VM name"),
    azure("azureNsgName", "-nsg", "NSG name"),
    azure("nsgRulePriority", "99", "from 100 to 4096"),
    azure("nsgRulePriority", "4097", "from 100 to 4096"),
    azure("keyVaultName", "kv", "Key Vault name"),
    azure("keyVaultName", "kv--double", "Key Vault name"),
    azure("keyVaultName", "1vault", "Key Vault name"),
    azure("acrName", "acr-name", "ACR name"),
    azure("acrName", "abc", "ACR name"),
    azure("acrCredentialSetId", "dockerhub", "credential set resource id"),
    azure("tlsSource", "self-signed", "existing certificate"),
    azure("tlsSource", None, "existing certificate", "azure-tls-source-left-default"),
    Case("azure-acr-and-registry-prefix", stack(AZURE, acrName="aimodernizeobs", registryPrefix="other.example.com"),
         f"{P}registryPrefix", "leave empty when acrName is set"),
]

CASES = YAML_CASES + KEY_CASES + TYPE_CASES + FORMAT_CASES + AZURE_CASES
VALID = {"local": stack(LOCAL), "azure-dev": stack(AZURE)}

"""Corpus cases for hostile and careless edits (issue #19), one change each to a valid stack of every target the
class applies to: injection into rendered files and Grafana's $__ expansion, host paths mounted into the proxy,
where the deploy goes, the entry allowlist, built-in or shared names, keys a target ignores, free text that
reaches an API or a name, and YAML the engine reads differently (aliases, nesting, tags, digits, invisible text).
"""

from __future__ import annotations

import json

from tests.unit.settings_corpus.cases import AZURE, FILE, LOCAL, P, RAILWAY, SECURE, Case, stack
from tests.unit.settings_corpus.cases_targets import AKS, RAILWAY_CLOUD

BASES = {"local": LOCAL, "azure": AZURE, "aks": AKS, "railway": RAILWAY, "cloud": RAILWAY_CLOUD}
HOST_FILES = {**LOCAL, "tlsSource": "host-files", "tlsHostCertPath": "/etc/ssl/site/c.pem",
              "tlsHostKeyPath": "/etc/ssl/site/k.pem"}
SSH_LOCAL = {**LOCAL, "dockerHost": "ssh://ops@docker.example.com"}
BASES |= {"host-files": HOST_FILES, "ssh-local": SSH_LOCAL}
DOLLAR = "must not contain '$__'"
SEVERAL_LINES = "is several lines"


def case(base: str, key: str, value: str | None, fragment: str, names: str = "", case_id: str = "") -> Case:
    return Case(case_id or f"x-{base}-{key}={value}"[:70], stack(BASES[base], **{key: value}), names or P + key,
                fragment)


def on(bases: str, key: str, value: str | None, fragment: str, tag: str = "") -> list[Case]:
    """The same change on each of `bases` (space-separated)."""
    return [case(b, key, value, fragment, case_id=f"x-{b}-{key}-{tag}" if tag else "") for b in bases.split()]


def q(text: str) -> str:
    """A YAML double-quoted scalar (escapes for newlines and invisible characters)."""
    return json.dumps(text)


INJECTION = [
    *on("azure host-files", "tlsHostCertPath", q("/etc/ssl/site/fullchain.pem; add_header X-Pwned yes"),
        "absolute file path", "semicolon"),
    *on("azure host-files", "tlsHostKeyPath", q("/etc/ssl/site/k.pem;\n  location / { return 200; }"),
        SEVERAL_LINES, "newline"),
    *on("azure host-files", "tlsHostCertPath", q("/etc/ssl/site/c pem"), "absolute file path", "space"),
    *on("local azure aks railway", "grafanaAdminUser", "'$__file{/etc/passwd}'", DOLLAR, "file"),
    *on("local aks", "grafanaAdminUser", "'$__env{GF_SECURITY_SECRET_KEY}'", DOLLAR, "env"),
    *on("local azure", "grafanaAdminUser", q("admin\nGF_AUTH_ANONYMOUS_ENABLED=true"), SEVERAL_LINES, "newline"),
    *on("local azure", "grafanaAdminUser", "'admin\"; x'", "a login of 1-64", "quote"),
    *on("local azure aks", "domain", "'grafana.example.com; return 200'", "RFC 1123", "semicolon"),
    case("local", "alertContactAddress", "'ops$__env{HOME}@example.com'", DOLLAR),
    case("local", "alertContactAddress", q("ops@example.com\n  - type: webhook"), SEVERAL_LINES),
    case("local", "alertContactAddress", "\"o'p@example.com\"", "e-mail addresses"),
    case("local", "frontendUrl", "'https://app.example.com/$__vault{x}'", DOLLAR),
    case("local", "redisAddress", q("redis:6379\n    password: x"), SEVERAL_LINES),
    case("local", "postgresDatabase", "'platform; DROP ROLE grafana_ro'", "Postgres name"),
    case("local", "postgresAdminUser", "\"admin'--\"", "Postgres name"),
    case("local", "postgresHost", "'db:5432/x'", "RFC 1123"),
    case("railway", "grafanaGithubRoleAttributePath", "'$__file{/etc/shadow}'", DOLLAR),
    case("railway", "grafanaGithubAllowedOrganizations", json.dumps(["acme\nx"]), SEVERAL_LINES),
    case("cloud", "grafanaCloudLokiUrl", q("https://logs.grafana.net/push\"\n  x = 1"), SEVERAL_LINES),
    case("cloud", "grafanaCloudPrometheusUrl", "'https://prom.grafana.net/push\"}'", "https:// URL"),
    case("aks", "certManagerIssuer", q("letsencrypt\nkind: ClusterRole"), SEVERAL_LINES),
]

PATH = "absolute file path"
HOST_PATHS = [
    *[case(base, key, value, PATH, case_id=f"x-{base}-{key}-{value}")
      for base in ("azure", "host-files")
      for key, value in (("tlsHostCertPath", "/"), ("tlsHostCertPath", "/fullchain.pem"),
                         ("tlsHostCertPath", "/var/run/docker.sock"), ("tlsHostKeyPath", "/run/docker.sock"),
                         ("tlsHostCertPath", "/etc/passwd"), ("tlsHostKeyPath", "/var/run/site/k.pem"),
                         ("tlsHostKeyPath", "/proc/self/environ"), ("tlsHostCertPath", "/var/lib/docker/v/c.pem"),
                         ("tlsHostKeyPath", "/etc/ssl/private/k.pem"), ("tlsHostCertPath", "/etc/ssl/site/../c.pem"),
                         ("tlsHostCertPath", "/home/c.pem"), ("tlsHostKeyPath", "/root/k.pem"),
                         ("tlsHostCertPath", "/dev/shm/c.pem"), ("tlsHostCertPath", "etc/ssl/site/c.pem"),
                         ("tlsHostKeyPath", "/etc/ssl/site/k.pem/"))],
]

SSH = "allowed: -o with"
DEPLOY = [
    case("azure", "dockerHost", None, "required for azure-dev", case_id="x-azure-dockerHost-missing"),
    case("azure", "dockerHost", "unix:///var/run/docker.sock", "required for azure-dev",
         case_id="x-azure-dockerHost-default-spelt"),
    *on("azure local", "dockerHost", "tcp://10.20.0.4:2375", "without TLS", "plaintext"),
    case("azure", "dockerHost", "tcp://10.20.0.4:2376", "without TLS", case_id="x-azure-dockerHost-2376"),
    case("azure", "dockerHost", "unix:///run/user/1000/docker.sock", "must be ssh://user@host[:port]",
         case_id="x-azure-dockerHost-unix"),
    case("azure", "dockerHost", "'ssh://azureuser@10.20.0.4 -oProxyCommand=sh'", "must be ssh://user@host"),
    case("local", "dockerSshOpts", "[-o, StrictHostKeyChecking=no]", "applies only to an ssh:// dockerHost",
         case_id="x-local-ssh-opts-unix"),
    *[case(base, "dockerSshOpts", value, SSH, case_id=f"x-{base}-ssh-{value}"[:70])
      for base in ("azure", "ssh-local")
      for value in ("[-o, 'ProxyCommand=nc %h %p']", "[-o, LocalCommand=id, -o, PermitLocalCommand=yes]",
                    "[-o, StrictHostKeyChecking=no]", "[-o, UserKnownHostsFile=/dev/null]",
                    "['-oProxyCommand=sh -c x']", "[-F, /tmp/ssh_config]", "[-J, jump.example.com]",
                    "[-o, StrictHostKeyChecking=accept-new]", "[-o, ProxyJump=jump.example.com]", "[-o]")],
    Case("x-stack-azure-dev-empty", "", P + "environment", "named for environment azure-dev", stack="azure-dev"),
    Case("x-stack-azure-dev-config-only-domain", stack({"domain": "grafana.example.com"}), P + "environment",
         "named for environment azure-dev", stack="azure-dev"),
    Case("x-stack-aks-dev-says-local", stack(LOCAL), P + "environment", "named for environment aks-dev",
         stack="aks-dev"),
    Case("x-stack-railway-empty", "config: {}\n", P + "environment", "named for environment railway", stack="railway"),
]


def allowlist(base: str, *entries: str, fragment: str, tag: str) -> Case:
    return case(base, "allowedSourceCidrs", json.dumps(list(entries)), fragment, case_id=f"x-{base}-cidrs-{tag}")


NOTATION = "entries are CIDRs"
ALLOWLIST = [
    *[c for base in ("azure", "aks") for c in (
        allowlist(base, "10.0.0.0/255.0.0.0", fragment=NOTATION, tag="netmask"),
        allowlist(base, "0.0.0.0/0.0.0.0", fragment=NOTATION, tag="netmask-all"),
        allowlist(base, "10.0.0.0/0.255.255.255", fragment=NOTATION, tag="hostmask"),
        allowlist(base, "20.30.40.50", fragment=NOTATION, tag="bare-address"),
        allowlist(base, "10.0.0.0/08", fragment=NOTATION, tag="leading-zero-prefix"),
        allowlist(base, "192.0.2.0/24", fragment="documentation range", tag="rfc5737-1"),
        allowlist(base, "198.51.100.7/32", fragment="documentation range", tag="rfc5737-2"),
        allowlist(base, "203.0.113.0/28", fragment="documentation range", tag="rfc5737-3"),
        allowlist(base, "2001:db8::/32", fragment="documentation range", tag="rfc3849"),
        allowlist(base, *(f"{first}.0.0.0/8" for first in range(1, 256)), fragment="over the ceiling",
                  tag="all-but-one-slash8"),
        allowlist(base, "20.0.0.0/8", "40.0.0.0/8", fragment="over the ceiling", tag="two-public-slash8"),
        allowlist(base, "2a01::/32", "2a02::/32", fragment="over the ceiling", tag="two-ipv6-slash32"),
        case(base, "allowAnySource", "true", "contradicts allowedSourceCidrs", case_id=f"x-{base}-any-and-list"),
    )],
]

BUILT_IN = [
    *[case(base, "externalNetwork", name, "built-in networks", case_id=f"x-{base}-external-{name}")
      for base in ("local", "azure") for name in ("host", "bridge", "none")],
    *[case("aks", "kubeNamespace", name, "Kubernetes' own namespace")
      for name in ("kube-system", "default", "kube-public", "kube-node-lease")],
    *[case(base, "grafanaPort", port, "the Docker host's port", case_id=f"x-{base}-port-{port}")
      for base in ("local", "azure") for port in ("22", "2375", "2376")],
]

ONLY = "applies only to"
IGNORED = [
    *[case(base, key, value, ONLY, case_id=f"x-{base}-ignored-{key}")
      for base in ("railway", "aks")
      for key, value in (("dockerHost", "ssh://ops@10.20.0.4"), ("dockerSshOpts", "[-o, StrictHostKeyChecking=yes]"),
                         ("dockerNetworkName", "obs"), ("externalNetwork", "migration_network"),
                         ("adminPortsOnLoopback", "true"), ("tlsSource", "pem"),
                         ("tlsHostCertPath", "/etc/ssl/s/c.pem"), ("tlsCertificatePem", SECURE))],
    *[case("cloud", key, value, "applies only to railwayMode self-hosted")
      for key, value in (("grafanaGithubClientId", "Iv1.abc"), ("grafanaGithubClientSecret", SECURE),
                         ("grafanaGithubAllowedOrganizations", '["acme"]'), ("grafanaBreakGlassAdmin", "true"),
                         ("grafanaGithubRoleAttributePath", "\"'Admin'\""))],
    case("railway", "grafanaCloudLokiUrl", "https://logs-prod-012.grafana.net/loki/api/v1/push",
         "applies only to railwayMode grafana-cloud"),
]

FREE_TEXT = [
    case("railway", "railwayWorkspaceId", "my-workspace", "must be a GUID"),
    case("railway", "railwayWorkspaceId", "0b1c2d3e-4f50-6172-8394", "must be a GUID"),
    case("railway", "railwayProjectName", "'my project'", "1-64 letters, digits"),
    case("railway", "railwayEnvironmentName", "prod/../staging", "1-64 letters, digits"),
    case("railway", "railwayRegistryUsername", "'bot user'", "a login of 1-64"),
    case("railway", "grafanaGithubClientId", "'Iv1 abc'", "OAuth app's client id"),
    case("cloud", "grafanaCloudLokiUser", "abc", "numeric id"),
    case("cloud", "grafanaCloudTempoUser", "'١٢٣'", "numeric id"),
    case("cloud", "grafanaCloudLokiUrl", "'https://logs.grafana.net/push?token=x'", "https:// URL"),
    case("cloud", "grafanaCloudLokiUrl", "'https://user:pw@logs.grafana.net/push'", "https:// URL"),
    case("cloud", "grafanaCloudTempoEndpoint", "'tempo.grafana.net:443/x'", "host:port"),
    case("aks", "certManagerIssuer", "Lets_Encrypt", "Kubernetes object name"),
    case("aks", "gatewayName", "'My Gateway'", "Kubernetes object name"),
    case("aks", "kubeContext", "'ctx with spaces'", "kubeconfig context name"),
    Case("x-aks-identity-not-a-guid", stack(AKS, objectStore="azure-blob", azureStorageAccount="aimodernizeobs",
                                            workloadIdentityClientId="zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"),
         P + "workloadIdentityClientId", "must be a GUID"),
]


def bomb(levels: int = 5) -> str:
    lines = ["config:", f"  {P}dockerSshOpts: &l0 [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"  {P}k{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


YAML_EDGES = [
    Case("x-yaml-alias-bomb", bomb(), FILE, "expands to more than"),
    Case("x-yaml-deep-flow", f"config:\n  {P}dockerSshOpts: " + "[" * 5000 + "]" * 5000 + "\n", f"{FILE}:2",
         "nest deeper than"),
    Case("x-yaml-deep-block", f"config:\n  {P}dockerSshOpts:\n    " + "- " * 3000 + "x\n", FILE, "nested too deeply"),
    Case("x-yaml-nested-65", f"config:\n  {P}dockerSshOpts: " + "[" * 65 + "]" * 65 + "\n", f"{FILE}:2",
         "nest deeper than"),
    *[Case(f"x-yaml-binary-{b}", stack(BASES[b], domain="!!binary Z3JhZmFuYS5leGFtcGxlLmNvbQ=="), f"{FILE}:",
           "has the tag !!binary") for b in ("local", "azure", "aks", "railway")],
    Case("x-yaml-local-tag", stack(LOCAL, grafanaAdminUser="!env ADMIN"), f"{FILE}:", "has the tag !env"),
    *[case("local", key, value, "whole number", case_id=f"x-local-digits-{key}-{value}")
      for key, value in (("grafanaPort", "'٩٩٩٩'"), ("grafanaPort", "'９９９９'"), ("lokiRetentionDays", "'१४'"))],
    case("local", "alertLlmCostSpikeRatio", "'٣'", "number from 1 to 1000"),
    *[case(base, "domain", q("grafana\u202e.example.com"), "U+202E", case_id=f"x-{base}-domain-bidi")
      for base in ("local", "azure", "aks", "railway")],
    case("local", "grafanaAdminUser", q("ad\u200bmin"), "U+200B"),
    case("local", "dockerNetworkName", q("obs\u2066net"), "U+2066"),
    case("aks", "kubeNamespace", q("observ\u00adability"), "U+00AD"),
    case("railway", "railwayProjectName", q("observ\u200dability"), "U+200D"),
    case("local", "grafanaAdminUser", q("admin\u0007"), "U+0007"),
    case("local", "grafanaAdminUser", q("admin\u2028x"), "U+2028"),
    Case("x-yaml-bidi-in-a-key", stack(LOCAL) + f"  {P}grafana\u202ePort: 9999\n", f'{P}"grafana\\u202ePort"',
         "unknown key"),
    Case("x-yaml-bidi-outside-config", f"{P}grafana\u202ePort: 1\n" + stack(LOCAL), f"{P}grafana\\u202ePort",
         "outside config:"),
]

CASES = INJECTION + HOST_PATHS + DEPLOY + ALLOWLIST + BUILT_IN + IGNORED + FREE_TEXT + YAML_EDGES

"""Nothing a stack file says reaches a rendered file as a directive (issue #19): every value that lands in one is
held to a strict grammar, so each injection is refused naming its key; what the grammar allows renders as a value.
One test per rendered file, with the settings that land in it."""

from __future__ import annotations

import pytest

from components import constants as c
from components.services import proxy, stack_specs
from components.settings import SettingsError, parse

AZURE = {"environment": "azure-dev", "domain": "grafana.example.com", "dockerHost": "ssh://ops@10.20.0.4",
         "tlsSource": "host-files", "tlsHostCertPath": "/etc/ssl/site/fullchain.pem",
         "tlsHostKeyPath": "/etc/ssl/site/privkey.pem", "azureResourceGroup": "rg", "azureVmName": "vm",
         "azureNsgName": "nsg", "allowedSourceCidrs": ["10.100.0.0/24"]}
RAILWAY_CLOUD = {"environment": "railway", "railwayMode": "grafana-cloud", "domain": "x.up.railway.app"}
AKS = {"environment": "aks-dev", "domain": "grafana.example.com", "grafanaPort": 443, "certManagerIssuer": "le",
       "allowedSourceCidrs": ["10.100.0.0/24"]}
# What each injection tries: a directive after a separator, a new line, a quote closing the value, Grafana's
# expansion of files and variables in every setting.
NGINX = ["/etc/ssl/site/c.pem; add_header X-Pwned yes", "/etc/ssl/site/c.pem\nadd_header X-Pwned yes;",
         "/etc/ssl/site/c.pem'", "/etc/ssl/site/${X}.pem", "/etc/ssl/site/c.pem#", "/etc/ssl/site/{c}.pem"]
GRAFANA = ["$__file{/etc/passwd}", "$__env{GF_SECURITY_SECRET_KEY}", "admin\nGF_AUTH_ANONYMOUS_ENABLED=true",
           "admin\"", "admin'", "admin;x", "$ADMIN", "${ADMIN}"]
SQL = ["platform; DROP ROLE grafana_ro", "platform\"", "platform'", "platform\n\\! id", "plat form"]
YAML = ["x\n  pwned: true", "x: y", "x\"", "{x}", "x # y", "[x]"]
ALLOY = ["https://logs.grafana.net/push\"\n  x = 1", "https://logs.grafana.net/push\"", "https://logs.grafana.net/${A}",
         "https://logs.grafana.net/$__env{A}", "https://logs.grafana.net/{x}", "https://logs.grafana.net/push#x"]


def _problems(raw: dict, stack: str) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        parse(stack, raw, deploying=False)
    return refused.value.problems


def _refused(key: str, raw: dict, stack: str = "x") -> None:
    assert any(p.startswith(f"observability:{key} = ") for p in _problems(raw, stack)), key


@pytest.mark.parametrize("key", ["tlsHostCertPath", "tlsHostKeyPath"])
@pytest.mark.parametrize("value", NGINX)
def test_nginx_conf_takes_no_directive_from_a_host_file_path(key, value):
    _refused(key, {**AZURE, key: value})


def test_nginx_conf_names_an_allowed_path_only_in_its_certificate_directive():
    settings = parse("x", {**AZURE, "tlsHostCertPath": "/etc/ssl/my_site-1.x/full-chain_1.pem"})
    conf = next(f.content for f in proxy.spec(settings).files if f.path == proxy.CONFIG_PATH)
    assert isinstance(conf, str)
    lines = [line.strip() for line in conf.splitlines() if "full-chain_1.pem" in line]
    assert lines == [f"ssl_certificate {proxy.HOST_TLS_DIR}-cert/full-chain_1.pem;"]


@pytest.mark.parametrize(("key", "value"), [(k, v) for k in ("grafanaAdminUser", "domain", "frontendUrl")
                                            for v in GRAFANA])
def test_grafana_settings_take_no_expansion_or_extra_variable(key, value):
    _refused(key, {"environment": "local", key: value})


@pytest.mark.parametrize(("key", "value"), [("grafanaGithubRoleAttributePath", "$__file{/etc/shadow}"),
                                            ("grafanaGithubRoleAttributePath", "'Admin'\nGF_X=1"),
                                            ("grafanaGithubClientId", "$__env{A}"),
                                            ("grafanaGithubAllowedOrganizations", ["acme", "$__env{A}"])])
def test_grafana_oauth_settings_on_railway_take_no_expansion(key, value):
    _refused(key, {"environment": "railway", "domain": "x.up.railway.app", key: value})


@pytest.mark.parametrize(("key", "value"), [(k, v) for k in ("postgresDatabase", "postgresAdminUser") for v in SQL])
def test_sql_and_pgpass_take_no_statement_from_a_postgres_name(key, value):
    _refused(key, {"environment": "local", "postgresEnabled": True, key: value})


@pytest.mark.parametrize("value", ["redis:6379\n    x: y", "redis:6379\"", "redis:6379 ; x", "$__env{A}:6379"])
def test_alloy_takes_nothing_but_host_port_from_the_redis_address(value):
    _refused("redisAddress", {"environment": "local", "redisAddress": value})


@pytest.mark.parametrize(("key", "value"), [(k, v) for k in ("grafanaCloudLokiUrl", "grafanaCloudPrometheusUrl")
                                            for v in ALLOY])
def test_alloy_grafana_cloud_urls_are_plain_https_urls(key, value):
    _refused(key, {**RAILWAY_CLOUD, key: value})


@pytest.mark.parametrize(("key", "value"), [("alertContactAddress", v) for v in ("ops@example.com\n- x: y",
                                                                                 "o'p@example.com", "o{p}@example.com",
                                                                                 "$__env{A}@example.com")]
                         + [("smtpFromAddress", "g\"@example.com"), ("smtpUser", "relay\nx")])
def test_alerting_provisioning_takes_only_plain_addresses(key, value):
    _refused(key, {"environment": "local", key: value})


@pytest.mark.parametrize(("key", "value"), [(k, v) for k in ("azureStorageAccount", "lokiBlobContainer") for v in YAML]
                         + [("workloadIdentityClientId", v) for v in YAML])
def test_loki_and_tempo_yaml_take_only_names_from_the_object_store(key, value):
    _refused(key, {**AKS, "objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs",
                   "workloadIdentityClientId": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", key: value})


@pytest.mark.parametrize(("key", "value"), [(k, v) for k in ("certManagerIssuer", "kubeNamespace") for v in YAML])
def test_kubernetes_objects_take_only_names(key, value):
    _refused(key, {**AKS, key: value})


def test_the_prometheus_and_loki_files_carry_numbers_only_from_settings():
    """Retention and thresholds reach Prometheus/Loki/Tempo YAML as whole numbers: text is refused before."""
    for key in ("lokiRetentionDays", "prometheusRetentionDays", "alertDiskUsagePercent"):
        _refused(key, {"environment": "local", key: "14\n  x: y"})


def test_a_host_certificate_mounts_its_own_directory_read_only():
    settings = parse("x", AZURE)
    [spec] = [s for s in stack_specs(settings) if s.service == c.PROXY]
    binds = [(v.source, v.read_only) for v in spec.volumes if v.bind]
    assert binds == [("/etc/ssl/site", True)]

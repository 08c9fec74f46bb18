"""Where a deploy goes and what it may share (issue #19): the target comes from the stack file, never from a
missing key; only ssh:// reaches a remote Docker daemon, with ssh options from an allowlist; and what the engine
accepts as valid (a trailing-dot domain, the allowed ssh options, a certificate under /opt) stays accepted."""

from __future__ import annotations

import pytest

from components.settings import SettingsError, parse
from components.settings.docker_host import SSH_OPTIONS, ssh_opts_problem

AZURE = {"environment": "azure-dev", "domain": "grafana.example.com", "dockerHost": "ssh://ops@10.20.0.4",
         "tlsSource": "host-files", "tlsHostCertPath": "/etc/ssl/site/fullchain.pem",
         "tlsHostKeyPath": "/etc/ssl/site/privkey.pem", "azureResourceGroup": "rg", "azureVmName": "vm",
         "azureNsgName": "nsg", "allowedSourceCidrs": ["10.100.0.0/24"]}


def _problems(stack: str, raw: dict) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        parse(stack, raw, deploying=False)
    return refused.value.problems


@pytest.mark.parametrize("stack", ["azure-dev", "aks-dev", "railway", "azure-dev-eu", "railway-cloud"])
def test_a_stack_named_for_a_target_without_its_environment_is_refused(stack):
    [problem] = [p for p in _problems(stack, {}) if p.startswith("observability:environment")]
    named = stack.removesuffix("-eu").removesuffix("-cloud")
    assert problem == (f"observability:environment = local (not set: the default): stack '{stack}' is named for "
                       f"environment {named}: set observability:environment: {named} in Pulumi.{stack}.yaml (a "
                       "target is never taken from a missing key), or name the stack for its environment")


@pytest.mark.parametrize("stack", ["local", "dev", "my-azure-dev"])
def test_a_stack_not_named_for_a_target_may_take_the_local_default(stack):
    assert parse(stack, {}).environment == "local"


def test_azure_dev_without_a_docker_host_never_deploys_on_the_agent():
    [problem] = _problems("x", {k: v for k, v in AZURE.items() if k != "dockerHost"})
    assert problem.startswith("observability:dockerHost = unix:///var/run/docker.sock (not set: the default): "
                              "required for azure-dev: ssh://")


@pytest.mark.parametrize("host", ["tcp://10.20.0.4:2375", "tcp://10.20.0.4:2376", "tcp://localhost:2375"])
def test_the_plaintext_docker_api_is_refused_on_every_docker_stack(host):
    for raw in (AZURE, {"environment": "local"}):
        assert any("without TLS" in p for p in _problems("x", {**raw, "dockerHost": host}))


@pytest.mark.parametrize("opts", [["-o", "StrictHostKeyChecking=yes", "-o", "ServerAliveInterval=30"],
                                  ["-i", "~/.ssh/vm", "-o", "IdentitiesOnly=yes"], ["-oConnectTimeout=10", "-4"],
                                  ["-o", "UserKnownHostsFile=~/.ssh/known_hosts_vm"], ["-p", "2222", "-C"],
                                  ["-o", "serveraliveinterval 15"]])
def test_the_allowed_ssh_options_are_accepted(opts):
    assert ssh_opts_problem(tuple(opts)) is None
    assert parse("x", {**AZURE, "dockerSshOpts": opts}).docker.ssh_opts == tuple(opts)


@pytest.mark.parametrize("opts", [["-o", "ProxyCommand=nc %h %p"], ["-o", "LocalCommand=id"],
                                  ["-o", "PermitLocalCommand=yes"], ["-o", "StrictHostKeyChecking=no"],
                                  ["-o", "StrictHostKeyChecking=off"], ["-o", "UserKnownHostsFile=/dev/null"],
                                  ["-oProxyCommand=sh"], ["-F", "/tmp/cfg"], ["-J", "jump"], ["-o"],
                                  ["-o", "proxycommand sh"], ["-i", "key file"], ["-p", "ssh"]])
def test_ssh_options_outside_the_allowlist_are_refused(opts):
    [problem] = [p for p in _problems("x", {**AZURE, "dockerSshOpts": opts}) if "dockerSshOpts" in p]
    assert "allowed: -o with ServerAliveInterval" in problem


def test_the_allowlist_never_offers_a_command_or_a_host_key_bypass():
    assert not {"ProxyCommand", "LocalCommand", "PermitLocalCommand", "ProxyJump"} & set(SSH_OPTIONS)
    assert SSH_OPTIONS["StrictHostKeyChecking"] == "yes"


@pytest.mark.parametrize("environment", ["local", "aks-dev"])
def test_a_trailing_dot_domain_is_a_valid_fqdn_kept_without_its_dot(environment):
    raw = {"environment": environment, "domain": "grafana.example.com.", "grafanaPort": 443,
           "certManagerIssuer": "le", "allowedSourceCidrs": ["10.100.0.0/24"]} if environment == "aks-dev" else \
        {"environment": environment, "domain": "grafana.example.com."}
    assert parse("x", raw).grafana.domain == "grafana.example.com"


@pytest.mark.parametrize("path", ["/opt/certs/site/fullchain.pem", "/etc/ssl/aiforceasses/fullchain.pem",
                                  "/srv/tls/grafana.example.com/cert.pem", "/home/ops/certs/c.pem"])
def test_a_certificate_in_a_directory_of_its_own_is_accepted(path):
    assert parse("x", {**AZURE, "tlsHostCertPath": path}).tls.host_cert_path == path


@pytest.mark.parametrize("port", [22, 2375, 2376])
def test_a_grafana_port_the_docker_host_uses_is_refused_with_the_reason(port):
    [problem] = [p for p in _problems("x", {**AZURE, "grafanaPort": port}) if "grafanaPort" in p]
    assert "is the Docker host's port for" in problem

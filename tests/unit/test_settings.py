"""Stack settings: every stack file is valid, and every kind of user error is one clear message."""

from __future__ import annotations

import pulumi
import pytest

from components.allowlist import Allowlist
from components.settings import ROOT, Secret, SettingsError, from_stack_file, load_schema, parse
from tests.unit import pulumi_harness as harness

STACKS = ("local", "azure-dev", "railway")
GOOD_PASSWORD = "correct-horse-battery-staple-2026"


def problems(raw: dict, secret_keys: set[str] | None = None, stack: str = "local") -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse(stack, {"environment": stack, **raw}, secret_keys)
    return caught.value.problems


def azure(**extra) -> dict:
    return {"environment": "azure-dev", "azureResourceGroup": "rg", "azureVmName": "vm", "azureNsgName": "nsg",
            "allowedSourceCidrs": ["10.100.0.0/24"], "tlsSource": "host-files", "dockerHost": "ssh://ops@10.20.0.4",
            "tlsHostCertPath": "/etc/ssl/site/c.pem", "tlsHostKeyPath": "/etc/ssl/site/k.pem", **extra}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_is_valid(stack):
    assert from_stack_file(stack).environment == stack


def test_every_schema_key_has_type_description_and_default():
    for key, spec in load_schema().items():
        assert {"type", "description", "default"} <= set(spec), key


def test_local_stack_uses_the_adr_reduced_retention():
    retention = from_stack_file("local").retention
    assert (retention.loki_days, retention.tempo_days, retention.prometheus_days) == (7, 3, 7)


def test_defaults_are_the_adr_retention():
    retention = parse("x", {}).retention
    assert (retention.loki_days, retention.tempo_days, retention.prometheus_days) == (14, 7, 14)


@pytest.mark.parametrize("value", [0, -3, "seven", 1.5])
def test_retention_must_be_a_positive_whole_number(value):
    assert any(p.startswith("observability:lokiRetentionDays") for p in problems({"lokiRetentionDays": value}))


def test_engine_strings_are_accepted_for_numbers_and_booleans():
    settings = parse("x", {"lokiRetentionDays": "21", "adminPortsOnLoopback": "true"})
    assert settings.retention.loki_days == 21 and settings.docker.admin_ports_on_loopback is True


def test_unknown_environment_names_the_allowed_values():
    (problem,) = problems({"environment": "prod"})
    assert "observability:environment" in problem and "local | azure-dev | railway" in problem


@pytest.mark.parametrize("port", [0, 65536, 70000])
def test_port_outside_the_tcp_range_is_refused(port):
    assert any("grafanaPort" in p and "1 to 65535" in p for p in problems({"grafanaPort": port}))


def test_port_colliding_with_an_admin_port_is_refused():
    assert any("grafanaPort" in p and "collides" in p for p in problems({"grafanaPort": 9090}))


def test_given_admin_password_shorter_than_20_is_refused():
    found = problems({"grafanaAdminPassword": "short-password"}, {"grafanaAdminPassword"})
    assert any("grafanaAdminPassword" in p and "at least 20" in p for p in found)


def test_given_admin_password_of_20_or_more_is_accepted():
    settings = parse("x", {"grafanaAdminPassword": GOOD_PASSWORD}, {"grafanaAdminPassword"})
    assert settings.grafana.admin_password == Secret(GOOD_PASSWORD)


def test_a_secret_set_in_cleartext_is_refused():
    assert any("--secret" in p for p in problems({"grafanaAdminPassword": GOOD_PASSWORD}))


def test_problem_messages_never_show_a_secret_value():
    found = problems({"grafanaAdminPassword": "short-password"}, {"grafanaAdminPassword"})
    assert not any("short-password" in p for p in found)


def test_malformed_cidr_is_refused():
    found = problems(azure(allowedSourceCidrs=["10.0.0.300/24"]), stack="azure-dev")
    assert any("allowedSourceCidrs" in p and "is not a CIDR" in p for p in found)


def test_cidr_with_host_bits_is_refused():
    found = problems(azure(allowedSourceCidrs=["10.0.0.5/24"]), stack="azure-dev")
    assert any("allowedSourceCidrs" in p for p in found)


@pytest.mark.parametrize("reference", ["grafana/grafana:13.2.0", "grafana/grafana@sha256:" + "a" * 64,
                                       "grafana/grafana", "grafana/grafana:13.2.0@sha256:abc"])
def test_image_override_without_tag_and_digest_is_refused(reference):
    assert any("grafanaImage" in p and "digest" in p for p in problems({"grafanaImage": reference}))


def test_image_override_with_tag_and_digest_replaces_the_catalog_pin():
    settings = parse("x", {"lokiImage": "grafana/loki:3.7.9@sha256:" + "b" * 64})
    assert settings.images["loki"].tag == "3.7.9"


def test_unknown_key_is_refused_with_a_suggestion():
    (problem,) = problems({"lokiRetentonDays": 3})
    assert "unknown key" in problem and "did you mean lokiRetentionDays" in problem


def test_all_problems_are_reported_together():
    found = problems({"environment": "prod", "grafanaPort": 0, "lokiRetentionDays": 0, "typo": 1})
    assert len(found) == 4


def test_the_error_message_is_one_block_naming_the_stack():
    with pytest.raises(SettingsError) as caught:
        parse("mystack", {"grafanaPort": 0})
    assert str(caught.value).startswith("Stack 'mystack' has 1 configuration problem(s):")


def test_azure_dev_needs_the_existing_resource_names():
    found = problems(azure(azureResourceGroup="", azureVmName="", azureNsgName=""), stack="azure-dev")
    assert {p.split(" ")[0] for p in found} == {"observability:azureResourceGroup", "observability:azureVmName",
                                                 "observability:azureNsgName"}


def test_azure_dev_refuses_a_self_signed_certificate():
    found = problems(azure(tlsSource="self-signed"), stack="azure-dev")
    assert any("tlsSource" in p and "existing certificate" in p for p in found)


def test_pem_tls_needs_both_pem_values():
    found = problems({"tlsSource": "pem"})
    assert any("tlsCertificatePem" in p for p in found) and any("tlsPrivateKeyPem" in p for p in found)


def test_postgres_needs_its_admin_password():
    assert any("postgresAdminPassword" in p for p in problems({"postgresEnabled": True}))


def test_railway_refuses_exporters():
    assert any("exporters are off for railway" in p for p in problems({"exportRedis": True}, stack="railway"))


def test_acr_and_registry_prefix_cannot_both_be_set():
    found = problems(azure(acrName="myregistry01", registryPrefix="other.example.com"), stack="azure-dev")
    assert any("registryPrefix" in p and "acrName" in p for p in found)


def test_acr_login_server_becomes_the_image_registry():
    assert from_stack_file("azure-dev").image_registry_prefix == "aimodernizeobs.azurecr.io"


def test_secure_values_in_a_stack_file_stay_unknown(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  observability:grafanaAdminPassword:\n    secure: v1:abc\n")
    password = from_stack_file("s", tmp_path).grafana.admin_password
    assert password is not None and password.known is False and "abc" not in repr(password)


def test_a_webhook_contact_point_needs_its_secret_url_at_deploy():
    found = problems({"alertContactType": "webhook"})
    assert any("alertContactUrl" in p and "--secret" in p for p in found)


def test_the_offline_render_does_not_need_deploy_secrets():
    settings = parse("x", {"postgresEnabled": True, "alertContactType": "teams"}, deploying=False)
    assert settings.postgres.admin_password is None and settings.alerts.contact_url is None


def test_a_bigger_host_raises_the_memory_budget():
    settings = parse("x", {"lokiMemoryMb": 2048, "memoryBudgetMb": 4608})
    assert settings.memory_mb["loki"] == 2048


def test_the_default_limits_fit_the_3_gib_budget():
    schema = load_schema()
    total = sum(spec["default"] for key, spec in schema.items() if key.endswith("MemoryMb"))
    assert total <= schema["memoryBudgetMb"]["default"] == 3072


def test_limits_over_the_budget_blame_the_limits_the_user_raised():
    found = problems({"lokiMemoryMb": 2048, "tempoMemoryMb": 1024})
    assert [p.split(" ")[0] for p in found] == ["observability:lokiMemoryMb", "observability:tempoMemoryMb"]


def test_a_suggestion_is_made_only_for_a_close_name():
    (problem,) = problems({"grafanaTheme": "dark"})
    assert "did you mean" not in problem and "not a setting of this project" in problem


def test_a_null_value_is_refused_as_null():
    (problem,) = problems({"domain": None})
    assert problem.startswith("observability:domain = null:")


def test_a_default_never_counts_as_set_for_another_environment():
    assert parse("x", {"allowedSourceCidrs": "[]", "nsgRulePriority": "310"}).azure is None


def test_a_problem_with_a_default_value_says_it_was_not_set():
    found = problems({k: v for k, v in azure().items() if k != "tlsSource"}, stack="azure-dev")
    assert any(p.startswith('observability:tlsSource = self-signed (not set: the default):') for p in found)


@pytest.mark.parametrize("cidrs", [["0.0.0.0/00"], ["0::/0"], ["0.0.0.0/1", "128.0.0.0/1"], ["Internet"], ["*"]])
def test_an_allowlist_open_to_the_internet_is_refused(cidrs):
    found = problems(azure(allowedSourceCidrs=cidrs), stack="azure-dev")
    assert any(p.startswith("observability:allowedSourceCidrs") and "opens port 9999 to the internet" in p
               for p in found)


def test_allow_any_source_is_the_only_way_through():
    settings = parse("x", {**azure(allowAnySource=True), "allowedSourceCidrs": []})
    assert settings.azure is not None and settings.azure.allowlist == Allowlist((), True)


def test_an_image_override_of_another_service_is_refused():
    found = problems({"grafanaImage": "grafana/loki:9.9.9@sha256:" + "b" * 64})
    assert any("grafanaImage" in p and "must be an image of grafana/grafana" in p for p in found)


def test_a_one_segment_docker_hub_override_is_the_official_library_image():
    settings = parse("x", {"proxyImage": "nginx:1.30.3-alpine@sha256:" + "b" * 64})
    assert settings.images["proxy"].upstream_repository == "docker.io/library/nginx"


def test_a_one_segment_name_on_another_registry_is_not_docker_hubs_library_image():
    found = problems({"proxyImage": "myacr.azurecr.io/nginx:1.30.3-alpine@sha256:" + "b" * 64})
    assert any("proxyImage" in p and "must be an image of library/nginx" in p for p in found)


def test_a_mirrored_image_of_the_same_repository_is_accepted():
    settings = parse("x", {"proxyImage": "myacr.azurecr.io/library/nginx:1.30.3-alpine@sha256:" + "b" * 64})
    assert settings.images["proxy"].tag == "1.30.3-alpine"


def test_container_metrics_are_refused_until_running_alloy_as_root_is_acknowledged():
    (problem,) = problems({"exportContainerMetrics": True})
    assert problem.startswith("observability:exportContainerMetrics = true: runs Alloy privileged as root")
    assert "exportContainerMetricsAsRoot: true" in problem


def test_container_metrics_with_the_acknowledgement_are_accepted():
    settings = parse("x", {"exportContainerMetrics": True, "exportContainerMetricsAsRoot": True})
    assert settings.exporters.containers


@pytest.mark.parametrize(("stack", "entry"), [("azure-dev", "port 9999"), ("aks-dev", "Grafana's ingress")])
def test_a_shipped_stack_file_asks_for_its_allowlist(stack, entry, tmp_path):
    """The shipped files carry no placeholder range: the first render or preview says which key and how."""
    for name in ("Pulumi.yaml", f"Pulumi.{stack}.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    with pytest.raises(SettingsError) as refused:
        from_stack_file(stack, tmp_path)
    assert refused.value.problems == [
        f"observability:allowedSourceCidrs = [] (not set: the default): list at least one source CIDR for {entry}: "
        "pulumi config set --path 'allowedSourceCidrs[0]' <office egress CIDR, e.g. 20.50.60.0/28> (one index per "
        "range), or set allowAnySource: true explicitly"]


@pytest.mark.parametrize("stack", ["azure-dev", "aks-dev"])
def test_a_preview_of_a_shipped_stack_file_names_the_allowlist_key_and_how_to_set_it(stack, tmp_path):
    for name in ("Pulumi.yaml", f"Pulumi.{stack}.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    with pytest.raises(pulumi.RunError) as refused:
        harness.run_program(stack, root=tmp_path, preview=True)
    assert "observability:allowedSourceCidrs = [] (not set: the default): list at least one source CIDR" in \
        str(refused.value)
    assert "pulumi config set --path 'allowedSourceCidrs[0]'" in str(refused.value)

"""Each policy of the azure-dev pack on a passing and a failing resource, plus its preview (unknown) cases."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError

from tests.policy import load_policies, violations

p = load_policies()
REGISTRY = {"registry": "aimodernizeobs.azurecr.io"}
DIGEST = "sha256:" + "ab" * 32
PINNED = f"aimodernizeobs.azurecr.io/grafana/grafana:1.0.0@{DIGEST}"
FAR_FUTURE, LONG_AGO = 4_102_444_800, 1_000_000_000  # 2100-01-01 and 2001-09-09


def rule(**overrides: Any) -> dict[str, Any]:
    props = {"securityRuleName": "allow-grafana-https", "access": "Allow", "direction": "Inbound",
             "protocol": "Tcp", "priority": 310, "destinationPortRange": "9999",
             "sourceAddressPrefixes": ["203.0.113.0/28"]}
    props.update(overrides)
    return props


def container(service: str = "loki", **overrides: Any) -> dict[str, Any]:
    props = {"name": f"obs-{service}", "image": DIGEST, "memory": 512, "mustRun": True,
             "healthcheck": {"tests": ["CMD", "/usr/bin/loki", "-health"]}, "envs": [],
             "labels": [{"label": "observability.service", "value": service},
                        {"label": "observability.oneshot", "value": "false"}]}
    props.update(overrides)
    return props


def oneshot(**overrides: Any) -> dict[str, Any]:
    labels = [{"label": "observability.service", "value": "grafana-admin-sync"},
              {"label": "observability.oneshot", "value": "true"}]
    return container("grafana-admin-sync", **{"mustRun": False, "healthcheck": None, "labels": labels, **overrides})


def grafana(*envs: str) -> dict[str, Any]:
    return container("grafana", envs=list(envs))


def secret(**attributes: Any) -> dict[str, Any]:
    return {"vaultName": "kv-aimodernize-dev", "properties": {"value": "s3cret", "attributes": attributes}}


def nsg(props: dict[str, Any]) -> list[str]:
    return violations(p.NSG_9999_NOT_OPEN, p.SECURITY_RULE, props)


def ports(props: dict[str, Any], config: dict[str, Any] | None = None) -> list[str]:
    return violations(p.ONLY_PROXY_PUBLISHES_PORTS, p.CONTAINER, props, config)


def images(resource_type: str, props: dict[str, Any], config: dict[str, Any] | None = REGISTRY) -> list[str]:
    return violations(p.IMAGES_FROM_REGISTRY, resource_type, props, config)


# Numbers arrive from the engine as floats.
PROXY_PORT = [{"internal": 9999.0, "external": 9999.0, "ip": "0.0.0.0", "protocol": "tcp"}]
LOOPBACK_PORT = [{"internal": 3100.0, "external": 3100.0, "ip": "127.0.0.1", "protocol": "tcp"}]


# --- nsg-9999-not-open-to-internet ------------------------------------------------------------------

def test_nsg_rule_restricted_to_office_cidrs_passes() -> None:
    assert nsg(rule()) == []


@pytest.mark.parametrize("source", ["*", "0.0.0.0/0", "::/0", "Internet", "any", "::/64", "::ffff:0:0/95",
                                    "64:ff9b::/64"])
def test_nsg_rule_open_to_any_source_on_9999_is_a_violation(source: str) -> None:
    assert len(nsg(rule(sourceAddressPrefixes=None, sourceAddressPrefix=source))) == 1


def test_nsg_rule_with_an_open_prefix_in_its_list_is_a_violation() -> None:
    assert len(nsg(rule(sourceAddressPrefixes=["203.0.113.0/28", "0.0.0.0/0"]))) == 1


@pytest.mark.parametrize("source", ["0.0.0.0/00", "0::/0", "INTERNET", "Any", " * ", "1.2.3.4/0", "10.0.0.0/7",
                                    "AzureCloud", "::ffff:0.0.0.0/96"])
def test_nsg_rule_open_in_any_spelling_azure_accepts_is_a_violation(source: str) -> None:
    [violation] = nsg(rule(sourceAddressPrefixes=None, sourceAddressPrefix=source))
    assert "allows port 9999 from the internet" in violation


def test_nsg_rule_whose_prefixes_together_cover_ipv4_is_a_violation() -> None:
    [violation] = nsg(rule(sourceAddressPrefixes=[f"{first}.0.0.0/8" for first in range(256)]))
    assert "cover all of IPv4" in violation


def test_nsg_rule_without_any_source_counts_as_open() -> None:
    assert len(nsg(rule(sourceAddressPrefixes=None))) == 1


def test_nsg_rule_from_the_virtual_network_tag_passes() -> None:
    assert nsg(rule(sourceAddressPrefixes=None, sourceAddressPrefix="VirtualNetwork")) == []


def test_the_pack_uses_the_settings_allowlist_rule() -> None:
    from components import allowlist
    assert p.open_to_internet_problem is allowlist.open_to_internet_problem


@pytest.mark.parametrize("ranges", [{"destinationPortRange": "9000-10000"}, {"destinationPortRange": "*"},
                                    {"destinationPortRange": None, "destinationPortRanges": ["443", "9999"]}])
def test_nsg_port_ranges_covering_9999_count(ranges: dict[str, Any]) -> None:
    assert len(nsg(rule(sourceAddressPrefix="*", sourceAddressPrefixes=None, **ranges))) == 1


@pytest.mark.parametrize("change", [{"access": "Deny"}, {"direction": "Outbound"}, {"destinationPortRange": "22"}])
def test_nsg_open_rule_that_denies_is_outbound_or_misses_9999_passes(change: dict[str, Any]) -> None:
    assert nsg(rule(sourceAddressPrefix="Internet", sourceAddressPrefixes=None, **change)) == []


def test_nsg_inline_rules_of_a_security_group_are_checked() -> None:
    inline = rule(name="open", sourceAddressPrefix="*", sourceAddressPrefixes=None)
    assert len(violations(p.NSG_9999_NOT_OPEN, p.NSG, {"securityRules": [inline]})) == 1


def test_nsg_rule_with_unknown_source_is_left_to_pulumi_up() -> None:
    with pytest.raises(UnknownValueError):
        nsg(rule(sourceAddressPrefixes=None, sourceAddressPrefix=UNKNOWN_STRING_VALUE))


# --- only-proxy-publishes-host-ports ----------------------------------------------------------------

def test_proxy_publishing_its_port_passes() -> None:
    assert ports(container("proxy", ports=PROXY_PORT)) == []


def test_container_without_ports_passes() -> None:
    assert ports(container("loki")) == []


def test_other_container_publishing_a_port_is_a_violation() -> None:
    assert ports(container("grafana", ports=PROXY_PORT)) == [
        "container 'obs-grafana' publishes host port 9999 (container port 9999); only the TLS proxy may publish "
        "a port"]


def test_unlabelled_container_named_obs_proxy_is_the_proxy() -> None:
    assert ports(container("proxy", labels=[], ports=PROXY_PORT)) == []


def test_service_label_wins_over_the_name() -> None:
    labelled_loki = container("loki", name="obs-proxy", ports=PROXY_PORT)
    assert len(ports(labelled_loki)) == 1


def test_loopback_port_is_a_violation_by_default() -> None:
    assert len(ports(container("loki", ports=LOOPBACK_PORT))) == 1


def test_loopback_port_passes_when_allowed_by_config() -> None:
    assert ports(container("loki", ports=LOOPBACK_PORT), {"allowLoopbackPorts": True}) == []


# --- images-from-registry-by-digest -----------------------------------------------------------------

def test_remote_image_from_registry_by_digest_passes() -> None:
    assert images(p.REMOTE_IMAGE, {"name": PINNED}) == []


def test_remote_image_from_another_registry_is_a_violation() -> None:
    assert len(images(p.REMOTE_IMAGE, {"name": f"docker.io/grafana/grafana:1.0.0@{DIGEST}"})) == 1


def test_registry_must_match_the_whole_host() -> None:
    lookalike = f"aimodernizeobs.azurecr.io.example.com/grafana/grafana:1.0.0@{DIGEST}"
    assert len(images(p.REMOTE_IMAGE, {"name": lookalike})) == 1


def test_remote_image_pinned_by_tag_only_is_a_violation() -> None:
    assert len(images(p.REMOTE_IMAGE, {"name": "aimodernizeobs.azurecr.io/grafana/grafana:1.0.0"})) == 1


def test_container_running_a_pulled_image_id_passes() -> None:
    assert images(p.CONTAINER, container(image=DIGEST)) == []


def test_container_naming_an_image_directly_is_checked_like_a_remote_image() -> None:
    assert len(images(p.CONTAINER, container(image="grafana/grafana:latest"))) == 1


def test_container_image_unknown_in_preview_is_left_to_its_remote_image() -> None:
    assert images(p.CONTAINER, container(image=UNKNOWN_STRING_VALUE)) == []


def test_missing_registry_config_is_a_violation() -> None:
    assert images(p.REMOTE_IMAGE, {"name": PINNED}, config={}) == [
        "policy config 'registry' is not set (see policy/azure-dev.json)"]


# --- grafana-anonymous-and-signup-off ---------------------------------------------------------------

def test_grafana_with_anonymous_access_and_signup_off_passes() -> None:
    envs = ("GF_AUTH_ANONYMOUS_ENABLED=false", "GF_USERS_ALLOW_SIGN_UP=false")
    assert violations(p.GRAFANA_ANONYMOUS_AND_SIGNUP_OFF, p.CONTAINER, grafana(*envs)) == []


def test_grafana_without_the_anonymous_setting_is_a_violation() -> None:
    found = violations(p.GRAFANA_ANONYMOUS_AND_SIGNUP_OFF, p.CONTAINER, grafana("GF_USERS_ALLOW_SIGN_UP=false"))
    assert found == ["Grafana must set GF_AUTH_ANONYMOUS_ENABLED=false (found nothing)"]


def test_grafana_with_signup_on_is_a_violation() -> None:
    envs = ("GF_AUTH_ANONYMOUS_ENABLED=false", "GF_USERS_ALLOW_SIGN_UP=true")
    found = violations(p.GRAFANA_ANONYMOUS_AND_SIGNUP_OFF, p.CONTAINER, grafana(*envs))
    assert found == ["Grafana must set GF_USERS_ALLOW_SIGN_UP=false (found true)"]


def test_grafana_setting_possibly_hidden_in_an_unknown_env_is_left_to_pulumi_up() -> None:
    with pytest.raises(UnknownValueError):
        violations(p.GRAFANA_ANONYMOUS_AND_SIGNUP_OFF, p.CONTAINER,
                   grafana("GF_AUTH_ANONYMOUS_ENABLED=false", UNKNOWN_STRING_VALUE))


def test_containers_other_than_grafana_are_not_checked_for_grafana_settings() -> None:
    assert violations(p.GRAFANA_ANONYMOUS_AND_SIGNUP_OFF, p.CONTAINER, container("loki")) == []


# --- keyvault-secret-has-expiry ---------------------------------------------------------------------

def test_secret_expiring_in_the_future_passes() -> None:
    assert violations(p.KEY_VAULT_SECRET_EXPIRES, p.KEY_VAULT_SECRET, secret(expires=FAR_FUTURE)) == []


def test_secret_without_expiry_is_a_violation() -> None:
    assert len(violations(p.KEY_VAULT_SECRET_EXPIRES, p.KEY_VAULT_SECRET, secret(enabled=True))) == 1


def test_secret_that_already_expired_is_a_violation() -> None:
    assert len(violations(p.KEY_VAULT_SECRET_EXPIRES, p.KEY_VAULT_SECRET, secret(expires=LONG_AGO))) == 1


def test_secret_with_expiry_unknown_in_preview_is_left_to_pulumi_up() -> None:
    with pytest.raises(UnknownValueError):
        violations(p.KEY_VAULT_SECRET_EXPIRES, p.KEY_VAULT_SECRET, secret(expires=UNKNOWN_NUMBER_VALUE))


# --- container-memory-limit and container-healthcheck -----------------------------------------------

def test_container_with_memory_limit_passes() -> None:
    assert violations(p.CONTAINER_MEMORY_LIMIT, p.CONTAINER, container()) == []


@pytest.mark.parametrize("memory", [None, 0])
def test_container_without_memory_limit_is_a_violation(memory: int | None) -> None:
    assert len(violations(p.CONTAINER_MEMORY_LIMIT, p.CONTAINER, container(memory=memory))) == 1


def test_oneshot_job_still_needs_a_memory_limit() -> None:
    assert len(violations(p.CONTAINER_MEMORY_LIMIT, p.CONTAINER, oneshot(memory=None))) == 1


def test_container_with_healthcheck_passes() -> None:
    assert violations(p.CONTAINER_HEALTHCHECK, p.CONTAINER, container()) == []


@pytest.mark.parametrize("healthcheck", [None, {"tests": []}, {"tests": ["NONE"]}])
def test_container_without_a_working_healthcheck_is_a_violation(healthcheck: dict[str, Any] | None) -> None:
    assert len(violations(p.CONTAINER_HEALTHCHECK, p.CONTAINER, container(healthcheck=healthcheck))) == 1


def test_oneshot_job_is_exempt_from_the_healthcheck() -> None:
    assert violations(p.CONTAINER_HEALTHCHECK, p.CONTAINER, oneshot()) == []


def test_oneshot_label_on_a_container_kept_running_is_not_exempt() -> None:
    assert len(violations(p.CONTAINER_HEALTHCHECK, p.CONTAINER, oneshot(mustRun=True))) == 1


# --- docker-socket-only-in-read-only-api -----------------------------------------------------------

SOCKET_MOUNT = {"type": "bind", "source": "/var/run/docker.sock", "target": "/var/run/docker.sock", "readOnly": True}


def socket(props: dict[str, Any]) -> list[str]:
    return violations(p.DOCKER_SOCKET_ONLY_IN_READ_ONLY_API, p.CONTAINER, props)


def test_the_read_only_docker_api_mounting_the_socket_read_only_passes() -> None:
    assert socket(container("docker-api", mounts=[SOCKET_MOUNT])) == []


def test_the_docker_api_mounting_the_socket_writable_is_a_violation() -> None:
    [violation] = socket(container("docker-api", mounts=[SOCKET_MOUNT | {"readOnly": False}]))
    assert "writable" in violation


@pytest.mark.parametrize("field,mount", [
    ("mounts", SOCKET_MOUNT),
    ("volumes", {"hostPath": "/var/run/docker.sock", "containerPath": "/var/run/docker.sock", "readOnly": True}),
])
def test_any_other_container_mounting_the_socket_is_a_violation(field: str, mount: dict[str, Any]) -> None:
    [violation] = socket(container("alloy", **{field: [mount]}))
    assert "obs-alloy" in violation and "root on the host" in violation


def test_other_host_mounts_pass() -> None:
    assert socket(container("alloy", mounts=[SOCKET_MOUNT | {"source": "/proc", "target": "/host/proc"}])) == []


ROOT_BIND = {"type": "bind", "source": "/", "target": "/host/root", "readOnly": True}
NON_ROOT = {"user": "473:473"}


@pytest.mark.parametrize("source", ["/", "/run", "/var/run", "/var/run/", "/var"])
def test_a_bind_of_a_parent_of_the_socket_in_a_root_container_is_a_violation(source: str) -> None:
    [violation] = socket(container("alloy", mounts=[ROOT_BIND | {"source": source}]))
    assert f"mounts {source}, which holds the Docker socket" in violation and "root on the host" in violation


def test_a_bind_of_root_in_a_non_root_container_without_added_groups_passes() -> None:
    assert socket(container("alloy", mounts=[ROOT_BIND], **NON_ROOT)) == []


@pytest.mark.parametrize("overrides,why", [
    ({"user": "473:473", "privileged": True}, "it is privileged"),
    ({"user": "473:473", "groupAdds": ["998"]}, "it adds the groups ['998']"),
    ({"user": "0:0"}, "it runs as 0:0"),
    ({"user": "473:0"}, "it runs as 473:0"),
    ({"user": "alloy"}, "it runs as alloy"),
])
def test_a_bind_of_root_is_a_violation_for_a_container_that_could_open_the_socket(overrides, why) -> None:
    [violation] = socket(container("alloy", mounts=[ROOT_BIND], **overrides))
    assert why in violation


def test_the_socket_itself_is_refused_even_to_a_non_root_container() -> None:
    [violation] = socket(container("alloy", mounts=[SOCKET_MOUNT], **NON_ROOT))
    assert "mounts the Docker socket" in violation


def test_a_named_volume_is_not_a_host_bind() -> None:
    volume = {"type": "volume", "source": "obs-loki-data", "target": "/loki"}
    assert socket(container("loki", mounts=[volume], volumes=[{"volumeName": "x", "containerPath": "/run"}])) == []


def test_nsg_rule_over_the_public_ceiling_is_a_violation() -> None:
    prefixes = [f"{first}.0.0.0/8" for first in range(1, 256)]
    [violation] = nsg(rule(sourceAddressPrefixes=prefixes))
    assert "over the ceiling of 16,777,216 (one /8)" in violation

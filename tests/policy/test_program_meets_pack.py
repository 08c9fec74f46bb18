"""The azure-dev and aks-dev programs, run under the unit-test mocks, against the pack with each stack's policy
config: the program and the policies agree, and the ADR's "allow any source" alternative is what the pack stops."""

from __future__ import annotations

import json

import pytest

from tests.policy import POLICY_DIR, load_policies, violations
from tests.unit import pulumi_harness as harness
from tests.unit.test_azure_edge import OPEN_PASSWORD, azure_program

p = load_policies()
CONFIG = json.loads((POLICY_DIR / "azure-dev.json").read_text())
AKS_CONFIG = json.loads((POLICY_DIR / "aks-dev.json").read_text())


def _pack_violations(program: harness.Program, config: dict = CONFIG) -> list[str]:
    return [f"{policy.name} on {resource.name}: {message}"
            for resource in program.resources for policy in p.ALL
            for message in violations(policy, resource.typ, resource.inputs, config.get(policy.name), resource.name)]


@pytest.fixture(scope="module")
def program() -> harness.Program:
    return azure_program()


def test_program_declares_every_type_the_pack_checks(program: harness.Program) -> None:
    types = {resource.typ for resource in program.resources}
    assert {p.CONTAINER, p.REMOTE_IMAGE, p.SECURITY_RULE, p.KEY_VAULT_SECRET} <= types


def test_azure_dev_program_meets_every_policy(program: harness.Program) -> None:
    assert _pack_violations(program) == []


def test_allowing_any_source_to_9999_is_stopped_by_the_pack() -> None:
    program = azure_program({"allowAnySource": True, "allowedSourceCidrs": []}, {"grafanaAdminPassword": OPEN_PASSWORD})
    [violation] = _pack_violations(program)
    assert violation.startswith("nsg-9999-not-open-to-internet on ")
    assert "allows port 9999 from the internet ('*' means any source)" in violation


def test_aks_dev_program_declares_the_ingress_the_pack_checks(aks_program: harness.Program) -> None:
    assert [r.name for r in aks_program.of_type(p.INGRESS)] == ["observability-ingress-grafana"]
    assert aks_program.of_type(p.SERVICE)


def test_aks_dev_program_meets_every_policy(aks_program: harness.Program) -> None:
    assert _pack_violations(aks_program, AKS_CONFIG) == []


def test_allowing_any_source_to_the_aks_ingress_is_stopped_by_the_pack() -> None:
    program = harness.run_program("aks-dev", {"allowAnySource": True, "allowedSourceCidrs": []},
                                  {"grafanaAdminPassword": OPEN_PASSWORD})
    [violation] = _pack_violations(program, AKS_CONFIG)
    assert violation.startswith("kubernetes-entry-not-open-to-internet on observability-ingress-grafana: ")
    assert "Ingress 'grafana' has no source allowlist" in violation


def test_azure_dev_alloy_binds_the_hosts_root_yet_cannot_open_the_docker_socket(program: harness.Program) -> None:
    # exportHostMetrics binds / (which holds the socket) into Alloy: allowed because Alloy is non-root, no groups.
    alloy = program.containers()["obs-alloy"].inputs
    assert any(m["source"] == "/" for m in alloy["mounts"]) and alloy["user"] == "473:473"
    assert not alloy.get("groupAdds") and not alloy.get("privileged")


def test_container_metrics_make_alloy_root_with_the_hosts_root_and_the_pack_stops_it() -> None:
    program = azure_program({"exportContainerMetrics": True, "exportContainerMetricsAsRoot": True})
    [violation] = _pack_violations(program)
    assert violation.startswith("docker-socket-only-in-read-only-api on ")
    assert "mounts /, which holds the Docker socket /var/run/docker.sock, and it is privileged" in violation

"""kubernetes-entry-not-open-to-internet on a passing and a failing Ingress and Service: the same allowlist rule
as the NSG's, over the ingress-nginx source allowlist and a Service's loadBalancerSourceRanges."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy import load_policies, violations

p = load_policies()
WHITELIST, ALLOWLIST = p.INGRESS_ALLOWLISTS


def ingress(annotations: dict[str, Any] | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "grafana", "namespace": "observability"}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata,
            "spec": {"ingressClassName": "webapprouting.kubernetes.azure.com"}}


def service(kind: str | None, ranges: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"ports": [{"name": "http", "port": 3000}]}
    if kind is not None:
        spec["type"] = kind
    if ranges is not None:
        spec["loadBalancerSourceRanges"] = ranges
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "grafana"}, "spec": spec}


def entry(resource_type: str, props: dict[str, Any], allow_any: bool = False) -> list[str]:
    return violations(p.KUBERNETES_ENTRY_NOT_OPEN, resource_type, props, {"allowAnySource": allow_any})


@pytest.mark.parametrize("key", [WHITELIST, ALLOWLIST])
def test_ingress_restricted_to_office_cidrs_passes(key: str) -> None:
    assert entry(p.INGRESS, ingress({key: "203.0.113.0/28,198.51.100.7/32"})) == []


@pytest.mark.parametrize("annotations", [None, {}, {"cert-manager.io/cluster-issuer": "letsencrypt"}])
def test_ingress_without_an_allowlist_is_a_violation(annotations: dict[str, str] | None) -> None:
    [violation] = entry(p.INGRESS, ingress(annotations))
    assert violation.startswith("Ingress 'grafana' has no source allowlist")


@pytest.mark.parametrize("ranges", ["0.0.0.0/0", "0.0.0.0/00", "::/0", "0::/0", "*", "Internet", "",
                                    "203.0.113.0/28, 0.0.0.0/1,128.0.0.0/1", "::/64", "10.0.0.0/7"])
def test_ingress_allowlist_open_in_any_spelling_is_a_violation(ranges: str) -> None:
    [violation] = entry(p.INGRESS, ingress({WHITELIST: ranges}))
    assert "Ingress 'grafana' is open to the internet" in violation


def test_ingress_is_judged_by_both_annotation_spellings_together() -> None:
    assert len(entry(p.INGRESS, ingress({WHITELIST: "203.0.113.0/28", ALLOWLIST: "0.0.0.0/0"}))) == 1


def test_ingress_without_an_allowlist_passes_when_the_stack_allows_any_source() -> None:
    assert entry(p.INGRESS, ingress(None), allow_any=True) == []


@pytest.mark.parametrize("kind", [None, "ClusterIP", "ExternalName"])
def test_service_inside_the_cluster_passes(kind: str | None) -> None:
    assert entry(p.SERVICE, service(kind)) == []


def test_load_balancer_restricted_to_office_cidrs_passes() -> None:
    assert entry(p.SERVICE, service("LoadBalancer", ["203.0.113.0/28"])) == []


@pytest.mark.parametrize(("kind", "ranges", "reason"), [
    ("LoadBalancer", None, "no loadBalancerSourceRanges"), ("LoadBalancer", [], "no loadBalancerSourceRanges"),
    ("LoadBalancer", ["0.0.0.0/0"], "'0.0.0.0/0' is a /0"), ("LoadBalancer", ["::ffff:0:0/95"], "reaches IPv4"),
    ("NodePort", ["203.0.113.0/28"], "NodePort takes no source ranges")])
def test_service_reachable_from_outside_the_cluster_is_a_violation(kind: str, ranges: list[str] | None,
                                                                   reason: str) -> None:
    [violation] = entry(p.SERVICE, service(kind, ranges))
    assert violation.startswith(f"Service 'grafana' of type {kind} is open to the internet") and reason in violation


def test_open_load_balancer_passes_when_the_stack_allows_any_source() -> None:
    assert entry(p.SERVICE, service("LoadBalancer"), allow_any=True) == []


def test_other_kubernetes_types_are_not_judged() -> None:
    assert entry("kubernetes:core/v1:ConfigMap", {"metadata": {"name": "x"}}) == []


@pytest.mark.parametrize("ranges", ["10.0.0.0/255.0.0.0", "0.0.0.0/0.0.0.0",
                                    ",".join(f"{first}.0.0.0/8" for first in range(1, 256)), "20.0.0.0/8,40.0.0.0/8"])
def test_ingress_allowlist_in_netmask_notation_or_over_the_ceiling_is_a_violation(ranges: str) -> None:
    """What the settings refuse in allowedSourceCidrs, the pack refuses in a declared Ingress too."""
    [violation] = entry(p.INGRESS, ingress({WHITELIST: ranges}))
    assert "Ingress 'grafana' is open to the internet" in violation

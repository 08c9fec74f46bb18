"""Grafana's entry from outside, as declared: the Ingress carries the allowlist, TLS for the domain from
the configured source, the configured class, and routes to Grafana's Service port; an HTTPRoute attaches
to the configured Gateway (which owns TLS and filtering)."""

from __future__ import annotations

import re

import pytest

from components.model import KUBERNETES
from components.services import stack_specs
from components.settings import SettingsError, parse
from components.targets.kubernetes.network import WHITELIST, entry, policies
from tests.kubernetes_variants import stack_file_config, variant_objects, variant_settings

DOMAIN = "grafana.aks-dev.aiforceasses.cloudsmarthcl.com"


def _entry(**overrides) -> dict:
    """Grafana's entry for the stack file with `overrides`."""
    settings = parse("aks-dev", stack_file_config() | overrides, deploying=False)
    [obj] = entry(settings, [s for s in stack_specs(settings, KUBERNETES) if not s.oneshot], lambda s: {"app": s})
    return obj


def _one(objects: list[dict], kind: str) -> dict:
    [obj] = [o for o in objects if o["kind"] == kind]
    return obj


@pytest.fixture(scope="module")
def ingress(aks_objects) -> dict:
    """The stack file's Ingress as the program declares it (cert-manager issuer)."""
    return _one(aks_objects, "Ingress")


def test_the_allowlist_annotation_is_exactly_the_allowed_source_cidrs(ingress):
    kube = variant_settings("stack-file").kubernetes
    assert kube is not None and kube.allowlist.cidrs == ("10.100.0.0/24",)
    assert ingress["metadata"]["annotations"][WHITELIST] == "10.100.0.0/24"


def test_several_allowed_sources_are_all_in_the_annotation():
    obj = _entry(allowedSourceCidrs=["10.100.0.0/24", "172.16.5.7/32"])
    assert obj["metadata"]["annotations"][WHITELIST] == "10.100.0.0/24,172.16.5.7/32"


def test_the_annotation_carries_the_parsed_canonical_cidrs():
    obj = _entry(allowedSourceCidrs=["2A01:AB:0::/48", "10.100.0.0/24"])
    assert obj["metadata"]["annotations"][WHITELIST] == "2a01:ab::/48,10.100.0.0/24"


@pytest.mark.parametrize("cidrs", [["10.0.0.0/255.0.0.0"], ["0.0.0.0/0.0.0.0"], ["203.0.113.0/28"]])
def test_an_allowlist_the_settings_refuse_never_reaches_the_annotation(cidrs):
    with pytest.raises(SettingsError) as refused:
        _entry(allowedSourceCidrs=cidrs)
    assert any(p.startswith("observability:allowedSourceCidrs") for p in refused.value.problems)


def test_allow_any_source_drops_the_annotation_rather_than_writing_an_open_range():
    obj = _entry(allowedSourceCidrs=[], allowAnySource=True)
    assert WHITELIST not in obj["metadata"].get("annotations", {})


def test_the_ingress_uses_the_configured_class(ingress):
    assert ingress["spec"]["ingressClassName"] == "webapprouting.kubernetes.azure.com"


def test_a_cert_manager_issuer_fills_the_grafana_tls_secret_for_the_domain(ingress):
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
    assert ingress["spec"]["tls"] == [{"hosts": [DOMAIN], "secretName": "grafana-tls"}]
    assert [rule["host"] for rule in ingress["spec"]["rules"]] == [DOMAIN]


def test_a_namespaced_issuer_uses_the_issuer_annotation():
    obj = _entry(certManagerIssuerKind="Issuer")
    annotations = obj["metadata"]["annotations"]
    assert annotations["cert-manager.io/issuer"] == "letsencrypt"
    assert "cert-manager.io/cluster-issuer" not in annotations


def test_an_existing_tls_secret_is_served_without_a_cert_manager_annotation():
    ingress = _one(variant_objects("existing-tls-secret"), "Ingress")
    assert ingress["spec"]["tls"] == [{"hosts": [DOMAIN], "secretName": "grafana-aks-dev-tls"}]
    assert not any(k.startswith("cert-manager.io/") for k in ingress["metadata"]["annotations"])


def test_the_ingress_backend_is_grafanas_service_port_by_name(aks_objects, ingress):
    [path] = [p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    backend = path["backend"]["service"]
    [service] = [o for o in aks_objects if o["kind"] == "Service" and o["metadata"]["name"] == backend["name"]]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_the_httproute_attaches_to_the_gateway_and_replaces_the_ingress():
    objects = variant_objects("httproute")
    route = _one(objects, "HTTPRoute")
    assert not [o for o in objects if o["kind"] == "Ingress"]
    assert route["spec"]["parentRefs"] == [{"name": "edge", "namespace": "gateways"}]
    assert route["spec"]["hostnames"] == [DOMAIN]
    [ref] = [r for rule in route["spec"]["rules"] for r in rule["backendRefs"]]
    [service] = [o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == ref["name"]]
    assert ref["port"] in {p["port"] for p in service["spec"]["ports"]}


# --- cert-manager's challenge: what the default deny must let through ---------------------------------------

def _policies(**overrides) -> dict[str, dict]:
    """The NetworkPolicies, by name, for the stack file with `overrides`."""
    settings = parse("aks-dev", stack_file_config() | overrides, deploying=False)
    specs = [s for s in stack_specs(settings, KUBERNETES) if not s.oneshot]
    return {p["metadata"]["name"]: p for p in policies(settings, specs, lambda s: {"app": s})}


def test_an_http01_issuer_admits_only_the_ingress_controller_to_the_solver_pods_on_8089():
    solver = _policies(certManagerSolver="http01")["acme-http01-solver"]["spec"]
    assert solver["podSelector"] == {"matchLabels": {"acme.cert-manager.io/http01-solver": "true"}}
    assert solver["policyTypes"] == ["Ingress"] and "egress" not in solver  # egress stays denied
    assert solver["ingress"] == [{
        "from": [{"namespaceSelector": {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["app-routing-system"]}]}}],
        "ports": [{"protocol": "TCP", "port": 8089}]}]


def test_the_stack_files_issuer_solves_http01_by_default():
    assert "acme-http01-solver" in _policies()


@pytest.mark.parametrize("solver", ["dns01", "none"])
def test_a_dns01_or_non_acme_issuer_opens_nothing_more(solver):
    assert set(_policies(certManagerSolver=solver)) == set(_policies(certManagerSolver="http01")) - {
        "acme-http01-solver"}


def test_an_existing_tls_secret_needs_no_solver_policy():
    assert "acme-http01-solver" not in _policies(certManagerIssuer="", kubeTlsSecretName="grafana-aks-dev-tls")


def test_a_solver_without_an_issuer_is_refused_naming_the_key():
    with pytest.raises(SettingsError, match="certManagerSolver = dns01: only applies with certManagerIssuer"):
        parse("aks-dev", stack_file_config() | {"certManagerIssuer": "", "kubeTlsSecretName": "tls",
                                                "certManagerSolver": "dns01"}, deploying=False)


def test_an_unknown_solver_is_refused_with_the_allowed_values():
    refused = re.escape("certManagerSolver = http-01: allowed values are http01 | dns01 | none")
    with pytest.raises(SettingsError, match=refused):
        parse("aks-dev", stack_file_config() | {"certManagerSolver": "http-01"}, deploying=False)

"""What a schema cannot see, checked on the objects the aks-dev program declares (from the mocks) and on each
configuration variant's objects: labels that select, names the API accepts, quantities, references that
resolve, network flows that match, and an entry (Ingress/HTTPRoute) whose backend is a Service port."""

from __future__ import annotations

import re

import pytest

from components.targets.kubernetes.network import ACME_SOLVER
from tests.kubernetes_variants import VARIANTS, variant_objects, variant_settings

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
PORT_NAME = re.compile(r"(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*")  # IANA_SVC_NAME
QUANTITY = re.compile(r"\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?")
WORKLOADS = ("StatefulSet", "Deployment")
# The flows the stack needs (ADR-031's wiring): (from, to, port). Nothing else may be allowed.
NEEDED_FLOWS = {
    ("grafana", "loki", 3100), ("grafana", "tempo", 3200), ("grafana", "prometheus", 9090),
    ("alloy", "loki", 3100), ("alloy", "prometheus", 9090), ("alloy", "tempo", 4317),
    ("alloy", "grafana", 3000), ("alloy", "tempo", 3200),  # Alloy's self-scrape copy of the stack
    ("prometheus", "grafana", 3000), ("prometheus", "loki", 3100), ("prometheus", "tempo", 3200),
    ("prometheus", "alloy", 12345), ("tempo", "prometheus", 9090),
    ("canary", "alloy", 4318),  # the canary's OTLP/HTTP requests
}
# And between the replicas of a scaled-out service: Loki's gRPC and memberlist, Alloy's clustering (HTTP/2).
REPLICA_FLOWS = {("loki", "loki", 9095), ("loki", "loki", 7946), ("alloy", "alloy", 12345)}


def needed_flows(variant: str) -> set[tuple[str, str, int]]:
    kube = variant_settings(variant).kubernetes
    assert kube is not None
    replicated = {s for s, n in (("loki", kube.loki_replicas), ("alloy", kube.alloy_replicas)) if n > 1}
    return NEEDED_FLOWS | {f for f in REPLICA_FLOWS if f[0] in replicated}


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def objects(variant, request) -> list[dict]:
    """The stack file's configuration as the program declares it; every other variant as it renders."""
    return request.getfixturevalue("aks_named_objects") if variant == "stack-file" else variant_objects(variant)


def of(objects: list[dict], *kinds: str) -> list[dict]:
    return [o for o in objects if o["kind"] in kinds]


def pods(objects: list[dict]) -> dict[str, dict]:
    """Workload name → pod template."""
    return {o["metadata"]["name"]: o["spec"]["template"] for o in of(objects, *WORKLOADS)}


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def selected_pods(objects: list[dict], selector: dict[str, str]) -> list[str]:
    return [name for name, pod in pods(objects).items() if selects(selector, pod["metadata"]["labels"])]


def test_every_workload_selector_matches_its_own_pod_template(objects):
    for workload in of(objects, *WORKLOADS):
        assert selects(workload["spec"]["selector"]["matchLabels"], workload["spec"]["template"]["metadata"]["labels"])


def test_every_service_and_disruption_budget_selects_exactly_one_pod(objects):
    for obj in of(objects, "Service"):
        assert len(selected_pods(objects, obj["spec"]["selector"])) == 1, obj["metadata"]["name"]
    for obj in of(objects, "PodDisruptionBudget"):
        assert len(selected_pods(objects, obj["spec"]["selector"]["matchLabels"])) == 1, obj["metadata"]["name"]
        assert obj["spec"]["maxUnavailable"] == 1  # never 0 with one replica: drains would fail


def test_every_service_port_targets_a_named_container_port_of_its_pod(objects):
    templates = pods(objects)
    for service in of(objects, "Service"):
        [pod] = selected_pods(objects, service["spec"]["selector"])
        names = {p["name"] for c in templates[pod]["spec"]["containers"] for p in c["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= names


def test_names_are_dns_1123_and_port_names_fit_in_15_characters(objects):
    for obj in objects:
        name = obj["metadata"]["name"]
        pattern = DNS_LABEL if obj["kind"] in ("Namespace", "Service") else DNS_SUBDOMAIN
        assert pattern.fullmatch(name), f"{obj['kind']}/{name}"
    for pod in pods(objects).values():
        assert all(DNS_LABEL.fullmatch(v["name"]) for v in pod["spec"]["volumes"])
        for container in pod["spec"]["containers"] + pod["spec"].get("initContainers", []):
            assert DNS_LABEL.fullmatch(container["name"])
            assert all(PORT_NAME.fullmatch(p["name"]) for p in container.get("ports", [])), container["name"]
    for service in of(objects, "Service"):
        assert all(PORT_NAME.fullmatch(p["name"]) for p in service["spec"]["ports"])


def test_resources_and_claims_are_valid_quantities_with_memory_limits(objects):
    for workload in of(objects, *WORKLOADS):
        template = workload["spec"]["template"]["spec"]
        for container in template["containers"] + template.get("initContainers", []):
            resources = container["resources"]
            assert resources["limits"]["memory"] == resources["requests"]["memory"]
            quantities = [*resources["requests"].values(), *resources["limits"].values()]
            assert all(QUANTITY.fullmatch(q) for q in quantities), quantities
        for claim in workload["spec"].get("volumeClaimTemplates", []):
            assert QUANTITY.fullmatch(claim["spec"]["resources"]["requests"]["storage"])


def test_every_mounted_configmap_and_secret_exists_with_the_keys_mounted(objects):
    data = {o["metadata"]["name"]: o.get("data") or o.get("stringData") for o in of(objects, "ConfigMap", "Secret")}
    for name, pod in pods(objects).items():
        spec = pod["spec"]
        claims = {c["metadata"]["name"] for o in of(objects, "StatefulSet") if o["metadata"]["name"] == name
                  for c in o["spec"]["volumeClaimTemplates"]}
        volumes = {v["name"] for v in spec["volumes"]} | claims
        for container in spec["containers"] + spec.get("initContainers", []):
            assert {m["name"] for m in container["volumeMounts"]} <= volumes
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in data[ref["name"]]
        for volume in spec["volumes"]:
            source = volume.get("configMap") or volume.get("secret")
            if source:
                source_name = source.get("name") or source.get("secretName")
                assert {i["key"] for i in source["items"]} <= set(data[source_name]), source_name


def test_probes_ask_ports_the_container_serves(objects):
    for pod in pods(objects).values():
        for container in pod["spec"]["containers"]:
            if "ports" not in container:  # a sender that serves nothing (the canary): its own health command
                assert set(container["livenessProbe"]["exec"]["command"][:2]) == {"/bin/sh", "-c"}
                continue
            ports = {p["containerPort"] for p in container["ports"]}
            probes = [container[k] for k in ("startupProbe", "readinessProbe", "livenessProbe") if k in container]
            assert {"startupProbe", "readinessProbe"} <= set(container)
            assert all(p["httpGet"]["port"] in ports for p in probes)


def test_every_network_policy_selects_pods_and_every_pod_peer_selects_one(objects):
    for policy in of(objects, "NetworkPolicy"):
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        # cert-manager's HTTP-01 solver pods are not the stack's: cert-manager makes them during a challenge.
        assert selector in ({}, ACME_SOLVER) or selected_pods(objects, selector), policy["metadata"]["name"]
        rules = policy["spec"].get("ingress", []) + policy["spec"].get("egress", [])
        for peer in (p for rule in rules for p in rule.get("from", []) + rule.get("to", [])):
            if "namespaceSelector" in peer:
                expressions = peer["namespaceSelector"].get("matchExpressions", [])
                assert all(e["values"] for e in expressions)
            else:
                assert selected_pods(objects, peer["podSelector"]["matchLabels"]), peer


def allowed(objects: list[dict], direction: str) -> set[tuple[str, str, int]]:
    """(from, to, port) between the stack's pods, as the policies of one side allow it."""
    flows = set()
    for policy in of(objects, "NetworkPolicy"):
        [me] = selected_pods(objects, policy["spec"]["podSelector"].get("matchLabels", {})) or [None]
        for rule in policy["spec"].get(direction, []):
            for peer in rule.get("from" if direction == "ingress" else "to", []):
                if "namespaceSelector" in peer:
                    continue
                for other in selected_pods(objects, peer["podSelector"]["matchLabels"]):
                    for port in rule["ports"]:
                        flows.add((other, me, int(port["port"])) if direction == "ingress"
                                  else (me, other, int(port["port"])))
    return flows


def test_exactly_the_needed_flows_are_allowed_and_both_sides_agree(objects, variant):
    assert allowed(objects, "egress") == needed_flows(variant)
    assert allowed(objects, "ingress") == needed_flows(variant)


def test_default_deny_covers_every_pod_in_both_directions(objects):
    [deny] = [p for p in of(objects, "NetworkPolicy") if p["spec"]["podSelector"] == {}]
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny["spec"]


def test_only_the_entry_namespace_reaches_grafana_and_only_app_namespaces_reach_otlp(objects, variant):
    """The ingress controller's namespace, or with an HTTPRoute the Gateway's: whoever forwards browsers."""
    entry_namespace = {"httproute": "gateways"}.get(variant, "app-routing-system")
    policies = {p["metadata"]["name"]: p for p in of(objects, "NetworkPolicy")}
    outside = {name: [(rule["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"],
                       sorted(int(p["port"]) for p in rule["ports"]))
                      for rule in policy["spec"].get("ingress", []) if "namespaceSelector" in rule["from"][0]]
               for name, policy in policies.items()}
    http01 = variant_settings(variant).kubernetes.solves_http01
    solver = {"acme-http01-solver": [([entry_namespace], [8089])]} if http01 else {}
    assert {k: v for k, v in outside.items() if v} == {
        "grafana": [([entry_namespace], [3000])], "alloy": [(["migration-platform"], [4317, 4318])], **solver}


def test_each_configmap_and_secret_is_mounted_by_exactly_one_workload(objects):
    """A replaced (auto-named) ConfigMap or Secret therefore rolls exactly the pod that uses it."""
    users: dict[str, set[str]] = {}
    for name, pod in pods(objects).items():
        for volume in pod["spec"]["volumes"]:
            source = volume.get("configMap", {}).get("name") or volume.get("secret", {}).get("secretName")
            if source:
                users.setdefault(source, set()).add(name)
        for container in pod["spec"]["containers"] + pod["spec"].get("initContainers", []):
            for env in container.get("env", []):
                if ref := env.get("valueFrom", {}).get("secretKeyRef"):  # an environment-only Secret
                    users.setdefault(ref["name"], set()).add(name)
    assert users and all(len(workloads) == 1 for workloads in users.values()), users
    assert set(users) == {o["metadata"]["name"] for o in of(objects, "ConfigMap", "Secret")}


def test_the_entry_routes_to_a_port_of_an_existing_service_that_selects_the_browser_pod(objects):
    services = {o["metadata"]["name"]: o for o in of(objects, "Service")}
    backends = [path["backend"]["service"] for ingress in of(objects, "Ingress")
                for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    backends += [{"name": ref["name"], "port": {"number": ref["port"]}} for route in of(objects, "HTTPRoute")
                 for rule in route["spec"]["rules"] for ref in rule["backendRefs"]]
    assert len(backends) == 1
    [backend] = backends
    service = services[backend["name"]]
    port = backend["port"]
    assert any(p.get("name") == port.get("name") if "name" in port else int(p["port"]) == int(port["number"])
               for p in service["spec"]["ports"]), (backend, service["spec"]["ports"])
    assert selected_pods(objects, service["spec"]["selector"]) == ["grafana"]


def test_the_network_policy_admits_the_entry_from_the_namespace_of_what_the_route_attaches_to(objects, variant):
    """HTTPRoute: the Gateway's namespace (its parentRef); Ingress: the ingress controller's."""
    kube = variant_settings(variant).kubernetes
    assert kube is not None
    routes = of(objects, "HTTPRoute")
    expected = ({ref["namespace"] for r in routes for ref in r["spec"]["parentRefs"]} if routes
                else {kube.ingress_controller_namespace})
    [grafana] = [p for p in of(objects, "NetworkPolicy") if p["metadata"]["name"] == "grafana"]
    admitted = {value for rule in grafana["spec"]["ingress"] for peer in rule["from"] if "namespaceSelector" in peer
                for e in peer["namespaceSelector"]["matchExpressions"] for value in e["values"]}
    assert admitted == expected


def test_every_statefulset_names_a_headless_service_that_selects_its_pod(objects):
    services = {o["metadata"]["name"]: o for o in of(objects, "Service")}
    for workload in of(objects, "StatefulSet"):
        service = services[workload["spec"]["serviceName"]]
        assert service["spec"]["clusterIP"] == "None"
        assert selected_pods(objects, service["spec"]["selector"]) == [workload["metadata"]["name"]]


def test_a_deployment_never_runs_a_surge_pod(objects):
    """Alloy keeps its log positions in an emptyDir: a surge pod would tail and ship every log again. One pod is
    recreated; clustered pods are replaced one at a time, the others taking over its targets."""
    deployments = of(objects, "Deployment")
    assert deployments
    for deployment in deployments:
        strategy = deployment["spec"]["strategy"]
        if deployment["spec"]["replicas"] == 1:
            assert strategy == {"type": "Recreate"}
        else:
            assert strategy["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}

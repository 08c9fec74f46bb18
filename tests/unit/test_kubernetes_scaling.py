"""aks-dev scaled out (lokiReplicas 3, alloyReplicas 2, the blob store), as the program declares it under Pulumi
mocks: Loki's multi-instance monolithic mode (ring on memberlist through the headless Service, replication
factor 3, WAL and flush on shutdown), clustered Alloy, one Service each, and exactly the traffic the replicas
need between them."""

from __future__ import annotations

import pytest
import yaml

from components import constants as c
from components.services import loki
from tests.kubernetes_variants import SCALED_OUT, variant_objects
from tests.unit.pulumi_harness import run_program


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    program = run_program("aks-dev", SCALED_OUT)
    found = [r.inputs for r in program.resources if r.typ.startswith("kubernetes:") and "kind" in r.inputs]
    assert found
    return found


def get(objects: list[dict], kind: str, name: str) -> dict:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"].get("name") == name]
    return found


def loki_config(objects: list[dict]) -> dict:
    [config_map] = [o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["labels"]["app.kubernetes.io/name"]
                    == c.LOKI]
    return yaml.safe_load(config_map["data"]["loki.yaml"])


def container(workload: dict) -> dict:
    [main] = workload["spec"]["template"]["spec"]["containers"]
    return main


def test_three_loki_pods_with_a_claim_each_spread_over_nodes_and_zones(objects):
    loki_set = get(objects, "StatefulSet", c.LOKI)
    assert loki_set["spec"]["replicas"] == 3
    pod = loki_set["spec"]["template"]["spec"]
    spread = {t["topologyKey"]: t["whenUnsatisfiable"] for t in pod["topologySpreadConstraints"]}
    assert spread == {"kubernetes.io/hostname": "DoNotSchedule", "topology.kubernetes.io/zone": "ScheduleAnyway"}
    assert all(t["labelSelector"]["matchLabels"]["app.kubernetes.io/name"] == c.LOKI
               for t in pod["topologySpreadConstraints"])
    assert container(loki_set)["readinessProbe"]["httpGet"]["path"] == "/ready"


def test_a_stopping_loki_pod_has_time_to_flush_and_one_pod_at_a_time_may_be_down(objects):
    loki_set = get(objects, "StatefulSet", c.LOKI)
    assert loki_set["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == loki.FLUSH_GRACE_SECONDS
    assert get(objects, "PodDisruptionBudget", c.LOKI)["spec"]["maxUnavailable"] == 1
    assert loki_config(objects)["ingester"]["wal"] == {"enabled": True, "dir": "/loki/wal", "flush_on_shutdown": True}


def test_one_loki_pod_down_leaves_the_others_ready(objects):
    """Without this, /ready demands every ring member healthy: one pod draining would empty the Service."""
    assert loki_config(objects)["ingester"]["lifecycler"]["readiness_check_ring_health"] is False


def test_every_loki_replica_runs_the_whole_engine_on_one_memberlist_ring(objects):
    config = loki_config(objects)
    headless = get(objects, "Service", c.headless_service(c.LOKI))
    assert config["memberlist"]["join_members"] == [f"{headless['metadata']['name']}:{c.MEMBERLIST_PORT}"]
    assert config["common"]["ring"]["kvstore"]["store"] == "memberlist"
    assert config["common"]["instance_addr"] == "${POD_IP}" and config["ruler"]["enable_sharding"] is True
    assert config["common"]["replication_factor"] == "${LOKI_REPLICATION_FACTOR}"
    env = {e["name"]: e for e in container(get(objects, "StatefulSet", c.LOKI))["env"]}
    assert env["LOKI_REPLICATION_FACTOR"]["value"] == "3"
    assert env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
    assert "-target=all" not in container(get(objects, "StatefulSet", c.LOKI))["args"]  # Loki's default target


@pytest.mark.parametrize(("replicas", "factor"), [(1, 1), (2, 1), (3, 3), (5, 3)])
def test_replication_factor_is_3_from_three_replicas(replicas, factor):
    assert loki.replication_factor(replicas) == factor


def test_the_headless_service_finds_starting_pods_on_the_gossip_and_grpc_ports(objects):
    headless = get(objects, "Service", c.headless_service(c.LOKI))["spec"]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"] is True
    assert {p["name"]: p["port"] for p in headless["ports"]} == {
        "http": c.PORTS[c.LOKI], "grpc": c.LOKI_GRPC_PORT, "memberlist": c.MEMBERLIST_PORT}
    ports = {p["name"] for p in container(get(objects, "StatefulSet", c.LOKI))["ports"]}
    assert ports == {"http", "grpc", "memberlist"}


def test_clients_reach_loki_and_alloy_through_one_service_whatever_the_count(objects):
    assert [p["port"] for p in get(objects, "Service", c.LOKI)["spec"]["ports"]] == [c.PORTS[c.LOKI]]
    alloy_env = {e["name"]: e.get("value") for e in container(get(objects, "Deployment", c.ALLOY))["env"]}
    assert alloy_env["LOKI_PUSH_URL"] == f"http://{c.LOKI}:{c.PORTS[c.LOKI]}/loki/api/v1/push"
    assert {p["name"] for p in get(objects, "Service", c.ALLOY)["spec"]["ports"]} == {"http", "otlp-grpc", "otlp-http"}


def test_two_alloy_pods_run_clustered_joined_through_their_headless_service(objects):
    alloy = get(objects, "Deployment", c.ALLOY)
    assert alloy["spec"]["replicas"] == 2
    assert alloy["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
    headless = get(objects, "Service", c.headless_service(c.ALLOY))
    args = container(alloy)["args"]
    assert "--cluster.enabled=true" in args
    assert f"--cluster.join-addresses={headless['metadata']['name']}:{c.PORTS[c.ALLOY]}" in args
    assert args[-1] == "/etc/alloy"  # the config directory stays the positional argument
    assert headless["spec"]["publishNotReadyAddresses"] is True


def _self_rules(policy: dict, direction: str, peer: str) -> list[dict]:
    key = "from" if direction == "ingress" else "to"
    return [rule for rule in policy["spec"][direction]
            if rule.get(key) == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": peer,
                                                                   "app.kubernetes.io/part-of": c.PROJECT}}}]]


@pytest.mark.parametrize(("service", "ports"), [(c.LOKI, [c.LOKI_GRPC_PORT, c.MEMBERLIST_PORT]),
                                                (c.ALLOY, [c.PORTS[c.ALLOY]])])
def test_network_policies_admit_exactly_the_traffic_between_replicas(objects, service, ports):
    policy = get(objects, "NetworkPolicy", service)
    for direction in ("ingress", "egress"):
        [rule] = _self_rules(policy, direction, service)
        assert sorted(p["port"] for p in rule["ports"]) == sorted(ports)


@pytest.mark.parametrize("service", [c.LOKI, c.ALLOY])
def test_a_single_replica_opens_nothing_to_itself(service):
    policy = get(variant_objects("stack-file"), "NetworkPolicy", service)
    assert _self_rules(policy, "ingress", service) == [] and _self_rules(policy, "egress", service) == []


def test_a_single_replica_stack_keeps_one_pod_and_the_plain_config():
    objects = variant_objects("stack-file")
    assert get(objects, "StatefulSet", c.LOKI)["spec"]["replicas"] == 1
    assert get(objects, "Deployment", c.ALLOY)["spec"]["strategy"] == {"type": "Recreate"}
    assert "topologySpreadConstraints" not in get(objects, "StatefulSet", c.LOKI)["spec"]["template"]["spec"]
    assert loki_config(objects)["common"]["ring"]["kvstore"]["store"] == "inmemory"
    assert not [o for o in objects if o["metadata"].get("name") == c.headless_service(c.ALLOY)]

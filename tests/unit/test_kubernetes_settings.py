"""aks-dev settings: the stack file is valid with the ADR's sizes, and each mistake is one clear message
naming the key, before any resource exists."""

from __future__ import annotations

import pytest

from components.settings import SettingsError, from_stack_file, parse

GOOD = {"environment": "aks-dev", "domain": "grafana.example.com", "grafanaPort": 443,
        "certManagerIssuer": "letsencrypt", "allowedSourceCidrs": ["10.100.0.0/24"]}
CLIENT_ID = "00000000-0000-0000-0000-000000000000"


def problems(**extra) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse("aks-dev", {**GOOD, **extra}, set(extra) & {"azureStorageAccountKey", "grafanaAdminPassword"})
    return caught.value.problems


def only(found: list[str], key: str) -> str:
    assert len(found) == 1 and found[0].startswith(f"observability:{key} = "), found
    return found[0]


def test_the_aks_dev_stack_file_is_valid_with_the_adr_volume_sizes():
    kube = from_stack_file("aks-dev").kubernetes
    assert kube is not None and kube.storage_class == "managed-csi"
    assert kube.ingress_class == "webapprouting.kubernetes.azure.com"
    assert sum(kube.volume_gb[s] for s in ("loki", "tempo", "prometheus")) == 45  # ADR-031: ~45 GB at 14/7/14 d


def test_docker_stacks_have_no_kubernetes_settings():
    assert from_stack_file("azure-dev").kubernetes is None


def test_grafana_behind_the_ingress_has_no_port_in_its_root_url():
    assert parse("aks-dev", GOOD).grafana.root_url == "https://grafana.example.com/"


@pytest.mark.parametrize("sources", [["0.0.0.0/0"], ["*"], [], ["0.0.0.0/1", "128.0.0.0/1"]])
def test_an_ingress_open_to_the_internet_is_refused_by_the_shared_allowlist_rule(sources):
    found = problems(allowedSourceCidrs=sources)
    assert all(p.startswith("observability:allowedSourceCidrs = ") for p in found)
    assert any("allowAnySource" in p for p in found)


def test_allow_any_source_demands_the_long_admin_password():
    found = problems(allowedSourceCidrs=[], allowAnySource=True, grafanaAdminPassword="x" * 20)
    assert "32" in only(found, "grafanaAdminPassword")


def test_tls_needs_exactly_one_of_an_existing_secret_or_an_issuer():
    only(problems(kubeTlsSecretName="grafana-tls"), "kubeTlsSecretName/certManagerIssuer")
    only(problems(certManagerIssuer=""), "kubeTlsSecretName/certManagerIssuer")


def test_a_bad_namespace_names_the_key():
    assert "namespace name" in only(problems(kubeNamespace="Observability_NS"), "kubeNamespace")


ROUTE = {"grafanaEntryKind": "httproute", "certManagerIssuer": "", "allowedSourceCidrs": [],
         "gatewayName": "edge", "gatewayNamespace": "gateways", "gatewayOwnsTlsAndSources": True}


def test_httproute_needs_the_gateway_it_attaches_to():
    only(problems(**{**ROUTE, "gatewayName": ""}), "gatewayName/gatewayNamespace")


def test_httproute_with_the_gateways_confirmation_is_valid():
    kube = parse("aks-dev", {**GOOD, **ROUTE}).kubernetes
    assert kube is not None and kube.entry_namespace == "gateways"


def test_httproute_demands_confirmation_that_the_gateway_does_tls_and_source_filtering():
    assert "terminates TLS" in only(problems(**{**ROUTE, "gatewayOwnsTlsAndSources": False}),
                                    "gatewayOwnsTlsAndSources")


@pytest.mark.parametrize("key, value", [("allowedSourceCidrs", ["10.100.0.0/24"]),
                                        ("certManagerIssuer", "letsencrypt"), ("kubeTlsSecretName", "grafana-tls")])
def test_httproute_refuses_tls_and_allowlist_settings_it_would_silently_not_apply(key, value):
    assert "not applied when grafanaEntryKind is httproute" in only(problems(**{**ROUTE, key: value}), key)


def test_the_gateway_confirmation_is_refused_with_an_ingress():
    only(problems(gatewayOwnsTlsAndSources=True), "gatewayOwnsTlsAndSources")


def test_a_gateway_namespace_must_be_a_namespace_name():
    only(problems(**{**ROUTE, "gatewayNamespace": "Gate_ways"}), "gatewayNamespace")


def test_azure_blob_needs_an_account_and_the_workload_identity_client():
    found = problems(objectStore="azure-blob")
    assert [p.split(" = ")[0] for p in found] == ["observability:azureStorageAccount",
                                                  "observability:workloadIdentityClientId"]


def test_account_key_auth_needs_the_key_when_deploying():
    only(problems(objectStore="azure-blob", azureStorageAccount="acct01", azureBlobAuth="account-key"),
         "azureStorageAccountKey")
    settings = parse("aks-dev", {**GOOD, "objectStore": "azure-blob", "azureStorageAccount": "acct01",
                                 "azureBlobAuth": "account-key"}, deploying=False)
    assert settings.kubernetes.object_store.auth == "account-key"


def test_host_mount_exporters_and_the_docker_only_role_job_are_refused_on_a_cluster():
    assert "restricted" in only(problems(exportHostMetrics=True), "exportHostMetrics/exportContainerMetrics")
    found = problems(postgresEnabled=True)
    assert any(p.startswith("observability:postgresEnabled = true: the read-only role job") for p in found)


def test_an_unknown_object_store_lists_the_allowed_values():
    assert "filesystem | azure-blob" in only(problems(objectStore="s3"), "objectStore")


def test_docker_stacks_have_no_kubernetes_settings_and_refuse_their_keys():
    assert parse("local", {"environment": "local"}).kubernetes is None
    with pytest.raises(SettingsError, match="objectStore .*applies only to environment aks-dev"):
        parse("local", {"environment": "local", "objectStore": "azure-blob"})


def test_kubeconfig_contents_are_refused_without_echoing_them():
    found = only(problems(kubeconfig="apiVersion: v1\nclusters: []\nusers: [{token: abc}]"), "kubeconfig")
    assert "path" in found and "abc" not in found


def test_grafana_behind_the_ingress_is_on_port_443():
    assert "443" in only(problems(grafanaPort=9999), "grafanaPort")


BLOB = {"objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs", "workloadIdentityClientId": CLIENT_ID}


def test_one_loki_and_one_alloy_by_default():
    kube = from_stack_file("aks-dev").kubernetes
    assert kube is not None and (kube.loki_replicas, kube.alloy_replicas) == (1, 1)


def test_several_loki_replicas_need_the_blob_store_and_say_why():
    message = only(problems(lokiReplicas=3), "lokiReplicas")
    assert "objectStore azure-blob" in message and "a claim is one pod's disk" in message
    assert parse("aks-dev", {**GOOD, **BLOB, "lokiReplicas": 3}).kubernetes.loki_replicas == 3


@pytest.mark.parametrize("key", ["lokiReplicas", "alloyReplicas"])
def test_replica_counts_are_whole_numbers_from_1_to_12(key):
    assert "from 1 to 12" in only(problems(**BLOB, **{key: 0}), key)
    assert "from 1 to 12" in only(problems(**BLOB, **{key: 13}), key)
    kube = parse("aks-dev", {**GOOD, **BLOB, key: 12}).kubernetes
    assert kube is not None and 12 in (kube.loki_replicas, kube.alloy_replicas)


def test_alloy_replicas_need_no_blob_store():
    assert parse("aks-dev", {**GOOD, "alloyReplicas": 2}).kubernetes.alloy_replicas == 2

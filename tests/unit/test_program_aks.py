"""The real program for aks-dev under Pulumi mocks: the Kubernetes target deploys exactly the objects the
offline render shows, secrets stay secret, configuration is auto-named so a change rolls its pods, and
nothing of the Docker host is declared."""

from __future__ import annotations

import pytest

from components.targets.kubernetes.render import placeholders
from components.services import stack_specs
from components.settings import from_stack_file
from components.targets.kubernetes import stack
from components.targets.kubernetes.objects import stack_objects
from tests.kubernetes_variants import VARIANTS
from tests.unit.pulumi_harness import AUTO_NAME_SUFFIX, TEST_SECRET, on_day, run_program


AUTO_NAMED = tuple(f"kubernetes:core/v1:{kind}" for kind in stack.AUTO_NAMED)  # all of them are core/v1 kinds


def by_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


def pod_specs(objects: list[dict]) -> list[dict]:
    return [o["spec"]["template"]["spec"] for o in objects if o["kind"] in ("StatefulSet", "Deployment")]


@pytest.fixture(scope="module")
def rendered_objects() -> list[dict]:
    settings = from_stack_file("aks-dev")
    return [placeholders(o) for o in stack_objects(settings, stack_specs(settings, "kubernetes"))]


def _as_rendered(value, auto_names: dict[str, str], secrets: set[str]):
    """A declared value as the render shows it: whole numbers as ints (the wire has only floats), auto-named
    references under their base name, secret values as the placeholder."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return auto_names.get(value, "[secret]" if value in secrets else value)
    if isinstance(value, dict):
        return {k: _as_rendered(v, auto_names, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_rendered(v, auto_names, secrets) for v in value]
    return value


def test_every_declared_object_is_exactly_the_rendered_one(aks_program, rendered_objects):
    """What a reviewer reads in the render is what the program deploys, field for field."""
    prefix = "observability-"
    auto_names = {r.name + AUTO_NAME_SUFFIX: r.name[len(prefix):]
                  for typ in AUTO_NAMED for r in aks_program.of_type(typ)}
    secrets = {v for r in aks_program.of_type("kubernetes:core/v1:Secret") for v in r.inputs["stringData"].values()}
    declared = {}
    for r in aks_program.resources:
        if r.typ.startswith("kubernetes:") and "kind" in r.inputs:
            obj = _as_rendered(r.inputs, auto_names, secrets)
            obj["metadata"] = {"name": r.name[len(prefix):], **obj["metadata"]}  # auto-named: the base name
            declared[(obj["kind"], obj["metadata"]["name"])] = obj
    assert len(declared) == len(rendered_objects)
    for obj in rendered_objects:
        assert declared[(obj["kind"], obj["metadata"]["name"])] == obj, (obj["kind"], obj["metadata"]["name"])


def test_no_docker_resource_is_declared_on_a_cluster_stack(aks_program):
    assert not [r for r in aks_program.resources if r.typ.startswith(("docker:", "tls:", "azure-native:"))]


def test_every_kubernetes_object_goes_through_the_cluster_provider(aks_program):
    [provider] = [r for r in aks_program.resources if r.typ == "pulumi:providers:kubernetes"]
    objects = [r for r in aks_program.resources if r.typ.startswith("kubernetes:")]
    assert objects and all(r.provider and r.provider.split("::")[-2] == provider.name for r in objects)




def test_configmaps_and_secrets_are_auto_named_so_a_change_replaces_them(aks_program):
    registered = [r for typ in AUTO_NAMED for r in aks_program.of_type(typ)]
    assert registered and all("name" not in r.inputs["metadata"] for r in registered)


def test_pods_mount_the_auto_named_configmaps_and_secrets(aks_program, aks_objects):
    names = {r.name + AUTO_NAME_SUFFIX for typ in AUTO_NAMED for r in aks_program.of_type(typ)}
    referenced = {v.get("configMap", {}).get("name") or v.get("secret", {}).get("secretName")
                  for pod in pod_specs(aks_objects) for v in pod["volumes"] if "emptyDir" not in v}
    assert referenced == names


def test_secret_values_are_registered_as_secrets_and_never_in_a_configmap(aks_program, aks_objects):
    secrets = aks_program.of_type("kubernetes:core/v1:Secret")
    assert secrets and all("stringData" in secret.secret_paths for secret in secrets)
    values = [value for secret in secrets for value in secret.inputs["stringData"].values()]
    for config_map in by_kind(aks_objects, "ConfigMap"):
        assert not any(value in text for value in values for text in config_map["data"].values())


def test_grafanas_pod_sets_the_current_admin_password_on_its_database_before_starting(aks_program, aks_objects):
    """Rotation: a new password is a new (auto-named) Secret, so Grafana's pod rolls and its init container
    writes the password into the existing database, as the one-shot job does on a Docker host."""
    [grafana] = [o for o in by_kind(aks_objects, "StatefulSet") if o["metadata"]["name"] == "grafana"]
    pod = grafana["spec"]["template"]["spec"]
    [init] = pod["initContainers"]
    assert "reset-admin-password" in init["args"][0] and init["args"][0].endswith("/run/secrets/grafana_admin_password")
    assert {"name": "data", "mountPath": "/var/lib/grafana"} in init["volumeMounts"]
    passwords = {r.name: r.inputs["stringData"] for r in aks_program.of_type("kubernetes:core/v1:Secret")}
    assert passwords["observability-grafana-admin-sync-secrets"]["grafana_admin_password"] == \
        passwords["observability-grafana-secrets"]["grafana_admin_password"]


def test_the_namespace_and_so_the_claims_survive_a_destroy(aks_program):
    [namespace] = aks_program.of_type("kubernetes:core/v1:Namespace")
    assert namespace.retain_on_delete
    assert namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_grafana_reads_its_passwords_from_files_of_its_secret(aks_objects):
    [grafana] = [o for o in by_kind(aks_objects, "StatefulSet") if o["metadata"]["name"] == "grafana"]
    container = grafana["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "/run/secrets/grafana_admin_password"
    assert env["GF_SERVER_ROOT_URL"] == "https://grafana.aks-dev.aiforceasses.cloudsmarthcl.com/"
    assert "/run/secrets" in [m["mountPath"] for m in container["volumeMounts"]]


def test_only_alloy_mounts_a_service_account_token_and_may_read_the_cluster(aks_objects):
    mounting = sorted(o["metadata"]["name"] for o in aks_objects if o["kind"] in ("StatefulSet", "Deployment")
                      and o["spec"]["template"]["spec"]["automountServiceAccountToken"])
    assert mounting == ["alloy"]
    [role] = by_kind(aks_objects, "ClusterRole")
    granted = {(r, verb) for rule in role["rules"] for r in rule["resources"] for verb in rule["verbs"]}
    readable = {"pods", "pods/log", "namespaces", "nodes", "services", "endpoints", "endpointslices"}
    assert granted == {(r, v) for r in readable for v in ("get", "list", "watch")} | {("nodes/proxy", "get")}


def test_azure_blob_with_an_account_key_reaches_loki_as_a_secret_env_value():
    program = run_program("aks-dev", {"objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs",
                                      "azureBlobAuth": "account-key"}, {"azureStorageAccountKey": TEST_SECRET})
    [loki] = [r for r in program.of_type("kubernetes:core/v1:Secret") if r.name == "observability-loki-secrets"]
    assert loki.inputs["stringData"]["env.AZURE_STORAGE_KEY"] == TEST_SECRET and "stringData" in loki.secret_paths
    [statefulset] = [r for r in program.of_type("kubernetes:apps/v1:StatefulSet") if r.inputs["metadata"]["name"]
                     == "loki"]
    env = {e["name"]: e for e in statefulset.inputs["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["AZURE_STORAGE_KEY"]["valueFrom"]["secretKeyRef"]["name"] == loki.name + AUTO_NAME_SUFFIX


def test_httproute_replaces_the_ingress_and_the_gateways_namespace_is_let_through():
    program = run_program("aks-dev", VARIANTS["httproute"])
    assert not program.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    [route] = program.of_type("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
    assert route.inputs["spec"]["parentRefs"] == [{"name": "edge", "namespace": "gateways"}]
    assert route.inputs["spec"]["rules"][0]["backendRefs"][0]["name"] == "grafana"
    [policy] = [r for r in program.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                if r.inputs["metadata"]["name"] == "grafana"]
    [from_outside] = [rule for rule in policy.inputs["spec"]["ingress"] if "namespaceSelector" in rule["from"][0]]
    assert from_outside["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"] == ["gateways"]


def aks_program_on(day):
    """The aks-dev program as `pulumi up` would run it on `day` (the rotation window follows the clock)."""
    with on_day(day):
        return run_program("aks-dev")


def test_a_new_window_changes_only_grafanas_secrets_so_only_its_pod_rolls():
    from datetime import timedelta

    from components.rotation import EPOCH

    first_day = EPOCH + timedelta(days=300 * 90)  # a window boundary (2043: never today's date)
    before, after = aks_program_on(first_day - timedelta(days=1)), aks_program_on(first_day)

    def data(program, typ):
        return {r.name: r.inputs.get("data") or r.inputs.get("stringData") for r in program.of_type(typ)}

    secrets = [data(p, "kubernetes:core/v1:Secret") for p in (before, after)]
    changed = {name for name in secrets[0] if secrets[0][name] != secrets[1][name]}
    assert changed == {"observability-grafana-secrets", "observability-grafana-admin-sync-secrets"}
    assert data(before, "kubernetes:core/v1:ConfigMap") == data(after, "kubernetes:core/v1:ConfigMap")


def test_azure_blob_with_workload_identity_federates_loki_and_tempo_and_lets_them_reach_storage():
    program = run_program("aks-dev", {"objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs",
                                      "workloadIdentityClientId": "11111111-2222-3333-4444-555555555555"})
    objects = [r.inputs for r in program.resources if r.typ.startswith("kubernetes:") and "kind" in r.inputs]
    federated = {o["metadata"]["name"] for o in by_kind(objects, "ServiceAccount")
                 if o["metadata"].get("annotations", {}).get("azure.workload.identity/client-id")
                 == "11111111-2222-3333-4444-555555555555"}
    labelled = {o["metadata"]["name"] for o in by_kind(objects, "StatefulSet")
                if o["spec"]["template"]["metadata"]["labels"].get("azure.workload.identity/use") == "true"}
    assert federated == labelled == {"loki", "tempo"}
    to_storage = {p["metadata"]["name"] for p in by_kind(objects, "NetworkPolicy")
                  for rule in p["spec"].get("egress", []) if "to" not in rule and {"protocol": "TCP", "port": 443.0}
                  in rule["ports"]}
    assert to_storage == {"loki", "tempo", "alloy"}  # Alloy: the API server
    assert not program.of_type("kubernetes:core/v1:Secret") or all(
        "env.AZURE_STORAGE_KEY" not in r.inputs["stringData"] for r in program.of_type("kubernetes:core/v1:Secret"))


def test_images_come_from_docker_hub_unless_a_registry_prefix_points_them_at_the_acr(aks_program):
    def images(program) -> set[str]:
        return {c["image"] for r in program.resources if r.typ in WORKLOAD_TYPES
                for c in r.inputs["spec"]["template"]["spec"]["containers"]}

    assert images(aks_program) and all(i.startswith("docker.io/") for i in images(aks_program))
    acr = images(run_program("aks-dev", {"registryPrefix": "aimodernize.azurecr.io"}))
    assert acr and all(i.startswith("aimodernize.azurecr.io/") and "@sha256:" in i for i in acr)


WORKLOAD_TYPES = ("kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment")

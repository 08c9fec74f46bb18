"""Data outlives deploys: each stateful service is one replica with its own claim on the configured storage
class and size, claims are retained when the StatefulSet is deleted or scaled, and a later size change is
not turned into a StatefulSet replacement (claims are resized in place, docs/aks-dev.md "Resize a data volume")."""

from __future__ import annotations

import pytest

from components.settings import from_stack_file
from tests.unit.pulumi_harness import run_program

STATEFUL = {"grafana", "loki", "tempo", "prometheus"}
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"


@pytest.fixture(scope="module")
def stateful_sets(aks_objects) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in aks_objects if o["kind"] == "StatefulSet"}


def test_every_stateful_service_is_a_statefulset_with_a_single_replica(stateful_sets):
    assert set(stateful_sets) == STATEFUL
    assert all(s["spec"]["replicas"] == 1 for s in stateful_sets.values())


def test_claims_are_retained_when_the_statefulset_is_deleted_or_scaled(stateful_sets):
    for s in stateful_sets.values():
        assert s["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}


def test_each_claim_uses_the_storage_class_and_the_services_size_from_settings(stateful_sets):
    kube = from_stack_file("aks-dev").kubernetes
    assert kube is not None
    for name, s in stateful_sets.items():
        [claim] = s["spec"]["volumeClaimTemplates"]
        assert claim["spec"]["storageClassName"] == kube.storage_class == "managed-csi"
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        assert claim["spec"]["resources"]["requests"]["storage"] == f"{kube.volume_gb[name]}Gi"


def test_a_changed_volume_size_reaches_only_that_services_claim():
    program = run_program("aks-dev", {"lokiVolumeGb": 40})
    sizes = {r.inputs["metadata"]["name"]: r.inputs["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]
             ["requests"]["storage"] for r in program.of_type(STATEFUL_SET)}
    defaults = from_stack_file("aks-dev").kubernetes.volume_gb  # type: ignore[union-attr]
    assert sizes == {name: f"{40 if name == 'loki' else defaults[name]}Gi" for name in STATEFUL}


def test_claim_templates_are_kept_as_first_deployed_so_a_size_change_never_replaces_the_statefulset(aks_program):
    """pulumi-kubernetes 4.x lists .spec.volumeClaimTemplates among a StatefulSet's replace-on-change fields."""
    sets = aks_program.of_type(STATEFUL_SET)
    assert {r.inputs["metadata"]["name"] for r in sets} == STATEFUL
    assert all(r.ignore_changes == ["spec.volumeClaimTemplates"] for r in sets)
    others = [r for r in aks_program.resources if r.typ.startswith("kubernetes:") and r.typ != STATEFUL_SET]
    assert others and not any(r.ignore_changes for r in others)


def test_the_namespace_holding_the_claims_is_kept_on_destroy(aks_program):
    [namespace] = aks_program.of_type("kubernetes:core/v1:Namespace")
    assert namespace.retain_on_delete

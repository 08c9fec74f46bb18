"""How the Docker target delivers files and orders containers, under Pulumi mocks: nothing uploaded under a
volume, Grafana's provisioning reloaded rather than Grafana replaced, stable inputs across runs, and the
read-only role job before the containers that log in with its password."""

from __future__ import annotations

import json

import pytest

from components import images
from components.model import ContainerSpec, File, Ref, Reload
from components.secret_names import GRAFANA_ADMIN_PASSWORD, SMTP_PASSWORD
from components.targets.docker.reloadable import deliverable
from tests.unit.pulumi_harness import Program, run_program

PROVISIONING_JOB = "obs-grafana-provisioning"


@pytest.fixture(scope="module", params=["local", "azure-dev"])
def program(request) -> Program:
    return run_program(request.param)


def _mount_paths(inputs: dict) -> list[str]:
    return [v["containerPath"] for v in inputs.get("volumes", [])] + [m["target"] for m in inputs.get("mounts", [])]


def test_no_uploaded_file_sits_under_a_volume_or_mount(program):
    for name, container in program.containers().items():
        mounts = _mount_paths(container.inputs)
        for upload in container.inputs.get("uploads", []):
            clashes = [m for m in mounts if upload["file"].startswith(m.rstrip("/") + "/")]
            assert not clashes, f"{name}: {upload['file']} is under {clashes}"


def test_grafana_reads_its_provisioning_from_a_read_only_volume_not_uploads(program):
    grafana = program.containers()["obs-grafana"].inputs
    assert {"containerPath": "/etc/grafana/provisioning", "volumeName": "obs-grafana-provisioning",
            "readOnly": True} in grafana["volumes"]
    assert grafana["uploads"] and all(u["file"].startswith("/run/secrets/") for u in grafana["uploads"])


def test_the_provisioning_job_writes_the_dashboards_and_rules_into_that_volume(program):
    job = program.containers()[PROVISIONING_JOB].inputs
    files = {u["file"] for u in job["uploads"]}
    assert "/staging/alerting/rules.yaml" in files and "/staging/datasources/datasources.yaml" in files
    assert len([f for f in files if f.startswith("/staging/dashboard-files/platform/")]) == 6
    assert job["volumes"] == [{"containerPath": "/target", "volumeName": "obs-grafana-provisioning", "readOnly": False}]


def test_the_provisioning_job_reloads_grafana_after_grafana_and_its_admin_password_sync(program):
    job = program.named("observability-grafana-provisioning-container")
    kinds = ("datasources", "dashboards", "alerting")
    assert [u for u in job.inputs["command"] if u.startswith("http://")] == [
        f"http://grafana:3000/api/admin/provisioning/{kind}/reload" for kind in kinds]
    waits_for = {urn.rsplit("::", 1)[-1] for urn in job.dependencies}
    assert {"observability-grafana-container", "observability-grafana-admin-sync-container"} <= waits_for


def test_bind_mounts_are_mounts_that_fail_on_a_missing_source(program):
    for name, container in program.containers().items():
        assert all("hostPath" not in v for v in container.inputs.get("volumes", [])), name
        assert all(m["type"] == "bind" and m["source"].startswith("/") for m in container.inputs.get("mounts", []))


def test_the_read_only_role_job_runs_before_grafana_and_alloy(program):
    for consumer in ("observability-grafana-container", "observability-alloy-container"):
        if consumer == "observability-alloy-container" and "postgres.alloy" not in json.dumps(
                program.named(consumer).inputs.get("uploads", [])):
            continue  # Alloy only logs in to Postgres with its exporter on
        waits_for = {urn.rsplit("::", 1)[-1] for urn in program.named(consumer).dependencies}
        assert "observability-postgres-readonly-container" in waits_for, consumer


def _container_inputs(program: Program) -> dict[str, str]:
    return {name: json.dumps(r.inputs, sort_keys=True) for name, r in program.containers().items()}


def test_two_identical_runs_declare_identical_resources():
    first, second = run_program("local"), run_program("local")
    assert sorted((r.typ, r.name, json.dumps(r.inputs, sort_keys=True)) for r in first.resources) == sorted(
        (r.typ, r.name, json.dumps(r.inputs, sort_keys=True)) for r in second.resources)


def test_a_loki_setting_changes_only_the_loki_container_and_re_runs_the_provisioning_job():
    # The Stack Health dashboard shows the retention: before, that replaced Grafana too.
    before, after = _container_inputs(run_program("local")), _container_inputs(
        run_program("local", overrides={"lokiRetentionDays": 14}))
    assert {name for name in before if before[name] != after[name]} == {"obs-loki", PROVISIONING_JOB}


def test_an_alert_threshold_re_runs_only_the_provisioning_job():
    before, after = _container_inputs(run_program("local")), _container_inputs(
        run_program("local", overrides={"alertDiskUsagePercent": 70}))
    assert {name for name in before if before[name] != after[name]} == {PROVISIONING_JOB}


def _grafana_with_reloadable(content) -> tuple:
    reload = Reload("/etc/grafana/provisioning", ("http://grafana:3000/api/admin/provisioning/dashboards/reload",),
                    "admin", Ref(GRAFANA_ADMIN_PASSWORD))
    return (ContainerSpec("grafana", "obs-grafana", images.GRAFANA, reload=reload,
                          files=(File("/etc/grafana/provisioning/x.yaml", content, reloadable=True),)),)


def test_a_reloadable_file_holding_a_secret_is_refused():
    with pytest.raises(AssertionError, match="must not hold secrets.*x.yaml"):
        deliverable(_grafana_with_reloadable(Ref(SMTP_PASSWORD, template="password: {}")))


def test_a_reloadable_file_with_a_non_secret_generated_value_is_delivered():
    service, job = deliverable(_grafana_with_reloadable(Ref("vault_uri", secret=False)))
    assert (service.service, job.service) == ("grafana", "grafana-provisioning")

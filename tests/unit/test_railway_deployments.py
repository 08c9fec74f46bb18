"""Deployments against a fake API: polled with backoff to SUCCESS, failing at once on a final or
waiting-on-a-person state, and a one-shot job followed until its container has exited."""

from __future__ import annotations

import pytest

from components.targets.railway import providers as p
from components.targets.railway.client import RailwayError
from tests.unit.railway_fake import FakeRailway, wire

PROJECT, ENV, SERVICE = "proj-1", "env-1", "svc-1"


def _deploy_fake(*statuses: str) -> FakeRailway:
    return FakeRailway({"ServiceInstanceDeployV2": {"serviceInstanceDeployV2": "dep-1"},
                        "Deployment": [{"deployment": {"id": "dep-1", "status": s}} for s in statuses]})


DEPLOY_PROPS = {"service_id": SERVICE, "environment_id": ENV, "service_name": "loki", "revision": "r1"}


def test_a_deployment_is_polled_with_growing_waits_until_success():
    fake = _deploy_fake("QUEUED", "BUILDING", "DEPLOYING", "DEPLOYING", "SUCCESS")
    result = wire(p.DeploymentProvider(), fake).create(dict(DEPLOY_PROPS))
    assert result.outs["deployment_id"] == "dep-1"
    assert fake.operations().count("ServiceInstanceDeployV2") == 1
    assert fake.slept == [3.0, 6.0, 12.0, 24.0]


@pytest.mark.parametrize("status", ["FAILED", "CRASHED"])
def test_a_failed_deployment_fails_the_resource_naming_the_status(status):
    fake = _deploy_fake("DEPLOYING", status)
    with pytest.raises(RailwayError, match=f"loki ended {status}"):
        wire(p.DeploymentProvider(), fake).create(dict(DEPLOY_PROPS))


@pytest.mark.parametrize(("status", "advice"), [("NEEDS_APPROVAL", "must approve it in the dashboard"),
                                                ("SLEEPING", "Turn it off in the service's settings")])
def test_a_deployment_waiting_on_a_person_fails_at_once_saying_what_to_do(status, advice):
    fake = _deploy_fake(status)
    with pytest.raises(RailwayError, match=f"{status}.*{advice}"):
        wire(p.DeploymentProvider(), fake).create(dict(DEPLOY_PROPS))
    assert fake.operations() == ["ServiceInstanceDeployV2", "Deployment"] and fake.slept == []


def _job_fake(*instance_states: str) -> FakeRailway:
    return FakeRailway({"ServiceInstanceDeployV2": {"serviceInstanceDeployV2": "dep-1"}, "Deployment": [
        {"deployment": {"id": "dep-1", "status": "SUCCESS", "instances": [{"id": "i-1", "status": state}]}}
        for state in instance_states]})


JOB_PROPS = {**DEPLOY_PROPS, "service_name": "postgres-readonly", "run_to_completion": True}


def test_a_one_shot_job_is_polled_past_success_until_its_container_exits():
    fake = _job_fake("RUNNING", "RUNNING", "EXITED")
    assert wire(p.DeploymentProvider(), fake).create(dict(JOB_PROPS)).id == "dep-1"
    assert fake.operations().count("Deployment") == 3


def test_a_one_shot_job_that_exits_with_an_error_fails_the_resource():
    fake = _job_fake("RUNNING", "CRASHED")
    with pytest.raises(RailwayError, match="postgres-readonly exited with an error"):
        wire(p.DeploymentProvider(), fake).create(dict(JOB_PROPS))


def test_a_stopped_one_shot_job_without_an_instance_outcome_is_not_taken_for_success():
    fake = FakeRailway({"ServiceInstanceDeployV2": {"serviceInstanceDeployV2": "dep-1"}, "Deployment": {
        "deployment": {"id": "dep-1", "status": "SUCCESS", "deploymentStopped": True, "instances": []}}})
    with pytest.raises(RailwayError, match="stopped but Railway reports no instance outcome"):
        wire(p.DeploymentProvider(), fake).create(dict(JOB_PROPS))


def test_a_one_shot_job_still_running_at_the_deadline_times_out():
    fake = _job_fake("RUNNING")
    with pytest.raises(RailwayError, match=r"still SUCCESS \(started, not yet exited\) after 60 s"):
        wire(p.DeploymentProvider(), fake).create({**JOB_PROPS, "timeout_seconds": 60})


def test_a_deployment_that_never_settles_times_out():
    fake = _deploy_fake("DEPLOYING")
    with pytest.raises(RailwayError, match="still DEPLOYING after 60 s"):
        wire(p.DeploymentProvider(), fake).create({**DEPLOY_PROPS, "timeout_seconds": 60})

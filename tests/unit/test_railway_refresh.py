"""`pulumi refresh` on Railway: every provider's `read` reports what was changed or deleted by hand, so
the next `pulumi up` (diff) puts it back, and an object deleted by hand leaves the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi.dynamic import ReadResult

from components.targets.railway import providers as p
from tests.unit.railway_fake import FakeRailway, wire
from tests.unit.railway_world import PROVIDERS, RailwayWorld, Stack


def _deployed() -> tuple[RailwayWorld, Stack, dict[str, dict[str, Any]]]:
    world = RailwayWorld()
    stack = Stack(world)
    stack.up()
    return world, stack, dict(stack.declared())


def test_refresh_after_nothing_changed_reports_no_change():
    world, stack, declared = _deployed()
    stack.refresh()
    assert list(stack.state) == list(PROVIDERS)
    for name, inputs in declared.items():
        assert stack.provider(name).diff(stack.id(name), stack.outs(name), inputs).changes is False, name


def _rename_project(world, stack):
    world.projects[stack.id("project")]["name"] = "renamed"


def _rename_environment(world, stack):
    world.environments[stack.id("environment")]["name"] = "renamed"


def _rename_service(world, stack):
    world.services[stack.id("service")]["name"] = "renamed"


def _rename_volume(world, stack):
    world.volumes[stack.id("volume")]["name"] = "renamed"


def _detach_volume(world, stack):
    world.volumes[stack.id("volume")]["instances"] = []


def _change_variable(world, stack):
    world.variables[(stack.id("environment"), stack.id("service"))]["PORT"] = "3001"


def _delete_variable(world, stack):
    del world.variables[(stack.id("environment"), stack.id("service"))]["GF_SECRET"]


def _change_image(world, stack):
    world.instances[(stack.id("service"), stack.id("environment"))]["source"] = {"image": "grafana/grafana:latest"}


def _retarget_domain(world, stack):
    world.domains[stack.id("domain")]["targetPort"] = 8080


def _remove_deployment(world, stack):
    world.deployments[stack.id("deploy")] = "REMOVED"  # redeployed or removed in the dashboard


@pytest.mark.parametrize(("resource", "change", "seen"), [
    ("project", _rename_project, ("name", "renamed")),
    ("environment", _rename_environment, ("name", "renamed")),
    ("service", _rename_service, ("name", "renamed")),
    ("volume", _rename_volume, ("name", "renamed")),
    ("volume", _detach_volume, ("mount_path", None)),
    ("variables", _change_variable, ("variables", {"PORT": "3001", "GF_SECRET": "s3cret"})),
    ("variables", _delete_variable, ("variables", {"PORT": "3000"})),
    ("instance", _change_image, ("image", "grafana/grafana:latest")),
    ("domain", _retarget_domain, ("target_port", 8080)),
    ("deploy", _remove_deployment, ("status", "REMOVED")),
])
def test_refresh_sees_a_change_made_by_hand_and_the_next_up_puts_it_back(resource, change, seen):
    world, stack, declared = _deployed()
    change(world, stack)
    stack.refresh()
    key, value = seen
    assert stack.outs(resource)[key] == value
    assert stack.provider(resource).diff(stack.id(resource), stack.outs(resource), declared[resource]).changes


def _delete(table: str, resource: str) -> Callable[[RailwayWorld, Stack], None]:
    return lambda world, stack: getattr(world, table).pop(stack.id(resource))


@pytest.mark.parametrize(("resource", "table"), [
    ("project", "projects"), ("environment", "environments"), ("service", "services"), ("volume", "volumes"),
    ("domain", "domains"), ("deploy", "deployments")])
def test_refresh_drops_an_object_deleted_by_hand_from_the_state(resource, table):
    world, stack, _ = _deployed()
    _delete(table, resource)(world, stack)
    stack.refresh()
    assert resource not in stack.state


def test_a_service_deleted_by_hand_takes_its_variables_and_settings_out_of_the_state():
    world, stack, _ = _deployed()
    world.on_ServiceDelete({"id": stack.id("service")})
    stack.refresh()
    assert not {"service", "variables", "instance"} & set(stack.state)


def test_read_keeps_the_variables_keys_the_stack_declared_only():
    fake = FakeRailway({"Variables": {"variables": {"A": "1", "HAND_MADE": "x",
                                                    "OBSERVABILITY_MANAGED_BY": "pulumi:observability/railway"}}})
    props = {"project_id": "p", "environment_id": "e", "service_id": "s", "variables": {"A": "1", "B": "2"}}
    result = wire(p.VariablesProvider(), fake).read("s/e/variables", props)
    assert isinstance(result, ReadResult) and result.outs["variables"] == {"A": "1"}


def test_a_read_that_cannot_reach_railway_fails_instead_of_dropping_the_object():
    world, stack, _ = _deployed()
    world.down = True
    with pytest.raises(Exception, match="Service: no answer"):
        stack.provider("service").read(stack.id("service"), stack.outs("service"))


def test_a_finished_one_shot_job_is_not_redeployed_because_refresh_saw_it_stopped():
    olds = {"service_id": "s", "environment_id": "e", "service_name": "postgres-readonly", "revision": "r",
            "run_to_completion": True, "deployment_id": "d", "status": "REMOVED"}
    news = {k: v for k, v in olds.items() if k not in ("deployment_id", "status")}
    assert p.DeploymentProvider().diff("d", olds, news).changes is False

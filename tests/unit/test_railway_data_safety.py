"""What the providers never do to the user's data: report a change for outputs they recorded, replace
(delete) a created project, environment or volume, or delete anything they adopted."""

from __future__ import annotations

import pytest

from components.targets.railway import providers as p
from components.targets.railway.client import RailwayError
from tests.unit.railway_fake import FakeRailway, wire

PROJECT, ENV, SERVICE = "proj-1", "env-1", "svc-1"


@pytest.mark.parametrize(("provider", "inputs", "stored"), [
    (p.ProjectProvider, {"name": "o", "workspace_id": "ws", "description": "d"}, True),
    (p.EnvironmentProvider, {"project_id": PROJECT, "name": "production"}, False),
    (p.ServiceDomainProvider, {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE,
                               "target_port": 3000, "domain": None}, True),
])
def test_unchanged_inputs_are_no_change_whatever_the_provider_recorded(provider, inputs, stored):
    news = {**inputs, "adopted": None}  # what the program declares: outputs are unknown to it
    olds = {**inputs, "adopted": stored, "domain": "g.up.railway.app"}
    assert provider().diff("x", olds, news).changes is False


def test_moving_a_created_project_to_another_workspace_is_refused_naming_the_setting():
    old = {"name": "o", "workspace_id": "ws-1", "adopted": False}
    with pytest.raises(RailwayError, match="refusing to replace project p-1 .*workspace_id 'ws-1' → 'ws-2'.*data"):
        p.ProjectProvider().diff("p-1", old, {**old, "workspace_id": "ws-2", "adopted": None})


def test_an_adopted_project_may_follow_a_workspace_change_since_it_is_never_deleted():
    old = {"name": "o", "workspace_id": "ws-1", "adopted": True}
    assert p.ProjectProvider().diff("p-1", old, {**old, "workspace_id": "ws-2"}).replaces == ["workspace_id"]


def test_moving_a_created_environment_to_another_project_is_refused():
    old = {"project_id": "p-1", "name": "production", "adopted": False}
    with pytest.raises(RailwayError, match="refusing to replace environment e-1 .*project_id"):
        p.EnvironmentProvider().diff("e-1", old, {**old, "project_id": "p-2"})


def test_moving_a_created_volume_to_another_environment_is_refused():
    old = {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE, "name": "loki-data",
           "mount_path": "/loki", "adopted": False}
    with pytest.raises(RailwayError, match="refusing to replace volume vol-1 .*environment_id"):
        p.VolumeProvider().diff("vol-1", old, {**old, "environment_id": "env-2"})


def test_a_renamed_volume_is_renamed_in_place_keeping_its_data():
    fake = FakeRailway({"VolumeUpdate": {"volumeUpdate": {"id": "vol-1", "name": "new"}},
                        "VolumeInstanceUpdate": {"volumeInstanceUpdate": True}})
    old = {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE, "name": "old", "mount_path": "/d"}
    new = {**old, "name": "new"}
    assert p.VolumeProvider().diff("vol-1", old, new).replaces == []
    wire(p.VolumeProvider(), fake).update("vol-1", old, new)
    assert fake.variables_of("VolumeUpdate") == [{"volumeId": "vol-1", "input": {"name": "new"}}]


@pytest.mark.parametrize(("provider", "operation"), [
    (p.ServiceProvider, "ServiceDelete"), (p.VolumeProvider, "VolumeDelete"),
    (p.ServiceDomainProvider, "ServiceDomainDelete"), (p.EnvironmentProvider, "EnvironmentDelete")])
def test_an_adopted_object_is_never_deleted(provider, operation):
    fake = FakeRailway()
    wire(provider(), fake).delete("x", {"adopted": True, "project_id": PROJECT})
    assert operation not in fake.operations() and fake.operations() == []

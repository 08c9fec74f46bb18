"""One service's whole life against a stateful fake Railway, in the order `pulumi up` runs the providers:
project → environment → service (no source) → volume → variables with skipDeploys → instance settings →
domain → one deploy; a second `up` that lost its state finds the stack's own objects by their stamp (no
duplicates, still deleted by `destroy`); objects that were there before are adopted and left alone."""

from __future__ import annotations

from components.targets.railway.ownership import MARKER
from tests.unit.railway_world import RailwayWorld, Stack


def test_first_up_configures_everything_before_the_single_deploy():
    world = RailwayWorld()
    Stack(world).up()
    operations = world.operations()
    deploy_at = operations.index("ServiceInstanceDeployV2")
    assert operations.count("ServiceInstanceDeployV2") == 1
    for configured in ("ServiceCreate", "VolumeCreate", "VariableCollectionUpsert", "ServiceInstanceUpdate",
                       "ServiceDomainCreate"):
        assert operations.index(configured) < deploy_at, configured
    upserts = world.variables_of("VariableCollectionUpsert")
    assert upserts and all(v["input"]["skipDeploys"] for v in upserts)
    assert [s["name"] for s in world.services.values()] == ["grafana"]
    assert [v["name"] for v in world.volumes.values()] == ["obs-grafana-data"]


def test_a_second_up_after_lost_state_finds_the_stacks_own_objects_instead_of_duplicating():
    world = RailwayWorld()
    first, second = Stack(world), Stack(world)
    first.up()
    second.up()
    for name in ("project", "environment", "service", "volume", "domain"):
        assert second.id(name) == first.id(name), name
        assert second.outs(name)["adopted"] is False, name
    assert (len(world.projects), len(world.services), len(world.volumes), len(world.domains)) == (1, 1, 1, 1)


def test_destroy_removes_what_the_stack_made():
    world = RailwayWorld()
    stack = Stack(world)
    stack.up()
    stack.destroy()
    assert (world.projects, world.environments, world.services, world.volumes, world.domains) == ({}, {}, {}, {}, {})


def test_destroy_after_adopting_leaves_every_adopted_object_and_its_data():
    world = RailwayWorld()
    theirs = Stack(world)
    theirs.up()  # someone else's objects with the same names, made without this stack's stamp:
    for project in world.projects.values():
        project["description"] = "the platform's project"
    world.variables = {key: {k: v for k, v in values.items() if k != MARKER} for key, values in world.variables.items()}
    ours = Stack(world)
    ours.up()
    assert all(ours.outs(name)["adopted"] for name in ("project", "environment", "service", "volume", "domain"))
    ours.destroy()
    assert [s["name"] for s in world.services.values()] == ["grafana"] and len(world.projects) == 1
    assert [v["name"] for v in world.volumes.values()] == ["obs-grafana-data"] and len(world.domains) == 1
    assert world.variables[(theirs.id("environment"), theirs.id("service"))] == {"PORT": "3000",
                                                                                 "GF_SECRET": "s3cret"}

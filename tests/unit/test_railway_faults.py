"""The Railway providers under faults injected into the fake API (schema-checked) or a real loopback HTTP
server behind urllib: lost answers after Railway acted, resets, 5xx, a rename that fails half-way. No test
sleeps: the client's sleep and clock are the fake's."""

from __future__ import annotations

import email.utils
import json

import pytest

from components.targets.railway import operations as ops
from components.targets.railway.client import MAX_RETRIES, RailwayClient, RailwayError, Response, TransportError
from tests.unit.railway_fake import FakeRailway, graphql_error
from tests.unit.railway_world import RailwayWorld, Stack

GATEWAY_TIMEOUT = Response(504, {"content-type": "text/html"}, b"<html>504 Gateway Time-out</html>")


def _names(table: dict) -> list[str]:
    return sorted(item["name"] for item in table.values())


# 1. volumes: never a second one, never an orphan


def test_a_volume_whose_create_answer_was_lost_is_found_by_service_and_mount_path_not_made_twice():
    world = RailwayWorld()
    world.inject("VolumeCreate", GATEWAY_TIMEOUT, after=True)
    stack = Stack(world)
    stack.up()
    assert _names(world.volumes) == ["obs-grafana-data"] and stack.outs("volume")["adopted"] is False
    stack.destroy()
    assert world.volumes == {}


def test_a_volume_whose_rename_failed_is_resumed_by_the_next_up_and_removed_by_destroy():
    world = RailwayWorld()
    world.inject("VolumeUpdate", graphql_error("Internal server error"))
    stack = Stack(world)
    with pytest.raises(RailwayError, match="VolumeUpdate: Internal server error"):
        stack.up()
    assert "volume" not in stack.state and _names(world.volumes) == ["generated-vol-4"]  # made, in no state
    stack.up()
    assert _names(world.volumes) == ["obs-grafana-data"] and world.operations().count("VolumeCreate") == 1
    stack.destroy()
    assert world.volumes == {}


def test_a_lost_volume_create_with_the_network_down_is_found_by_the_next_up():
    world = RailwayWorld()
    world.inject("VolumeCreate", TimeoutError("timed out"), after=True, cut=True)
    stack = Stack(world)
    with pytest.raises(RailwayError, match="VolumeCreate"):
        stack.up()
    world.down = False
    stack.up()
    assert len(world.volumes) == 1 and stack.outs("volume")["adopted"] is False
    stack.destroy()
    assert world.volumes == {}


# 2. a create whose answer was lost is the stack's own, not "adopted"


@pytest.mark.parametrize(("operation", "resource", "table"), [
    ("ProjectCreate", "project", "projects"), ("ServiceCreate", "service", "services"),
    ("ServiceDomainCreate", "domain", "domains")])
def test_a_lost_create_found_by_the_next_up_is_the_stacks_own_and_destroy_removes_it(operation, resource, table):
    world = RailwayWorld()
    world.inject(operation, GATEWAY_TIMEOUT, after=True, cut=True)  # made; the answer and the network lost
    stack = Stack(world)
    with pytest.raises(RailwayError, match=operation):
        stack.up()
    assert resource not in stack.state and len(getattr(world, table)) == 1
    world.down = False
    stack.up()
    assert stack.outs(resource)["adopted"] is False and len(getattr(world, table)) == 1
    stack.destroy()
    assert getattr(world, table) == {} and world.services == {}
    assert not [key for key, values in world.variables.items() if key[1] and values]  # no secret variable left


def test_a_lost_environment_create_is_found_in_the_same_call_stamped_and_removed_by_destroy():
    world = RailwayWorld()
    world.inject("EnvironmentCreate", ConnectionResetError(104, "Connection reset by peer"), after=True)
    stack = Stack(world)
    stack.up()
    assert stack.outs("environment")["adopted"] is False and len(world.environments) == 1
    assert world.variables[(stack.id("environment"), None)] == {"OBSERVABILITY_MANAGED_BY":
                                                                "pulumi:observability/railway"}
    second = Stack(world)  # a later `up` that lost its state still knows it as the stack's own
    second.up()
    assert second.outs("environment")["adopted"] is False


def test_a_service_of_another_stack_of_the_program_is_adopted_not_claimed():
    world = RailwayWorld()
    Stack(world).up()
    for values in world.variables.values():
        if "OBSERVABILITY_MANAGED_BY" in values:
            values["OBSERVABILITY_MANAGED_BY"] = "pulumi:observability/railway-staging"
    stack = Stack(world)
    stack.up()
    assert stack.outs("service")["adopted"] is True and stack.outs("volume")["adopted"] is True


# 3. transient network errors


def _client(fake: FakeRailway) -> RailwayClient:
    return RailwayClient("rw-token", fake, fake.sleep, fake.clock)


DEPLOYMENT = {"deployment": {"id": "d", "status": "SUCCESS"}}


def test_a_reset_on_a_read_is_retried_with_exponential_backoff():
    fake = FakeRailway({"Deployment": DEPLOYMENT})
    fake.inject("Deployment", ConnectionResetError(104, "Connection reset by peer"), times=3)
    assert _client(fake).execute(ops.DEPLOYMENT, {"id": "d"}) == DEPLOYMENT
    assert fake.slept == [1.0, 2.0, 4.0] and fake.operations().count("Deployment") == 4


def test_a_deploy_survives_a_timed_out_poll_and_is_started_once():
    world = RailwayWorld()
    world.inject("Deployment", TimeoutError("timed out"), times=2)
    stack = Stack(world)
    stack.up()
    assert stack.outs("deploy")["status"] == "SUCCESS"
    assert world.operations().count("ServiceInstanceDeployV2") == 1


def test_a_mutation_that_is_not_idempotent_is_never_sent_twice():
    fake = FakeRailway({"ServiceInstanceDeployV2": {"serviceInstanceDeployV2": "d"}})
    fake.inject("ServiceInstanceDeployV2", ConnectionResetError(104, "Connection reset by peer"))
    with pytest.raises(TransportError, match=r"ServiceInstanceDeployV2: no answer .*not sent again.*pulumi up"):
        _client(fake).execute(ops.DEPLOY, {"serviceId": "s", "environmentId": "e"})
    assert fake.operations() == ["ServiceInstanceDeployV2"] and fake.slept == []


def test_a_mutation_that_sets_state_is_retried_after_a_gateway_timeout():
    fake = FakeRailway({"VariableCollectionUpsert": {"variableCollectionUpsert": True}})
    fake.inject("VariableCollectionUpsert", GATEWAY_TIMEOUT, after=True)
    _client(fake).execute(ops.VARIABLES_UPSERT, {"input": {"projectId": "p", "environmentId": "e",
                                                           "variables": {"A": "1"}}})
    assert fake.operations().count("VariableCollectionUpsert") == 2


def test_retries_are_bounded_and_nothing_sleeps_after_the_last_try():
    fake = FakeRailway({"Services": {}})
    fake.inject("Services", ConnectionResetError(104, "Connection reset by peer"), times=99)
    with pytest.raises(RailwayError, match=r"Services: no answer .* after 6 tries .*run `pulumi up` again"):
        _client(fake).execute(ops.SERVICES, {"projectId": "p"})
    assert fake.operations().count("Services") == MAX_RETRIES + 1
    assert fake.slept == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_retry_after_in_seconds_is_honoured():
    fake = FakeRailway({"Deployment": DEPLOYMENT})
    fake.inject("Deployment", Response(503, {"retry-after": "17"}, b""))
    _client(fake).execute(ops.DEPLOYMENT, {"id": "d"})
    assert fake.slept == [17.0]


def test_retry_after_as_an_http_date_is_honoured():
    fake = FakeRailway({"Deployment": DEPLOYMENT})
    fake.inject("Deployment", Response(429, {"retry-after": email.utils.formatdate(fake.now + 42, usegmt=True)}, b""))
    _client(fake).execute(ops.DEPLOYMENT, {"id": "d"})
    assert fake.slept == [42.0]


@pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b"[]", b'"ok"', b""])
def test_a_200_whose_body_is_not_a_graphql_object_is_a_clear_error(body):
    fake = FakeRailway({"Deployment": Response(200, {"content-type": "text/html"}, body)})
    with pytest.raises(RailwayError, match="Deployment: HTTP 200 with a body that is not a GraphQL response"):
        _client(fake).execute(ops.DEPLOYMENT, {"id": "d"})


@pytest.mark.parametrize("secret", ['pa"ss\\word-1', "line\nbreak-2", "pässwörd-3"])
def test_redaction_masks_a_secret_in_its_json_escaped_form(secret):
    escaped = json.dumps(secret)[1:-1]
    fake = FakeRailway({"VariableCollectionUpsert": graphql_error(f"value {escaped} is not allowed")})
    with pytest.raises(RailwayError) as caught:
        _client(fake).execute(ops.VARIABLES_UPSERT, {"input": {"projectId": "p", "environmentId": "e",
                                                               "variables": {"GF_PASSWORD": secret}}})
    assert escaped not in str(caught.value) and secret not in str(caught.value)
    assert "[redacted]" in str(caught.value)


def test_a_rate_limit_without_retry_after_waits_ten_seconds_not_the_short_backoff():
    fake = FakeRailway({"Deployment": DEPLOYMENT})
    fake.inject("Deployment", Response(429, {}, b""))
    _client(fake).execute(ops.DEPLOYMENT, {"id": "d"})
    assert fake.slept == [10.0]

"""The Railway client and providers against a fake API: create with the stack's stamp or adopt, variables
with skipDeploys, GraphQL errors on HTTP 200 (with no variable value in them), rate limits, delete.
Deployments: test_railway_deployments.py; what is never replaced or deleted: test_railway_data_safety.py;
faults: test_railway_faults.py; refresh: test_railway_refresh.py."""

from __future__ import annotations

import json

import pytest

from components.targets.railway import providers as p
from components.targets.railway.client import RailwayClient, RailwayError, Response
from tests.unit.railway_fake import FakeRailway, edges, wire

PROJECT, ENV, SERVICE = "proj-1", "env-1", "svc-1"


OWNER = "observability/railway"
SERVICE_PROPS = {"project_id": PROJECT, "environment_id": ENV, "name": "loki", "owner": OWNER}
PROJECT_PROPS = {"workspace_id": "ws", "owner": OWNER, "description": "ADR-031 observability stack"}


def test_a_service_with_the_same_name_is_adopted_not_created_again():
    fake = FakeRailway({"Services": {"project": {"services": edges({"id": "svc-old", "name": "loki"})}},
                        "Variables": {"variables": {"PORT": "3100"}}})
    result = wire(p.ServiceProvider(), fake).create(dict(SERVICE_PROPS))
    assert result.id == "svc-old" and result.outs["adopted"] is True
    assert fake.operations() == ["Services", "Variables"]


def test_a_missing_service_is_created_without_a_source_and_with_the_stacks_stamp():
    fake = FakeRailway({"Services": {"project": {"services": edges({"id": "x", "name": "tempo"})}},
                        "ServiceCreate": {"serviceCreate": {"id": "svc-new", "name": "loki"}}})
    result = wire(p.ServiceProvider(), fake).create(dict(SERVICE_PROPS))
    assert result.id == "svc-new" and result.outs["adopted"] is False
    assert fake.variables_of("ServiceCreate") == [{"input": {
        "projectId": PROJECT, "environmentId": ENV, "name": "loki",
        "variables": {"OBSERVABILITY_MANAGED_BY": "pulumi:observability/railway"}}}]


def test_an_existing_project_is_adopted_and_left_alone_on_delete():
    fake = FakeRailway({"Projects": {"projects": edges({"id": "p-9", "name": "observability",
                                                        "description": "the platform"})}})
    provider = wire(p.ProjectProvider(), fake)
    result = provider.create({**PROJECT_PROPS, "name": "observability"})
    assert result.id == "p-9" and result.outs["adopted"] is True
    provider.delete("p-9", result.outs)
    assert "ProjectDelete" not in fake.operations()


def test_a_created_project_is_deleted_with_the_stack():
    fake = FakeRailway({"Projects": {"projects": edges()},
                        "ProjectCreate": {"projectCreate": {"id": "p-1", "name": "o"}},
                        "ProjectDelete": {"projectDelete": True}})
    provider = wire(p.ProjectProvider(), fake)
    result = provider.create({**PROJECT_PROPS, "name": "o", "workspace_id": "ws-1"})
    assert fake.variables_of("ProjectCreate")[0]["input"] == {
        "name": "o", "workspaceId": "ws-1",
        "description": "ADR-031 observability stack [pulumi:observability/railway]"}
    provider.delete(result.id, result.outs)
    assert fake.variables_of("ProjectDelete") == [{"id": "p-1"}]


def test_an_environment_is_adopted_by_name():
    fake = FakeRailway({"Environments": {"environments": edges({"id": "e-prod", "name": "production"})},
                        "Variables": {"variables": {}}})
    result = wire(p.EnvironmentProvider(), fake).create({"project_id": PROJECT, "name": "production",
                                                         "owner": OWNER})
    assert result.id == "e-prod" and result.outs["adopted"] is True


def test_a_missing_environment_is_created_without_initial_deploys_then_stamped():
    fake = FakeRailway({"Environments": {"environments": edges({"id": "e-prod", "name": "production"})},
                        "EnvironmentCreate": {"environmentCreate": {"id": "e-stg", "name": "staging"}},
                        "VariableCollectionUpsert": {"variableCollectionUpsert": True}})
    result = wire(p.EnvironmentProvider(), fake).create({"project_id": PROJECT, "name": "staging", "owner": OWNER})
    assert result.id == "e-stg" and result.outs["adopted"] is False
    assert fake.variables_of("EnvironmentCreate") == [
        {"input": {"projectId": PROJECT, "name": "staging", "skipInitialDeploys": True}}]
    assert fake.variables_of("VariableCollectionUpsert") == [{"input": {
        "projectId": PROJECT, "environmentId": "e-stg", "replace": False, "skipDeploys": True,
        "variables": {"OBSERVABILITY_MANAGED_BY": "pulumi:observability/railway"}}}]


def test_removed_variables_go_in_one_replacing_upsert_without_a_deploy():
    fake = FakeRailway({"VariableCollectionUpsert": {"variableCollectionUpsert": True}})
    provider = wire(p.VariablesProvider(), fake)
    base = {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE}
    provider.update("v", {**base, "variables": {"A": "1", "OLD": "x"}}, {**base, "variables": {"A": "2"}})
    assert fake.operations() == ["VariableCollectionUpsert"]
    upsert = fake.variables_of("VariableCollectionUpsert")[0]["input"]
    assert upsert["skipDeploys"] is True and upsert["replace"] is True and upsert["variables"] == {"A": "2"}


def test_changed_variables_without_removals_are_merged_not_replaced():
    fake = FakeRailway({"VariableCollectionUpsert": {"variableCollectionUpsert": True}})
    base = {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE}
    wire(p.VariablesProvider(), fake).update("v", {**base, "variables": {"A": "1"}},
                                             {**base, "variables": {"A": "2", "B": "3"}})
    upsert = fake.variables_of("VariableCollectionUpsert")[0]["input"]
    assert upsert["replace"] is False and upsert["skipDeploys"] is True


def test_deleting_the_variables_is_one_call_without_a_deploy():
    fake = FakeRailway({"VariableCollectionUpsert": {"variableCollectionUpsert": True}})
    base = {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE}
    wire(p.VariablesProvider(), fake).delete("v", {**base, "variables": {"A": "1", "B": "2"}})
    assert fake.variables_of("VariableCollectionUpsert") == [{"input": {
        **{"projectId": PROJECT, "environmentId": ENV, "serviceId": SERVICE},
        "variables": {}, "replace": True, "skipDeploys": True}}]


def test_graphql_errors_on_http_200_are_an_error():
    body = json.dumps({"data": None, "errors": [{"message": "Service name already exists"}]}).encode()
    fake = FakeRailway({"ServiceDelete": Response(200, {}, body)})
    with pytest.raises(RailwayError, match="ServiceDelete: Service name already exists"):
        wire(p.ServiceProvider(), fake).delete(SERVICE, {})


SECRET = "s3cret-admin-password"
ECHOES = [  # graphql-js style, then graphql-core style with the value quoted again in the reason
    'Variable "$input" got invalid value { projectId: "p", variables: { GF_SECURITY_ADMIN_PASSWORD: '
    f'"{SECRET}" }}, tags: [] }}; Field "tags" is not defined by type "VariableCollectionUpsertInput".',
    f"Variable '$input' got invalid value '{SECRET}' at 'input.skipDeploys'; "
    f"Boolean cannot represent a non boolean value: '{SECRET}'",
]


@pytest.mark.parametrize("message", ECHOES)
def test_an_error_that_echoes_the_input_never_carries_a_variable_value(message):
    body = json.dumps({"data": None, "errors": [{"message": message}]}).encode()
    fake = FakeRailway({"VariableCollectionUpsert": Response(200, {}, body)})
    with pytest.raises(RailwayError) as caught:
        wire(p.VariablesProvider(), fake).create({"project_id": PROJECT, "environment_id": ENV,
                                                 "service_id": SERVICE,
                                                 "variables": {"GF_SECURITY_ADMIN_PASSWORD": SECRET}})
    assert SECRET not in str(caught.value) and "got an invalid value (not shown" in str(caught.value)


def test_a_redacted_echo_keeps_the_field_and_type_it_names():
    from components.targets.railway.client import redact

    message = redact(ECHOES[0], {"input": {"variables": {"A": SECRET}}})
    assert message.endswith('; Field "tags" is not defined by type "VariableCollectionUpsertInput"')


def test_a_rate_limited_request_waits_for_retry_after_and_is_retried():
    limited = Response(429, {"retry-after": "7"}, b"")
    fake = FakeRailway({"ServiceDelete": [limited, {"serviceDelete": True}]})
    wire(p.ServiceProvider(), fake).delete(SERVICE, {})
    assert fake.operations() == ["ServiceDelete", "ServiceDelete"] and fake.slept == [7.0]


def test_an_exhausted_budget_waits_until_the_reset_before_the_next_request():
    fake = FakeRailway()
    fake.answers["ServiceDelete"] = Response(200, {"x-ratelimit-remaining": "0",
                                                   "x-ratelimit-reset": str(fake.now + 42)},
                                             json.dumps({"data": {"serviceDelete": True}}).encode())
    client = RailwayClient("t", fake, fake.sleep, fake.clock)
    client.execute("mutation ServiceDelete($id: String!) { serviceDelete(id: $id) }", {"id": "a"})
    client.execute("mutation ServiceDelete($id: String!) { serviceDelete(id: $id) }", {"id": "b"})
    assert fake.slept == [42.0]


def test_a_provider_waits_for_the_rate_limit_reset_by_its_own_clock():
    fake = FakeRailway()
    fake.answers["ServiceDelete"] = Response(200, {"x-ratelimit-remaining": "0",
                                                   "x-ratelimit-reset": str(fake.now + 42)},
                                             json.dumps({"data": {"serviceDelete": True}}).encode())
    provider = wire(p.ServiceProvider(), fake)
    client = provider.client()
    client.execute("mutation ServiceDelete($id: String!) { serviceDelete(id: $id) }", {"id": "a"})
    client.execute("mutation ServiceDelete($id: String!) { serviceDelete(id: $id) }", {"id": "b"})
    assert fake.slept == [42.0]


def test_endless_rate_limiting_gives_up_with_a_clear_message():
    fake = FakeRailway({"ServiceDelete": Response(429, {}, b"")})
    with pytest.raises(RailwayError, match="rate limited"):
        wire(p.ServiceProvider(), fake).delete(SERVICE, {})


def test_delete_removes_the_service_volume_and_domain():
    fake = FakeRailway({"ServiceDelete": {"serviceDelete": True}, "VolumeDelete": {"volumeDelete": True},
                        "ServiceDomainDelete": {"serviceDomainDelete": True}})
    wire(p.ServiceProvider(), fake).delete("svc-1", {})
    wire(p.VolumeProvider(), fake).delete("vol-1", {})
    wire(p.ServiceDomainProvider(), fake).delete("dom-1", {})
    assert fake.requests[0][1] == {"id": "svc-1"} and fake.requests[1][1] == {"volumeId": "vol-1"}
    assert fake.requests[2][1] == {"id": "dom-1"}


def test_a_volume_is_created_attached_and_named_or_adopted_by_name():
    fake = FakeRailway({"Volumes": {"project": {"volumes": edges()}},
                        "VolumeCreate": {"volumeCreate": {"id": "vol-1", "name": "random-name"}},
                        "VolumeUpdate": {"volumeUpdate": {"id": "vol-1", "name": "loki-data"}}})
    props = {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE, "mount_path": "/loki",
             "name": "loki-data"}
    assert wire(p.VolumeProvider(), fake).create(props).id == "vol-1"
    assert fake.variables_of("VolumeCreate")[0]["input"]["mountPath"] == "/loki"
    assert fake.variables_of("VolumeUpdate")[0]["input"] == {"name": "loki-data"}
    adopt = FakeRailway({"Volumes": {"project": {"volumes": edges(
        {"id": "vol-0", "name": "loki-data", "volumeInstances": edges()})}},
                         "VolumeInstanceUpdate": {"volumeInstanceUpdate": True}})
    assert wire(p.VolumeProvider(), adopt).create(props).id == "vol-0"
    assert adopt.operations() == ["Volumes", "VolumeInstanceUpdate"]


def test_the_domain_is_adopted_when_the_service_already_has_one():
    fake = FakeRailway({"Domains": {"domains": {"serviceDomains": [
        {"id": "d-1", "domain": "grafana-x.up.railway.app", "targetPort": 3000}]}}})
    result = wire(p.ServiceDomainProvider(), fake).create(
        {"project_id": PROJECT, "environment_id": ENV, "service_id": SERVICE, "target_port": 3000})
    assert result.outs["domain"] == "grafana-x.up.railway.app" and fake.operations() == ["Domains"]


def test_instance_settings_set_image_health_restart_region_and_memory():
    fake = FakeRailway({"ServiceInstanceUpdate": {"serviceInstanceUpdate": True},
                        "ServiceInstanceLimitsUpdate": {"serviceInstanceLimitsUpdate": True}})
    wire(p.ServiceInstanceProvider(), fake).create({
        "service_id": SERVICE, "environment_id": ENV, "image": "ghcr.io/a/loki@sha256:" + "0" * 64,
        "start_command": None, "healthcheck_path": "/ready", "healthcheck_timeout": 300,
        "restart_policy": "ON_FAILURE", "region": "europe-west4-drams3a", "memory_gb": 0.75})
    settings = fake.variables_of("ServiceInstanceUpdate")[0]
    assert settings["environmentId"] == ENV and settings["input"]["source"]["image"].startswith("ghcr.io/a/loki@")
    assert settings["input"]["healthcheckPath"] == "/ready" and settings["input"]["region"] == "europe-west4-drams3a"
    assert settings["input"]["restartPolicyType"] == "ON_FAILURE" and settings["input"]["numReplicas"] == 1
    assert fake.variables_of("ServiceInstanceLimitsUpdate")[0]["input"]["memoryGB"] == 0.75


def test_the_token_travels_only_in_the_authorization_header():
    fake = FakeRailway({"ServiceDelete": {"serviceDelete": True}})
    wire(p.ServiceProvider(), fake, token="rw-secret-123").delete(SERVICE, {})
    _, variables, headers = fake.requests[0]
    assert headers["Authorization"] == "Bearer rw-secret-123" and "rw-secret-123" not in json.dumps(variables)


def test_without_a_token_the_provider_says_how_to_set_one(monkeypatch):
    monkeypatch.delenv("RAILWAY_TOKEN", raising=False)
    with pytest.raises(RailwayError, match="railwayToken.*RAILWAY_TOKEN"):
        wire(p.ServiceProvider(), FakeRailway(), token="").delete(SERVICE, {})


def test_railway_token_from_the_environment_is_used_when_the_setting_is_empty(monkeypatch):
    monkeypatch.setenv("RAILWAY_TOKEN", "from-env")
    fake = FakeRailway({"ServiceDelete": {"serviceDelete": True}})
    wire(p.ServiceProvider(), fake, token="").delete(SERVICE, {})
    assert fake.requests[0][2]["Authorization"] == "Bearer from-env"


def test_a_changed_image_updates_in_place_and_a_changed_service_replaces():
    provider = p.ServiceInstanceProvider()
    old = {"service_id": "a", "environment_id": ENV, "image": "i1"}
    assert provider.diff("x", old, {**old, "image": "i2"}).replaces == []
    assert provider.diff("x", old, {**old, "service_id": "b"}).replaces == ["service_id"]
    assert provider.diff("x", old, dict(old)).changes is False


@pytest.mark.parametrize(("provider", "operation", "base"), [
    (p.ProjectProvider, "ProjectUpdate", PROJECT_PROPS),
    (p.EnvironmentProvider, "EnvironmentRename", {"project_id": PROJECT, "owner": OWNER}),
    (p.ServiceProvider, "ServiceUpdate", {"project_id": PROJECT}),
])
def test_a_rename_is_an_update_in_place_never_a_replacement(provider, operation, base):
    fake = FakeRailway({operation: {operation[0].lower() + operation[1:]: {"id": "x", "name": "new"}}})
    old, new = {**base, "name": "old"}, {**base, "name": "new"}
    assert provider().diff("x", old, new).replaces == []
    wire(provider(), fake).update("x", old, new)
    assert fake.variables_of(operation) == [{"id": "x", "input": {"name": "new"}}]


def test_deleting_an_object_that_is_already_gone_succeeds():
    body = json.dumps({"data": None, "errors": [{"message": "Service not found"}]}).encode()
    fake = FakeRailway({"ServiceDelete": Response(200, {}, body)})
    wire(p.ServiceProvider(), fake).delete(SERVICE, {})
    assert fake.operations() == ["ServiceDelete"]


def test_a_gateway_error_is_retried_for_a_read_but_not_for_a_create():
    gateway = Response(503, {}, b"")
    fake = FakeRailway({"Deployment": [gateway, {"deployment": {"id": "d", "status": "SUCCESS"}}],
                        "ServiceCreate": gateway})
    client = RailwayClient("t", fake, fake.sleep, fake.clock)
    from components.targets.railway import operations as ops
    assert client.execute(ops.DEPLOYMENT, {"id": "d"})["deployment"]["status"] == "SUCCESS"
    with pytest.raises(RailwayError, match="ServiceCreate: HTTP 503; Railway may or may not have done it"):
        client.execute(ops.SERVICE_CREATE, {"input": {"projectId": "p", "name": "s"}})
    assert fake.operations() == ["Deployment", "Deployment", "ServiceCreate"]


def test_the_token_setting_is_found_even_when_the_provider_process_misnames_the_project():
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    provider = p.ServiceProvider()
    provider.configure(ConfigureRequest(Config({"observability:railwayToken": "tok"}, "project")))
    fake = FakeRailway({"ServiceDelete": {"serviceDelete": True}})
    provider.transport = fake
    provider.delete(SERVICE, {})
    assert fake.requests[0][2]["Authorization"] == "Bearer tok"


@pytest.mark.parametrize("name", ["VolumeProvider", "ServiceDomainProvider", "DeploymentProvider"])
def test_a_provider_pickled_before_it_moved_to_attached_still_loads_from_the_state(name):
    import pickle

    import dill

    from components.targets.railway import attached

    before = pickle.dumps(getattr(attached, name)(), protocol=0).replace(
        b"components.targets.railway.attached", b"components.targets.railway.providers")
    assert b"railway.providers" in before and isinstance(dill.loads(before), getattr(attached, name))

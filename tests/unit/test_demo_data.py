"""The local stack stands alone with demo data; every other stack has none and refuses it."""

from __future__ import annotations

import pytest

from components import constants as c
from components import images
from components.services import demo_telemetry, stack_specs
from components.settings import SettingsError, from_stack_file, parse
from tests.unit.pulumi_harness import run_program

DEMO_POSTGRES = "obs-demo-postgres"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"


@pytest.fixture(scope="module")
def local():
    return run_program("local")


def test_the_standalone_local_stack_looks_up_no_external_network(local):
    assert [i for i in local.invokes if i.token == "docker:index/getNetwork:getNetwork"] == []
    assert sorted(r.inputs["name"] for r in local.of_type("docker:index/network:Network")) == [
        "observability", "observability-docker-api"]


def test_every_local_container_is_on_the_stack_network_only(local):
    networks = {name: [n["name"] for n in r.inputs["networksAdvanced"]] for name, r in local.containers().items()}
    # Besides the stack network, only the Docker API proxy's own (Alloy and the proxy): no platform network.
    expected = {"obs-alloy": ["observability", "observability-docker-api"],
                "obs-docker-api": ["observability-docker-api"]}
    assert networks and all(n == expected.get(name, ["observability"]) for name, n in networks.items()), networks


def test_the_local_stack_reads_its_own_demo_database_not_the_platforms():
    settings = from_stack_file("local")
    assert settings.demo_data and settings.postgres.demo and settings.docker.external_network is None
    assert (settings.postgres.host, settings.postgres.port) == (c.DEMO_POSTGRES, c.POSTGRES_PORT)


def test_grafana_and_the_role_job_point_at_the_demo_database(local):
    containers = local.containers()
    assert f"POSTGRES_HOST={c.DEMO_POSTGRES}" in containers["obs-grafana"].inputs["envs"]
    assert f"PGHOST={c.DEMO_POSTGRES}" in containers["obs-postgres-readonly"].inputs["envs"]


def test_the_role_job_waits_for_the_demo_database():
    specs = {s.service: s for s in stack_specs(from_stack_file("local"))}
    order = list(specs)
    assert specs["postgres-readonly"].depends_on == (c.DEMO_POSTGRES,)
    assert order.index(c.DEMO_POSTGRES) < order.index("postgres-readonly")


def test_the_demo_database_is_private_limited_healthy_and_keeps_its_data(local):
    inputs = local.containers()[DEMO_POSTGRES].inputs
    assert not inputs.get("ports") and inputs["memory"] <= 256 and inputs["wait"] is True
    assert inputs["healthcheck"]["tests"][:2] == ["CMD", "pg_isready"]
    assert {"containerPath": "/var/lib/postgresql/data", "volumeName": "obs-demo-postgres-data",
            "readOnly": False} in inputs["volumes"]
    assert inputs["image"].startswith("sha256:")


def test_the_demo_database_admin_password_is_generated_secret_and_private(local):
    assert "secrets-demo-postgres-admin-password" in {r.name for r in local.of_type(RANDOM_PASSWORD)}
    container = local.containers()[DEMO_POSTGRES]
    index = next(i for i, u in enumerate(container.inputs["uploads"])
                 if u["file"] == "/run/secrets/postgres_admin_password")
    upload = container.inputs["uploads"][index]
    assert f"uploads[{index}].content" in container.secret_paths
    assert (upload["permissions"], upload["owner"]) == ("0400", "70")
    assert upload["content"].startswith("generated-secrets-demo-postgres-admin-password-")


def test_the_demo_database_is_loaded_with_the_schema_then_the_rows(local):
    uploads = [u["file"] for u in local.containers()[DEMO_POSTGRES].inputs["uploads"]]
    scripts = sorted(f for f in uploads if f.startswith("/docker-entrypoint-initdb.d/"))
    assert scripts == ["/docker-entrypoint-initdb.d/01-platform-schema.sql",
                       "/docker-entrypoint-initdb.d/02-demo-rows.sql"]


def test_the_generators_send_otlp_to_alloy_with_the_platform_attributes(local):
    generators = {n: r.inputs for n, r in local.containers().items() if n.startswith("obs-demo-")
                  and n not in (DEMO_POSTGRES, "obs-demo-backend")}
    assert {s.signal for s in demo_telemetry.STREAMS} == {"traces", "metrics", "logs"}
    assert len(generators) == len(demo_telemetry.STREAMS)
    for name, inputs in generators.items():
        assert f"--otlp-endpoint={c.ALLOY}:{c.OTLP_GRPC_PORT}" in inputs["command"], name
        assert "--duration=inf" in inputs["command"] and inputs["memory"] <= 64, name
    traces = generators["obs-demo-traces-backend"]["command"]
    for key in ("flow_id", "client_account_id", "engagement_id", "agent", "phase", "status"):
        assert any(arg.startswith(f"--telemetry-attributes={key}=\"") for arg in traces), key


def test_the_log_emitter_is_a_backend_container_printing_platform_json(local):
    inputs = local.containers()["obs-demo-backend"].inputs
    assert inputs["entrypoints"] == ["/bin/sh"] and inputs["command"] == [demo_telemetry.LOG_SCRIPT]
    assert f"DEMO_FAKE_SECRET={demo_telemetry.FAKE_SECRET}" in inputs["envs"]
    assert inputs["user"] == "65534:65534"


def test_the_demo_has_its_own_memory_budget_under_half_a_gigabyte():
    demo = [s for s in stack_specs(from_stack_file("local")) if s.service.startswith("demo-")]
    assert demo and sum(s.memory_mb for s in demo) <= 512


def test_the_telemetrygen_image_is_pinned_and_not_mirrored_to_acr():
    assert images.TELEMETRYGEN in images.DEMO and images.TELEMETRYGEN not in images.ALL
    assert images.is_pinned(images.TELEMETRYGEN)


@pytest.mark.parametrize("stack", ["azure-dev", "railway"])
def test_other_stacks_have_no_demo_parts(stack):
    settings = from_stack_file(stack)
    assert not settings.demo_data and not settings.postgres.demo
    assert not [s.service for s in stack_specs(settings) if s.service.startswith("demo-")]


@pytest.mark.parametrize("environment", ["azure-dev", "railway"])
def test_demo_data_is_refused_outside_local(environment):
    with pytest.raises(SettingsError, match="observability:demoData = true: only the local stack"):
        parse("x", {"environment": environment, "demoData": True}, deploying=False)


def test_demo_data_and_the_platform_database_are_refused_together():
    with pytest.raises(SettingsError, match="choose one database"):
        parse("local", {"demoData": True, "postgresEnabled": True}, deploying=False)


def test_the_demo_database_needs_no_admin_password_from_the_user():
    assert parse("local", {"demoData": True}, deploying=True).postgres.admin_password is None

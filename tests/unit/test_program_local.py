"""The whole program under Pulumi mocks, for the local stack (and railway's refusal to deploy)."""

from __future__ import annotations

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from components.secret_names import GRAFANA_ADMIN_PASSWORD
from tests.unit import pulumi_harness as harness
from tests.unit.pulumi_harness import run_program

CONTAINER = "docker:index/container:Container"
SERVICES = ("obs-grafana", "obs-loki", "obs-tempo", "obs-prometheus", "obs-alloy", "obs-proxy", "obs-docker-api",
            "obs-canary")


# What `bash scripts/up-local.sh --platform` sets: the platform's network and database, no demo data.
PLATFORM_OPT_IN = {"demoData": False, "externalNetwork": "migration_network", "postgresEnabled": True}


@pytest.fixture(scope="module")
def program():
    return run_program("local")


JOBS = ("obs-grafana-admin-sync", "obs-grafana-provisioning", "obs-postgres-readonly")


@pytest.fixture(scope="module")
def platform():
    return run_program("local", PLATFORM_OPT_IN)


def test_the_seven_services_and_the_three_jobs_are_declared(program):
    assert set(SERVICES + JOBS) <= set(program.containers())


def test_joining_the_platform_declares_the_services_and_jobs_without_demo_containers(platform):
    assert sorted(platform.containers()) == sorted(SERVICES + JOBS)


def test_only_the_proxy_publishes_a_host_port_and_it_is_9999(program):
    published = {name: [(p["internal"], p["external"]) for p in r.inputs.get("ports", [])]
                 for name, r in program.containers().items() if r.inputs.get("ports")}
    assert published == {"obs-proxy": [(9999, 9999)]}


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_limits_rotation_and_restart(program, name):
    inputs = program.containers()[name].inputs
    assert inputs["memory"] > 0 and inputs["restart"] == "unless-stopped" and inputs["mustRun"] is True
    assert inputs["logDriver"] == "json-file" and inputs["logOpts"] == {"max-size": "10m", "max-file": "3"}


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_healthcheck_and_deploys_wait_for_it(program, name):
    inputs = program.containers()[name].inputs
    assert inputs["healthcheck"]["tests"][0] == "CMD" and inputs["wait"] is True


def test_the_admin_sync_job_runs_once_and_is_not_kept_running(program):
    inputs = program.containers()["obs-grafana-admin-sync"].inputs
    assert (inputs["restart"], inputs["mustRun"]) == ("no", False) and "healthcheck" not in inputs


def test_named_volumes_exist_for_the_five_services_and_grafanas_provisioning(platform):
    names = sorted(r.inputs["name"] for r in platform.of_type("docker:index/volume:Volume"))
    assert names == sorted([f"obs-{s}-data" for s in ("grafana", "loki", "tempo", "prometheus", "alloy")]
                           + ["obs-grafana-provisioning"])


def test_containers_join_the_private_network_and_only_platform_facing_ones_the_platform_network(platform):
    networks = {name: [n["name"] for n in r.inputs["networksAdvanced"]] for name, r in platform.containers().items()}
    platform_facing = {"obs-alloy", "obs-grafana", "obs-postgres-readonly"}
    assert all(n[0] == "observability" for name, n in networks.items() if name != "obs-docker-api")
    assert {name for name, n in networks.items() if "migration_network" in n} == platform_facing


def test_the_platform_network_is_checked_not_created(platform):
    assert [i.args["name"] for i in platform.invokes if i.token == "docker:index/getNetwork:getNetwork"] == [
        "migration_network"]
    assert sorted(r.inputs["name"] for r in platform.of_type("docker:index/network:Network")) == [
        "observability", "observability-docker-api"]


def test_the_platform_network_is_looked_up_on_the_stacks_docker_host(platform):
    (lookup,) = [i for i in platform.invokes if i.token == "docker:index/getNetwork:getNetwork"]
    assert "::docker-host::" in lookup.provider


class _DaemonWithoutThePlatformNetwork(harness.RecordingMocks):
    """The provider's docker_network data source fails its read for a missing network (no empty answer)."""

    def call(self, args):
        if args.token == "docker:index/getNetwork:getNetwork":
            self.invokes.append(args)
            return {}, [("", "Could not find docker network: Error response from daemon: "
                             f"network {args.args['name']} not found")]
        return super().call(args)


def test_a_missing_platform_network_fails_the_run_naming_the_setting():
    with pytest.raises(pulumi.RunError, match=r"observability:externalNetwork = migration_network: no such Docker "
                                              r"network.*network migration_network not found.*externalNetwork to ''"):
        run_program("local", PLATFORM_OPT_IN, mocks=_DaemonWithoutThePlatformNetwork())


def _members(program, network: str) -> set[str]:
    return {name for name, r in program.containers().items()
            if network in [n["name"] for n in r.inputs["networksAdvanced"]]}


def test_only_alloy_and_the_docker_api_proxy_share_the_docker_api_network(program):
    assert _members(program, "observability-docker-api") == {"obs-alloy", "obs-docker-api"}


def test_the_docker_api_proxy_is_on_no_network_grafana_or_the_platform_can_reach(platform):
    assert "obs-docker-api" not in _members(platform, "observability") | _members(platform, "migration_network")


def test_the_docker_api_network_is_internal_and_labelled_with_the_stack(program):
    network = next(r.inputs for r in program.of_type("docker:index/network:Network")
                   if r.inputs["name"] == "observability-docker-api")
    assert network["internal"] is True
    assert network["labels"] == [{"label": "observability.stack", "value": "local"}]


def test_alloy_reaches_the_docker_api_proxy_by_its_alias_there(program):
    (docker_api,) = [n for n in program.containers()["obs-docker-api"].inputs["networksAdvanced"]]
    assert docker_api["aliases"] == ["docker-api"]


@pytest.mark.parametrize("variant", ["program", "platform"])
def test_the_read_only_role_job_gets_the_admin_password_as_a_private_pgpass(request, variant):
    job = request.getfixturevalue(variant).containers()["obs-postgres-readonly"]
    index = next(i for i, u in enumerate(job.inputs["uploads"]) if u["file"] == "/run/secrets/pgpass")
    upload = job.inputs["uploads"][index]
    assert f"uploads[{index}].content" in job.secret_paths and upload["permissions"] == "0600"
    assert upload["owner"] == "70" and upload["content"].startswith("*:*:*:postgres:")


def test_containers_run_the_pulled_image_by_id(program):
    images = {r.inputs["name"] for r in program.of_type("docker:index/remoteImage:RemoteImage")}
    assert images and all("@sha256:" in i and i.startswith(("docker.io/", "ghcr.io/")) for i in images)
    assert program.containers() and all(r.inputs["image"].startswith("sha256:") for r in program.containers().values())


def test_the_provider_targets_the_local_docker_socket(program):
    assert program.one("pulumi:providers:docker").inputs["host"] == "unix:///var/run/docker.sock"


@pytest.mark.parametrize("name,path", [("obs-grafana", "/run/secrets/grafana_admin_password"),
                                       ("obs-grafana", "/run/secrets/grafana_secret_key"),
                                       ("obs-grafana-admin-sync", "/run/secrets/grafana_admin_password"),
                                       ("obs-proxy", "/etc/nginx/tls/tls.key")])
def test_secret_files_are_registered_as_secrets_and_private(program, name, path):
    container = program.containers()[name]
    index = next(i for i, u in enumerate(container.inputs["uploads"]) if u["file"] == path)
    upload = container.inputs["uploads"][index]
    assert f"uploads[{index}].content" in container.secret_paths and upload["permissions"] == "0400"


def test_generated_passwords_are_long(program):
    lengths = {r.name: r.inputs["length"] for r in program.of_type("random:index/randomPassword:RandomPassword")}
    assert lengths["secrets-grafana-admin-password"] >= 32 and lengths["secrets-grafana-secret-key"] >= 32


def test_the_admin_password_the_program_exports_is_a_secret_output(program):
    # __main__.py exports exactly this Output as grafanaAdminPassword.
    assert _sync_await(program.globals["secrets"].values[GRAFANA_ADMIN_PASSWORD].is_secret())


def test_the_retention_of_the_local_stack_reaches_the_containers(program):
    containers = program.containers()
    assert "LOKI_RETENTION_PERIOD=168h" in containers["obs-loki"].inputs["envs"]
    assert "TEMPO_RETENTION_PERIOD=72h" in containers["obs-tempo"].inputs["envs"]
    assert "--storage.tsdb.retention.time=7d" in containers["obs-prometheus"].inputs["command"]


def test_a_failed_one_shot_job_fails_the_deploy_with_its_output(monkeypatch):
    echo = harness.RecordingMocks.new_resource

    def job_fails(self, args):
        resource_id, state = echo(self, args)
        if args.typ == CONTAINER and args.inputs.get("name") == "obs-postgres-readonly":
            state |= {"exitCode": 3, "containerLogs": "psql: FATAL: password authentication failed"}
        return resource_id, state

    monkeypatch.setattr(harness.RecordingMocks, "new_resource", job_fails)
    with pytest.raises(pulumi.RunError, match="obs-postgres-readonly exited with 3:\n.*password authentication"):
        run_program("local")


def test_one_shot_jobs_run_attached_so_their_exit_code_is_known(program):
    for name in JOBS:
        inputs = program.containers()[name].inputs
        assert (inputs["attach"], inputs["logs"], inputs["mustRun"]) == (True, True, False), name


def test_a_bad_setting_stops_the_program_naming_the_key_before_any_resource():
    with pytest.raises(pulumi.RunError, match="observability:lokiRetentionDays") as caught:
        run_program("local", overrides={"lokiRetentionDays": 0})
    assert "Traceback" not in str(caught.value)


def test_the_railway_stack_validates_its_settings():
    with pytest.raises(pulumi.RunError, match="observability:railwayMode"):
        run_program("railway", overrides={"railwayMode": "cloud"})

"""The pure container specs: exposure, storage, health, limits and secrets of every service."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components import constants as c
from components.model import Ref
from components.secret_names import ALERT_CONTACT_URL, GRAFANA_ADMIN_PASSWORD
from components.services import stack_specs
from components.settings import SettingsError, from_stack_file, parse

LONG_RUNNING = (c.GRAFANA, c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY, c.PROXY)


@pytest.fixture(scope="module")
def local():
    return from_stack_file("local")


@pytest.fixture(scope="module")
def specs(local):
    return {s.service: s for s in stack_specs(local)}


def test_only_the_proxy_publishes_a_port(specs):
    published = {s.service: [(p.internal, p.external) for p in s.ports] for s in specs.values() if s.ports}
    assert published == {c.PROXY: [(9999, 9999)]}


def test_the_proxy_publishes_the_configured_grafana_port(local):
    specs = {s.service: s for s in stack_specs(replace(local, grafana=replace(local.grafana, port=8443)))}
    assert [(p.internal, p.external) for p in specs[c.PROXY].ports] == [(9999, 8443)]


def test_admin_ports_bind_to_loopback_only(local):
    loopback = replace(local, docker=replace(local.docker, admin_ports_on_loopback=True))
    ports = {s.service: s.ports for s in stack_specs(loopback)}
    for service in c.ADMIN_PORT_SERVICES:
        assert [(p.ip, p.external) for p in ports[service]] == [("127.0.0.1", c.PORTS[service])]


@pytest.mark.parametrize("service,path", [(c.GRAFANA, "/var/lib/grafana"), (c.LOKI, "/loki"),
                                          (c.TEMPO, "/var/tempo"), (c.PROMETHEUS, "/prometheus"),
                                          (c.ALLOY, "/var/lib/alloy/data")])
def test_each_service_keeps_its_data_on_a_named_volume(specs, service, path):
    assert [(v.source, v.container_path) for v in specs[service].data_volumes] == [(f"obs-{service}-data", path)]


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_every_long_running_container_has_a_healthcheck_and_restarts(specs, service):
    spec = specs[service]
    assert spec.healthcheck and spec.healthcheck.test[0] == "CMD" and spec.restart == "unless-stopped"


@pytest.mark.parametrize("service,binary", [(c.LOKI, "/usr/bin/loki"), (c.TEMPO, "/tempo")])
def test_distroless_images_are_probed_by_their_own_binary(specs, service, binary):
    assert specs[service].healthcheck.test[1] == binary


def test_default_memory_limits_fit_in_three_gib(specs):
    assert sum(specs[s].memory_mb for s in LONG_RUNNING) <= 3072


def test_one_shot_jobs_never_restart(specs):
    assert specs["grafana-admin-sync"].restart == "no" and specs["grafana-admin-sync"].oneshot


@pytest.mark.parametrize("service,user", [(c.GRAFANA, "472:0"), (c.LOKI, "10001:10001"),
                                          (c.TEMPO, "10001:10001"), (c.PROMETHEUS, "65534:65534")])
def test_services_run_as_their_image_non_root_user(specs, service, user):
    assert specs[service].user == user


@pytest.mark.parametrize("stack", ["local", "azure-dev"])
def test_alloy_runs_non_root_without_the_docker_socket_on_every_stack(stack):
    alloy = {s.service: s for s in stack_specs(from_stack_file(stack))}[c.ALLOY]
    assert (alloy.user, alloy.privileged) == ("473:473", False)
    assert "/var/run/docker.sock" not in {v.source for v in alloy.volumes}
    assert alloy.env["DOCKER_API_URL"] == "tcp://docker-api:2375" and "docker-api" in alloy.depends_on


@pytest.mark.parametrize("stack", ["local", "azure-dev", "railway"])
def test_only_the_read_only_docker_api_mounts_the_docker_socket_read_only(stack):
    mounting = {s.service: v for s in stack_specs(from_stack_file(stack)) for v in s.volumes
                if v.source == "/var/run/docker.sock"}
    assert list(mounting) == ["docker-api"] and mounting["docker-api"].read_only and mounting["docker-api"].bind


@pytest.mark.parametrize("gid", [998, 0])
def test_a_docker_socket_gid_is_refused_with_how_to_migrate_now_that_alloy_needs_none(gid):
    """Retired from the schema: any value (even the old default, 0) gets the migration message, not "unknown key"."""
    with pytest.raises(SettingsError) as refused:
        parse("x", {"dockerSocketGid": gid})
    assert refused.value.problems == [
        f"observability:dockerSocketGid = {gid}: no longer used: Alloy runs non-root on every stack and reads "
        "Docker through the read-only API proxy (obs-docker-api); remove the setting"]


@pytest.mark.parametrize("service,expected", [(c.LOKI, ("LOKI_RETENTION_PERIOD", "168h")),
                                              (c.TEMPO, ("TEMPO_RETENTION_PERIOD", "72h"))])
def test_local_retention_reaches_loki_and_tempo_environment(specs, service, expected):
    key, value = expected
    assert specs[service].env[key] == value


def test_local_retention_reaches_the_prometheus_flag(specs):
    assert "--storage.tsdb.retention.time=7d" in specs[c.PROMETHEUS].command


def test_grafana_security_settings(specs):
    env = specs[c.GRAFANA].env
    assert {k: env[k] for k in ("GF_AUTH_ANONYMOUS_ENABLED", "GF_USERS_ALLOW_SIGN_UP", "GF_LIVE_MAX_CONNECTIONS",
                                "GF_SECURITY_COOKIE_SECURE", "GF_ANALYTICS_REPORTING_ENABLED",
                                "GF_ANALYTICS_CHECK_FOR_UPDATES", "GF_SECURITY_DISABLE_GRAVATAR")} == {
        "GF_AUTH_ANONYMOUS_ENABLED": "false", "GF_USERS_ALLOW_SIGN_UP": "false", "GF_LIVE_MAX_CONNECTIONS": "0",
        "GF_SECURITY_COOKIE_SECURE": "true", "GF_ANALYTICS_REPORTING_ENABLED": "false",
        "GF_ANALYTICS_CHECK_FOR_UPDATES": "false", "GF_SECURITY_DISABLE_GRAVATAR": "true"}


def test_grafana_root_url_carries_scheme_domain_and_port(specs):
    assert specs[c.GRAFANA].env["GF_SERVER_ROOT_URL"] == "https://localhost:9999/"


def test_grafana_secrets_arrive_as_files_not_env_values(specs):
    grafana = specs[c.GRAFANA]
    assert grafana.env["GF_SECURITY_ADMIN_PASSWORD__FILE"] == c.GRAFANA_ADMIN_PASSWORD_FILE
    assert "GF_SECURITY_ADMIN_PASSWORD" not in grafana.env and "GF_SECURITY_SECRET_KEY" not in grafana.env
    secret_files = {f.path for f in grafana.files if isinstance(f.content, Ref) and f.content.secret}
    assert {c.GRAFANA_ADMIN_PASSWORD_FILE, c.GRAFANA_SECRET_KEY_FILE} <= secret_files


def test_no_env_value_is_a_secret_even_with_every_option_on():
    settings = parse("x", {"postgresEnabled": True, "postgresAdminPassword": "p" * 24, "exportPostgres": True,
                           "exportRedis": True, "redisPassword": "r" * 24},
                     {"postgresAdminPassword", "redisPassword"})
    specs = stack_specs(settings)
    assert len(specs) == 10
    assert [s.name for s in specs if any(isinstance(v, Ref) for v in s.env.values())] == []


def test_the_admin_sync_job_reads_the_same_password_as_grafana(specs):
    job = specs["grafana-admin-sync"]
    assert {f.content for f in job.files} == {Ref(GRAFANA_ADMIN_PASSWORD)}
    assert job.volumes == specs[c.GRAFANA].data_volumes and job.depends_on == (c.GRAFANA,)


def test_exporters_are_loaded_only_when_enabled(local):
    plain = {f.path for f in {s.service: s for s in stack_specs(local)}[c.ALLOY].files}
    with_redis = parse("x", {"exportRedis": True})
    redis = {f.path for f in {s.service: s for s in stack_specs(with_redis)}[c.ALLOY].files}
    assert "/etc/alloy/redis.alloy" not in plain and "/etc/alloy/redis.alloy" in redis


def test_only_platform_facing_containers_join_the_platform_network():
    settings = parse("x", {"postgresEnabled": True, "postgresAdminPassword": "p" * 24,
                           "externalNetwork": "migration_network"}, {"postgresAdminPassword"})
    joined = sorted(s.service for s in stack_specs(settings) if s.platform_network)
    assert joined == [c.ALLOY, c.GRAFANA, "postgres-readonly"]


def test_a_webhook_contact_url_reaches_grafana_only_as_a_secret_file():
    settings = parse("x", {"alertContactType": "webhook", "alertContactUrl": "https://hooks.example.com/t0ken"},
                     {"alertContactUrl"})
    grafana = {s.service: s for s in stack_specs(settings)}[c.GRAFANA]
    files = {f.path: f.content for f in grafana.files}
    assert files[c.ALERT_CONTACT_URL_FILE] == Ref(ALERT_CONTACT_URL)
    assert not any("t0ken" in str(v) for v in grafana.env.values())

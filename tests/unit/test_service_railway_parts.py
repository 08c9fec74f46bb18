"""What each service states it runs with on Railway (its spec's RAILWAY parts, before the Railway target's
generic rewrites), which services run there in each mode, and that the Docker and cluster shapes keep
their own values."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from components import constants as c
from components.model import DOCKER, KUBERNETES, RAILWAY, ContainerSpec, Override, Ref
from components.services import alloy, grafana, loki, postgres_readonly, stack_specs
from components.settings import Settings, from_stack_file, parse

ROOT = Path(__file__).resolve().parents[2]
CLOUD = {"railwayMode": "grafana-cloud",
         "grafanaCloudLokiUrl": "https://logs-prod-012.grafana.net/loki/api/v1/push", "grafanaCloudLokiUser": "1",
         "grafanaCloudPrometheusUrl": "https://prometheus-prod-24-prod-eu-west-2.grafana.net/api/prom/push",
         "grafanaCloudPrometheusUser": "2", "grafanaCloudTempoEndpoint": "tempo-prod-10-prod-eu-west-2.grafana.net:443",
         "grafanaCloudTempoUser": "3"}


def _railway(**raw) -> Settings:
    return parse("railway", {"environment": "railway", **raw}, set(), ROOT, deploying=False)


def _on(settings: Settings, target: str) -> dict[str, ContainerSpec]:
    specs = {s.service: s for s in stack_specs(settings, target)}
    assert specs
    return specs


def _file_names(spec: ContainerSpec) -> list[str]:
    return sorted(f.path.rsplit("/", 1)[-1] for f in spec.files)


def test_two_overrides_for_one_target_are_refused_rather_than_one_silently_ignored():
    loki_spec = loki.spec(_railway())
    twice = replace(loki_spec, overrides=(Override(RAILWAY, command=("a",)), Override(RAILWAY, command=("b",))))
    docker = twice.for_target(DOCKER)
    assert docker is not None and docker.command == loki_spec.command  # another target's overrides never apply
    with pytest.raises(ValueError, match="2 overrides for railway"):
        twice.for_target(RAILWAY)


def test_self_hosted_runs_the_backends_alloy_the_canary_and_grafana():
    assert sorted(_on(_railway(), RAILWAY)) == sorted([c.LOKI, c.TEMPO, c.PROMETHEUS, c.ALLOY, c.CANARY, c.GRAFANA])


def test_the_role_job_runs_on_railway_with_the_platform_database_and_grafanas_admin_sync_never():
    assert postgres_readonly.SERVICE not in _on(_railway(), RAILWAY)
    on_railway = _on(_railway(postgresEnabled=True), RAILWAY)
    assert postgres_readonly.SERVICE in on_railway and grafana.ADMIN_SYNC not in on_railway
    assert grafana.ADMIN_SYNC in _on(from_stack_file("local"), DOCKER)
    assert grafana.ADMIN_SYNC in _on(from_stack_file("aks-dev"), KUBERNETES)


def test_grafana_cloud_mode_runs_alloy_alone():
    assert list(_on(_railway(**CLOUD), RAILWAY)) == [c.ALLOY]


@pytest.mark.parametrize("service", [c.LOKI, c.CANARY])
def test_a_service_without_railway_parts_starts_there_as_on_a_docker_host(service):
    settings = _railway()
    railway, docker = _on(settings, RAILWAY)[service], _on(settings, DOCKER)[service]
    assert (railway.entrypoint, railway.command, dict(railway.env)) == (docker.entrypoint, docker.command,
                                                                        dict(docker.env))


def test_tempo_remote_writes_span_metrics_through_a_variable_tempo_yaml_reads_on_railway_only():
    tempo = _on(_railway(), RAILWAY)[c.TEMPO]
    assert tempo.env["PROMETHEUS_REMOTE_WRITE_URL"] == f"http://{c.PROMETHEUS}:{c.PORTS[c.PROMETHEUS]}/api/v1/write"
    assert "${PROMETHEUS_REMOTE_WRITE_URL:-" in str(tempo.files[0].content)
    assert "PROMETHEUS_REMOTE_WRITE_URL" not in _on(from_stack_file("local"), DOCKER)[c.TEMPO].env
    assert "PROMETHEUS_REMOTE_WRITE_URL" not in _on(from_stack_file("aks-dev"), KUBERNETES)[c.TEMPO].env


def test_prometheus_listens_on_every_address_family_on_railway_only():
    listen = f"--web.listen-address=[::]:{c.PORTS[c.PROMETHEUS]}"
    railway = _on(_railway(), RAILWAY)[c.PROMETHEUS]
    assert railway.command[-1] == listen
    assert railway.command[:-1] == _on(_railway(), DOCKER)[c.PROMETHEUS].command
    docker = _on(from_stack_file("local"), DOCKER)[c.PROMETHEUS]
    assert not any(a.startswith("--web.listen-address") for a in docker.command)


def test_alloy_on_railway_reads_no_docker_api_and_keeps_only_its_wal_on_a_volume():
    railway = _on(_railway(), RAILWAY)[c.ALLOY]
    assert "DOCKER_API_URL" not in railway.env
    assert railway.env["LOKI_PUSH_URL"] == f"http://{c.LOKI}:{c.PORTS[c.LOKI]}/loki/api/v1/push"
    assert _file_names(railway) == sorted(alloy.SHARED_FILES + alloy.STACK_WRITE_FILES)
    assert [(v.source, v.container_path) for v in railway.volumes] == [("obs-alloy-data", alloy.STORAGE_PATH)]
    docker = _on(from_stack_file("local"), DOCKER)[c.ALLOY]
    assert "DOCKER_API_URL" in docker.env and "docker-logs.alloy" in _file_names(docker)


def test_grafana_cloud_alloy_sets_every_variable_its_write_file_reads_and_the_token_from_a_secret():
    railway = _on(_railway(**CLOUD), RAILWAY)[c.ALLOY]
    assert _file_names(railway) == sorted((*alloy.SHARED_FILES, alloy.CLOUD_WRITE_FILE))
    (write,) = [f for f in railway.files if f.path.endswith(alloy.CLOUD_WRITE_FILE)]
    read = set(re.findall(r'sys\.env\("(\w+)"\)', str(write.content)))
    assert read and read == set(railway.env)
    assert railway.env["GRAFANA_CLOUD_TOKEN"] == Ref("grafana_cloud_token")
    assert railway.env["GRAFANA_CLOUD_TEMPO_ENDPOINT"] == CLOUD["grafanaCloudTempoEndpoint"]


def test_grafana_on_railway_signs_in_with_github_at_railways_public_domain():
    settings = _railway(grafanaGithubClientId="Iv1.abc", grafanaGithubAllowedOrganizations=["acme", "acme-sre"])
    env = _on(settings, RAILWAY)[c.GRAFANA].env
    assert (env["GF_AUTH_GITHUB_ENABLED"], env["GF_AUTH_GITHUB_CLIENT_ID"]) == ("true", "Iv1.abc")
    assert env["GF_AUTH_GITHUB_ALLOWED_ORGANIZATIONS"] == "acme,acme-sre"
    assert env["GF_AUTH_GITHUB_CLIENT_SECRET"] == Ref("grafana_github_client_secret")
    assert env["GF_SERVER_ROOT_URL"] == "https://${{RAILWAY_PUBLIC_DOMAIN}}/"
    assert env["GF_SECURITY_COOKIE_SAMESITE"] == "lax"  # GitHub's cross-site redirect back keeps the state cookie
    assert "GF_LIVE_MAX_CONNECTIONS" not in env  # Railway's edge carries websockets


def test_grafana_off_railway_keeps_local_sign_in_strict_cookies_and_live_off():
    env = _on(from_stack_file("azure-dev"), DOCKER)[c.GRAFANA].env
    assert not any(k.startswith("GF_AUTH_GITHUB_") for k in env)
    assert (env["GF_SECURITY_COOKIE_SAMESITE"], env["GF_LIVE_MAX_CONNECTIONS"]) == ("strict", "0")


def test_the_role_job_on_railway_ships_no_secret_file_and_logs_in_from_variables():
    job = _on(_railway(postgresEnabled=True), RAILWAY)[postgres_readonly.SERVICE]
    assert [f.path for f in job.files] == [postgres_readonly.SCRIPT_PATH]
    assert job.env["PGPASSWORD"] == Ref("postgres_admin_password") and "PGPASSFILE" not in job.env
    assert job.env["POSTGRES_READONLY_PASSWORD"] == Ref("postgres_readonly_password")
    docker = _on(from_stack_file("local"), DOCKER)[postgres_readonly.SERVICE]
    assert docker.env["PGPASSFILE"] == postgres_readonly.PGPASS_PATH and len(docker.files) == 3


def test_the_role_jobs_railway_start_hands_psql_the_password_verbatim_in_a_private_file(tmp_path):
    """Runs the job's start command with the image's shell, a psql stand-in recording its arguments."""
    job = _on(_railway(postgresEnabled=True), RAILWAY)[postgres_readonly.SERVICE]
    password_file = tmp_path / "password"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "psql").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/args\n')
    (bin_dir / "psql").chmod(0o755)
    password = "it's a \"$HOME\" pass\\word"
    script = job.command[0].replace(postgres_readonly.RAILWAY_PASSWORD_FILE, str(password_file))
    subprocess.run([*job.entrypoint, script], check=True,
                   env={"PATH": f"{bin_dir}:/usr/bin:/bin", "POSTGRES_READONLY_PASSWORD": password})
    assert password_file.read_text() == password
    assert password_file.stat().st_mode & 0o777 == 0o600
    args = (tmp_path / "args").read_text().splitlines()
    assert f"ro_password_file={password_file}" in args and args[-2:] == ["-f", postgres_readonly.SCRIPT_PATH]

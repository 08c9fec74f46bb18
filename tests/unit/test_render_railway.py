"""The railway render (both modes) and the Railway specs it shows: services, variables with secrets as
[secret], volumes, the one domain, and the files each service's image is built with."""

from __future__ import annotations

from components import constants as c

import json
import subprocess
import sys
from pathlib import Path

import pytest

from components.model import Ref
from components.settings import parse
from components.targets.railway.plan import RailwayPlanError, dockerfile, plan
from components.targets.railway.services import service_specs

ROOT = Path(__file__).resolve().parents[2]
CLOUD_STACK = """config:
  observability:environment: railway
  observability:railwayMode: grafana-cloud
  observability:grafanaCloudLokiUrl: https://logs-prod-012.grafana.net/loki/api/v1/push
  observability:grafanaCloudLokiUser: "1"
  observability:grafanaCloudToken:
    secure: v1:abc
"""


def railway_manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())["railway"]


@pytest.fixture(scope="module")
def cloud_render(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("cloud-project")
    (project / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (project / "Pulumi.railway-cloud.yaml").write_text(CLOUD_STACK)
    out = project / "out"
    result = subprocess.run([sys.executable, "-m", "components.render", "--stack", "railway-cloud", "--out", str(out),
                             "--project-dir", str(project)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "1 Railway services (grafana-cloud)" in result.stdout
    return out


def test_self_hosted_render_lists_five_services_the_canary_and_one_domain(rendered):
    services = railway_manifest(rendered("railway"))["services"]
    assert [s["name"] for s in services] == ["loki", "tempo", "prometheus", "alloy", "canary", "grafana"]
    assert [s["name"] for s in services if s["domain"]] == ["grafana"]
    assert [s["name"] for s in services if not s["volume"]] == ["canary"]  # it keeps nothing


def test_render_shows_secrets_only_as_placeholders(rendered):
    grafana = next(s for s in railway_manifest(rendered("railway"))["services"] if s["name"] == "grafana")
    assert grafana["variables"]["GF_SECURITY_ADMIN_PASSWORD"] == "[secret]"
    assert grafana["variables"]["GF_AUTH_GITHUB_CLIENT_SECRET"] == "[secret]"
    assert not (rendered("railway") / "files/obs-grafana/run").exists()


def test_every_listed_file_is_rendered_and_none_under_a_volume(rendered):
    out = rendered("railway")
    for service in railway_manifest(out)["services"]:
        for path in service["files"]:
            assert (out / "files" / f"obs-{service['name']}" / path.lstrip("/")).is_file(), path
            assert not service["volume"] or not path.startswith(service["volume"]["mount_path"] + "/"), path


def test_listeners_bind_ipv6_and_peers_are_private_railway_names(rendered):
    files = rendered("railway") / "files"
    assert '"[::]:4317"' in (files / "obs-tempo/etc/tempo/tempo.yaml").read_text()
    assert '"[::]:4318"' in (files / "obs-alloy/etc/alloy/otlp.alloy").read_text()
    assert '"loki.railway.internal:3100"' in (files / "obs-prometheus/etc/prometheus/prometheus.yml").read_text()
    datasources = (files / "obs-grafana/etc/grafana/provisioning/datasources/datasources.yaml").read_text()
    assert "http://tempo.railway.internal:3200" in datasources and "http://tempo:3200" not in datasources
    commands = {s["name"]: s["dockerfile"] for s in railway_manifest(rendered("railway"))["services"]}
    assert "--web.listen-address=[::]:9090" in commands["prometheus"]
    assert "--server.http.listen-addr=[::]:12345" in commands["alloy"]


def test_dashboards_live_outside_grafanas_volume_and_the_provider_points_there(rendered):
    grafana = rendered("railway") / "files/obs-grafana"
    dashboards = f"{c.GRAFANA_DASHBOARDS_DIR}/platform"
    assert list((grafana / dashboards.lstrip("/")).glob("*.json"))
    assert not (grafana / "var/lib/grafana").exists()  # Grafana's volume would hide them
    provider = next((grafana / "etc/grafana/provisioning/dashboards").glob("*.yaml")).read_text()
    assert f"path: {dashboards}" in provider


def test_no_docker_socket_host_path_or_docker_log_source_on_railway(rendered):
    alloy = rendered("railway") / "files/obs-alloy/etc/alloy"
    assert sorted(p.name for p in alloy.iterdir()) == ["logs-process.alloy", "otlp.alloy", "stack-metrics.alloy",
                                                         "write-stack.alloy"]


def test_grafana_cloud_render_is_alloy_alone_with_the_cloud_write_file(cloud_render):
    (alloy,) = railway_manifest(cloud_render)["services"]
    assert alloy["name"] == "alloy" and not alloy["domain"]
    assert alloy["variables"]["GRAFANA_CLOUD_TOKEN"] == "[secret]"
    names = sorted(p.name for p in (cloud_render / "files/obs-alloy/etc/alloy").iterdir())
    assert names == ["logs-process.alloy", "otlp.alloy", "write-grafana-cloud.alloy"]


def test_every_image_builds_without_a_shell():
    for spec in service_specs(_settings(postgresEnabled=True)):
        instructions = [line.split()[0] for line in dockerfile(spec, spec.image.reference()).splitlines()
                        if line and not line.startswith("#")]
        assert instructions[0] == "FROM" and set(instructions) <= {"FROM", "COPY", "ENTRYPOINT", "CMD"}, spec.service


def test_the_role_job_runs_once_with_its_passwords_as_variables():
    job = next(s for s in service_specs(_settings(postgresEnabled=True)) if s.service == "postgres-readonly")
    planned = plan(job, job.image.reference())
    assert planned.restart_policy == "NEVER" and isinstance(planned.variables["PGPASSWORD"], Ref)
    assert "PGPASSFILE" not in planned.variables and job.entrypoint == ("/bin/sh", "-c")
    assert "ro_password_file=/tmp/postgres_readonly_password" in job.command[0]


def test_a_secret_file_is_never_baked_into_an_image():
    from dataclasses import replace

    from components.model import File
    spec = service_specs(_settings())[0]
    with pytest.raises(RailwayPlanError, match="secret files"):
        plan(replace(spec, files=(File("/run/secrets/x", Ref("x")),)), "img")


def _settings(**raw):
    return parse("railway", {"environment": "railway", **raw}, set(), ROOT, deploying=False)


def test_grafana_reads_the_read_only_password_from_its_variable():
    grafana = next(s for s in service_specs(_settings(postgresEnabled=True)) if s.service == "grafana")
    postgres = next(f for f in grafana.files if f.path.endswith("datasources/postgres.yaml"))
    assert "password: $__env{POSTGRES_READONLY_PASSWORD}" in str(postgres.content)
    assert isinstance(grafana.env["POSTGRES_READONLY_PASSWORD"], Ref)
    assert "GF_SECURITY_ADMIN_PASSWORD__FILE" not in grafana.env


def test_the_build_context_holds_the_dockerfile_and_every_file_with_its_mode(tmp_path):
    from components.targets.railway.build import write_context

    spec = next(s for s in service_specs(_settings()) if s.service == "tempo")
    planned = plan(spec, spec.image.reference())
    (tmp_path / "railway" / "tempo" / "files" / "stale.txt").parent.mkdir(parents=True)
    (tmp_path / "railway" / "tempo" / "files" / "stale.txt").write_text("left from an older deploy")
    context = write_context(planned, "railway", tmp_path)
    assert (context / "Dockerfile").read_text() == planned.dockerfile
    shipped = sorted(p.relative_to(context / "files").as_posix() for p in (context / "files").rglob("*")
                     if p.is_file())
    assert shipped == sorted(f.path.lstrip("/") for f in spec.files)
    for file in spec.files:
        written = context / "files" / file.path.lstrip("/")
        assert written.read_text() == file.content and (written.stat().st_mode & 0o777) == file.mode

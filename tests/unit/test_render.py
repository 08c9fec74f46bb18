"""The offline render: files and manifest for every stack, reproducible, secrets never written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shipped_stacks import project_with_test_allowlist

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("local", "azure-dev", "railway")
DOCKER_STACKS = ("local", "azure-dev")  # railway renders Railway services instead (test_render_railway.py)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


@pytest.mark.parametrize("stack", DOCKER_STACKS)
def test_render_publishes_only_the_proxy_port(rendered, stack):
    published = {c["name"]: c["ports"] for c in manifest(rendered(stack))["containers"] if c["ports"]}
    assert list(published) == ["obs-proxy"] and [p["internal"] for p in published["obs-proxy"]] == [9999]


@pytest.mark.parametrize("stack", DOCKER_STACKS)
def test_every_manifest_file_is_written(rendered, stack):
    out = rendered(stack)
    for container in manifest(out)["containers"]:
        for path in container["files"]:
            assert (out / "files" / container["name"] / path.lstrip("/")).is_file(), path


def test_manifest_entries_have_the_documented_fields(rendered):
    entry = manifest(rendered("local"))["containers"][0]
    assert {"name", "service", "image", "command", "ports", "env", "volumes", "healthcheck", "memory_mb",
            "user", "restart", "networks"} <= set(entry)


@pytest.mark.parametrize("stack", DOCKER_STACKS)
def test_the_render_shows_the_docker_api_network_shared_by_alloy_and_the_proxy_alone(rendered, stack):
    networks = {c["name"]: c["networks"] for c in manifest(rendered(stack))["containers"]}
    assert networks["obs-docker-api"] == ["observability-docker-api"]
    assert networks["obs-alloy"][:2] == ["observability", "observability-docker-api"]
    assert {name for name, joined in networks.items() if "observability-docker-api" in joined} == {
        "obs-alloy", "obs-docker-api"}


def test_azure_dev_pulls_every_image_from_its_registry_by_digest(rendered):
    images = [c["image"] for c in manifest(rendered("azure-dev"))["containers"]]
    assert images and all(i.startswith("aimodernizeobs.azurecr.io/") and "@sha256:" in i for i in images)


def test_secret_files_render_as_a_placeholder(rendered):
    path = rendered("local") / "files/obs-grafana/run/secrets/grafana_admin_password"
    assert path.read_text() == "[secret]"


def test_the_render_is_byte_for_byte_reproducible(tmp_path):
    outputs = []
    project = project_with_test_allowlist(tmp_path)
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-m", "components.render", "--stack", "azure-dev", "--out",
                        str(tmp_path / name), "--project-dir", str(project)], cwd=ROOT, check=True,
                       capture_output=True)
        outputs.append({p.relative_to(tmp_path / name): p.read_bytes()
                        for p in sorted((tmp_path / name).rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]


def test_a_bad_setting_is_one_message_naming_the_key_without_traceback(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  observability:environment: local\n"
                                              "  observability:grafanaPort: 70000\n")
    result = subprocess.run([sys.executable, "-m", "components.render", "--stack", "bad", "--out",
                             str(tmp_path / "out"), "--project-dir", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "observability:grafanaPort = 70000" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out" / "manifest.json").exists()


def test_an_unknown_stack_lists_the_stacks_there(tmp_path):
    result = subprocess.run([sys.executable, "-m", "components.render", "--stack", "nope", "--out",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "local" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("stack", ("local", "azure-dev"))
def test_render_ships_six_dashboards_the_alert_rules_the_datasource_and_the_role_script(rendered, stack):
    grafana = rendered(stack) / "files/obs-grafana"
    assert len(list((grafana / "etc/grafana/provisioning/dashboard-files/platform").glob("*.json"))) == 6
    assert (grafana / "etc/grafana/provisioning/alerting/rules.yaml").is_file()
    assert (grafana / "etc/grafana/provisioning/datasources/postgres.yaml").is_file()
    assert (rendered(stack) / "files/obs-postgres-readonly/etc/postgres/grafana_readonly.sql").is_file()

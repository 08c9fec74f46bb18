"""The aks-dev render: every object as one YAML file, reproducible, secrets never written; and the cluster
ships the very config content the Docker host ships (one spec, two targets)."""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import yaml

from components import constants as c
from components.model import DOCKER, KUBERNETES, Ref
from components.services import stack_specs
from components.settings import from_stack_file
from components.targets.kubernetes.objects import stack_objects
from tests.shipped_stacks import project_with_test_allowlist

ROOT = Path(__file__).resolve().parents[2]
CONFIGURED = (c.LOKI, c.TEMPO, c.PROMETHEUS, c.GRAFANA)


def shipped_by_cluster(objects: list[dict], service: str) -> dict[str, str]:
    """path inside the container → content, rebuilt from the workload's mounts and its ConfigMap."""
    data = {o["metadata"]["name"]: o["data"] for o in objects if o["kind"] == "ConfigMap"}
    [workload] = [o for o in objects if o["kind"] in ("StatefulSet", "Deployment") and o["metadata"]["name"] == service]
    pod = workload["spec"]["template"]["spec"]
    roots = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    return {posixpath.join(roots[v["name"]], item["path"]): data[v["configMap"]["name"]][item["key"]]
            for v in pod["volumes"] if "configMap" in v for item in v["configMap"]["items"]}


def test_the_cluster_ships_the_same_config_files_as_the_docker_host():
    settings = from_stack_file("aks-dev")
    objects = stack_objects(settings, stack_specs(settings, KUBERNETES))
    docker = {s.service: s for s in stack_specs(settings, DOCKER)}
    for service in CONFIGURED:
        expected = {f.path: f.content for f in docker[service].files if not isinstance(f.content, Ref)}
        assert shipped_by_cluster(objects, service) == expected, service


def test_the_cluster_and_the_vm_render_identical_backend_configs(rendered):
    for container, path in (("obs-loki", "etc/loki/loki.yaml"), ("obs-tempo", "etc/tempo/tempo.yaml"),
                            ("obs-prometheus", "etc/prometheus/prometheus.yml"),
                            ("obs-grafana", "etc/grafana/provisioning/datasources/datasources.yaml")):
        aks, vm = (rendered(stack) / "files" / container / path for stack in ("aks-dev", "azure-dev"))
        assert aks.read_bytes() == vm.read_bytes(), path


def test_every_object_is_one_yaml_file_listed_in_the_manifest(rendered):
    out = rendered("aks-dev")
    listed = json.loads((out / "manifest.json").read_text())["kubernetes"]
    files = sorted(p.name for p in (out / "kubernetes").iterdir())
    assert sorted(listed) == files and len(files) > 30
    for name in files:
        [obj] = list(yaml.safe_load_all((out / "kubernetes" / name).read_text()))
        assert name == f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


def test_secret_values_render_as_the_placeholder(rendered):
    secret = yaml.safe_load((rendered("aks-dev") / "kubernetes" / "secret-grafana-secrets.yaml").read_text())
    assert set(secret["stringData"].values()) == {"[secret]"}


def test_the_kubernetes_render_is_byte_for_byte_reproducible(tmp_path):
    outputs = []
    project = project_with_test_allowlist(tmp_path)
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-m", "components.render", "--stack", "aks-dev", "--out",
                        str(tmp_path / name), "--project-dir", str(project)], cwd=ROOT, check=True,
                       capture_output=True)
        outputs.append({p.relative_to(tmp_path / name): p.read_bytes()
                        for p in sorted((tmp_path / name).rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1] and any(p.parts[0] == "kubernetes" for p in outputs[0])


def test_docker_only_parts_stay_off_the_cluster():
    settings = from_stack_file("aks-dev")
    cluster = {s.service: s for s in stack_specs(settings, KUBERNETES)}
    assert c.PROXY not in cluster  # the cluster's ingress controller terminates TLS
    assert cluster["grafana-admin-sync"].init_of == c.GRAFANA  # an init container there, not a job
    alloy_files = {posixpath.basename(f.path) for f in cluster[c.ALLOY].files}
    assert "kubernetes-logs.alloy" in alloy_files and "docker-logs.alloy" not in alloy_files
    assert cluster[c.ALLOY].volumes == ()  # no socket, no host paths
    vm = {s.service: s for s in stack_specs(from_stack_file("azure-dev"), DOCKER)}
    assert "kubernetes-logs.alloy" not in {posixpath.basename(f.path) for f in vm[c.ALLOY].files}


def addresses_the_configs_use(settings) -> set[tuple[str, int]]:
    """host:port of every stack service the shipped files and environment point at."""
    specs = {s.service: s for s in stack_specs(settings, KUBERNETES)}
    texts = [f.content for s in specs.values() for f in s.files if isinstance(f.content, str)]
    texts += [v for s in specs.values() for v in s.env.values() if isinstance(v, str)]
    found = set()
    for text in texts:
        for host, port in re.findall(r"(?:^|[\s\"'/\[=])([a-z][a-z0-9-]*):(\d{2,5})\b", text, re.M):
            if host in specs or host in c.SERVICES:
                found.add((host, int(port)))
    return found


def test_every_service_address_in_the_configs_is_a_service_port_on_the_cluster():
    """Prometheus' static targets, Alloy's scrape and writes, Tempo's remote write, Grafana's datasources:
    each `name:port` is a ClusterIP Service of that name with that port (the Docker network aliases)."""
    settings = from_stack_file("aks-dev")
    ports = {(o["metadata"]["name"], p["port"]) for o in stack_objects(settings, stack_specs(settings, KUBERNETES))
             if o["kind"] == "Service" for p in o["spec"]["ports"]}
    used = addresses_the_configs_use(settings)
    assert {("prometheus", 9090), ("loki", 3100), ("tempo", 3200), ("tempo", 4317), ("alloy", 12345),
            ("grafana", 3000)} <= used
    assert used <= ports, used - ports


def test_the_render_says_what_it_wrote_for_a_cluster_objects_by_kind_and_the_entry(tmp_path, capsys):
    from components.render import main

    assert main(["--stack", "aks-dev", "--out", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    written = [yaml.safe_load(p.read_text())["kind"] for p in (tmp_path / "kubernetes").iterdir()]
    assert f"{len(written)} Kubernetes objects in {tmp_path / 'kubernetes'} " in said
    for kind in set(written):
        assert f"{written.count(kind)} {kind}," in said or f"{written.count(kind)} {kind})" in said, kind
    assert "entry: Ingress https://grafana.aks-dev.aiforceasses.cloudsmarthcl.com/ (class " in said
    assert "published ports" not in said


def test_the_render_names_an_httproutes_host_and_gateway(tmp_path):
    from components.render import render
    from components.targets.kubernetes.render import objects_summary
    from tests.kubernetes_variants import variant_settings

    manifest = render(variant_settings("httproute"), tmp_path)
    assert objects_summary(tmp_path, manifest["kubernetes"]).endswith(
        "entry: HTTPRoute https://grafana.aks-dev.aiforceasses.cloudsmarthcl.com/ on Gateway gateways/edge")

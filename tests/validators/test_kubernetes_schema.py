"""Every object the aks-dev program declares (captured from the Pulumi mocks) is valid Kubernetes: PyPI
kubernetes-validate's bundled strict schemas for 1.31 and 1.34 (every error, through jsonschema), and
checkov's Kubernetes checks (each accepted finding documented below with its reason)."""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml
from kubernetes_validate import utils as kv
from referencing import Registry, Resource

from tests.validators.tools import require_tool

VERSIONS = ("1.31.0", "1.34.0")
CUSTOM_KINDS = {("gateway.networking.k8s.io/v1", "HTTPRoute")}  # CRDs: no schema in kubernetes-validate

# checkov findings accepted on purpose, each with the reason; anything else fails the test.
ACCEPTED = {
    # Requests without CPU limits: a CPU limit throttles Loki/Prometheus compaction for no gain
    # (kubernetes-facts: "no CPU limits ... skip it knowingly"). Memory is limited.
    "CKV_K8S_11": {"StatefulSet.observability.grafana", "StatefulSet.observability.loki",
                   "StatefulSet.observability.tempo", "StatefulSet.observability.prometheus",
                   "Deployment.observability.alloy"},
    # No liveness probe where a restart would make things worse: Loki's and Tempo's /ready fail while
    # the ring settles or the WAL replays, and Alloy's /-/healthy turns red when any one component is
    # unhealthy. Startup and readiness probes cover them.
    "CKV_K8S_8": {"StatefulSet.observability.loki", "StatefulSet.observability.tempo",
                  "Deployment.observability.alloy"},
    # Grafana (472) and Alloy (473) run as the user their image's files belong to, not a UID >= 10000.
    "CKV_K8S_40": {"StatefulSet.observability.grafana", "Deployment.observability.alloy"},
    # Alloy reads pods and their logs through the API: it needs its service account token.
    "CKV_K8S_38": {"Deployment.observability.alloy"},
}


@cache
def _validator(kind: str, api_version: str, version: str) -> jsonschema.protocols.Validator:
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)  # rbac.authorization.k8s.io/v1 → rbac-v1
    directory = f"kubernetes-json-schema/v{version}-local-strict"
    schema = kv.schema_contents(f"{directory}/{kind.lower()}-{group}.json", version)
    definitions = kv.schema_contents(f"{directory}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_errors(obj: dict[str, Any], version: str) -> list[str]:
    validator = _validator(obj["kind"], obj["apiVersion"], version)
    return [f"{obj['kind']}/{obj['metadata'].get('name', '(auto)')} at {'/'.join(map(str, e.absolute_path))}: "
            f"{e.message}" for e in validator.iter_errors(obj)]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_declared_object_is_valid_against_the_strict_schema(aks_objects, version):
    checked = [o for o in aks_objects if (o["apiVersion"], o["kind"]) not in CUSTOM_KINDS]
    assert len(checked) > 30
    errors = [error for obj in checked for error in schema_errors(obj, version)]
    assert errors == []


def test_the_strict_schema_reports_every_error_not_just_the_first(aks_objects):
    """The check above can fail: a misspelt field and a wrong type in one object are both reported."""
    [service] = [o for o in aks_objects if o["kind"] == "Service" and o["metadata"]["name"] == "loki"]
    broken = {**service, "spec": {**service["spec"], "clusterIp": "None", "ports": [{"port": "http"}]}}
    assert len(schema_errors(broken, VERSIONS[-1])) >= 2


def _whole(value: Any) -> Any:
    """Numbers as the API reads them (the wire carries only floats: 3000.0 is the port 3000)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


@pytest.fixture(scope="module")
def checkov_report(aks_named_objects, tmp_path_factory) -> dict[str, Any]:
    """checkov on the objects the program declared (one YAML file each, as the render writes them)."""
    checkov = require_tool("checkov")
    out = tmp_path_factory.mktemp("aks-declared")
    for obj in aks_named_objects:
        (out / f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml").write_text(yaml.safe_dump(_whole(obj)))
    run = subprocess.run([checkov, "-d", str(out), "--framework", "kubernetes", "--skip-download",
                          "--compact", "--quiet", "-o", "json"], capture_output=True, text=True, timeout=300,
                         check=False)
    try:
        parsed = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov gave no JSON report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    [report] = parsed if isinstance(parsed, list) else [parsed]
    return report


def test_checkov_parses_every_rendered_object(checkov_report):
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0 and summary["resource_count"] > 30 and summary["passed"] > 300


def test_checkov_finds_nothing_beyond_the_documented_exceptions(checkov_report):
    failed = {(f["check_id"], f["resource"]) for f in checkov_report["results"]["failed_checks"]}
    unexpected = sorted(f for f in failed if f[1] not in ACCEPTED.get(f[0], set()))
    assert unexpected == []


def test_every_documented_exception_still_applies(checkov_report):
    """An exception that no longer fires is removed from ACCEPTED rather than kept as a blanket pass."""
    failed = {(f["check_id"], f["resource"]) for f in checkov_report["results"]["failed_checks"]}
    assert {(check, resource) for check, resources in ACCEPTED.items() for resource in resources} == failed

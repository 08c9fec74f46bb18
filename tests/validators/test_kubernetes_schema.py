"""Every object the aks-dev program declares (captured from the Pulumi mocks), and every object of each
configuration variant (object store and its credentials, TLS source, entry kind), is valid Kubernetes: PyPI
kubernetes-validate's bundled strict schemas for 1.31 and 1.34 (every error, through jsonschema), and
checkov's Kubernetes checks, run once over all variants (each accepted finding documented below)."""

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

from tests.kubernetes_variants import VARIANTS, variant_objects
from tests.validators.tools import require_tool

VERSIONS = ("1.31.0", "1.34.0")
CUSTOM_KINDS = {("gateway.networking.k8s.io/v1", "HTTPRoute")}  # CRDs: no schema in kubernetes-validate

# checkov findings accepted on purpose, each with the reason; anything else fails the test.
ACCEPTED = {
    # Requests without CPU limits: a CPU limit throttles Loki/Prometheus compaction for no gain
    # (kubernetes-facts: "no CPU limits ... skip it knowingly"). Memory is limited.
    "CKV_K8S_11": {"StatefulSet.observability.grafana", "StatefulSet.observability.loki",
                   "StatefulSet.observability.tempo", "StatefulSet.observability.prometheus",
                   "Deployment.observability.alloy", "Deployment.observability.canary"},
    # The canary serves nothing, so nothing waits for it to be ready: its liveness probe runs its healthcheck.
    "CKV_K8S_9": {"Deployment.observability.canary"},
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
# Findings accepted in one variant only. azure-blob with account-key: Loki and Tempo take the key from
# their config file's ${AZURE_STORAGE_KEY} (neither reads an account key from a file), so it is an env var
# from a Secret; workload identity, the recommended variant, has no key at all.
ACCEPTED_IN = {"azure-blob-account-key": {"CKV_K8S_35": {"StatefulSet.observability.loki",
                                                         "StatefulSet.observability.tempo"}}}


def accepted(variant: str) -> set[tuple[str, str]]:
    found = {(check, resource) for check, resources in ACCEPTED.items() for resource in resources}
    return found | {(check, r) for check, resources in ACCEPTED_IN.get(variant, {}).items() for r in resources}


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


def objects_of(variant: str, request: pytest.FixtureRequest, fixture: str) -> list[dict]:
    """The stack file's objects as the program declares them (from the mocks); other variants as rendered."""
    return request.getfixturevalue(fixture) if variant == "stack-file" else variant_objects(variant)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_declared_object_is_valid_against_the_strict_schema(variant, version, request):
    objects = objects_of(variant, request, "aks_objects")
    checked = [o for o in objects if (o["apiVersion"], o["kind"]) not in CUSTOM_KINDS]
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
def checkov_report(request, tmp_path_factory) -> dict[str, Any]:
    """checkov, once, on every variant's objects (one directory per variant, one YAML file per object)."""
    checkov = require_tool("checkov")
    out = tmp_path_factory.mktemp("aks-variants")
    baseline = variant_objects("stack-file")
    for variant in VARIANTS:
        (out / variant).mkdir()
        for obj in objects_of(variant, request, "aks_named_objects"):
            if variant != "stack-file" and obj in baseline:
                continue  # the same object gives the same findings: checked once, in the stack file's run
            name = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
            (out / variant / name).write_text(yaml.safe_dump(_whole(obj)))
    run = subprocess.run([checkov, "-d", str(out), "--framework", "kubernetes", "--skip-download",
                          "--compact", "-o", "json"], capture_output=True, text=True, timeout=300,
                         check=False)
    try:
        parsed = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov gave no JSON report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    [report] = parsed if isinstance(parsed, list) else [parsed]
    return report


def failed(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(variant, check, resource) of every failed check."""
    return {(f["file_path"].strip("/").split("/")[0], f["check_id"], f["resource"])
            for f in report["results"]["failed_checks"]}


def test_checkov_parses_every_object_and_sees_each_variants_own_workloads(checkov_report, request):
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0 and summary["resource_count"] > 30 and summary["passed"] > 300
    checked = {(f["file_path"].strip("/").split("/")[0], f["resource"]) for kind in ("passed_checks", "failed_checks")
               for f in checkov_report["results"][kind]}
    # checkov has no check for an HTTPRoute or a NetworkPolicy, the only objects the httproute variant changes.
    assert {variant for variant, _ in checked} == set(VARIANTS) - {"httproute"}
    # The object store and the entry change the workloads of Loki and Tempo, or Grafana's Ingress.
    assert ("azure-blob-workload-identity", "StatefulSet.observability.loki") in checked
    assert ("existing-tls-secret", "Ingress.observability.grafana") in checked


def test_checkov_finds_nothing_beyond_the_documented_exceptions(checkov_report):
    unexpected = sorted(f for f in failed(checkov_report) if f[1:] not in accepted(f[0]))
    assert unexpected == []


def test_every_documented_exception_still_applies(checkov_report):
    """An exception that no longer fires is removed rather than kept as a blanket pass. Variants only hold the
    objects that differ from the stack file's, so an exception fires in each variant that changes its object."""
    found = failed(checkov_report)
    in_stack_file = {(check, resource) for variant, check, resource in found if variant == "stack-file"}
    assert in_stack_file == accepted("stack-file")
    for variant, exceptions in ACCEPTED_IN.items():
        assert {(check, resource) for v, check, resource in found if v == variant} >= \
            {(check, r) for check, resources in exceptions.items() for r in resources}

"""What a user deploys, as digests: for each stack configuration, every file the offline render writes, every
resource the program declares under mocks (type, name, parent, inputs with their secret and unknown markers,
options), every component's registered outputs and every Railway build context.

A restructuring that changes nothing a user deploys leaves all of it identical. The snapshot
(tests/equivalence_snapshot.json) was written before issue 24's first move; test_equivalence compares against it.

    venv/bin/python -m tests.equivalence --check          # compare with the snapshot, name what differs
    venv/bin/python -m tests.equivalence --write          # after a deliberate change: record the new state
    venv/bin/python -m tests.equivalence --dump DIR       # the full records, one JSON per configuration (to diff)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from tests.shipped_stacks import TEST_ALLOWLIST, with_test_allowlist

SNAPSHOT = Path(__file__).resolve().parent / "equivalence_snapshot.json"
DAY = date(2026, 12, 1)  # the rotation window the passwords' keepers name
# Stand-ins for the PEM settings: the program passes them through as they are (no key material in the repository).
PEM = {"tlsCertificatePem": "test-certificate-pem", "tlsPrivateKeyPem": "test-private-key-pem"}
EMAIL = {"alertContactType": "email", "alertContactAddress": "sre@example.com", "smtpHost": "smtp.example.com",
         "smtpFromAddress": "grafana@example.com", "smtpUser": "grafana"}
VAULT_URI = "https://kv-aimodernize-dev.vault.azure.net/secrets"
RAILWAY = {"railwayImageRegistry": "ghcr.io/acme/observability", "grafanaGithubClientId": "Iv1.abc",
           "grafanaGithubAllowedOrganizations": ["acme"],
           "grafanaGithubRoleAttributePath": "contains(groups[*], '@acme/sre') && 'Admin' || 'Viewer'"}
RAILWAY_CLOUD = {
    "railwayMode": "grafana-cloud", "railwayImageRegistry": "ghcr.io/acme/observability",
    "grafanaCloudLokiUrl": "https://logs-prod-012.grafana.net/loki/api/v1/push", "grafanaCloudLokiUser": "1",
    "grafanaCloudPrometheusUrl": "https://prometheus-prod-24-prod-eu-west-2.grafana.net/api/prom/push",
    "grafanaCloudPrometheusUser": "2", "grafanaCloudTempoEndpoint": "tempo-prod-10-prod-eu-west-2.grafana.net:443",
    "grafanaCloudTempoUser": "3"}
BLOB = {"objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs"}
CLIENT_ID = "00000000-0000-0000-0000-000000000000"
WHERE_DECLARED = ("sourcePosition", "stackTrace")

# name -> (stack, overrides, secrets): each shipped stack, and the settings that change which resources or files exist.
CONFIGURATIONS: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "local": ("local", {}, {}),
    "local-platform": ("local", {"demoData": False, "externalNetwork": "migration_network", "postgresEnabled": True,
                                 "exportPostgres": True}, {}),
    "local-pem-webhook": ("local", {"tlsSource": "pem", "alertContactType": "webhook", "exportRedis": True,
                                    "adminPortsOnLoopback": False},
                          {**PEM, "alertContactUrl": "https://hooks.example.com/x", "redisPassword": "r" * 24,
                           "grafanaAdminPassword": "g" * 24}),
    "local-email": ("local", EMAIL, {"smtpPassword": "smtp-password-0123"}),
    "azure-dev": ("azure-dev", {}, {}),
    "azure-dev-bare": ("azure-dev", {"acrName": "", "keyVaultName": "", "postgresEnabled": False,
                                     "exportPostgres": False, "exportContainerMetrics": True,
                                     "exportContainerMetricsAsRoot": True}, {}),
    "azure-dev-acr-create-docker-hub": ("azure-dev", {
        "acrCreate": True, "acrDockerHubUsernameSecretUri": f"{VAULT_URI}/dockerhub-user",
        "acrDockerHubPasswordSecretUri": f"{VAULT_URI}/dockerhub-token"}, {}),
    "azure-dev-credential-set-teams": ("azure-dev", {
        "acrCredentialSetId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
                              "Microsoft.ContainerRegistry/registries/aimodernizeobs/credentialSets/dockerhub",
        "alertContactType": "teams"}, {"alertContactUrl": "https://example.webhook.office.com/x"}),
    "azure-dev-any-source-pem": ("azure-dev", {"allowAnySource": True, "allowedSourceCidrs": [], "tlsSource": "pem"},
                                 {**PEM, "grafanaAdminPassword": "a" * 32}),
    "railway": ("railway", RAILWAY, {"railwayToken": "railway-token", "grafanaGithubClientSecret": "gh-secret"}),
    "railway-postgres-registry": ("railway", {**RAILWAY, "postgresEnabled": True, "railwayRegistryUsername": "bot",
                                              "grafanaBreakGlassAdmin": True, "railwayRegion": "europe-west4-drams3a"},
                                  {"railwayToken": "railway-token", "grafanaGithubClientSecret": "gh-secret",
                                   "railwayRegistryPassword": "registry-password"}),
    "railway-grafana-cloud": ("railway", RAILWAY_CLOUD, {"railwayToken": "railway-token",
                                                         "grafanaCloudToken": "glc_x"}),
    "aks-dev": ("aks-dev", {}, {}),
    "aks-dev-blob-workload-identity": ("aks-dev", {**BLOB, "workloadIdentityClientId": CLIENT_ID}, {}),
    "aks-dev-blob-account-key": ("aks-dev", {**BLOB, "azureBlobAuth": "account-key"},
                                 {"azureStorageAccountKey": "account-key-value"}),
    "aks-dev-existing-tls-secret": ("aks-dev", {"certManagerIssuer": "", "kubeTlsSecretName": "grafana-tls-x",
                                                **EMAIL}, {"smtpPassword": "smtp-password-0123"}),
    "aks-dev-httproute": ("aks-dev", {"grafanaEntryKind": "httproute", "gatewayName": "edge",
                                      "gatewayNamespace": "gateways", "gatewayOwnsTlsAndSources": True,
                                      "certManagerIssuer": "", "allowedSourceCidrs": []}, {}),
    "aks-dev-scaled-out": ("aks-dev", {**BLOB, "workloadIdentityClientId": CLIENT_ID, "lokiReplicas": 3,
                                       "alloyReplicas": 2, "certManagerSolver": "dns01"}, {}),
}


def _digest(value: Any) -> str:
    data = value if isinstance(value, bytes) else json.dumps(value, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _digest(p.read_bytes()) + f" {p.stat().st_mode & 0o777:o}"
            for p in sorted(root.rglob("*")) if p.is_file()}


def render_record(stack: str, overrides: dict[str, Any], secrets: dict[str, str]) -> dict[str, str]:
    """Every file the offline render writes for the configuration, by path (settings read as the render reads
    them: deploying=False)."""
    from components.render import render
    from tests.unit.pulumi_harness import stack_settings

    settings = stack_settings(stack, overrides, secrets, deploying=False)
    with tempfile.TemporaryDirectory() as out:
        render(settings, Path(out))
        return _tree(Path(out))


def program_record(stack: str, overrides: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    """Every registration of the program under mocks, keyed by URN: custom and component resources with their
    options, the outputs each component registers, and the Railway build contexts it writes."""
    from components.targets.railway import build
    from tests.unit import pulumi_harness as harness

    class FullMonitor(harness.RecordingMonitor):
        def __init__(self, mocks):
            super().__init__(mocks)
            self.requests: dict[str, dict] = {}
            self.outputs: dict[str, dict] = {}

        def RegisterResource(self, request):
            result = super().RegisterResource(request)
            record = json_format.MessageToDict(request, preserving_proto_field_name=True)
            for where in WHERE_DECLARED:  # the line of code that declared it: not what is deployed
                record.pop(where, None)
            record["dependencies"] = sorted(record.get("dependencies", []))
            for deps in record.get("propertyDependencies", {}).values():
                deps["urns"] = sorted(deps.get("urns", []))
            urn = self.make_urn(request.parent, request.type, request.name)
            assert urn not in self.requests, f"{urn} registered twice"
            self.requests[urn] = record
            return result

        def RegisterResourceOutputs(self, request):
            if request.urn.split("::")[-2] == "pulumi:pulumi:Stack":  # the mocks' exports: not all arrive
                return super().RegisterResourceOutputs(request)
            self.outputs[request.urn] = json_format.MessageToDict(request.outputs)
            return super().RegisterResourceOutputs(request)

    saved = build.BUILD_ROOT
    with tempfile.TemporaryDirectory() as contexts:
        build.BUILD_ROOT = Path(contexts)
        try:
            mocks = harness.RecordingMocks()
            monitor = FullMonitor(mocks)
            with harness.on_day(DAY):
                harness.run_program(stack, overrides, secrets, mocks=mocks, monitor=monitor)
            text = json.dumps({"resources": monitor.requests, "outputs": monitor.outputs}, sort_keys=True)
            record = json.loads(text.replace(contexts, "<build>"))
            record["build"] = _tree(Path(contexts))
        finally:
            build.BUILD_ROOT = saved
    return record


def records(names: list[str] | None = None) -> dict[str, dict]:
    """The full record of each configuration."""
    chosen = names or list(CONFIGURATIONS)
    result = {}
    for name in chosen:
        stack, overrides, secrets = CONFIGURATIONS[name]
        if stack in ("azure-dev", "aks-dev") and "allowedSourceCidrs" not in overrides \
                and not overrides.get("allowAnySource"):
            overrides = {"allowedSourceCidrs": TEST_ALLOWLIST, **overrides}
        result[name] = {"render": render_record(stack, overrides, secrets),
                        **program_record(stack, overrides, secrets)}
    return result


def digests(full: dict[str, dict]) -> dict[str, dict]:
    """The snapshot's form: one digest per rendered file, resource, output set and build file."""
    return {name: {"render": record["render"], "build": record["build"],
                   "resources": {urn: _digest(r) for urn, r in record["resources"].items()},
                   "outputs": {urn: _digest(o) for urn, o in record["outputs"].items()}}
            for name, record in full.items()}


def differences(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """One line per configuration part that differs: what is missing, new or changed."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual or name not in expected:
            lines.append(f"{name}: {'missing' if name not in actual else 'not in the snapshot'}")
            continue
        for part in ("render", "resources", "outputs", "build"):
            before, after = expected[name][part], actual[name][part]
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key):
                    state = "missing" if key not in after else "new" if key not in before else "changed"
                    lines.append(f"{name} {part}: {state} {key}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.equivalence", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true")
    action.add_argument("--write", action="store_true")
    action.add_argument("--dump", type=Path)
    parser.add_argument("configurations", nargs="*", help="names from CONFIGURATIONS (default: all)")
    args = parser.parse_args(argv)
    from components.settings import sources
    from tests.unit import pulumi_harness

    for module in (sources, pulumi_harness):  # as tests/conftest.py does for the whole suite
        module.read_stack_config = with_test_allowlist(module.read_stack_config)  # type: ignore[attr-defined]
    full = records(args.configurations or None)
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for name, record in full.items():
            (args.dump / f"{name}.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        return 0
    if args.write:
        SNAPSHOT.write_text(json.dumps(digests(full), indent=1, sort_keys=True) + "\n")
        return 0
    expected = json.loads(SNAPSHOT.read_text())
    if args.configurations:
        expected = {k: v for k, v in expected.items() if k in args.configurations}
    lines = differences(expected, digests(full))
    print("\n".join(lines) or f"identical: {len(full)} configurations")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())

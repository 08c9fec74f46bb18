"""The aks-dev configurations the Kubernetes checks run over: the stack file as it is, and each variant that
changes which objects exist or what they hold (object store and its credentials, TLS source, entry kind,
replica counts)."""

from __future__ import annotations

from functools import cache

import yaml

from components.model import KUBERNETES
from components.targets.kubernetes.render import placeholders
from components.services import stack_specs
from components.settings import ROOT, Settings, parse
from tests.shipped_stacks import TEST_ALLOWLIST
from components.targets.kubernetes.objects import stack_objects

BLOB = {"objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs"}
CLIENT_ID = "00000000-0000-0000-0000-000000000000"
GATEWAY = {"grafanaEntryKind": "httproute", "gatewayName": "edge", "gatewayNamespace": "gateways",
           "gatewayOwnsTlsAndSources": True, "certManagerIssuer": "", "allowedSourceCidrs": []}
# lokiReplicas 3 (Loki's HA monolithic mode needs the blob store) and alloyReplicas 2 (clustered Alloy).
SCALED_OUT = {**BLOB, "workloadIdentityClientId": CLIENT_ID, "lokiReplicas": 3, "alloyReplicas": 2}
VARIANTS: dict[str, dict] = {
    "stack-file": {},  # filesystem store, cert-manager issuer, Ingress
    "azure-blob-workload-identity": {**BLOB, "workloadIdentityClientId": CLIENT_ID},
    "azure-blob-account-key": {**BLOB, "azureBlobAuth": "account-key"},
    "existing-tls-secret": {"certManagerIssuer": "", "kubeTlsSecretName": "grafana-aks-dev-tls"},
    "httproute": GATEWAY,
    "scaled-out": SCALED_OUT,
}


def stack_file_config() -> dict:
    shipped = yaml.safe_load((ROOT / "Pulumi.aks-dev.yaml").read_text())["config"].items()
    return {"allowedSourceCidrs": TEST_ALLOWLIST} | {k.split(":", 1)[1]: v for k, v in shipped}


@cache
def variant_settings(variant: str) -> Settings:
    return parse("aks-dev", stack_file_config() | VARIANTS[variant], set(), deploying=False)


@cache
def _objects(variant: str) -> tuple[dict, ...]:
    settings = variant_settings(variant)
    return tuple(placeholders(o) for o in stack_objects(settings, stack_specs(settings, KUBERNETES)))


def variant_objects(variant: str) -> list[dict]:
    """The variant's objects as the render writes them (ConfigMaps/Secrets under their base names)."""
    return [dict(o) for o in _objects(variant)]

"""Loki's and Tempo's configs for a cluster stack — filesystem (the claim) and azure-blob (workload identity
or account key) — are accepted by the real Loki 3.7 and Tempo 3.0 binaries' own config verification."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from components import constants as c
from components.model import KUBERNETES, Ref
from components.services import stack_specs
from components.settings import ROOT, parse
from tests.validators.tools import require_tool

BLOB = {"objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs"}
STORES = {
    "filesystem": {},
    "azure-blob-workload-identity": {**BLOB, "workloadIdentityClientId": "00000000-0000-0000-0000-000000000000"},
    "azure-blob-account-key": {**BLOB, "azureBlobAuth": "account-key"},
}
VERIFY = {c.LOKI: ("-verify-config",), c.TEMPO: ("-target=all", "-config.verify")}


@pytest.fixture(scope="module")
def binaries() -> dict[str, str]:
    return {service: require_tool(service) for service in (c.LOKI, c.TEMPO)}


def aks_settings(overrides: dict):
    raw = {k.split(":", 1)[1]: v for k, v in
           yaml.safe_load((ROOT / "Pulumi.aks-dev.yaml").read_text())["config"].items()}
    return parse("aks-dev", raw | overrides, set(), deploying=False)


def verify(binaries: dict[str, str], service: str, overrides: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    [spec] = [s for s in stack_specs(aks_settings(overrides), KUBERNETES) if s.service == service]
    [config] = [f for f in spec.files if f.path.endswith(".yaml")]
    path = tmp_path / f"{service}.yaml"
    path.write_text(str(config.content))
    env = {k: ("test-account-key" if isinstance(v, Ref) else v) for k, v in spec.env.items()}
    return subprocess.run([binaries[service], *VERIFY[service], f"-config.file={path}",
                           "-config.expand-env=true"], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("service", [c.LOKI, c.TEMPO])
def test_the_real_binary_accepts_the_clusters_config(binaries, service, store, tmp_path):
    result = verify(binaries, service, STORES[store], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_azure_blob_moves_chunks_index_and_blocks_to_the_containers():
    specs = {s.service: s for s in stack_specs(aks_settings(STORES["azure-blob-account-key"]), KUBERNETES)}
    loki = yaml.safe_load(str(specs[c.LOKI].files[0].content))
    tempo = yaml.safe_load(str(specs[c.TEMPO].files[0].content))
    assert loki["schema_config"]["configs"][0]["object_store"] == "azure"
    assert loki["compactor"]["delete_request_store"] == "azure" and "filesystem" not in loki["common"]["storage"]
    assert tempo["storage"]["trace"]["backend"] == "azure" and "local" not in tempo["storage"]["trace"]
    assert specs[c.LOKI].env["LOKI_BLOB_CONTAINER"] == "loki" and specs[c.TEMPO].env["TEMPO_BLOB_CONTAINER"] == "tempo"


def test_the_verification_rejects_a_wrong_store(binaries, tmp_path):
    """The check above can fail: a misspelt object store is refused by Loki itself."""
    [spec] = [s for s in stack_specs(aks_settings(STORES["azure-blob-workload-identity"]), KUBERNETES)
              if s.service == c.LOKI]
    path = tmp_path / "loki.yaml"
    path.write_text(str(spec.files[0].content).replace("object_store: azure", "object_store: azur"))
    result = subprocess.run([binaries[c.LOKI], "-verify-config", f"-config.file={path}",
                             "-config.expand-env=true"], env={**os.environ, **spec.env}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "azur" in result.stderr

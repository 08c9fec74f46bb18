"""Loki's and Tempo's configs for a cluster stack — filesystem (the claim) and azure-blob (workload identity
or account key; Loki also scaled out) — are accepted by the real Loki 3.7 and Tempo 3.0 binaries' own config
verification."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from components import constants as c
from components.model import KUBERNETES, ContainerSpec, Ref
from components.services import stack_specs
from components.settings import parse
from tests.kubernetes_variants import stack_file_config
from tests.validators.engines import require_engine

BLOB = {"objectStore": "azure-blob", "azureStorageAccount": "aimodernizeobs"}
STORES = {
    "filesystem": {},
    "azure-blob-workload-identity": {**BLOB, "workloadIdentityClientId": "00000000-0000-0000-0000-000000000000"},
    "azure-blob-account-key": {**BLOB, "azureBlobAuth": "account-key"},
    # lokiReplicas 3: config/loki/replicas.yaml merged over the blob overlay (memberlist ring, RF 3, WAL).
    "azure-blob-3-loki-replicas": {**BLOB, "azureBlobAuth": "account-key", "lokiReplicas": 3},
}
# The binary's own verification flag, added to the container's command line.
VERIFY = {c.LOKI: "-verify-config", c.TEMPO: "-config.verify=true"}  # Tempo's flag takes a value


@pytest.fixture(scope="module")
def binaries() -> dict[str, str]:
    return {service: require_engine(service) for service in (c.LOKI, c.TEMPO)}


def aks_settings(overrides: dict):
    return parse("aks-dev", stack_file_config() | overrides, set(), deploying=False)


def verify_command(binary: str, spec: ContainerSpec, config: Path) -> list[str]:
    """The container's own command line (expand-env and all), reading `config` and only verifying it."""
    args = [f"-config.file={config}" if a.startswith("-config.file=") else a for a in spec.command]
    assert f"-config.file={config}" in args, spec.command
    return [binary, *args, VERIFY[spec.service]]


def verify(binaries: dict[str, str], service: str, overrides: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    [spec] = [s for s in stack_specs(aks_settings(overrides), KUBERNETES) if s.service == service]
    [config] = [f for f in spec.files if f.path.endswith(".yaml")]
    path = tmp_path / f"{service}.yaml"
    path.write_text(str(config.content))
    env = {k: ("test-account-key" if isinstance(v, Ref) else v) for k, v in spec.env.items()}
    return subprocess.run(verify_command(binaries[service], spec, path), env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


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


# (right, wrong, what the error names). Loki refuses an unknown store; Tempo's verification reads the file
# strictly but checks a backend's value only when it starts, so its storage block gets a misspelt key.
MISSPELT = {c.LOKI: ("object_store: azure", "object_store: azur", "azur"),
            c.TEMPO: ("backend: azure", "backnd: azure", "backnd")}


@pytest.mark.parametrize("service", [c.LOKI, c.TEMPO])
def test_the_verification_rejects_a_wrong_store(binaries, service, tmp_path):
    """The check above can fail: a misspelt object store is refused by the binary itself."""
    [spec] = [s for s in stack_specs(aks_settings(STORES["azure-blob-workload-identity"]), KUBERNETES)
              if s.service == service]
    path = tmp_path / f"{service}.yaml"
    right, wrong, named = MISSPELT[service]
    assert right in str(spec.files[0].content)
    path.write_text(str(spec.files[0].content).replace(right, wrong))
    result = subprocess.run(verify_command(binaries[service], spec, path), env={**os.environ, **spec.env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and named in result.stdout + result.stderr, result.stdout + result.stderr

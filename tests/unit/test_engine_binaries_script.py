"""scripts/engine-binaries.sh against a fake `docker` on PATH: it pulls exactly the catalog's pinned
references (through the ACR mirror when asked), copies each entrypoint out of a created container without
running one, refuses a binary of another version, and prints the export lines the engine tests read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components import images

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "engine-binaries.sh"
ENTRYPOINTS = {"grafana/loki": "/usr/bin/loki", "grafana/tempo": "/tempo", "grafana/alloy": "/bin/alloy"}

# Logs every call. `cp` writes a binary that prints the version FAKE_VERSIONS gives its image's repository.
FAKE_DOCKER = f"""#!{sys.executable}
import json, os, sys
from pathlib import Path
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
entrypoints = {json.dumps(ENTRYPOINTS)}
versions = json.loads(os.environ["FAKE_VERSIONS"])
def repository(reference):
    return next(r for r in entrypoints if "/" + r + ":" in reference)
if args[0] in ("info", "pull", "rm"):
    pass
elif args[:2] == ["image", "inspect"]:
    print(entrypoints[repository(args[-1])])
elif args[0] == "create":
    print("container-" + repository(args[1]).split("/")[1])
elif args[0] == "cp":
    name = args[1].split(":", 1)[0].removeprefix("container-")
    version = versions["grafana/" + name]
    flag = "--version" if name == "alloy" else "-version"
    banner = f"{{name}}, version {{version}} (branch: HEAD)"
    Path(args[2]).write_text(f'#!/bin/sh\\n[ "$1" = "{{flag}}" ] && echo "{{banner}}"\\n')
else:
    sys.exit("fake docker: unexpected " + " ".join(args))
"""

CATALOG_VERSIONS = {"grafana/loki": images.LOKI.tag, "grafana/tempo": images.TEMPO.tag,
                    "grafana/alloy": images.ALLOY.tag}


def run_script(tmp_path: Path, versions: dict[str, str], acr: str = "") -> tuple[subprocess.CompletedProcess, list]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    log = tmp_path / "docker.log"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_LOG": str(log),
           "FAKE_VERSIONS": json.dumps(versions), "ACR_LOGIN_SERVER": acr}
    result = subprocess.run(["bash", str(SCRIPT), str(tmp_path / "engines")], capture_output=True, text=True,
                            env=env, timeout=60)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, calls


@pytest.fixture(scope="module")
def catalog_run(tmp_path_factory):
    """One run of the script against images that hold the catalog's versions."""
    tmp_path = tmp_path_factory.mktemp("catalog-run")
    return tmp_path, *run_script(tmp_path, CATALOG_VERSIONS)


def test_pulls_exactly_the_catalogs_pinned_references(catalog_run):
    _, result, calls = catalog_run
    assert result.returncode == 0, result.stderr
    pulled = [call[-1] for call in calls if call[0] == "pull"]
    assert pulled == [images.LOKI.reference(), images.TEMPO.reference(), images.ALLOY.reference()]
    assert all("@sha256:" in reference for reference in pulled)


def test_pulls_through_the_acr_mirror_when_asked(tmp_path):
    result, calls = run_script(tmp_path, CATALOG_VERSIONS, acr="aimodernizeobs.azurecr.io")
    assert result.returncode == 0, result.stderr
    pulled = [call[-1] for call in calls if call[0] == "pull"]
    assert pulled == [image.reference("aimodernizeobs.azurecr.io")
                      for image in (images.LOKI, images.TEMPO, images.ALLOY)]


def test_copies_each_entrypoint_out_of_a_created_container_and_runs_none(catalog_run):
    _, result, calls = catalog_run
    assert result.returncode == 0, result.stderr
    verbs = [call[0] for call in calls]
    assert "run" not in verbs and "start" not in verbs
    copied = [call[1].split(":", 1)[1] for call in calls if call[0] == "cp"]
    assert copied == ["/usr/bin/loki", "/tempo", "/bin/alloy"]
    assert verbs.count("create") == verbs.count("rm") == 3


def test_prints_one_export_per_engine_and_nothing_else_on_stdout(catalog_run):
    tmp_path, result, _ = catalog_run
    engines = tmp_path / "engines"
    assert result.stdout.splitlines() == [f"export LOKI_BIN={engines}/loki", f"export TEMPO_BIN={engines}/tempo",
                                          f"export ALLOY_BIN={engines}/alloy"]
    assert os.access(engines / "loki", os.X_OK)


def test_refuses_a_binary_that_is_not_the_catalogs_version(tmp_path):
    result, _ = run_script(tmp_path, {**CATALOG_VERSIONS, "grafana/tempo": "v2.9.0"})
    assert result.returncode == 1
    assert "holds version 'v2.9.0'" in result.stderr and f"not the catalog's {images.TEMPO.tag}" in result.stderr
    assert not (tmp_path / "engines" / "tempo").exists()
    assert "export" not in result.stdout


@pytest.mark.parametrize("args", [[], ["a", "b"], ["--bogus"]])
def test_refuses_a_wrong_command_line_with_the_usage(args):
    result = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "usage: bash scripts/engine-binaries.sh DIR" in result.stderr


def test_help_prints_the_usage_and_succeeds():
    result = subprocess.run(["bash", str(SCRIPT), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "usage:" in result.stderr

"""The digest checker compares each catalog pin with what the registry says its tag points at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from components import images

ROOT = Path(__file__).resolve().parents[2]


def fake_docker(tmp_path: Path, digests: dict[str, str]) -> dict[str, str]:
    """A `docker` on PATH that answers `buildx imagetools inspect <ref>` from `digests`."""
    table = tmp_path / "digests.json"
    table.write_text(json.dumps(digests))
    docker = tmp_path / "docker"
    docker.write_text(f"#!{sys.executable}\nimport json, sys\n"
                      f"print(json.dumps({{'digest': json.load(open({str(table)!r}))[sys.argv[4]]}}))\n")
    docker.chmod(0o755)
    return {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/verify_image_digests.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_every_pin_matching_its_registry_passes(tmp_path):
    env = fake_docker(tmp_path, {i.reference().split("@")[0]: i.digest for i in images.CATALOG})
    assert run(env).returncode == 0


def test_a_tag_that_moved_is_reported(tmp_path):
    digests = {i.reference().split("@")[0]: i.digest for i in images.CATALOG}
    moved = images.LOKI.reference().split("@")[0]
    digests[moved] = "sha256:" + "0" * 64
    result = run(fake_docker(tmp_path, digests))
    assert result.returncode == 1 and moved in result.stderr


def test_the_mirror_is_checked_with_a_registry_prefix(tmp_path):
    prefix = "myacr.azurecr.io"
    env = fake_docker(tmp_path, {i.reference(prefix).split("@")[0]: i.digest for i in images.ALL})
    assert run(env, "--registry", prefix).returncode == 0

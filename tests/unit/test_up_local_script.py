"""The newcomer's deploy command says exactly what to install when a tool is missing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_without(tmp_path: Path, hidden: set[str]) -> subprocess.CompletedProcess:
    """Runs the script with a PATH holding only the basic tools, minus `hidden`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "printf", "python3", "docker", "pulumi", "cat", "mkdir"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        if found and tool not in hidden:
            (bin_dir / tool).symlink_to(found)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI")} | {"PATH": str(bin_dir)}
    return subprocess.run([str(bin_dir / "bash"), "scripts/up-local.sh"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=30)


def test_missing_pulumi_and_docker_are_named_with_how_to_install(tmp_path):
    result = run_without(tmp_path, {"pulumi", "docker"})
    assert result.returncode == 1
    assert "the Pulumi CLI" in result.stderr and "Docker Engine or Docker Desktop" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_docker_client_without_a_daemon_is_reported(tmp_path):
    fake_docker = tmp_path / "fake" / "docker"
    fake_docker.parent.mkdir()
    fake_docker.write_text("#!/bin/sh\nexit 1\n")  # `docker info` fails as it does with no daemon
    fake_docker.chmod(0o755)
    result = run_without(tmp_path, {"pulumi", "docker"})
    assert "a running Docker daemon" not in result.stderr  # no docker at all: the install hint instead
    (tmp_path / "bin" / "docker").symlink_to(fake_docker)
    result = subprocess.run([str(tmp_path / "bin" / "bash"), "scripts/up-local.sh"], cwd=ROOT,
                            env={"PATH": str(tmp_path / "bin")}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "a running Docker daemon" in result.stderr

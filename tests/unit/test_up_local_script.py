"""The newcomer's deploy command says exactly what to install when a tool is missing, and what it accepts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_without(tmp_path: Path, hidden: set[str], *args: str) -> subprocess.CompletedProcess:
    """Runs the script with a PATH holding only the basic tools, minus `hidden`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "printf", "python3", "docker", "pulumi", "cat", "mkdir"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        if found and tool not in hidden:
            (bin_dir / tool).symlink_to(found)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI")} | {"PATH": str(bin_dir)}
    return subprocess.run([str(bin_dir / "bash"), "scripts/up-local.sh", *args], cwd=ROOT, env=env,
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


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_the_usage_and_exits_0_before_checking_any_tool(tmp_path, flag):
    result = run_without(tmp_path, {"pulumi", "docker"}, flag)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: bash scripts/up-local.sh")
    for option in ("--platform", "--demo", "--yes", "--refresh", "--diff", "-- ARGS", "--help"):
        assert f"  {option}" in result.stdout, option


@pytest.mark.parametrize("args", [["--bogus"], ["--yes", "stack"], ["--platform", "--demo"]])
def test_an_unknown_or_conflicting_argument_is_refused_with_the_usage(tmp_path, args):
    result = run_without(tmp_path, {"pulumi", "docker"}, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("up-local.sh: ") and "Usage: bash scripts/up-local.sh" in result.stderr
    assert "Cannot deploy the local stack yet" not in result.stderr  # refused before anything else runs

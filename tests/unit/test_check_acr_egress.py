"""scripts/check-acr-egress.sh against a stand-in `ssh` on PATH: it asks the VM (dockerHost, dockerSshOpts)
for the registry's /v2/, passes on the 401 a reachable ACR gives, and fails naming the firewall rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shipped_stacks import project_with_test_allowlist

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, stack: str, answer: str) -> tuple[subprocess.CompletedProcess, str]:
    log = tmp_path / "ssh-args"
    fake = tmp_path / "ssh"
    fake.write_text(f'#!/bin/sh\necho "$*" > {log}\nprintf %s "{answer}"\n')
    fake.chmod(0o755)
    env = os.environ | {"PATH": f"{tmp_path}:{os.environ['PATH']}", "PYTHON": sys.executable}
    project = project_with_test_allowlist(tmp_path)
    result = subprocess.run(["bash", "scripts/check-acr-egress.sh", stack, str(project)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    return result, log.read_text() if log.exists() else ""


def test_a_reachable_registry_passes_asked_from_the_vm_over_the_providers_ssh(tmp_path):
    result, ssh_args = _run(tmp_path, "azure-dev", "401")
    assert result.returncode == 0, result.stderr
    assert ssh_args.startswith("-o StrictHostKeyChecking=yes -o ServerAliveInterval=30 ssh://azureuser@10.20.0.4:22 ")
    assert ssh_args.rstrip().endswith("https://aimodernizeobs.azurecr.io/v2/")


@pytest.mark.parametrize("answer", ["000", "403"])
def test_an_unreachable_registry_fails_naming_the_rule_to_open(tmp_path, answer):
    result, _ = _run(tmp_path, "azure-dev", answer)
    assert result.returncode == 1
    assert f"HTTP {answer}, expected 401" in result.stderr and "outbound TCP 443" in result.stderr


def test_a_stack_without_a_registry_has_nothing_to_check(tmp_path):
    result, ssh_args = _run(tmp_path, "local", "000")
    assert result.returncode == 0 and ssh_args == "" and "no ACR to check" in result.stdout


def test_a_stack_file_the_settings_refuse_is_one_message_without_a_traceback(tmp_path):
    result = subprocess.run(["bash", "scripts/check-acr-egress.sh", "azure-dev"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env=os.environ | {"PYTHON": sys.executable})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("check-acr-egress: Stack 'azure-dev' has 1 configuration problem(s)")
    assert "observability:allowedSourceCidrs" in result.stderr

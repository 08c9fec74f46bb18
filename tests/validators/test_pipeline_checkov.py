"""checkov passes azure-pipelines.yml: its Azure Pipelines checks and its secret scan find nothing."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.validators.tools import repo_root, require_tool


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    checkov = require_tool("checkov")
    # --skip-download: offline, no Prisma Cloud guideline lookup.
    run = subprocess.run([checkov, "--file", "azure-pipelines.yml", "--framework", "azure_pipelines",
                          "--framework", "secrets", "--output", "json", "--skip-download", "--compact"],
                         cwd=repo_root(), capture_output=True, text=True, timeout=300, check=False)
    try:
        parsed = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov gave no JSON report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    # One report per framework that found something to check; a single report is not wrapped in a list.
    return {report["check_type"]: report for report in (parsed if isinstance(parsed, list) else [parsed])}


def test_checkov_parses_the_pipeline_and_runs_its_checks(reports: dict[str, dict[str, Any]]) -> None:
    summary = reports["azure_pipelines"]["summary"]
    assert summary["parsing_errors"] == 0 and summary["passed"] > 0


def test_checkov_finds_no_failed_check(reports: dict[str, dict[str, Any]]) -> None:
    failed = [f"{check['check_id']} {check['check_name']} (lines {check['file_line_range']})"
              for report in reports.values() for check in report["results"]["failed_checks"]]
    assert failed == []

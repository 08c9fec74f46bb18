"""azure-pipelines.yml against the schema the Azure Pipelines service publishes for pipeline YAML
(shared/reference/azure-pipelines/service-schema.json, beside the repository), read as Azure reads it:
every scalar a string (yaml.BaseLoader)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT.parent / "shared" / "reference" / "azure-pipelines" / "service-schema.json"


@cache
def _validator() -> jsonschema.Draft7Validator:
    if not SCHEMA_FILE.is_file():
        pytest.fail(f"{SCHEMA_FILE} is missing (the shared reference sits beside the repository)")
    return jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text()))


def _pipeline() -> dict[str, Any]:
    return yaml.load((ROOT / "azure-pipelines.yml").read_text(), Loader=yaml.BaseLoader)


def _errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message[:200]}" for error in _validator().iter_errors(document)]


def test_the_pipeline_validates_against_the_azure_pipelines_schema() -> None:
    assert _errors(_pipeline()) == []


def test_the_schema_check_rejects_a_misspelled_key() -> None:
    broken = copy.deepcopy(_pipeline())
    drift = next(stage for stage in broken["stages"] if stage["stage"] == "drift")
    drift["jobz"] = drift.pop("jobs")
    assert _errors(broken)


def test_the_schema_check_rejects_a_step_of_the_wrong_shape() -> None:
    broken = copy.deepcopy(_pipeline())
    deploy = next(stage for stage in broken["stages"] if stage["stage"] == "deploy")
    deploy["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"].append({"scrpit": "pulumi up"})
    assert _errors(broken)

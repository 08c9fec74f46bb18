"""Existing stacks keep working after a restructuring: Pulumi stores each dynamic resource's provider pickled by
module path (`__provider`), and the Railway and ACR-token providers must load from those bytes and be pickled
to the same bytes again (a different pickle would be a diff on every resource of every stack)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.equivalence import CONFIGURATIONS
from tests.unit.pulumi_harness import ROOT, run_program

# Every provider pickle the program wrote before issue 24 moved modules (taken from its declared resources).
BEFORE = json.loads((Path(__file__).parent / "fixtures" / "providers_pickled_before_issue_24.json").read_text())
DYNAMIC = "pulumi-python:dynamic:Resource"


def test_every_provider_pickled_before_the_move_loads_in_a_fresh_process_as_its_class():
    assert len(BEFORE) == 9
    loader = ("import base64, json, sys, dill\n"
              "for path, blob in json.loads(sys.stdin.read()).items():\n"
              "    provider = dill.loads(base64.b64decode(blob))\n"
              "    print(path, type(provider).__module__ + '.' + type(provider).__qualname__)\n")
    loaded = subprocess.run([sys.executable, "-c", loader], input=json.dumps(BEFORE), cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    assert [line.split() for line in loaded if line] == [[path, path] for path in BEFORE]


RAILWAY = {path for path in BEFORE if path.startswith("components.targets.railway.")}
ACR_TOKEN = {"components.targets.acr_token._TokenPasswordProvider"}


@pytest.mark.parametrize("configuration,classes", [("railway-postgres-registry", RAILWAY), ("azure-dev", ACR_TOKEN)])
def test_the_program_pickles_each_provider_to_the_bytes_existing_stacks_hold(configuration, classes):
    stack, overrides, secrets = CONFIGURATIONS[configuration]
    pickles = {r.inputs["__provider"] for r in run_program(stack, overrides, secrets).of_type(DYNAMIC)}
    assert len(RAILWAY) == 8
    assert pickles == {BEFORE[path] for path in classes}

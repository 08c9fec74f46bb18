"""One target table: every environment maps to a target package of the same shape, and a run (or an offline
render) imports the chosen target only — never another target's package or provider SDK."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from components import targets
from components.settings.validate import ENVIRONMENTS
from tests.unit.pulumi_harness import ROOT

SDKS = ("pulumi_docker", "pulumi_kubernetes", "pulumi_azure_native")
PACKAGES = tuple(f"components.targets.{package}" for package in sorted(set(targets.TARGETS.values())))
# What each configuration may load: its target package and the SDKs its resources come from.
EXPECTED = {
    "local": ("components.targets.docker", {"pulumi_docker"}),
    "azure-dev": ("components.targets.docker", {"pulumi_docker", "pulumi_azure_native"}),
    "aks-dev": ("components.targets.kubernetes", {"pulumi_kubernetes"}),
    "railway": ("components.targets.railway", {"pulumi_docker"}),  # its images are built with pulumi-docker
}
CHILD = """
import json, sys
from tests.benchmark import _harness
from tests.equivalence import CONFIGURATIONS
harness = _harness()
stack, overrides, secrets = CONFIGURATIONS[sys.argv[1]]
if sys.argv[2] == "deploy":
    harness.run_program(stack, {"allowedSourceCidrs": ["10.100.0.0/24"], **overrides}
                        if stack in ("azure-dev", "aks-dev") else overrides, secrets)
else:
    import tempfile
    from pathlib import Path
    from components.render import render
    from components.settings import from_stack_file
    render(from_stack_file(stack), Path(tempfile.mkdtemp()))
print(json.dumps(sorted({m.split(".")[0] if m.startswith("pulumi_") else ".".join(m.split(".")[:3])
                         for m in sys.modules})))
"""


def loaded(configuration: str, run: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", CHILD, configuration, run], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_every_environment_has_a_target_with_the_whole_shape():
    assert sorted(targets.TARGETS) == sorted(ENVIRONMENTS)
    for environment in ENVIRONMENTS:
        target = targets.chosen(environment)
        assert all(callable(getattr(target, part)) for part in ("specs", "render", "summary", "deploy")), environment


@pytest.mark.parametrize("configuration", sorted(EXPECTED))
def test_a_deploy_imports_its_target_and_its_sdks_only(configuration):
    package, sdks = EXPECTED[configuration]
    modules = loaded(configuration, "deploy")
    assert package in modules
    assert modules & set(PACKAGES) == {package}
    assert modules & set(SDKS) == sdks


def test_the_offline_render_of_the_local_stack_loads_no_other_target():
    modules = loaded("local", "render")
    assert "components.targets.docker" in modules
    assert not modules & {"components.targets.kubernetes", "components.targets.railway", "pulumi_kubernetes",
                          "pulumi_azure_native"}

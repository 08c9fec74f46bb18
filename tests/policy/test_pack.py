"""How the pack is wired: `__main__.py` builds it from `policies.ALL`, and the azure-dev policy config
names real policies and the registry the stack pulls from. `__main__.py` is read, never imported: the
`PolicyPack` constructor serves the engine and never returns."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest
import yaml
from pulumi_policy import ResourceValidationPolicy

from components import constants, settings
from tests.policy import POLICY_DIR, load_policies

p = load_policies()
CONFIG = json.loads((POLICY_DIR / "azure-dev.json").read_text())
CONFIGS = {stack: json.loads((POLICY_DIR / f"{stack}.json").read_text()) for stack in ("azure-dev", "aks-dev")}


def _pack_call() -> ast.Call:
    tree = ast.parse((POLICY_DIR / "__main__.py").read_text())
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "PolicyPack"]
    assert len(calls) == 1
    return calls[0]


def test_all_holds_every_policy_of_the_module_exactly_once() -> None:
    defined = [value for value in vars(p).values() if isinstance(value, ResourceValidationPolicy)]
    assert len(p.ALL) == len(defined) == len({id(policy) for policy in p.ALL})
    assert {id(policy) for policy in p.ALL} == {id(policy) for policy in defined}


def test_policy_names_are_unique() -> None:
    names = [policy.name for policy in p.ALL]
    assert len(names) == len(set(names))


def test_main_builds_the_mandatory_pack_from_all() -> None:
    keywords = {k.arg: k.value for k in _pack_call().keywords}
    assert ast.literal_eval(keywords["name"]) == "observability-azure-dev"
    assert ast.unparse(keywords["policies"]) == "ALL"
    assert ast.unparse(keywords["enforcement_level"]) == "EnforcementLevel.MANDATORY"


def test_main_takes_all_from_the_policies_module() -> None:
    tree = ast.parse((POLICY_DIR / "__main__.py").read_text())
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "policies"]
    assert [alias.name for node in imports for alias in node.names] == ["ALL"]


def test_pack_runs_on_python_in_its_own_virtualenv() -> None:
    project = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
    assert project["description"]


@pytest.mark.parametrize("stack", sorted(CONFIGS))
def test_config_only_names_policies_of_the_pack(stack: str) -> None:
    assert set(CONFIGS[stack]) - {"all"} <= {policy.name for policy in p.ALL}


@pytest.mark.parametrize("stack", sorted(CONFIGS))
def test_config_properties_are_in_each_policy_schema(stack: str) -> None:
    schemas = {policy.name: policy.config_schema for policy in p.ALL}
    for name, values in CONFIGS[stack].items():
        if name != "all":
            assert set(values) - {"enforcementLevel"} <= set(schemas[name].properties), name


@pytest.mark.parametrize("stack", sorted(CONFIGS))
def test_config_sets_every_required_property(stack: str) -> None:
    for policy in p.ALL:
        required = (policy.config_schema.required or []) if policy.config_schema else []
        assert set(required) <= set(CONFIGS[stack].get(policy.name, {})), policy.name


@pytest.mark.parametrize("stack", sorted(CONFIGS))
def test_config_allow_any_source_is_the_stacks_own(stack: str) -> None:
    """The pack is told allowAnySource only as the stack file says it: both default to false."""
    config = settings.from_stack_file(stack)
    allow_any = (config.azure or config.kubernetes).allowlist.any_source
    assert CONFIGS[stack].get("kubernetes-entry-not-open-to-internet", {}).get("allowAnySource", False) == allow_any


def test_config_registry_is_the_one_azure_dev_pulls_from() -> None:
    registry = settings.from_stack_file("azure-dev").image_registry_prefix
    assert CONFIG["images-from-registry-by-digest"]["registry"] == registry


def test_name_fallbacks_match_the_project_container_names() -> None:
    assert constants.container_name(constants.PROXY) == p.CONTAINER_PREFIX + p.PROXY
    assert constants.container_name(constants.GRAFANA) == p.CONTAINER_PREFIX + p.GRAFANA


def test_policies_import_from_the_pack_directory_with_only_the_allowlist_from_the_program() -> None:
    """As the CLI runs it (cwd policy/, policy/venv): the shared rule comes in without the program's packages."""
    probe = "import sys, policies; print(' '.join(sorted(m for m in sys.modules if m.startswith('components'))))"
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, '.'); {probe}"],
                            cwd=POLICY_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["components", "components.allowlist"]

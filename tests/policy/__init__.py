"""Policy pack tests. The pack directory is not a package (the CLI runs it as a script directory), so the
policies module is loaded by path; `violations` validates one resource the way the engine does."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from pulumi_policy import (PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs,
                           ResourceValidationPolicy)
from pulumi_policy.proxy import unknown_checking_proxy

ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = ROOT / "policy"
_MODULE = "observability_policy_pack"


def load_policies() -> ModuleType:
    if _MODULE not in sys.modules:
        spec = importlib.util.spec_from_file_location(_MODULE, POLICY_DIR / "policies.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[_MODULE] = module
    return sys.modules[_MODULE]


def violations(policy: ResourceValidationPolicy, resource_type: str, props: dict[str, Any],
               config: Mapping[str, Any] | None = None, name: str = "resource") -> list[str]:
    """The messages `policy` reports for one resource; props go through the engine's unknown-value proxy."""
    found: list[str] = []
    args = ResourceValidationArgs(
        resource_type=resource_type,
        props=unknown_checking_proxy(props),
        urn=f"urn:pulumi:azure-dev::observability::{resource_type}::{name}",
        name=name,
        opts=PolicyResourceOptions(protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
                                   custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[]),
        provider=None,
        config=config or {},
    )

    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    policy.validate(args, report)
    return found

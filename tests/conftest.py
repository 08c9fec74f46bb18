"""Shared fixtures: the offline render of each stack, made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """rendered(stack) -> the render directory of that stack (files/ and manifest.json)."""
    from components.render import render
    from components.settings import from_stack_file

    cache: dict[str, Path] = {}

    def _render(stack: str) -> Path:
        if stack not in cache:
            out = tmp_path_factory.mktemp(f"render-{stack}")
            render(from_stack_file(stack), out)
            cache[stack] = out
        return cache[stack]

    return _render


@pytest.fixture(scope="session")
def aks_program():
    """The real program for the aks-dev stack under Pulumi mocks, run once per session."""
    from tests.unit.pulumi_harness import run_program

    return run_program("aks-dev")


@pytest.fixture(scope="session")
def aks_objects(aks_program) -> list[dict]:
    """Every Kubernetes object the aks-dev program registered, API-shaped (apiVersion, kind, camelCase)."""
    return [r.inputs for r in aks_program.resources if r.typ.startswith("kubernetes:") and "kind" in r.inputs]


@pytest.fixture(scope="session")
def aks_named_objects(aks_program) -> list[dict]:
    """The same objects, auto-named ones (ConfigMaps, Secrets) under the name the mock provider gave them."""
    from tests.unit.pulumi_harness import AUTO_NAME_SUFFIX

    named = []
    for r in aks_program.resources:
        if r.typ.startswith("kubernetes:") and "kind" in r.inputs:
            metadata = r.inputs["metadata"]
            named.append({**r.inputs, "metadata": {"name": r.name + AUTO_NAME_SUFFIX, **metadata}})
    return named

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

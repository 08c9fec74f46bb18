"""Shared fixtures (the offline render of each stack, made once per test session) and the corpus totals.

The suite runs in two pytest-xdist workers (`-n 2` in pyproject.toml): the settings corpus counts its
outcomes in whichever worker runs it, and the totals are summed here, in the process that prints the summary.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.shipped_stacks import with_test_allowlist
from tests.unit.settings_corpus.tally import OUTCOMES, TALLY


def pytest_configure(config: pytest.Config) -> None:
    """Every reader of the shipped azure-dev/aks-dev files (render, harness), from collection on, sees
    tests/shipped_stacks.py's allowlist."""
    from components.settings import sources
    from tests.unit import pulumi_harness

    for module in (sources, pulumi_harness):
        module.read_stack_config = with_test_allowlist(module.read_stack_config)  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand its counts to the controller
        workeroutput["corpus_tally"] = json.dumps(TALLY)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    # A crashed worker has no workeroutput: xdist reports the crash itself.
    for path, counts in json.loads(getattr(node, "workeroutput", {}).get("corpus_tally", "{}")).items():
        TALLY.setdefault(path, Counter()).update(counts)


def pytest_terminal_summary(terminalreporter) -> None:
    """The broken-stack-file corpus totals (clear / unclear / traceback / silent / deploy-only)."""
    if not any(TALLY.values()):
        return
    terminalreporter.section("broken stack file corpus")
    for path, counts in TALLY.items():
        totals = " / ".join(f"{counts[o]} {o}" for o in OUTCOMES)
        terminalreporter.write_line(f"{path:8} {sum(counts.values()):4} cases: {totals}")


@pytest.fixture(scope="session", autouse=True)
def _railway_build_contexts_per_process(tmp_path_factory):
    """Each test process writes Railway build contexts under its own directory: two xdist workers running
    the railway program at once would otherwise rebuild the same .build/railway/<stack>/<service>."""
    from components.targets.railway import build

    build.BUILD_ROOT = tmp_path_factory.mktemp("railway-build")


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

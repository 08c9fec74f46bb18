"""Every broken stack file of the corpus is refused by the offline render (exit 2) and by the program under
mocks (RunError, or the engine's refusal of the file), with one message naming the key and saying what is
wrong: never a traceback, never a silent acceptance. Totals are printed in the terminal summary."""

from __future__ import annotations

import contextlib
import io
import traceback
from pathlib import Path

import pulumi
import pytest

from components import render
from components.settings import ROOT, SettingsError
from components.settings.railway import TOKEN_ENV
from tests.unit import pulumi_harness as harness
from tests.unit.settings_corpus import cases, cases_hostile, cases_targets
from tests.unit.settings_corpus.cases import FILE, Case, stack
from tests.unit.settings_corpus.tally import TALLY, classify

STACK = FILE.removeprefix("Pulumi.").removesuffix(".yaml")
CASES = cases.CASES + cases_targets.CASES + cases_hostile.CASES
VALID = {**cases.VALID, **{name: stack(base) for name, base in cases_targets.VALID.items()}}


@pytest.fixture(autouse=True)
def _no_token_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployer's RAILWAY_TOKEN would stand in for a missing railwayToken: the corpus decides from the file."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)


def _project(tmp_path: Path, text: str | bytes, name: str = STACK) -> Path:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    stack_file = tmp_path / f"Pulumi.{name}.yaml"
    stack_file.write_bytes(text if isinstance(text, bytes) else text.encode())
    return tmp_path


def _render(project: Path, name: str = STACK) -> tuple[bool, str]:
    """(refused, message) of `python -m components.render` on the project."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = render.main(["--stack", name, "--out", str(project / "out"), "--project-dir", str(project)])
    except Exception:  # noqa: BLE001 - a traceback is exactly what the corpus counts
        return True, traceback.format_exc()
    return code == 2, err.getvalue()


def _program(project: Path, name: str = STACK) -> tuple[bool, str]:
    """(refused, message) of the program under mocks; SettingsError is the engine refusing the file."""
    try:
        harness.run_program(name, root=project)
    except (pulumi.RunError, SettingsError) as error:
        return True, str(error)
    except Exception:  # noqa: BLE001
        return True, traceback.format_exc()
    return False, ""


def _check(path: str, case: Case, refused: bool, message: str) -> None:
    text = case.text.decode(errors="replace") if isinstance(case.text, bytes) else case.text
    outcome = classify(refused, message, case.names, case.fragment, text)
    TALLY[path][outcome] += 1
    assert outcome == "clear", f"{path}: {outcome}; expected {case.names!r} and {case.fragment!r} in:\n{message}"
    hidden = [ch for ch in message if not ch.isprintable() and ch != "\n"]
    assert not hidden, f"{path}: the message prints invisible characters {hidden!r} unescaped"


def test_the_corpus_has_at_least_300_broken_stack_files() -> None:
    assert len(CASES) >= 300


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("environment", sorted(VALID))
def test_each_base_stack_is_accepted_by_render_and_program(environment: str, tmp_path: Path) -> None:
    """Each case changes one thing in a valid stack, so its refusal is about that change."""
    project = _project(tmp_path, VALID[environment])
    assert _render(project) == (False, "")
    assert _program(project) == (False, "")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_render_refuses_clearly(case: Case, tmp_path: Path) -> None:
    refused, message = _render(_project(tmp_path, case.text, case.stack), case.stack)
    if case.deploy_only:  # the render runs without secrets: what only a deploy needs is the program's to refuse
        TALLY["render"]["deploy-only"] += 1
        assert (refused, message) == (False, "")
        return
    _check("render", case, refused, message)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_program_refuses_clearly(case: Case, tmp_path: Path) -> None:
    _check("program", case, *_program(_project(tmp_path, case.text, case.stack), case.stack))

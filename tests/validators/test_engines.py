"""The real engines come from LOKI_BIN / TEMPO_BIN / ALLOY_BIN only: unset means skip (or fail with
REQUIRE_ENGINES=1) with the way to get them; a binary of another version than the catalog's is refused."""

from __future__ import annotations

import pytest

from components import images
from tests.validators import engines
from tests.validators.engines import find_engine, require_engine

BANNER = "{name}, version {version} (branch: HEAD, revision: 0123abcd)\n  go version: go1.26.5\n"


def fake_engine(tmp_path, name: str, version: str, flag: str = "", exit_code: int = 0) -> str:
    """A stand-in binary that prints `version` the way the engine does, for the right flag only."""
    flag = flag or engines.ENGINES[name].version_flag
    path = tmp_path / f"{name}-{version}"
    banner = BANNER.format(name=name, version=version)
    path.write_text(f'#!/bin/sh\nif [ "$1" = "{flag}" ]; then printf \'%s\' "{banner}"; exit {exit_code}; fi\n'
                    'echo "unknown flag $1" >&2; exit 2\n')
    path.chmod(0o755)
    return str(path)


@pytest.fixture(autouse=True)
def _no_engines(monkeypatch):
    for engine in engines.ENGINES.values():
        monkeypatch.delenv(engine.variable, raising=False)
    monkeypatch.delenv("REQUIRE_ENGINES", raising=False)


@pytest.mark.parametrize("name", sorted(engines.ENGINES))
def test_an_unset_variable_skips_naming_the_variable_and_the_script(name):
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_engine(name)
    message = str(skipped.value)
    assert engines.ENGINES[name].variable in message
    assert "scripts/engine-binaries.sh" in message


def test_require_engines_turns_the_skip_into_a_failure(monkeypatch):
    monkeypatch.setenv("REQUIRE_ENGINES", "1")
    with pytest.raises(pytest.fail.Exception, match="LOKI_BIN is not set"):
        require_engine("loki")


@pytest.mark.parametrize(("name", "tag"), [("loki", images.LOKI.tag), ("tempo", images.TEMPO.tag),
                                           ("alloy", images.ALLOY.tag)])
def test_a_binary_of_the_catalogs_version_is_used(tmp_path, monkeypatch, name, tag):
    binary = fake_engine(tmp_path, name, tag)
    monkeypatch.setenv(engines.ENGINES[name].variable, binary)
    assert require_engine(name) == binary


def test_the_version_is_compared_without_its_v_prefix(tmp_path, monkeypatch):
    binary = fake_engine(tmp_path, "tempo", images.TEMPO.tag.removeprefix("v"))
    monkeypatch.setenv("TEMPO_BIN", binary)
    assert find_engine("tempo") == (binary, "", False)


def test_another_version_is_refused_even_without_require_engines(tmp_path, monkeypatch):
    monkeypatch.setenv("LOKI_BIN", fake_engine(tmp_path, "loki", "3.6.0"))
    with pytest.raises(pytest.fail.Exception) as failed:
        require_engine("loki")
    message = str(failed.value)
    assert "loki 3.6.0" in message and f"deploys {images.LOKI.tag}" in message
    assert "components/images.py" in message


def test_a_patch_release_away_is_another_version(tmp_path, monkeypatch):
    major, minor, patch = images.LOKI.tag.split(".")
    monkeypatch.setenv("LOKI_BIN", fake_engine(tmp_path, "loki", f"{major}.{minor}.{int(patch) + 1}"))
    assert find_engine("loki")[2] is True


def test_a_variable_naming_no_executable_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLOY_BIN", str(tmp_path / "missing"))
    path, reason, refused = find_engine("alloy")
    assert (path, refused) == (None, True)
    assert "ALLOY_BIN" in reason and "not an executable file" in reason


def test_a_binary_without_a_version_banner_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TEMPO_BIN", fake_engine(tmp_path, "tempo", images.TEMPO.tag, flag="--other"))
    path, reason, refused = find_engine("tempo")
    assert (path, refused) == (None, True)
    assert "without a version banner" in reason


def test_a_version_printed_with_a_failing_exit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LOKI_BIN", fake_engine(tmp_path, "loki", images.LOKI.tag, exit_code=1))
    assert find_engine("loki")[0] is None


def test_an_unknown_engine_name_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown engine"):
        find_engine("grafana")

"""The hash locks (scripts/lock.sh): every installed package pinned and hashed, wheels only, the deploy and the
policy pack on the tested pins, checkov on the validators' version, and no lock older than its inputs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ("requirements.txt", "requirements-test.txt", "policy/requirements.txt", "scripts/checkov-requirements.txt")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _logical_lines(path: str) -> list[str]:
    """The file's lines as pip reads them: continuations joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / path).read_text())
    return [line for raw in text.splitlines() if (line := re.sub(r"(^|\s)#.*", "", raw).strip())]


def _pins(path: str) -> dict[str, tuple[str, frozenset[str]]]:
    """{package: (version, hashes)} of a lock; fails on an entry that is not `name==version` with hashes."""
    pins: dict[str, tuple[str, frozenset[str]]] = {}
    for line in _logical_lines(path):
        if line.startswith("--"):
            continue
        requirement, *hashes = re.split(r"\s+--hash=", line)
        parsed = Requirement(requirement)
        [specifier] = parsed.specifier
        assert specifier.operator == "==" and hashes, f"{path}: {line[:80]} is not pinned with hashes"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h.strip()) for h in hashes), f"{path}: {parsed.name}"
        pins[canonicalize_name(parsed.name)] = (specifier.version, frozenset(h.strip() for h in hashes))
    assert pins, f"{path} pins nothing"
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_lock_installs_in_hash_checking_mode_from_wheels_only(lock: str) -> None:
    options = [line for line in _logical_lines(lock) if line.startswith("--")]
    assert options == ["--require-hashes", "--only-binary :all:"]
    assert _pins(lock)


@pytest.mark.parametrize("lock", LOCKS)
def test_no_lock_installs_the_project_itself(lock: str) -> None:
    # pip refuses editable and directory requirements in hash-checking mode; scripts/venv.sh adds the project.
    assert not [line for line in _logical_lines(lock) if line.startswith(("-e", ".", "file:"))]


@pytest.mark.parametrize("lock", ["requirements.txt", "policy/requirements.txt"])
def test_the_deploy_and_the_policy_pack_get_exactly_the_tested_files(lock: str) -> None:
    tested = _pins("requirements-test.txt")
    different = {name: pin[0] for name, pin in _pins(lock).items() if tested.get(name) != pin}
    assert different == {}


@pytest.mark.parametrize(("lock", "wanted"), [
    ("requirements.txt", PROJECT["dependencies"]),
    ("requirements-test.txt", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]),
    ("policy/requirements.txt", _logical_lines("policy/requirements.in")),
])
def test_every_declared_dependency_is_locked_inside_its_range(lock: str, wanted: list[str]) -> None:
    pins = _pins(lock)
    outside = []
    for requirement in map(Requirement, wanted):
        name = canonicalize_name(requirement.name)
        if name not in pins or not requirement.specifier.contains(pins[name][0], prereleases=True):
            outside.append(f"{requirement} (locked: {pins.get(name, ('nothing',))[0]})")
    assert outside == [], "stale lock: run bash scripts/lock.sh"


def test_the_build_backend_is_locked_for_the_projects_own_install() -> None:
    [backend] = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    for lock in ("requirements.txt", "requirements-test.txt"):
        assert Requirement(backend).specifier.contains(_pins(lock)["setuptools"][0]), lock


def test_grafana_foundation_sdk_stays_on_its_exact_build() -> None:
    [declared] = [d for d in PROJECT["dependencies"] if d.startswith("grafana-foundation-sdk")]
    version = declared.split("==")[1]
    assert [_pins(lock)["grafana-foundation-sdk"][0] for lock in LOCKS[:2]] == [version, version]


def test_checkov_is_locked_at_the_version_the_validators_install() -> None:
    [version] = re.findall(r'^CHECKOV_VERSION="([^"]+)"', (ROOT / "scripts/install-validators.sh").read_text(), re.M)
    assert _pins("scripts/checkov-requirements.txt")["checkov"][0] == version

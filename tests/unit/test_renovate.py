"""renovate.json: its regex manager, run with RE2 (the engine Renovate runs it with), finds every image of the
catalog in components/images.py with its tag and digest, so one update moves both; the Grafana Foundation SDK
is never updated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import re2

from components import images

ROOT = Path(__file__).resolve().parents[2]
CONFIG = json.loads((ROOT / "renovate.json").read_text())
[MANAGER] = CONFIG["customManagers"]
[PATTERN] = MANAGER["matchStrings"]
CATALOG_FILE = "components/images.py"
TEXT = (ROOT / CATALOG_FILE).read_text()


def _matches(text: str = TEXT) -> list[Any]:
    found = list(re2.finditer(PATTERN, text))
    assert found, "the regex manager matches nothing in the catalog"
    return found


def test_the_regex_manager_reads_the_catalog_file() -> None:
    assert MANAGER["customType"] == "regex" and "custom.regex" in CONFIG["enabledManagers"]
    [pattern] = MANAGER["managerFilePatterns"]
    assert pattern.startswith("/") and pattern.endswith("/") and re2.search(pattern[1:-1], CATALOG_FILE)


def test_every_catalog_image_is_found_with_its_tag_and_digest() -> None:
    found = [images.parse_reference(f"{m['depName']}:{m['currentValue']}@{m['currentDigest']}") for m in _matches()]
    assert len(found) == len(images.CATALOG) and set(found) == set(images.CATALOG)


def test_every_renovate_comment_is_read_as_a_docker_image() -> None:
    matches = _matches()
    assert len(matches) == TEXT.count("# renovate:")
    assert {m["datasource"] for m in matches} == {"docker"} and MANAGER["versioningTemplate"] == "docker"


def test_tag_and_digest_each_appear_once_in_their_match_so_the_in_place_update_is_unambiguous() -> None:
    for match in _matches():
        assert match[0].count(match["currentValue"]) == 1, match["depName"]
        assert match[0].count(match["currentDigest"]) == 1, match["depName"]


def test_an_update_moves_tag_and_digest_together_and_only_for_that_image() -> None:
    before = _matches()
    new_digest = "sha256:" + "0" * 64
    for target in before:
        updated = target[0].replace(target["currentValue"], "99.0.0").replace(target["currentDigest"], new_digest)
        after = _matches(TEXT.replace(target[0], updated))
        assert [(m["currentValue"], m["currentDigest"]) for m in after] == [
            ("99.0.0", new_digest) if m["depName"] == target["depName"] else (m["currentValue"], m["currentDigest"])
            for m in before], target["depName"]


def test_the_grafana_foundation_sdk_is_never_updated() -> None:
    rules = [rule for rule in CONFIG["packageRules"] if "grafana-foundation-sdk" in rule.get("matchPackageNames", [])]
    assert rules and all(rule["enabled"] is False and set(rule) <= {"description", "matchPackageNames", "enabled"}
                         for rule in rules)


def test_python_updates_regenerate_the_hash_locks() -> None:
    [rule] = [rule for rule in CONFIG["packageRules"] if rule.get("matchManagers") == ["pep621"]]
    assert rule["postUpgradeTasks"]["commands"] == ["bash scripts/lock.sh"]
    assert set(rule["postUpgradeTasks"]["fileFilters"]) == {"requirements.txt", "requirements-test.txt",
                                                            "policy/requirements.txt"}
    assert "pip_requirements" not in CONFIG["enabledManagers"]  # it would change pins without their hashes

"""Alloy's log redaction, replayed outside Alloy: the stage.replace expressions of logs-process.alloy run
with RE2 (the syntax and semantics of Go's regexp) over a corpus of real-looking log lines, exactly
as loki.process applies them: in file order, every capture group of every match replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import re2

from tests.validators.alloy_pipeline import alloy_replace
from tests.validators.alloy_syntax import AlloySyntaxError, Expr, parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "fixtures" / "redaction_corpus.txt"
OPEN, CLOSE = "⟦", "⟧"


def alloy_config() -> str:
    return (ROOT / "config" / "alloy" / "logs-process.alloy").read_text()


def replace_stages() -> list[tuple[str, str]]:
    """(expression, replacement) of every stage.replace in the log pipeline, in pipeline order."""
    stages = []
    for process in (b for b in parse(alloy_config()).blocks if b.name == "loki.process"):
        for stage in process.find("stage.replace"):
            assert "source" not in stage.attrs, "redaction must rewrite the line itself"
            expression, replacement = stage.attrs["expression"], stage.attrs.get("replace", "")
            assert not isinstance(expression, Expr) and not isinstance(replacement, Expr)
            stages.append((expression, replacement))
    return stages


def redact(line: str) -> str:
    for expression, replacement in replace_stages():
        line = alloy_replace(re2.compile(expression), replacement, line)
    return line


def corpus() -> list[tuple[str, list[str]]]:
    """(line, its secrets) for every corpus line, with the ⟦ ⟧ marks removed."""
    entries = []
    for raw in CORPUS.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        secrets = [part.split(CLOSE)[0] for part in raw.split(OPEN)[1:]]
        entries.append((raw.replace(OPEN, "").replace(CLOSE, ""), secrets))
    return entries


SECRET_LINES = [(line, secrets) for line, secrets in corpus() if secrets]
ORDINARY_LINES = [line for line, secrets in corpus() if not secrets]


def test_alloy_strings_are_read_with_alloys_escape_rules():
    root = parse('quoted = "\\\\d+ \\"q\\" \\u00e9"\nraw = `\\d+ "q"`\n')
    assert root.attrs == {"quoted": '\\d+ "q" \u00e9', "raw": '\\d+ "q"'}


def test_an_unknown_escape_is_an_error_as_in_alloy():
    with pytest.raises(AlloySyntaxError):
        parse('expression = "\\d+"\n')


@pytest.mark.parametrize("expression", [e for e, _ in replace_stages()])
def test_every_redaction_expression_compiles_as_re2(expression):
    assert re2.compile(expression).groups >= 1  # stage.replace only rewrites capture groups


def test_the_emulation_replaces_every_group_of_every_match_like_alloy():
    pattern = re2.compile(r"(\d{2}.\d{2}.\d{2}.\d{2}) - (\S+)")
    assert alloy_replace(pattern, "*", "11.11.11.11 - frank 12.12.12.12 - frank") == "* - * * - *"


def test_the_corpus_covers_enough_secrets_and_ordinary_lines():
    assert len(SECRET_LINES) >= 25 and len(ORDINARY_LINES) >= 10


@pytest.mark.parametrize(("line", "secrets"), SECRET_LINES, ids=[line[:50] for line, _ in SECRET_LINES])
def test_no_secret_survives_redaction(line, secrets):
    redacted = redact(line)
    leaked = [secret for secret in secrets if secret in redacted]
    assert not leaked, f"leaked {leaked} in {redacted!r}"
    assert "<redacted>" in redacted


@pytest.mark.parametrize("line", ORDINARY_LINES, ids=[line[:50] for line in ORDINARY_LINES])
def test_ordinary_lines_pass_byte_for_byte(line):
    assert redact(line) == line


@pytest.mark.parametrize("line", [line for line, _ in SECRET_LINES if line.startswith("{")])
def test_redacted_json_lines_still_parse_so_their_labels_survive(line):
    json.loads(line)  # the corpus line itself is valid JSON
    json.loads(redact(line))

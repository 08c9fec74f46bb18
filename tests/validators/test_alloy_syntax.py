"""Every Alloy file the stack can ship parses with the real Alloy's parser (`alloy fmt`, ALLOY_BIN), and the
tests' own reader of Alloy syntax (alloy_syntax.py) accepts and refuses what Alloy does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.validators.alloy_engine import fmt_errors
from tests.validators.alloy_syntax import AlloySyntaxError, parse

ALLOY_CONFIG = Path(__file__).resolve().parents[2] / "config" / "alloy"
# Snippets Alloy's syntax refuses (https://grafana.com/docs/alloy/latest/get-started/configuration-syntax/):
# an unclosed block, an unknown string escape, an attribute without a value, an unterminated string.
BROKEN = {
    "unclosed-block": 'loki.write "default" {\n  endpoint {\n    url = "http://loki:3100"\n  }\n',
    "unknown-escape": 'stage.replace {\n  expression = "\\d+"\n}\n',
    "missing-value": 'prometheus.scrape "x" {\n  targets =\n}\n',
    "unterminated-string": 'local.file "x" {\n  filename = "/etc/x\n}\n',
}


def _repository_files() -> list[Path]:
    files = sorted(ALLOY_CONFIG.rglob("*.alloy"))
    assert files, f"no .alloy file under {ALLOY_CONFIG}"
    return files


def test_every_alloy_file_in_the_repository_parses_with_alloys_parser():
    assert fmt_errors(_repository_files()) == []


@pytest.mark.parametrize("stack", ["local", "azure-dev", "aks-dev"])
def test_every_alloy_file_of_each_rendered_stack_parses_with_alloys_parser(rendered, stack):
    files = sorted((rendered(stack) / "files").rglob("*.alloy"))
    assert files, f"{stack} renders no Alloy file"
    assert fmt_errors(files) == []


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_alloys_parser_refuses_a_broken_file(tmp_path, name):
    path = tmp_path / f"{name}.alloy"
    path.write_text(BROKEN[name])
    assert len(fmt_errors([path])) == 1


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_tests_reader_refuses_what_alloy_refuses(name):
    with pytest.raises(AlloySyntaxError):
        parse(BROKEN[name])


def test_the_tests_reader_reads_every_file_alloy_reads():
    files = _repository_files()
    assert fmt_errors(files) == []
    for path in files:
        parse(path.read_text())

"""Every Alloy file the stack can ship parses with Alloy's own parser (shared/tools/alloy-syntax)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.validators.tools import require_tool

ALLOY_CONFIG = Path(__file__).resolve().parents[2] / "config" / "alloy"


def test_every_alloy_file_in_the_repository_parses_with_alloys_parser():
    files = sorted(ALLOY_CONFIG.rglob("*.alloy"))
    result = subprocess.run([require_tool("alloycheck"), *map(str, files)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(files)} files parsed" in result.stdout


def test_every_alloy_file_of_each_rendered_stack_parses_with_alloys_parser(rendered):
    for stack in ("local", "azure-dev", "aks-dev"):
        files = sorted((rendered(stack) / "files").rglob("*.alloy"))
        assert files, f"{stack} renders no Alloy file"
        result = subprocess.run([require_tool("alloycheck"), *map(str, files)], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, f"{stack}: {result.stdout}{result.stderr}"

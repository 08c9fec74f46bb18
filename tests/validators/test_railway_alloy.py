"""The Alloy files the railway stack ships, in both modes, parse with Alloy's own parser."""

from __future__ import annotations

import subprocess
from pathlib import Path

from components.render import render
from components.settings import parse
from tests.validators.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]


def _alloy_files(out: Path) -> list[str]:
    return sorted(map(str, (out / "files").rglob("*.alloy")))


def test_self_hosted_railway_alloy_files_parse(rendered):
    files = _alloy_files(rendered("railway"))
    assert len(files) == 4
    result = subprocess.run([require_tool("alloycheck"), *files], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_cloud_railway_alloy_files_parse(tmp_path):
    render(parse("railway", {"environment": "railway", "railwayMode": "grafana-cloud"}, set(), ROOT,
                 deploying=False), tmp_path)
    files = _alloy_files(tmp_path)
    assert [Path(f).name for f in files] == ["logs-process.alloy", "otlp.alloy", "write-grafana-cloud.alloy"]
    result = subprocess.run([require_tool("alloycheck"), *files], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr

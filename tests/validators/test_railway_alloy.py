"""The Alloy files the railway stack ships, in both modes, parse with the real Alloy's parser (ALLOY_BIN)."""

from __future__ import annotations

from pathlib import Path

from components.render import render
from components.settings import parse
from tests.validators.alloy_engine import fmt_errors

ROOT = Path(__file__).resolve().parents[2]


def _alloy_files(out: Path) -> list[Path]:
    return sorted((out / "files").rglob("*.alloy"))


def test_self_hosted_railway_alloy_files_parse(rendered):
    files = _alloy_files(rendered("railway"))
    assert len(files) == 4
    assert fmt_errors(files) == []


def test_grafana_cloud_railway_alloy_files_parse(tmp_path):
    render(parse("railway", {"environment": "railway", "railwayMode": "grafana-cloud"}, set(), ROOT,
                 deploying=False), tmp_path)
    files = _alloy_files(tmp_path)
    assert [f.name for f in files] == ["logs-process.alloy", "otlp.alloy", "write-grafana-cloud.alloy"]
    assert fmt_errors(files) == []

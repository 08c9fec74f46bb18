"""The validator plumbing works: tool lookup, Grafana variable expansion, and the three query grammars."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.validators import tools
from tests.validators.grammars import expand_grafana_variables, parse_errors
from tests.validators.tools import require_tool

VALID = {
    "promql": 'sum by (job) (rate(http_requests_total{job=~"obs-.*", code!="200"}[5m])) > 0.5',
    "logql": 'sum by (level) (count_over_time({container="obs-loki"} |= "error" | json [5m]))',
    "traceql": '{ resource.service.name = "backend" && duration > 500ms } | count() > 2',
}
BROKEN = {
    "promql": "sum(rate(http_requests_total[5m]) by",
    "logql": '{container="obs-loki" |= "error"',
    "traceql": "{ span.http.status_code = }",
}


@pytest.mark.parametrize("lang", sorted(VALID))
def test_grammar_accepts_valid_query(lang):
    assert parse_errors([(lang, VALID[lang])]) == [None]


@pytest.mark.parametrize("lang", sorted(BROKEN))
def test_grammar_reports_broken_query_with_position(lang):
    [error] = parse_errors([(lang, BROKEN[lang])])
    assert error is not None
    assert re.match(r"syntax error at offset \d+: ", error)


def test_grammar_rejects_empty_query():
    assert parse_errors([("promql", "  ")]) == ["empty expression"]


def test_grammar_answers_a_mixed_batch_in_order():
    items = [("promql", VALID["promql"]), ("logql", BROKEN["logql"]), ("traceql", VALID["traceql"])]
    errors = parse_errors(items)
    assert [error is None for error in errors] == [True, False, True]


def test_grafana_builtin_intervals_become_durations():
    expr = "rate(x[$__rate_interval]) + rate(y[${__interval}]) + increase(z[$__range])"
    assert expand_grafana_variables(expr) == "rate(x[1m]) + rate(y[1m]) + increase(z[1h])"


def test_grafana_variables_in_strings_become_match_all():
    expr = 'up{job=~"$job", instance=~"${instance:regex}"} |= "[[search]]"'
    assert expand_grafana_variables(expr) == 'up{job=~".*", instance=~".*"} |= ".*"'


def test_grafana_variables_outside_strings_become_durations_or_identifiers():
    expr = "sum by ($group) (rate(x[$window]))"
    assert expand_grafana_variables(expr) == "sum by (grafana_variable) (rate(x[1m]))"


def test_expanded_dashboard_query_parses():
    expr = 'sum by ($group) (rate(http_requests_total{job=~"$job"}[$__rate_interval]))'
    assert parse_errors([("promql", expr)]) != [None]
    assert parse_errors([("promql", expand_grafana_variables(expr))]) == [None]


def test_require_tool_prefers_environment_override(monkeypatch, tmp_path):
    fake = tmp_path / "promtool"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PROMTOOL", str(fake))
    assert require_tool("promtool") == str(fake)


def test_require_tool_reads_pg_bin_as_a_directory(monkeypatch, tmp_path):
    (tmp_path / "pg_ctl").write_text("#!/bin/sh\n")
    (tmp_path / "pg_ctl").chmod(0o755)
    monkeypatch.setenv("PG_BIN", str(tmp_path))
    assert require_tool("pg_ctl") == str(tmp_path / "pg_ctl")


def test_require_tool_skips_missing_tool(monkeypatch, tmp_path):
    monkeypatch.setenv("NGINX", str(tmp_path / "no-nginx"))
    monkeypatch.delenv("REQUIRE_VALIDATORS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install-validators.sh"):
        require_tool("nginx")


def test_require_tool_fails_missing_tool_when_validators_are_required(monkeypatch, tmp_path):
    monkeypatch.setenv("NGINX", str(tmp_path / "no-nginx"))
    monkeypatch.setenv("REQUIRE_VALIDATORS", "1")
    with pytest.raises(pytest.fail.Exception, match="install-validators.sh"):
        require_tool("nginx")


def test_require_tool_needs_grammar_packages_beside_node(monkeypatch, tmp_path):
    monkeypatch.setattr(tools, "repo_root", lambda: tmp_path)
    found, reason = tools.find_tool("node")
    assert found is None
    assert "@prometheus-io/lezer-promql" in reason


def test_require_tool_rejects_unknown_name():
    with pytest.raises(ValueError, match="unknown validator tool"):
        require_tool("kubectl")


def test_installed_promtool_is_prometheus_3():
    promtool = require_tool("promtool")
    version = subprocess.run([promtool, "--version"], capture_output=True, text=True, check=True, timeout=30)
    assert re.search(r"promtool, version 3\.", version.stdout + version.stderr)


@pytest.mark.parametrize("name", ["prometheus", "nginx", "openssl", "pg_ctl", "checkov"])
def test_validator_tool_is_installed(name):
    assert os.access(require_tool(name), os.X_OK)

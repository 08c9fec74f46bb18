"""promtool accepts the Prometheus files exactly as the local stack renders them: prometheus.yml with
its rules folder, the stack rules, and the rules' own unit tests (config/prometheus/tests)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from tests.validators.prometheus_harness import (CONFIG_FLAG, container_command, container_root, flag_value,
                                                 mapped_config)
from tests.validators.tools import require_tool

RULE_TESTS = Path(__file__).resolve().parents[2] / "config" / "prometheus" / "tests"


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([require_tool("promtool"), *args], capture_output=True, text=True, timeout=60)


RULES = RULE_TESTS.parent / "rules" / "stack.yml"  # Grafana evaluates it (components/alerts/stack_health.py)


def test_promtool_accepts_prometheus_yml_which_loads_no_rules(rendered, tmp_path):
    render_dir = rendered("local")
    manifest = json.loads((render_dir / "manifest.json").read_text())
    config = mapped_config(render_dir, flag_value(container_command(manifest), CONFIG_FLAG), tmp_path)
    result = promtool("check", "config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (container_root(render_dir) / "etc" / "prometheus" / "rules").exists()


def test_promtool_accepts_the_stack_rules(rendered):
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_rule_unit_tests_pass():
    tests = sorted(RULE_TESTS.glob("*.yml"))
    result = promtool("test", "rules", *map(str, tests))
    assert tests and result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_exercised_by_a_rule_unit_test():
    rules_dir = RULE_TESTS.parent / "rules"
    alerts = {rule["alert"] for path in rules_dir.glob("*.yml")
              for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"] if "alert" in rule}
    tested = {case["alertname"] for path in RULE_TESTS.glob("*.yml")
              for test in yaml.safe_load(path.read_text())["tests"] for case in test.get("alert_rule_test", [])}
    assert alerts and alerts <= tested, f"untested alerts: {sorted(alerts - tested)}"

"""config/prometheus/rules/stack.yml's alerts as Grafana-managed rules: same query, same comparison."""

from __future__ import annotations

import re

import pytest

from components.alerts import stack_health
from components.alerts.rules import Threshold
from components.settings import from_stack_file


def _rules() -> dict[str, dict]:
    return {rule["title"]: rule for rule in stack_health.group(from_stack_file("local"))["rules"]}


def test_every_stack_yml_alert_becomes_one_grafana_rule():
    names = [alert["alert"] for alert in stack_health.alerts()]
    assert len(names) == 13
    assert sorted(_rules()) == sorted(names)


def test_query_and_threshold_reassemble_the_prometheus_expression():
    recorded = {"job:up:max": 'max by (job) (up{job=~"grafana|loki|tempo|prometheus|alloy"})'}
    for alert in stack_health.alerts():
        query, evaluator, value = stack_health.split(alert["expr"])
        op = {v: k for k, v in stack_health.THRESHOLDS.items()}[evaluator]
        original = " ".join(alert["expr"].split())
        for name, expr in recorded.items():
            original = original.replace(name, f"({expr})")
        assert f"{query} {op} {value:g}" == original


def test_the_recording_rule_is_written_out_not_queried():
    query, evaluator, value = stack_health.split("job:up:max == 0")
    assert "job:up:max" not in query and query.startswith("(max by (job) (up{")
    assert (evaluator, value) == (Threshold.EQUAL, 0.0)


@pytest.mark.parametrize("expr", ["up", "a > 0 and b > 0", "rate(x[5m]) > bool 0", "a > b"])
def test_an_expression_grafana_could_not_evaluate_alike_is_refused(expr):
    with pytest.raises(ValueError, match="stack.yml"):
        stack_health.split(expr)


def test_prometheus_value_templates_read_the_reduced_value():
    assert stack_health.grafana_template("{{ $value | humanizePercentage }} fail") == \
        "{{ humanizePercentage $values.B.Value }} fail"
    assert stack_health.grafana_template("{{ $value }} down") == "{{ $values.B.Value }} down"
    with pytest.raises(ValueError):
        stack_health.grafana_template("{{ printf \"%.2f\" $value }}")


def test_no_annotation_keeps_prometheus_value_syntax():
    for rule in _rules().values():
        assert not re.search(r"\$value\b", " ".join(rule["annotations"].values()))


def test_pending_periods_and_severities_are_stack_yml_s():
    rules = _rules()
    for alert in stack_health.alerts():
        rule = rules[alert["alert"]]
        assert (rule["for"], rule["labels"]["severity"]) == (alert.get("for", "0s"), alert["labels"]["severity"])


def test_rule_uids_fit_grafana_and_are_unique():
    uids = stack_health.uids()
    assert uids and len(set(uids)) == len(uids) and max(map(len, uids)) <= stack_health.UID_MAX_LENGTH

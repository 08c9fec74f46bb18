"""Rule group "Stack health": the alerts of config/prometheus/rules/stack.yml as Grafana-managed rules.

stack.yml stays the one source (promtool unit-tests it: config/prometheus/tests/stack_test.yml); Grafana
evaluates these rules and routes them through the same contact point as every other rule, so Prometheus
no longer loads the file. Each `<query> <op> <number>` alert becomes query A = `<query>` (recording rules
written out), reduce B and threshold C = `<op> <number>`, so `$values.B.Value` is the value Prometheus'
`$value` was.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components.alerts import rules as r
from components.settings import Settings

SOURCE = Path(__file__).resolve().parents[2] / "config" / "prometheus" / "rules" / "stack.yml"
GROUP = "Stack health"
UID_MAX_LENGTH = 40  # Grafana refuses longer rule uids
THRESHOLDS = {">": r.Threshold.ABOVE, "<": r.Threshold.BELOW, "==": r.Threshold.EQUAL,
              "!=": r.Threshold.NOT_EQUAL, ">=": r.Threshold.AT_LEAST, "<=": r.Threshold.AT_MOST}
# The trailing comparison with a number. Comparisons bind looser than arithmetic, so with no and/or/unless
# at the top level (checked) everything before it is the compared query.
_COMPARISON = re.compile(r"^(?P<query>.+?)\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<value>-?\d+(?:\.\d+)?)$", re.DOTALL)
_SET_OPERATOR = re.compile(r"\b(?:and|or|unless)\b")
# Prometheus alert templates read `$value`; Grafana's read the reduced number of each series.
_VALUE_PIPE = re.compile(r"\{\{\s*\$value\s*\|\s*(\w+)\s*\}\}")
_VALUE = re.compile(r"\{\{\s*\$value\s*\}\}")
GRAFANA_VALUE = "$values.B.Value"


def _one_line(expr: str) -> str:
    return " ".join(expr.split())


@cache
def _source() -> dict[str, Any]:
    return yaml.load(SOURCE.read_text(), Loader=yaml.CSafeLoader)


def _recorded() -> dict[str, str]:
    """Each recording rule's name and expression: Grafana queries the expression, nothing records it now."""
    return {rule["record"]: _one_line(rule["expr"]) for group in _source()["groups"] for rule in group["rules"]
            if "record" in rule}


def alerts() -> list[dict[str, Any]]:
    """stack.yml's alerting rules as written there, in file order."""
    return [rule for group in _source()["groups"] for rule in group["rules"] if "alert" in rule]


def uid(alert_name: str) -> str:
    """`LokiDiscardingLogs` → `loki-discarding-logs`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", alert_name).lower()


def split(expr: str) -> tuple[str, r.Threshold, float]:
    """(query, threshold type, threshold) of an alert expression `<query> <op> <number>`; anything else is
    refused, because Grafana could not evaluate it the way Prometheus did."""
    expr = _one_line(expr)
    for name, recorded in _recorded().items():
        expr = re.sub(rf"(?<![\w:]){re.escape(name)}(?![\w:(])", f"({recorded})", expr)
    match = _COMPARISON.match(expr)
    if not match or _SET_OPERATOR.search(re.sub(r"\([^()]*\)", "", match["query"])):
        raise ValueError(f"stack.yml: expected `<query> <comparison> <number>`, got {expr!r}")
    return match["query"], THRESHOLDS[match["op"]], float(match["value"])


def grafana_template(text: str) -> str:
    """An annotation with Prometheus' `$value` read from the rule's reduced value instead."""
    text = _VALUE.sub("{{ " + GRAFANA_VALUE + " }}", _VALUE_PIPE.sub(r"{{ \1 " + GRAFANA_VALUE + " }}", text))
    if re.search(r"\$value\b", text):
        raise ValueError(f"stack.yml: an annotation uses $value in a form not translated: {text!r}")
    return text


def _rule(alert: dict[str, Any], settings: Settings) -> dict[str, Any]:
    query, evaluator, value = split(alert["expr"])
    rule_uid = uid(alert["alert"])
    if len(rule_uid) > UID_MAX_LENGTH:
        raise ValueError(f"stack.yml: alert {alert['alert']} gives a rule uid over {UID_MAX_LENGTH} characters")
    return r.rule(
        rule_uid, alert["alert"], r.promql(query), evaluator=evaluator, threshold_value=value,
        pending=alert.get("for", "0s"), severity=alert["labels"]["severity"], environment=settings.environment,
        summary=grafana_template(alert["annotations"]["summary"]),
        description=grafana_template(alert["annotations"]["description"]),
        # No series is the healthy case here (no failures counted, or the metric not exported yet); a
        # missing component is the "Stack component down" rule's job.
        no_data="OK",
    )


def uids() -> tuple[str, ...]:
    return tuple(uid(alert["alert"]) for alert in alerts())


def group(settings: Settings) -> dict[str, Any]:
    return r.group(GROUP, "1m", [_rule(alert, settings) for alert in alerts()])

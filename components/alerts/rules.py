"""Shared shape of a Grafana-managed alert rule in Grafana's file-provisioning format.

Every rule is one datasource query (refId A), reduced to one number per series (B) and compared with
a threshold (C), the layout Grafana's own rule editor exports. Each rule group module only supplies
its queries, thresholds and texts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from components import constants as c

ORG_ID = 1
EXPRESSION_UID = "__expr__"  # Grafana's server-side expressions pseudo-datasource
DATASOURCE_TYPES = {
    c.PROMETHEUS: "prometheus",
    c.LOKI: "loki",
    c.POSTGRES_DATASOURCE_UID: "grafana-postgresql-datasource",
}


class Threshold(StrEnum):
    """The single-value threshold types Grafana's threshold expression knows (grafana/grafana
    pkg/expr/threshold.go, ThresholdType). Anything else makes every evaluation an error: the rule sits in
    Error state and never fires. The range types take two params, so the one-number `rule()` leaves them out."""
    ABOVE = "gt"
    BELOW = "lt"
    EQUAL = "eq"
    NOT_EQUAL = "ne"
    AT_LEAST = "gte"
    AT_MOST = "lte"


class Reducer(StrEnum):
    """Grafana's reduce functions (pkg/expr/mathexp/reduce.go, GetReduceFunc)."""
    SUM = "sum"
    MEAN = "mean"
    MIN = "min"
    MAX = "max"
    COUNT = "count"
    LAST = "last"
    MEDIAN = "median"


class ReduceMode(StrEnum):
    """How a reduce treats NaN and null (pkg/expr/reduce.go): strict keeps them, so one NaN makes NaN."""
    STRICT = ""
    DROP_NON_NUMBERS = "dropNN"
    REPLACE_NON_NUMBERS = "replaceNN"


def escape(text: str) -> str:
    """A literal for provisioning fields that Grafana expands `$VAR` in (labels, contact settings)."""
    return text.replace("$", "$$")


def _query(uid: str, seconds: int, model: dict[str, Any]) -> dict[str, Any]:
    return {
        "refId": "A",
        "datasourceUid": uid,
        "relativeTimeRange": {"from": seconds, "to": 0},
        "model": {"refId": "A", "datasource": {"type": DATASOURCE_TYPES[uid], "uid": uid},
                  "intervalMs": 1000, "maxDataPoints": 43200, **model},
    }


def promql(expr: str, seconds: int = 600) -> dict[str, Any]:
    return _query(c.PROMETHEUS, seconds, {"expr": expr, "editorMode": "code", "instant": True, "range": False})


def logql(expr: str, seconds: int = 600) -> dict[str, Any]:
    return _query(c.LOKI, seconds, {"expr": expr, "editorMode": "code", "queryType": "instant"})


def sql(statement: str, seconds: int) -> dict[str, Any]:
    """A table query: one numeric column and no time column is one number to Grafana Alerting."""
    return _query(c.POSTGRES_DATASOURCE_UID, seconds,
                  {"rawSql": statement, "rawQuery": True, "editorMode": "code", "format": "table"})


def _expression(ref_id: str, model: dict[str, Any]) -> dict[str, Any]:
    return {
        "refId": ref_id,
        "datasourceUid": EXPRESSION_UID,
        "relativeTimeRange": {"from": 0, "to": 0},
        "model": {"refId": ref_id, "datasource": {"type": EXPRESSION_UID, "uid": EXPRESSION_UID}, **model},
    }


def reduce(reducer: Reducer, mode: ReduceMode) -> dict[str, Any]:
    settings = {"mode": ReduceMode(mode).value} if mode != ReduceMode.STRICT else {}
    return {"type": "reduce", "expression": "A", "reducer": Reducer(reducer).value, "settings": settings}


def threshold(evaluator: Threshold, value: float) -> dict[str, Any]:
    """`Threshold(...)` refuses a string Grafana does not know (a typo such as "ge") when the file is built."""
    return {"type": "threshold", "expression": "B",
            "conditions": [{"evaluator": {"type": Threshold(evaluator).value, "params": [value]}}]}


def rule(uid: str, title: str, query: dict[str, Any], *, evaluator: Threshold, threshold_value: float, pending: str,
         severity: str, environment: str, summary: str, description: str,
         no_data: str = "NoData", exec_error: str = "Error") -> dict[str, Any]:
    """One alert rule: query A, reduced to its last number per series (B), compared with a threshold (C)."""
    return {
        "uid": uid,
        "title": title,
        "condition": "C",
        "data": [
            query,
            # Instant queries already give one number per series; `last` keeps range results working too.
            _expression("B", reduce(Reducer.LAST, ReduceMode.DROP_NON_NUMBERS)),
            _expression("C", threshold(evaluator, threshold_value)),
        ],
        "for": pending,
        "noDataState": no_data,
        "execErrState": exec_error,
        "isPaused": False,
        "labels": {"severity": severity, "team": "platform", "environment": escape(environment)},
        # Annotations are not env-expanded by Grafana, so `$labels` / `$values` reach the templates.
        "annotations": {"summary": summary, "description": description},
    }


def group(name: str, interval: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    """A rule group in the platform alert folder. File provisioning finds (or creates) the folder by title."""
    return {"orgId": ORG_ID, "name": name, "folder": c.ALERT_FOLDER, "interval": interval, "rules": rules}

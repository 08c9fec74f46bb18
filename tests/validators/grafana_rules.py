"""Grafana's evaluation of the stack's alert rules, replayed over real query results.

Each rule is query A → reduce B → threshold C (components/alerts/rules.py). Grafana evaluates it like this
(grafana/grafana pkg/expr: reduce.go, mathexp/reduce.go, threshold.go; pkg/services/ngalert/eval):
  * A returns one series per label set: an instant PromQL/LogQL vector, or one unlabelled number for a
    SQL table with one numeric column and one row.
  * B reduces each series to one number with its reducer; mode `dropNN` first drops NaN/null values, and
    a series left empty reduces to NaN.
  * C compares each number with the threshold: 1 when `value <type> param` holds, else 0 (NaN → 0).
  * Each label set whose C is non-zero is an alert instance that fires once the condition has held for
    the rule's `for` (pending) period; C = 0 is Normal. A query that returns no series is NoData, handled
    by the rule's noDataState (OK → Normal). The pending period is time, not logic: not replayed here.
The replay reads the reducer, mode, threshold type and parameter from the rule itself, so a change in the
rule is what the tests exercise.
"""

from __future__ import annotations

import math
import operator
import statistics
from collections.abc import Callable, Iterable, Mapping

import yaml

from components import constants as c

Labels = frozenset[tuple[str, str]]
Series = tuple[Mapping[str, str], list[float | None]]

_THRESHOLDS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt, "lt": operator.lt, "eq": operator.eq, "ne": operator.ne,
    "gte": operator.ge, "lte": operator.le,
}
_REDUCERS: dict[str, Callable[[list[float]], float]] = {
    "sum": sum, "mean": statistics.fmean, "min": min, "max": max,
    "count": lambda v: float(len(v)), "last": lambda v: v[-1], "median": statistics.median,
}
NO_DATA = frozenset({("__state__", "NoData")})
# In a render directory: Grafana's alerting provisioning files.
ALERTING_FILES = f"files/{c.container_name(c.GRAFANA)}{c.GRAFANA_PROVISIONING_DIR}/alerting"


def rendered_rules(render_dir) -> dict[str, dict]:
    """A render's alert rules by uid (the `rules` fixture in conftest.py: the local stack's)."""
    document = yaml.safe_load((render_dir / ALERTING_FILES / "rules.yaml").read_text())
    return {rule["uid"]: rule for group in document["groups"] for rule in group["rules"]}


def threshold(rule: dict) -> float:
    """The parameter of the rule's threshold expression (its condition C), as the rule sets it."""
    (condition,) = [d for d in rule["data"] if d["refId"] == rule["condition"]]
    (check,) = condition["model"]["conditions"]
    return float(check["evaluator"]["params"][0])


def _model(rule: dict, ref_id: str) -> dict:
    (data,) = [d for d in rule["data"] if d["refId"] == ref_id]
    return data["model"]


def _reduce(model: dict, values: list[float | None]) -> float:
    mode = model.get("settings", {}).get("mode", "")
    if mode == "dropNN":
        values = [v for v in values if v is not None and not math.isnan(v)]
    elif mode == "replaceNN":
        values = [model["settings"]["replaceWithValue"] if v is None or math.isnan(v) else v for v in values]
    if not values or any(v is None or math.isnan(v) for v in values):
        return math.nan
    return float(_REDUCERS[model["reducer"]]([float(v) for v in values if v is not None]))


def _holds(model: dict, value: float) -> bool:
    (condition,) = model["conditions"]
    evaluator = condition["evaluator"]
    return not math.isnan(value) and _THRESHOLDS[evaluator["type"]](value, float(evaluator["params"][0]))


def evaluate(rule: dict, series: Iterable[Series]) -> dict[Labels, str]:
    """State per alert instance: "Alerting" or "Normal"; a rule whose query returned nothing maps the
    NoData key to its noDataState outcome."""
    assert rule["condition"] == "C"
    reduce_model, threshold_model = _model(rule, "B"), _model(rule, "C")
    assert (reduce_model["type"], threshold_model["type"]) == ("reduce", "threshold")
    states = {frozenset(labels.items()): "Alerting" if _holds(threshold_model, _reduce(reduce_model, values))
              else "Normal" for labels, values in series}
    if not states:
        return {NO_DATA: {"OK": "Normal", "Alerting": "Alerting"}.get(rule["noDataState"], rule["noDataState"])}
    return states


def firing(states: dict[Labels, str]) -> set[Labels]:
    return {labels for labels, state in states.items() if state == "Alerting"}


def by(label: str, states: dict[Labels, str]) -> dict[str, str]:
    """States keyed by one label's value, for readable assertions."""
    return {dict(labels).get(label, ""): state for labels, state in states.items()}

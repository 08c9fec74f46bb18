"""Every PromQL, LogQL and TraceQL expression of the platform dashboards parses with the official Lezer
grammars, after Grafana's template variables are replaced by plausible literals. Covers panel queries
and the stream selectors inside Loki `label_values(...)` variables."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from components import constants as c
from components.dashboards import dashboard_files
from components.settings import from_stack_file
from tests.validators.grammars import expand_grafana_variables, parse_errors

LANGUAGE_BY_DATASOURCE = {c.PROMETHEUS: "promql", c.LOKI: "logql", c.TEMPO: "traceql"}
LABEL_VALUES = re.compile(r"^label_values\((?P<selector>.+),\s*\w+\)$")


def _dashboards() -> list[dict]:
    settings = from_stack_file("local")
    settings = dataclasses.replace(settings, postgres=dataclasses.replace(settings.postgres, enabled=True))
    return [json.loads(text) for _, text in sorted(dashboard_files(settings).items())]


def _queries() -> list[tuple[str, str, str]]:
    """(id, language, expression as written in the dashboard)."""
    found = []
    for d in _dashboards():
        for panel in [p for top in d["panels"] for p in (top, *top.get("panels", []))]:
            for target in panel.get("targets", []):
                lang = LANGUAGE_BY_DATASOURCE.get(target.get("datasource", {}).get("uid"))
                if lang:
                    expr = target["query"] if lang == "traceql" else target["expr"]
                    found.append((f"{d['uid']}/{panel['title']}/{target['refId']}", lang, expr))
        for variable in d["templating"]["list"]:
            if variable.get("datasource", {}).get("uid") == c.LOKI:
                selector = LABEL_VALUES.match(variable["query"])
                assert selector, f"{d['uid']}: variable {variable['name']} is not label_values(selector, label)"
                found.append((f"{d['uid']}/var {variable['name']}", "logql", selector["selector"]))
    return found


QUERIES = _queries()


@pytest.fixture(scope="module")
def errors() -> dict[str, str | None]:
    """One node process parses every query."""
    results = parse_errors([(lang, expand_grafana_variables(expr)) for _, lang, expr in QUERIES])
    return {query_id: error for (query_id, _, _), error in zip(QUERIES, results, strict=True)}


def test_dashboards_use_all_three_query_languages():
    assert {lang for _, lang, _ in QUERIES} == set(LANGUAGE_BY_DATASOURCE.values())


def test_the_grammar_check_rejects_a_broken_query_of_each_language():
    broken = [("promql", "sum by (job (up)"), ("logql", '{container="x"} |= '), ("traceql", "{ status = }")]
    assert all(parse_errors(broken))


@pytest.mark.parametrize(("query_id", "lang", "expr"), QUERIES, ids=[q[0] for q in QUERIES])
def test_query_parses(errors, query_id, lang, expr):
    assert errors[query_id] is None, f"{lang}: {expr}\nexpanded: {expand_grafana_variables(expr)}\n{errors[query_id]}"

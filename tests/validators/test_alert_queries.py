"""Every PromQL and LogQL expression in the alert rules parses with the official grammars."""

from __future__ import annotations

import dataclasses

import yaml

from components import constants as c
from components.alerts import alerting_files
from components.settings import from_stack_file
from tests.validators.grammars import parse_errors

LANGUAGES = {c.PROMETHEUS: "promql", c.LOKI: "logql"}


def _expressions() -> list[tuple[str, str]]:
    local = from_stack_file("local")
    # Every rule, the database ones included (their SQL is checked by the Postgres validator).
    settings = dataclasses.replace(local, postgres=dataclasses.replace(local.postgres, enabled=True))
    groups = yaml.safe_load(alerting_files(settings)["rules.yaml"])["groups"]
    return [(LANGUAGES[query["datasourceUid"]], query["model"]["expr"])
            for group in groups for rule in group["rules"] for query in rule["data"]
            if query["datasourceUid"] in LANGUAGES]


def test_alert_rule_queries_parse():
    expressions = _expressions()
    # Platform health (2 PromQL, 1 LogQL), stack.yml's 13 alerts, the canary's (2 LogQL, 2 PromQL).
    assert sorted(lang for lang, _ in expressions) == ["logql"] * 3 + ["promql"] * 17
    errors = parse_errors(expressions)
    assert len(errors) == len(expressions)
    assert {expr: error for (_, expr), error in zip(expressions, errors, strict=True) if error} == {}

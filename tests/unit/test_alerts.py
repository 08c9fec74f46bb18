"""The Grafana alerting files: which rules exist, where thresholds and contacts come from, stable output."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import yaml

from components import constants as c
from components.alerts import alerting_files
from components.alerts import canary, stack_health
from components.alerts import rules as r
from components.settings import Secret, Settings, from_stack_file
from tests.validators.grafana_rules import threshold

HEALTH_UIDS = {"platform-volume-usage", "platform-component-down", "platform-error-logs",
               *stack_health.uids(), *canary.UIDS}  # stack.yml's 13 alerts, the canary's 4
USAGE_UIDS = {"platform-llm-cost-spike", "platform-flow-error-rate"}
WEBHOOK_URL = "https://hooks.example.com/services/T0/B0/secret-token"


def _settings(postgres: bool = True, **alerts: Any) -> Settings:
    local = from_stack_file("local")
    return dataclasses.replace(local, postgres=dataclasses.replace(local.postgres, enabled=postgres),
                               alerts=dataclasses.replace(local.alerts, **alerts))


def _files(settings: Settings) -> dict[str, dict[str, Any]]:
    return {path: yaml.safe_load(text) for path, text in alerting_files(settings).items()}


def _rules(settings: Settings) -> dict[str, dict[str, Any]]:
    groups = _files(settings)["rules.yaml"]["groups"]
    return {rule["uid"]: rule for group in groups for rule in group["rules"]}


def test_every_rule_with_fixed_uids_when_postgres_is_enabled():
    assert set(_rules(_settings(postgres=True))) == HEALTH_UIDS | USAGE_UIDS


def test_rule_uids_are_unique():
    groups = _files(_settings(postgres=True))["rules.yaml"]["groups"]
    uids = [rule["uid"] for group in groups for rule in group["rules"]]
    assert len(uids) == len(set(uids)) == 3 + 13 + 4 + 2


def test_no_database_rules_without_postgres():
    assert set(_rules(_settings(postgres=False))) == HEALTH_UIDS


def test_database_rules_are_deleted_when_postgres_is_disabled():
    document = _files(_settings(postgres=False))["rules.yaml"]
    assert {entry["uid"] for entry in document["deleteRules"]} == USAGE_UIDS
    assert "deleteRules" not in _files(_settings(postgres=True))["rules.yaml"]


def test_rules_live_in_the_platform_alerts_folder():
    groups = _files(_settings())["rules.yaml"]["groups"]
    assert [g["folder"] for g in groups] == [c.ALERT_FOLDER] * 4


def test_rules_query_only_provisioned_datasources():
    used = {d["datasourceUid"] for rule in _rules(_settings()).values() for d in rule["data"]}
    assert used == {c.PROMETHEUS, c.LOKI, c.POSTGRES_DATASOURCE_UID, "__expr__"}


def test_every_condition_and_expression_names_an_existing_ref_id():
    for rule in _rules(_settings()).values():
        ref_ids = [d["refId"] for d in rule["data"]]
        inputs = [d["model"]["expression"] for d in rule["data"] if d["datasourceUid"] == "__expr__"]
        assert rule["condition"] in ref_ids
        assert inputs and set(inputs) <= set(ref_ids)


@pytest.mark.parametrize(("uid", "setting", "value"), [
    ("platform-volume-usage", "disk_usage_percent", 91),
    ("platform-error-logs", "error_logs_per_minute", 777),
    ("platform-llm-cost-spike", "llm_cost_spike_ratio", 4.5),
    ("platform-flow-error-rate", "flow_error_rate_percent", 37),
])
def test_threshold_comes_from_settings(uid, setting, value):
    rule = _rules(_settings(**{setting: value}))[uid]
    assert threshold(rule) == value
    assert f"{value:g}" in rule["annotations"]["description"]


def test_default_disk_threshold_is_adr_80_percent_inclusive():
    rule = _rules(_settings())["platform-volume-usage"]
    (condition,) = [d for d in rule["data"] if d["refId"] == "C"]
    assert condition["model"]["conditions"][0]["evaluator"] == {"type": "gte", "params": [80]}


def test_component_down_fires_when_prometheus_cannot_answer():
    rule = _rules(_settings())["platform-component-down"]
    assert (rule["noDataState"], rule["execErrState"]) == ("Alerting", "Alerting")


def test_no_contact_point_or_policy_for_contact_type_none():
    assert set(alerting_files(_settings(contact_type="none"))) == {"rules.yaml"}


def test_email_contact_point_lists_the_addresses():
    files = _files(_settings(contact_type="email", contact_address="a@example.com, b@example.com"))
    (receiver,) = files["contact-points.yaml"]["contactPoints"][0]["receivers"]
    assert receiver["type"] == "email"
    assert receiver["settings"]["addresses"] == "a@example.com;b@example.com"


@pytest.mark.parametrize("kind", ["webhook", "teams"])
def test_url_contact_point_reads_the_url_from_its_secret_file(kind):
    settings = _settings(contact_type=kind, contact_url=Secret(WEBHOOK_URL))
    (receiver,) = _files(settings)["contact-points.yaml"]["contactPoints"][0]["receivers"]
    assert receiver["type"] == kind
    assert receiver["settings"]["url"] == "$__file{/run/secrets/alert_contact_url}"
    assert not any(WEBHOOK_URL in text for text in alerting_files(settings).values())


def test_policy_routes_alerts_to_the_contact_point():
    files = _files(_settings(contact_type="email", contact_address="sre@example.com"))
    (contact,) = files["contact-points.yaml"]["contactPoints"]
    (policy,) = files["policies.yaml"]["policies"]
    assert policy["receiver"] == contact["name"]


def test_every_file_is_version_1():
    files = _files(_settings(contact_type="webhook", contact_url=Secret(WEBHOOK_URL)))
    assert set(files) == {"contact-points.yaml", "policies.yaml", "rules.yaml"}
    assert all(document["apiVersion"] == 1 for document in files.values())


def test_output_is_byte_for_byte_reproducible():
    first = alerting_files(_settings(contact_type="teams", contact_url=Secret(WEBHOOK_URL)))
    second = alerting_files(_settings(contact_type="teams", contact_url=Secret(WEBHOOK_URL)))
    assert first == second
    assert list(first) == sorted(first)


# grafana/grafana pkg/expr/threshold.go (ThresholdType) and pkg/expr/mathexp/reduce.go (GetReduceFunc),
# pkg/expr/reduce.go (modes): written out here, independent of the builder's enums, so a wrong enum fails too.
GRAFANA_THRESHOLD_TYPES = {"gt", "lt", "eq", "ne", "gte", "lte"}
GRAFANA_REDUCERS = {"sum", "mean", "min", "max", "count", "last", "median"}
GRAFANA_REDUCE_MODES = {"dropNN", "replaceNN"}


def _expressions(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(uid, d["model"]) for uid, rule in _rules(_settings(postgres=True)).items() for d in rule["data"]
            if d["datasourceUid"] == "__expr__" and d["model"]["type"] == kind]


def test_every_threshold_of_every_rule_is_a_type_grafana_knows():
    thresholds = _expressions("threshold")
    assert len(thresholds) == 22
    for uid, model in thresholds:
        for condition in model["conditions"]:
            assert condition["evaluator"]["type"] in GRAFANA_THRESHOLD_TYPES, uid
            assert len(condition["evaluator"]["params"]) == 1, uid


def test_every_reduce_of_every_rule_is_a_reducer_and_mode_grafana_knows():
    reduces = _expressions("reduce")
    assert len(reduces) == 22
    for uid, model in reduces:
        assert model["reducer"] in GRAFANA_REDUCERS, uid
        assert model["settings"].get("mode", "dropNN") in GRAFANA_REDUCE_MODES, uid


def test_the_builder_enums_are_exactly_grafanas():
    assert {t.value for t in r.Threshold} == GRAFANA_THRESHOLD_TYPES
    assert {x.value for x in r.Reducer} == GRAFANA_REDUCERS
    assert {m.value for m in r.ReduceMode} - {""} == GRAFANA_REDUCE_MODES


@pytest.mark.parametrize("unknown", ["ge", "le", ">=", "above"])
def test_the_builder_refuses_a_threshold_type_grafana_does_not_know(unknown):
    with pytest.raises(ValueError):
        r.threshold(unknown, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("unknown", ["avg", "p95", "first"])
def test_the_builder_refuses_a_reducer_grafana_does_not_know(unknown):
    with pytest.raises(ValueError):
        r.reduce(unknown, r.ReduceMode.STRICT)  # type: ignore[arg-type]


# Grafana's receivers (grafana/alerting receivers/<type>/config.go) refuse to load without these.
GRAFANA_REQUIRED = {"email": {"addresses"}, "webhook": {"url"}, "teams": {"url"}}


@pytest.mark.parametrize("kind", sorted(GRAFANA_REQUIRED))
def test_every_contact_point_has_what_its_type_needs(kind):
    settings = _settings(contact_type=kind, contact_address="sre@example.com", contact_url=Secret(WEBHOOK_URL))
    (receiver,) = _files(settings)["contact-points.yaml"]["contactPoints"][0]["receivers"]
    missing = {key for key in GRAFANA_REQUIRED[kind] if not receiver["settings"].get(key)}
    assert missing == set(), f"{kind} contact point lacks {missing}"


def test_the_required_settings_cover_every_contact_type():
    from components.alerts.notifications import REQUIRED_SETTINGS
    from components.settings.alerts import CONTACT_TYPES
    assert set(REQUIRED_SETTINGS) == set(CONTACT_TYPES) - {"none"}
    assert {k: set(v) for k, v in REQUIRED_SETTINGS.items()} == GRAFANA_REQUIRED


def test_a_contact_point_missing_what_its_type_needs_is_never_written():
    with pytest.raises(ValueError, match="email contact point without addresses"):
        alerting_files(_settings(contact_type="email", contact_address=" , "))


def _ships_a_volume_metrics_source(settings: Settings) -> bool:
    """Whether the stack's Alloy gets a *-volumes.alloy file (as each target picks its specs)."""
    from components.model import DOCKER, KUBERNETES
    from components.services import stack_specs
    from components.targets.railway.services import service_specs
    specs = service_specs(settings) if settings.railway else stack_specs(
        settings, KUBERNETES if settings.kubernetes else DOCKER)
    (alloy,) = [s for s in specs if s.service == c.ALLOY]
    return any(f.path.endswith("-volumes.alloy") for f in alloy.files)


@pytest.mark.parametrize(("stack", "has_rule"), [("local", True), ("azure-dev", True), ("aks-dev", True),
                                                 ("railway", False)])
def test_the_disk_rule_exists_exactly_where_a_volume_metrics_source_ships(stack, has_rule):
    """Without a source the rule would sit in NoData forever; where it is left out it is deleted."""
    settings = from_stack_file(stack)
    document = _files(settings)["rules.yaml"]
    present = "platform-volume-usage" in {rule["uid"] for group in document["groups"] for rule in group["rules"]}
    deleted = {entry["uid"] for entry in document.get("deleteRules", [])}
    assert _ships_a_volume_metrics_source(settings) is has_rule
    assert present is has_rule
    assert ("platform-volume-usage" in deleted) is not has_rule

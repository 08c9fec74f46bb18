"""Every shipped rule reaches a person: one alerting path (Grafana), one policy, one contact point.

Grafana routes an alert down the notification policy tree by its labels; a provisioned root policy with
no child routes sends every alert to its receiver, which must be a provisioned contact point. These tests
walk that path for every rule of every stack file, for each receiver the settings can enable.
"""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from components.alerts import RULE_UIDS, alerting_files
from components.alerts import canary, stack_health
from components.settings import Secret, Settings, from_stack_file

STACKS = ("local", "azure-dev", "aks-dev", "railway")
RECEIVERS = {"email": {"contact_address": "oncall@example.com"},
             "webhook": {"contact_url": Secret("https://hooks.example.com/x")},
             "teams": {"contact_url": Secret("https://example.webhook.office.com/x")}}


def _with_receiver(stack: str, kind: str) -> Settings:
    settings = from_stack_file(stack)
    return dataclasses.replace(settings, alerts=dataclasses.replace(settings.alerts, contact_type=kind,
                                                                    **RECEIVERS[kind]))


def _receivers_of_every_rule(settings: Settings) -> dict[str, str]:
    """{rule uid: the contact point its alerts reach}, following the provisioned policy tree."""
    files = {path: yaml.safe_load(text) for path, text in alerting_files(settings).items()}
    contact_points = {cp["name"] for cp in files["contact-points.yaml"]["contactPoints"] if cp["receivers"]}
    (root,) = files["policies.yaml"]["policies"]
    assert "routes" not in root, "a child route could divert alerts: every rule must reach the root receiver"
    rules = [rule for group in files["rules.yaml"]["groups"] for rule in group["rules"]]
    assert rules
    return {rule["uid"]: root["receiver"] if root["receiver"] in contact_points else "" for rule in rules}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("kind", sorted(RECEIVERS))
def test_no_shipped_rule_routes_nowhere(stack, kind):
    routes = _receivers_of_every_rule(_with_receiver(stack, kind))
    assert [uid for uid, receiver in routes.items() if not receiver] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_yml_alert_and_every_canary_rule_is_provisioned(stack):
    provisioned = set(_receivers_of_every_rule(_with_receiver(stack, "email")))
    assert set(stack_health.uids()) | set(canary.UIDS) <= provisioned
    assert provisioned <= set(RULE_UIDS)


def test_prometheus_evaluates_no_rules_that_would_notify_nobody():
    config = yaml.safe_load((stack_health.SOURCE.parents[1] / "prometheus.yml").read_text())
    assert "rule_files" not in config and "alerting" not in config


def test_the_readme_lists_every_rule_with_its_source():
    readme = (stack_health.SOURCE.parents[3] / "README.md").read_text()
    settings = _with_receiver("local", "email")
    settings = dataclasses.replace(settings, postgres=dataclasses.replace(settings.postgres, enabled=True))
    groups = yaml.safe_load(alerting_files(settings)["rules.yaml"])["groups"]
    rows = [f"| {rule['title']} | {group['name']} · " for group in groups for rule in group["rules"]]
    assert len(rows) == 22 and [row for row in rows if row not in readme] == []


def test_rule_titles_are_unique_as_grafana_requires_within_a_folder():
    settings = dataclasses.replace(from_stack_file("local"), postgres=dataclasses.replace(
        from_stack_file("local").postgres, enabled=True))
    groups = yaml.safe_load(alerting_files(settings)["rules.yaml"])["groups"]
    titles = [rule["title"] for group in groups for rule in group["rules"]]
    assert len(titles) == 22 == len(set(titles))


@pytest.mark.parametrize(("stack", "mode", "contact", "warned"), [
    ("azure-dev", None, "none", True), ("aks-dev", None, "none", True), ("railway", "self-hosted", "none", True),
    ("railway", "grafana-cloud", "none", False),  # no Grafana of ours: Grafana Cloud routes its own alerts
    ("local", None, "none", False), ("azure-dev", None, "email", False), ("aks-dev", None, "teams", False)])
def test_a_deployed_stack_whose_rules_notify_nobody_is_warned_about(stack, mode, contact, warned):
    from components.program import unrouted_alerts

    settings = from_stack_file(stack)
    if mode:
        settings = dataclasses.replace(settings, railway=dataclasses.replace(settings.railway, mode=mode))
    settings = dataclasses.replace(settings, alerts=dataclasses.replace(settings.alerts, contact_type=contact))
    assert unrouted_alerts(settings) is warned

"""Email alerts: the SMTP relay settings are validated together (or email is refused), and reach Grafana
as GF_SMTP_* variables with the password as a secret file."""

from __future__ import annotations

import pytest

from components import constants as c
from components.model import Ref
from components.secret_names import SMTP_PASSWORD
from components.services import grafana
from components.settings import Secret, SettingsError, parse

PASSWORD = "relay-Password-0001"
EMAIL = {"alertContactType": "email", "alertContactAddress": "sre@example.com"}
RELAY = {"smtpHost": "smtp.example.com", "smtpPort": 587, "smtpFromAddress": "grafana@example.com"}


def _problems(raw: dict, secret_keys: set[str] | None = None) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse("local", {"environment": "local", **raw}, secret_keys)
    return caught.value.problems


def _settings(raw: dict, secret_keys: set[str] | None = None):
    return parse("local", {"environment": "local", **raw}, secret_keys)


def test_email_without_an_smtp_relay_is_refused():
    found = _problems(EMAIL)
    assert any(p.startswith("observability:smtpHost") and "required when alertContactType is email" in p
               for p in found)
    assert any(p.startswith("observability:smtpFromAddress") for p in found)


def test_email_with_a_relay_is_accepted_and_enables_grafana_smtp():
    env = grafana.environment(_settings(EMAIL | RELAY))
    assert env["GF_SMTP_ENABLED"] == "true"
    assert env["GF_SMTP_HOST"] == "smtp.example.com:587"
    assert env["GF_SMTP_FROM_ADDRESS"] == "grafana@example.com"
    assert env["GF_SMTP_STARTTLS_POLICY"] == "MandatoryStartTLS"
    assert "GF_SMTP_USER" not in env and "GF_SMTP_PASSWORD__FILE" not in env


def test_a_relay_login_needs_its_password_when_deploying():
    assert any(p.startswith("observability:smtpPassword")
               for p in _problems(EMAIL | RELAY | {"smtpUser": "grafana"}))


def test_the_password_reaches_grafana_only_as_a_secret_file():
    settings = _settings(EMAIL | RELAY | {"smtpUser": "grafana", "smtpPassword": Secret(PASSWORD)}, {"smtpPassword"})
    spec = grafana.spec(settings)
    env = dict(spec.env)
    assert env["GF_SMTP_USER"] == "grafana"
    assert env["GF_SMTP_PASSWORD__FILE"] == c.SMTP_PASSWORD_FILE
    assert {f.path: f.content for f in spec.files}[c.SMTP_PASSWORD_FILE] == Ref(SMTP_PASSWORD)
    assert not any(PASSWORD in value for value in env.values())


def test_a_password_without_a_login_is_refused():
    found = _problems(EMAIL | RELAY | {"smtpPassword": Secret(PASSWORD)}, {"smtpPassword"})
    assert any(p.startswith("observability:smtpUser") for p in found)
    assert not any(PASSWORD in p for p in found)


def test_a_login_over_an_unencrypted_connection_is_refused():
    raw = EMAIL | RELAY | {"smtpUser": "grafana", "smtpPassword": Secret(PASSWORD), "smtpStartTlsPolicy": "NoStartTLS"}
    assert any(p.startswith("observability:smtpStartTlsPolicy") for p in _problems(raw, {"smtpPassword"}))
    assert _settings(raw | {"smtpPort": 465}, {"smtpPassword"}).smtp.port == 465  # TLS from the first byte


@pytest.mark.parametrize(("key", "value"), [("smtpStartTlsPolicy", "Always"), ("smtpHost", "smtp.example.com:25"),
                                            ("smtpFromAddress", "grafana"), ("smtpPort", 70000)])
def test_malformed_smtp_values_name_the_key(key, value):
    assert any(p.startswith(f"observability:{key}") for p in _problems(EMAIL | RELAY | {key: value}))


def test_no_smtp_variables_without_a_relay():
    settings = _settings({})
    assert not any(name.startswith("GF_SMTP_") for name in grafana.environment(settings))
    assert settings.smtp is not None and settings.smtp.enabled is False


def _paths_holding(value, needle: str, path: str = "") -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_paths_holding(v, needle, f"{path}.{k}" if path else k) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(_paths_holding(v, needle, f"{path}[{i}]") for i, v in enumerate(value)))
    return {path} if isinstance(value, str) and needle in value else set()


def test_the_deployed_program_carries_the_smtp_password_only_as_a_secret():
    from tests.unit.pulumi_harness import run_program
    program = run_program("local", overrides=EMAIL | RELAY | {"smtpUser": "grafana"},
                          secrets={"smtpPassword": PASSWORD})
    holders = {(r.name, path): r.secret_paths for r in program.resources
               for path in _paths_holding(r.inputs, PASSWORD)}
    assert holders, "the password reaches no resource"
    for (name, path), secret_paths in holders.items():
        assert any(path == s or path.startswith(f"{s}.") or path.startswith(f"{s}[") for s in secret_paths), \
            f"{name}: {path} holds the SMTP password in plain text"


def test_aks_lets_grafana_reach_the_relay_on_its_configured_port():
    """A relay on 465 (implicit TLS) must be reachable: the NetworkPolicy opens the port Grafana dials."""
    from tests.unit.pulumi_harness import run_program
    program = run_program("aks-dev", overrides=EMAIL | RELAY | {"smtpPort": 465})
    objects = [r.inputs for r in program.resources if r.typ.startswith("kubernetes:") and "kind" in r.inputs]
    [policy] = [o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == c.GRAFANA]
    external = {port["port"] for rule in policy["spec"].get("egress", []) if "to" not in rule
                for port in rule["ports"]}
    assert 465 in external and 587 not in external

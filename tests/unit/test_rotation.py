"""Rotation that really rotates: window arithmetic, and through the azure-dev program, that a run in the
next window gives new keepers (so new passwords), which reach Grafana, Postgres, Key Vault and the ACR
token -- and that a run inside the same window changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from components import rotation
from components.rotation import EPOCH, current_window
from components.targets.acr_token import _TokenPasswordProvider
from tests.unit.pulumi_harness import on_day
from tests.unit.test_azure_edge import azure_program

PASSWORD = "random:index/randomPassword:RandomPassword"
VAULT_SECRET = "azure-native:keyvault:Secret"
TOKEN_PASSWORD = "pulumi-python:dynamic:Resource"
ADMIN_FILE = "/run/secrets/grafana_admin_password"
READONLY_FILE = "/run/secrets/postgres_readonly_password"
POSTGRES = ({"postgresEnabled": True}, {"postgresAdminPassword": "postgres-admin-password-1"})

# A window boundary of the 90-day period (in 2043, so no test passes by today's date): the last day of
# window 299 and the first day of window 300.
FIRST_DAY = EPOCH + timedelta(days=300 * 90)
LAST_DAY = FIRST_DAY - timedelta(days=1)
WINDOW = current_window(90, LAST_DAY)


def _upload(program, container: str, path: str):
    registered = program.containers()[container]
    index = next(i for i, u in enumerate(registered.inputs["uploads"]) if u["file"] == path)
    return registered.inputs["uploads"][index]["content"], f"uploads[{index}].content" in registered.secret_paths


def _vault_properties(program, secret_name: str) -> dict:
    return next(r.inputs["properties"] for r in program.of_type(VAULT_SECRET) if r.inputs["secretName"] == secret_name)


def program_on(day: date, **overrides):
    """The azure-dev program (Postgres on) as `pulumi up` would run it on `day`."""
    with on_day(day):
        return azure_program(POSTGRES[0] | overrides, POSTGRES[1])


# --- window arithmetic ------------------------------------------------------------------------------

def test_the_keeper_changes_exactly_at_the_window_boundary():
    assert current_window(90, LAST_DAY).keeper != current_window(90, FIRST_DAY).keeper


def test_every_day_of_a_window_has_the_same_keeper():
    first_of_window = FIRST_DAY - timedelta(days=90)
    assert current_window(90, first_of_window).keeper == current_window(90, LAST_DAY).keeper


def test_the_expiry_is_the_first_instant_of_the_next_window():
    expected = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC).timestamp()
    assert current_window(90, LAST_DAY).expires_epoch == expected


# --- through the program ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def program():
    return program_on(LAST_DAY)


@pytest.fixture(scope="module")
def next_window():
    """The same stack run on the first day of the next window."""
    return program_on(FIRST_DAY)


def test_generated_passwords_carry_the_current_windows_keeper(program):
    keepers = {r.name: r.inputs.get("keepers") for r in program.of_type(PASSWORD)}
    expected = {"rotation": WINDOW.keeper}
    assert keepers["secrets-grafana-admin-password"] == keepers["secrets-postgres-readonly-password"] == expected


def test_the_period_is_the_password_rotation_days_setting():
    keepers = {r.name: r.inputs.get("keepers") for r in program_on(LAST_DAY, rotationWindowDays=30).of_type(PASSWORD)}
    assert keepers["secrets-grafana-admin-password"] == {"rotation": current_window(30, LAST_DAY).keeper}


def test_the_grafana_secret_key_is_never_rotated(program):
    keepers = {r.name: r.inputs.get("keepers") for r in program.of_type(PASSWORD)}
    assert keepers["secrets-grafana-secret-key"] is None  # rotating it would orphan datasource secrets


def test_the_admin_sync_job_gets_the_same_secret_as_grafanas_password_file(program):
    grafana, grafana_secret = _upload(program, "obs-grafana", ADMIN_FILE)
    job, job_secret = _upload(program, "obs-grafana-admin-sync", ADMIN_FILE)
    assert grafana == job and grafana_secret and job_secret


def test_vault_secrets_expire_at_the_end_of_the_window(program):
    expires = {r.inputs["properties"]["attributes"]["expires"] for r in program.of_type(VAULT_SECRET)}
    assert expires == {WINDOW.expires_epoch}


def _token_passwords(program) -> dict[str, dict]:
    return {r.inputs["password_name"]: r.inputs for r in program.of_type(TOKEN_PASSWORD)}


def test_each_acr_token_password_slot_is_made_every_other_window_and_lives_two(program):
    # Window 299 (odd): password2 is made in it, password1 was made in window 298.
    slots = _token_passwords(program)
    for slot, made_in in (("password1", WINDOW.index - 1), ("password2", WINDOW.index)):
        made = rotation.Window(made_in, 90)
        assert slots[slot]["rotation"] == made.keeper
        assert datetime.fromisoformat(slots[slot]["expiry"]).timestamp() == made.expires_epoch + 90 * 86_400


def _provider_password(program) -> str:
    (auth,) = json.loads(program.named("docker-registry").inputs["registryAuth"])
    return auth["password"]


def test_the_docker_provider_logs_in_with_the_password_of_the_previous_window(program):
    assert _provider_password(program) == f"token-password-{rotation.Window(WINDOW.index - 1, 90).keeper}"


def test_a_new_window_remakes_one_slot_and_the_provider_moves_to_the_one_already_made(program, next_window):
    before, after = program, next_window
    slots = [_token_passwords(p) for p in (before, after)]
    assert [s for s in slots[0] if slots[0][s]["rotation"] != slots[1][s]["rotation"]] == ["password1"]
    # What the provider uses in window 300 is the password made in window 299: in the state already.
    assert _provider_password(after) == f"token-password-{WINDOW.keeper}"


def test_a_run_in_the_next_window_gives_every_rotated_password_a_new_keeper(program, next_window):
    before, after = program, next_window
    keepers = [{r.name: r.inputs.get("keepers") for r in p.of_type(PASSWORD)} for p in (before, after)]
    changed = {name for name in keepers[0] if keepers[0][name] != keepers[1][name]}
    assert changed == {"secrets-grafana-admin-password", "secrets-postgres-readonly-password"}


def test_a_new_password_reaches_grafana_its_admin_sync_job_and_the_postgres_job(program, next_window):
    before, after = program, next_window
    for container, path in (("obs-grafana", ADMIN_FILE), ("obs-grafana-admin-sync", ADMIN_FILE),
                            ("obs-grafana", READONLY_FILE), ("obs-postgres-readonly", READONLY_FILE)):
        assert _upload(before, container, path)[0] != _upload(after, container, path)[0], (container, path)


def test_a_new_window_updates_key_vault_values_and_expiry(program, next_window):
    before, after = program, next_window
    old, new = (_vault_properties(p, "azure-dev-grafana-admin-password") for p in (before, after))
    assert old["value"] != new["value"] and new["attributes"]["expires"] - old["attributes"]["expires"] == 90 * 86_400


def test_a_run_inside_the_same_window_changes_nothing():
    first_of_window = FIRST_DAY - timedelta(days=90)
    early, late = program_on(first_of_window), program_on(LAST_DAY)
    declared = [sorted((r.typ, r.name, repr(r.inputs)) for r in p.resources) for p in (early, late)]
    assert declared[0] == declared[1]


def test_a_new_window_replaces_the_acr_token_password(monkeypatch):
    monkeypatch.setattr(_TokenPasswordProvider, "_created", classmethod(lambda cls, token, slot: None))
    old = {"token_id": "t", "password_name": "password1", "expiry": "2026-12-03T00:00:00+00:00",
           "rotation": "90d-window-230"}
    new = old | {"expiry": "2027-03-03T00:00:00+00:00", "rotation": "90d-window-231"}
    diff = _TokenPasswordProvider().diff("id", old | {"password": "p"}, new)
    assert diff.changes and set(diff.replaces) == {"expiry", "rotation"} and diff.delete_before_replace is False


CREATED = "2026-09-04T10:00:00+00:00"
TOKEN_PROPS = {"token_id": "t", "password_name": "password1", "expiry": "2026-12-03T00:00:00+00:00", "rotation": "w"}


def _acr_reports(monkeypatch, created: str | None) -> None:
    """What ACR answers about the token's password1: made at `created`, or no such password."""
    monkeypatch.setattr(_TokenPasswordProvider, "_created", classmethod(lambda cls, token, slot: created))


def test_the_same_window_keeps_the_acr_token_password(monkeypatch):
    _acr_reports(monkeypatch, CREATED)
    diff = _TokenPasswordProvider().diff("id", TOKEN_PROPS | {"password": "p", "created": CREATED}, TOKEN_PROPS)
    assert not diff.changes and diff.replaces == []


@pytest.mark.parametrize("live", ["2026-10-01T08:00:00+00:00", None], ids=["regenerated", "gone"])
def test_a_password_regenerated_or_removed_outside_pulumi_is_replaced(monkeypatch, live):
    _acr_reports(monkeypatch, live)
    diff = _TokenPasswordProvider().diff("id", TOKEN_PROPS | {"password": "p", "created": CREATED}, TOKEN_PROPS)
    assert diff.changes and diff.replaces == ["password"]


def test_a_refresh_after_an_outside_regeneration_keeps_the_password_marked_for_replacement(monkeypatch):
    _acr_reports(monkeypatch, "2026-10-01T08:00:00+00:00")
    provider = _TokenPasswordProvider()
    refreshed = provider.read("id", TOKEN_PROPS | {"password": "p", "created": CREATED}).outs
    assert refreshed["created"] == CREATED and refreshed["stale"] is True
    diff = provider.diff("id", refreshed, TOKEN_PROPS)
    assert diff.changes and diff.replaces == ["password"]


def test_a_refresh_of_a_current_password_changes_nothing(monkeypatch):
    _acr_reports(monkeypatch, CREATED)
    provider = _TokenPasswordProvider()
    refreshed = provider.read("id", TOKEN_PROPS | {"password": "p", "created": CREATED}).outs
    assert refreshed["stale"] is False and not provider.diff("id", refreshed, TOKEN_PROPS).changes


def test_a_stale_mark_survives_a_second_refresh_even_if_acr_matches_again(monkeypatch):
    _acr_reports(monkeypatch, CREATED)
    refreshed = _TokenPasswordProvider().read("id", TOKEN_PROPS | {"password": "p", "created": CREATED,
                                                                   "stale": True}).outs
    assert refreshed["stale"] is True


@pytest.mark.parametrize("answered", [CREATED, None], ids=["with-time", "without-time"])
def test_create_records_acrs_creation_time_even_when_the_action_omits_it(monkeypatch, answered):
    monkeypatch.setattr(_TokenPasswordProvider, "_generate", classmethod(lambda cls, t, s, e: ("secret", answered)))
    _acr_reports(monkeypatch, CREATED)
    provider = _TokenPasswordProvider()
    made = provider.create(TOKEN_PROPS).outs
    assert made["created"] == CREATED and made["password"] == "secret"
    assert not provider.diff("id", made, TOKEN_PROPS).changes

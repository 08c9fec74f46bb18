"""The ACR token password's drift check with ACR's answers as the SDK (azure-mgmt-containerregistry 15.0.0)
hands them over: the time `generateCredentials` answers and the time `tokens.get` keeps may differ in precision
(ACR reports 100 ns ticks, e.g. "2017-03-01T23:14:37.0707808Z" in the REST examples' Tokens_Get.json; the SDK
keeps microseconds) without the password having changed; a password regenerated elsewhere differs by more."""

from __future__ import annotations

import types

import pytest
from azure.mgmt.containerregistry import models

from components.targets import acr_token
from components.targets.acr_token import _TokenPasswordProvider

TOKEN_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-x/providers/"
            "Microsoft.ContainerRegistry/registries/myacr/tokens/observability-pull")
PROPS = {"token_id": TOKEN_ID, "password_name": "password1", "expiry": "2026-12-03T00:00:00+00:00",
         "rotation": "90d-window-230"}


class FakeAcr:
    """ARM as the SDK's client sees it: the action answers `answered`, the token keeps `kept` (JSON times)."""

    def __init__(self, answered: str | None, kept: str | None):
        self.answered, self.kept = answered, kept
        self.registries, self.tokens = self, self

    def begin_generate_credentials(self, group, registry, parameters):
        password = {"name": "password1", "value": "s3cret",
                    **({"creationTime": self.answered} if self.answered else {})}
        result = models.GenerateCredentialsResult({"username": "observability-pull", "passwords": [password]})
        return types.SimpleNamespace(result=lambda: result)

    def get(self, group, registry, name):
        passwords = [{"name": "password1", "creationTime": self.kept}] if self.kept else []
        return models.Token({"id": TOKEN_ID, "properties": {"credentials": {"passwords": passwords}}})


@pytest.fixture
def acr(monkeypatch):
    """Installs a FakeAcr with the given answers as the provider's ARM client."""
    def install(answered: str | None, kept: str | None) -> FakeAcr:
        fake = FakeAcr(answered, kept)
        monkeypatch.setattr(_TokenPasswordProvider, "_client",
                            staticmethod(lambda token_id: (fake, {"resourcegroups": "rg-x", "registries": "myacr",
                                                                  "tokens": "observability-pull"})))
        return fake
    return install


@pytest.mark.parametrize("answered", ["2026-09-04T10:00:00.07Z", "2026-09-04T12:00:00.0707808+02:00", None],
                         ids=["milliseconds", "another-zone", "no-time"])
def test_a_password_made_by_pulumi_is_current_whatever_precision_or_source_the_time_came_from(acr, answered):
    acr(answered, kept="2026-09-04T10:00:00.0707808Z")
    provider = _TokenPasswordProvider()
    made = provider.create(PROPS).outs
    assert made["created"] == "2026-09-04T10:00:00+00:00"  # the token's own time, to the second
    assert not provider.diff("id", made, PROPS).changes
    assert provider.read("id", made).outs["stale"] is False


def test_a_state_written_with_the_actions_microseconds_is_still_current(acr):
    acr(None, kept="2026-09-04T10:00:00.0707808Z")
    old_state = PROPS | {"password": "p", "created": "2026-09-04T10:00:00.070000+00:00", "stale": False}
    assert not _TokenPasswordProvider().diff("id", old_state, PROPS).changes


@pytest.mark.parametrize("kept", ["2026-09-04T10:00:01.0000001Z", None], ids=["regenerated", "gone"])
def test_a_password_regenerated_or_removed_outside_pulumi_is_stale(acr, kept):
    acr(None, kept=kept)
    state = PROPS | {"password": "p", "created": "2026-09-04T10:00:00+00:00", "stale": False}
    diff = _TokenPasswordProvider().diff("id", state, PROPS)
    assert diff.changes and diff.replaces == ["password"]


def test_the_comparison_is_to_the_second_in_utc():
    assert acr_token._moment("2026-09-04T10:00:00.9999999Z") == "2026-09-04T10:00:00+00:00"
    assert acr_token._moment("2026-09-04T12:00:00+02:00") == acr_token._moment("2026-09-04T10:00:00Z")
    assert acr_token._moment("2026-09-04T10:00:01Z") != acr_token._moment("2026-09-04T10:00:00.9999999Z")
    assert acr_token._moment(None) is None

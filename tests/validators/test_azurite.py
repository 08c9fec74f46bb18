"""Azurite, installed with the validators (npm), starts on loopback and answers the Blob REST API signed with its
development account's Shared Key — what the Loki HA test (test_loki_ha.py) stores in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.validators import azurite as emulator


@pytest.fixture(scope="module")
def azurite(tmp_path_factory) -> Iterator[emulator.Azurite]:
    with emulator.running_azurite(tmp_path_factory.mktemp("azurite")) as running:
        yield running


def test_azurite_creates_a_container_and_lists_it_empty(azurite):
    azurite.create_container("probe")
    assert azurite.blob_names("probe") == []


def test_azurite_refuses_a_request_signed_with_another_key(azurite, monkeypatch):
    """The signature is checked, so the create above proves the signing right."""
    monkeypatch.setattr(emulator, "ACCOUNT_KEY", "AAAA" + emulator.ACCOUNT_KEY[4:])
    status, _ = azurite.request("PUT", "/other", {"restype": "container"})
    assert status == 403

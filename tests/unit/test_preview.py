"""`pulumi preview` on the risky azure-dev runs, under mocks in preview mode: a run in a new rotation
window that also adds a mirrored repository. The token password made in this window and the new cache
rules do not exist yet (unknown); the Docker providers and every container must still be fully known,
or the engine would skip Check and Diff for every container and show nothing of what `up` will do."""

from __future__ import annotations

import pytest
from pulumi.runtime import rpc

from components.rotation import current_window
from tests.unit import pulumi_harness as harness

CACHE_RULE = "azure-native:containerregistry:CacheRule"
TOKEN_PASSWORD = "pulumi-python:dynamic:Resource"


class RotationPreview(harness.RecordingMocks):
    """What the engine knows before `up` creates them: nothing of this window's password or new rules."""

    def __init__(self, keeper: str) -> None:
        super().__init__()
        self.keeper = keeper

    def new_resource(self, args):
        resource_id, state = super().new_resource(args)
        if args.typ == TOKEN_PASSWORD and args.inputs.get("rotation") == self.keeper:
            return "", state | {"password": rpc.UNKNOWN}
        if args.typ == CACHE_RULE:
            return "", state  # created by this run: no id yet
        return resource_id, state


@pytest.fixture(scope="module")
def preview() -> harness.Program:
    keeper = current_window(90).keeper  # azure-dev's rotationWindowDays
    return harness.run_program("azure-dev", mocks=RotationPreview(keeper), preview=True)


def test_the_preview_really_has_an_unknown_token_password(preview):
    (new_slot,) = [r for r in preview.of_type(TOKEN_PASSWORD) if r.inputs["rotation"] == current_window(90).keeper]
    assert new_slot.name.startswith("azure-pull-password")


@pytest.mark.parametrize("provider", ["docker-host", "docker-registry"])
def test_both_docker_providers_are_configured_with_known_values(preview, provider):
    assert preview.named(provider).unknown_paths == set()


def test_every_container_input_is_known(preview):
    containers = preview.containers()
    assert len(containers) == 11
    assert {name: c.unknown_paths for name, c in containers.items() if c.unknown_paths} == {}


def test_the_platform_network_is_named_from_config_not_from_the_lookup(preview):
    networks = {n["name"] for c in preview.containers().values() for n in c.inputs["networksAdvanced"]}
    assert networks == {"observability", "observability-docker-api", "migration_network"}

"""`pulumi preview` of the very first azure-dev deploy, under mocks in preview mode: nothing exists yet, so
every output the cloud or a provider computes (ids, both ACR token password slots, the generated
passwords, the pulled images' ids) is unknown. The registry provider's configuration is then unknown too,
but the host provider's must be known, or the engine would skip Check and Diff for every container."""

from __future__ import annotations

import pytest
from pulumi.runtime import rpc

from tests.unit import pulumi_harness as harness


class FirstDeployPreview(harness.RecordingMocks):
    """Every resource is new: its id and every output that is not an echo of its inputs is unknown."""

    def new_resource(self, args):
        _, state = super().new_resource(args)
        return "", {key: value if args.inputs.get(key) == value else rpc.UNKNOWN for key, value in state.items()}


@pytest.fixture(scope="module")
def preview() -> harness.Program:
    return harness.run_program("azure-dev", mocks=FirstDeployPreview(), preview=True)


def test_the_harness_sees_the_unknowns_of_a_first_deploy(preview):
    # The control: with nothing pulled yet, no container's image id is known, and neither slot's password.
    containers = preview.containers().values()
    assert containers and all("image" in c.unknown_paths for c in containers)
    assert preview.named("docker-registry").unknown_paths == {"registryAuth.value"}  # a secret, unknown


def test_the_host_provider_is_configured_with_known_values(preview):
    assert preview.named("docker-host").unknown_paths == set()


def test_every_container_input_but_the_image_and_the_generated_passwords_is_known(preview):
    # A generated password is made by `up` (random's result), so the secret file holding it is unknown.
    containers = preview.containers()
    assert len(containers) == 11
    unexpected = {name: c.unknown_paths - {"image"} - {f"{path}.value" for path in c.secret_paths}
                  for name, c in containers.items()}
    assert {name: paths for name, paths in unexpected.items() if paths} == {}

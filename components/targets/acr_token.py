"""A password for an ACR token, made by ARM's `generateCredentials` action, which azure-native has no
resource for (pulumi/pulumi-azure-native#3099). A Pulumi dynamic provider: it runs in the `pulumi` process
with the deploying identity (azure-identity's DefaultAzureCredential: the pipeline's AZURE_CLIENT_ID/
AZURE_CLIENT_SECRET/AZURE_TENANT_ID, or `az login`). The password expires with the rotation window and is
replaced when the window changes, so the pull credential rotates with the stack's passwords.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

PASSWORD_SLOT = "password1"
SLOTS = ("password1", "password2")  # an ACR token holds at most these two passwords
# Any change to these replaces the password: a new one is generated before the old state is dropped.
REPLACE_ON = ("token_id", "password_name", "expiry", "rotation")


class _TokenPasswordProvider(ResourceProvider):
    """Pulumi pickles this provider into the state *by module path* and imports this module in its
    provider process (the project is installed in venv/ by requirements.txt): moving or renaming the
    module or class breaks refresh and destroy of existing stacks. The Azure SDKs are imported inside the
    methods, so the program and its tests never need them at import time."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        password = self._generate(props["token_id"], props["password_name"], props["expiry"])
        return CreateResult(f"{props['token_id']}/{props['password_name']}", {**props, "password": password})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in REPLACE_ON if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=False)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Nothing to revoke: a replacement has already regenerated the same slot (revoking it now would
        # kill the new password), and deleting the token itself drops all of its passwords.
        return None

    @staticmethod
    def _generate(token_id: str, password_name: str, expiry: str) -> str:
        from datetime import datetime

        from azure.identity import DefaultAzureCredential
        from azure.mgmt.containerregistry import ContainerRegistryManagementClient
        from azure.mgmt.containerregistry.models import GenerateCredentialsParameters

        # /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.ContainerRegistry/registries/<r>/tokens/<t>
        parts = token_id.strip("/").split("/")
        ids = {parts[i].lower(): parts[i + 1] for i in range(0, len(parts) - 1, 2)}
        client = ContainerRegistryManagementClient(DefaultAzureCredential(), ids["subscriptions"])
        poller = client.registries.begin_generate_credentials(
            ids["resourcegroups"], ids["registries"],
            GenerateCredentialsParameters(token_id=token_id, name=password_name,
                                          expiry=datetime.fromisoformat(expiry)))
        # `==`, not a dict lookup: the SDK may hand the name back as a str enum.
        password = next((p.value for p in poller.result().passwords or () if p.name == password_name), None)
        if not password:
            raise RuntimeError(f"ACR returned no {password_name} for token {token_id}")
        return password


class AcrTokenPassword(Resource):
    """`password` (secret) of the ACR token `token_id`, valid until `expiry` (ISO 8601, UTC)."""

    password: pulumi.Output[str]

    def __init__(self, name: str, token_id: pulumi.Input[str], expiry: str, rotation: str,
                 slot: str = PASSWORD_SLOT, opts: pulumi.ResourceOptions | None = None):
        props = {"token_id": token_id, "password_name": slot, "expiry": expiry, "rotation": rotation,
                 "password": None}
        super().__init__(_TokenPasswordProvider(), name, props, pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["password"])))

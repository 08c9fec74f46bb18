"""A password for an ACR token, made by ARM's `generateCredentials` action, which azure-native has no
resource for (pulumi/pulumi-azure-native#3099). A Pulumi dynamic provider: it runs in the `pulumi` process
with the deploying identity (azure-identity's DefaultAzureCredential: the pipeline's AZURE_CLIENT_ID/
AZURE_CLIENT_SECRET/AZURE_TENANT_ID, or `az login`). The password expires with the rotation window and is
replaced when the window changes, so the pull credential rotates with the stack's passwords.

Drift: the state records when ACR made the password (`created`), read back from the token itself (the
same answer every later diff compares with) and compared to the second in UTC: ACR reports 100 ns ticks
(seven fractional digits), the SDK keeps six, and the action's own answer may carry fewer. If the token's
password was regenerated outside Pulumi (the portal, `az acr token credential generate`, a re-created token),
ACR reports another creation time (or none) and the state's password no longer works: every `pulumi
preview`/`up` (diff) sees that, and the password is replaced instead of failing pulls with 401. `pulumi
refresh` (read) must not hide it: it keeps the state's `created` and marks the password `stale`, so the next
diff replaces it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

SLOTS = ("password1", "password2")  # an ACR token holds at most these two passwords
# Any change to these replaces the password: a new one is generated before the old state is dropped.
REPLACE_ON = ("token_id", "password_name", "expiry", "rotation")


class _TokenPasswordProvider(ResourceProvider):
    """Pulumi pickles this provider into the state *by module path* and imports this module in its
    provider process (the project is installed in venv/ by requirements.txt): moving or renaming the
    module or class breaks refresh and destroy of existing stacks. The Azure SDKs are imported inside the
    methods, so the program and its tests never need them at import time."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        token_id, slot = props["token_id"], props["password_name"]
        password, answered = self._generate(token_id, slot, props["expiry"])
        # The token's own time, as every later diff reads it; the action's answer only if the token has none.
        created = _moment(self._created(token_id, slot) or answered)
        return CreateResult(f"{token_id}/{slot}", {**props, "password": password, "created": created,
                                                   "stale": False})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in REPLACE_ON if olds.get(key) != news.get(key)]
        if not changed and (olds.get("stale") or self._is_stale(olds)):
            changed = ["password"]  # regenerated outside Pulumi: the password in the state is stale
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # Never adopt ACR's time: that would make a stale password look current to every later diff.
        return ReadResult(id_, {**props, "stale": bool(props.get("stale")) or self._is_stale(props)})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Nothing to revoke: a replacement has already regenerated the same slot (revoking it now would
        # kill the new password), and deleting the token itself drops all of its passwords.
        return None

    @classmethod
    def _is_stale(cls, props: dict[str, Any]) -> bool:
        live = cls._created(props["token_id"], props["password_name"])
        return _moment(props.get("created")) != _moment(live)

    @staticmethod
    def _client(token_id: str) -> tuple[Any, dict[str, str]]:
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.containerregistry import ContainerRegistryManagementClient

        # /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.ContainerRegistry/registries/<r>/tokens/<t>
        parts = token_id.strip("/").split("/")
        ids = {parts[i].lower(): parts[i + 1] for i in range(0, len(parts) - 1, 2)}
        return ContainerRegistryManagementClient(DefaultAzureCredential(), ids["subscriptions"]), ids

    @classmethod
    def _generate(cls, token_id: str, password_name: str, expiry: str) -> tuple[str, str | None]:
        from azure.mgmt.containerregistry.models import GenerateCredentialsParameters

        client, ids = cls._client(token_id)
        poller = client.registries.begin_generate_credentials(
            ids["resourcegroups"], ids["registries"],
            GenerateCredentialsParameters(token_id=token_id, name=password_name,
                                          expiry=datetime.fromisoformat(expiry)))
        # `==`, not a dict lookup: the SDK may hand the name back as a str enum.
        made = next((p for p in poller.result().passwords or () if p.name == password_name), None)
        if made is None or not made.value:
            raise RuntimeError(f"ACR returned no {password_name} for token {token_id}")
        return made.value, _iso(getattr(made, "creation_time", None))

    @classmethod
    def _created(cls, token_id: str, password_name: str) -> str | None:
        """When ACR made the token's password `password_name`, or None if it has none (or no token)."""
        client, ids = cls._client(token_id)
        try:
            token = client.tokens.get(ids["resourcegroups"], ids["registries"], ids["tokens"])
        except Exception as error:  # noqa: BLE001 -- a deleted token (404) means no password at all
            if getattr(error, "status_code", None) == 404:
                return None
            raise
        passwords = token.credentials.passwords if token.credentials else None
        return next((_iso(p.creation_time) for p in passwords or () if p.name == password_name), None)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(iso: str | None) -> str | None:
    """An ISO 8601 time at the precision both of ACR's answers share: the whole second, in UTC."""
    if not iso:
        return None
    made = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (made.astimezone(UTC) if made.tzinfo else made.replace(tzinfo=UTC)).replace(microsecond=0).isoformat()


class AcrTokenPassword(Resource):
    """`password` (secret) of the ACR token `token_id`, valid until `expiry` (ISO 8601, UTC)."""

    password: pulumi.Output[str]

    def __init__(self, name: str, token_id: pulumi.Input[str], expiry: str, rotation: str,
                 slot: str, opts: pulumi.ResourceOptions | None = None):
        props = {"token_id": token_id, "password_name": slot, "expiry": expiry, "rotation": rotation,
                 "password": None, "created": None, "stale": None}
        super().__init__(_TokenPasswordProvider(), name, props, pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["password"])))

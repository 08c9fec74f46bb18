"""The plumbing every Railway provider shares: the client, built per call from the token read at run time
(never stored in anything Pulumi pickles), the diff that refuses to delete data, and how a gone object
is recognised (a delete that finds it gone is done; a read that finds it gone drops it from the state)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import ConfigureRequest, DiffResult, ReadResult, ResourceProvider

from components.constants import PROJECT
from components.targets.railway.client import RailwayClient, RailwayError, Transport, token_from, urllib_transport

# Fully qualified: the provider process may not know the project's name (pulumi/pulumi#17050).
TOKEN_SETTING = f"{PROJECT}:railwayToken"
GONE = re.compile(r"not found|does not exist", re.IGNORECASE)


def edges(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def gone() -> ReadResult:
    """What `read` answers for an object deleted by hand: refresh drops it from the state."""
    return ReadResult("", {})


def named(nodes: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((node for node in nodes if node["name"] == name), None)


class RailwayProvider(ResourceProvider):
    """Shared plumbing: the client, built per call from the token read at run time."""

    serialize_as_secret_always = True
    REPLACE_ON: tuple[str, ...] = ()
    OUTPUTS: tuple[str, ...] = ("adopted",)  # set by the provider, never by the program: not a change
    # Replacing these would delete the user's data (a created project takes its volumes along): refused.
    KEEPS_DATA_ON: tuple[str, ...] = ()
    # Tests swap these for a fake transport and a fake clock; a deploy leaves them as they are.
    transport: Transport = staticmethod(urllib_transport)  # type: ignore[assignment]
    sleep: Callable[[float], None] = staticmethod(time.sleep)  # type: ignore[assignment]
    # Unix time, not monotonic: the client compares it with Railway's X-RateLimit-Reset.
    clock: Callable[[], float] = staticmethod(time.time)  # type: ignore[assignment]

    def configure(self, req: ConfigureRequest) -> None:
        self._configured_token = req.config.get(TOKEN_SETTING)

    def client(self) -> RailwayClient:
        token = token_from(getattr(self, "_configured_token", None))
        return RailwayClient(token, self.transport, self.sleep, self.clock)

    def remove(self, document: str, variables: dict[str, Any]) -> None:
        """A delete that succeeds when the object is already gone (deleted by hand, or with its service)."""
        try:
            self.client().execute(document, variables)
        except RailwayError as error:
            if not GONE.search(str(error)):
                raise

    def live(self, document: str, args: dict[str, Any], key: str) -> dict[str, Any] | None:
        """The object as Railway has it now, or None when it is gone (deleted, or queued for deletion)."""
        try:
            found = self.client().execute(document, args)[key]
        except RailwayError as error:
            if GONE.search(str(error)):
                return None
            raise
        return None if not found or found.get("deletedAt") else found

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = [k for k in news if not k.startswith("__") and k not in self.OUTPUTS and olds.get(k) != news.get(k)]
        replaces = [k for k in keys if k in self.REPLACE_ON]
        losing = [k for k in replaces if k in self.KEEPS_DATA_ON]
        if losing and not olds.get("adopted"):
            kind = type(self).__name__.removesuffix("Provider").lower()
            changes = ", ".join(f"{k} {olds.get(k)!r} → {news.get(k)!r}" for k in losing)
            raise RailwayError(
                f"refusing to replace {kind} {id_} ({changes}): Railway cannot move it, so the change would "
                f"delete it and the data it holds. Set the old value back; to move on purpose, back the data "
                f"up, then `pulumi state delete` the {kind} (the stack then leaves it alone) and run `pulumi up`.")
        return DiffResult(changes=bool(keys), replaces=replaces, delete_before_replace=bool(replaces))

    def keep_adopted(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return {**news, "adopted": bool(olds.get("adopted"))}

    def __getstate__(self) -> dict[str, Any]:
        # Belt and braces: whatever configure stored never travels with a pickled provider.
        return {k: v for k, v in self.__dict__.items() if k != "_configured_token"}



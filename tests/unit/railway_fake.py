"""A fake Railway API for the client and provider tests: answers by operation name, records requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from components.targets.railway.client import Response

Answer = dict[str, Any] | Response | Callable[[dict[str, Any]], dict[str, Any] | Response]


class FakeRailway:
    def __init__(self, answers: dict[str, Answer | list[Answer]] | None = None):
        self.answers: dict[str, Answer | list[Answer]] = dict(answers or {})
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.slept: list[float] = []
        self.now = 1_000_000.0

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        payload = json.loads(body)
        operation = payload["query"].split()[1].split("(")[0]
        self.requests.append((operation, payload["variables"], dict(headers)))
        answer = self.answers[operation]
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if callable(answer):
            answer = answer(payload["variables"])
        if isinstance(answer, Response):
            return answer
        return Response(200, {}, json.dumps({"data": answer}).encode())

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def operations(self) -> list[str]:
        return [operation for operation, _, _ in self.requests]

    def variables_of(self, operation: str) -> list[dict[str, Any]]:
        return [variables for op, variables, _ in self.requests if op == operation]


def wire(provider, fake: FakeRailway, token: str = "rw-test-token"):
    """The provider as the engine would run it: configured with the token setting, talking to `fake`."""
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    provider.configure(ConfigureRequest(Config({"observability:railwayToken": token}, "observability")))
    provider.transport, provider.sleep, provider.clock = fake, fake.sleep, fake.clock
    return provider


def edges(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"edges": [{"node": node} for node in nodes]}

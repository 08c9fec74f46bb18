"""A fake Railway API for the client and provider tests: answers by operation name, records requests.
Every request is checked against Railway's published schema first — the document and its variables, coerced
as the server would — so no input can drift from the schema unnoticed."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql
from graphql.execution.values import get_variable_values

from components.targets.railway.client import Response

SCHEMA_PATH = Path("shared", "reference", "railway", "schema.graphql")
# shared/ sits beside the repository: /work/main's parent, or a worktree's (/work/wt/<name>) grandparent.
SCHEMA_FILE = next((folder / SCHEMA_PATH for folder in Path(__file__).resolve().parents[2:5]
                    if (folder / SCHEMA_PATH).exists()), Path(__file__).resolve().parents[3] / SCHEMA_PATH)

Answer = dict[str, Any] | Response | Callable[[dict[str, Any]], dict[str, Any] | Response]


@dataclass(frozen=True)
class Fault:
    """What the caller gets instead of the answer: an exception (a reset, a timeout) or another response
    (a 504, a proxy's HTML page). `after`: Railway did the request first (the answer was lost)."""

    outcome: BaseException | Response
    after: bool
    cut: bool  # the network stays down afterwards (until `down` is set back to False)


class FakeRailway:
    def __init__(self, answers: dict[str, Answer | list[Answer]] | None = None):
        self.answers: dict[str, Answer | list[Answer]] = dict(answers or {})
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.faults: dict[str, list[Fault]] = {}
        self.down = False  # every request fails with a refused connection while True
        self.slept: list[float] = []
        self.now = 1_000_000.0

    def inject(self, operation: str, outcome: BaseException | Response, after: bool = False, times: int = 1,
               cut: bool = False) -> None:
        """The next `times` requests of `operation` fail with `outcome` (after doing it, when `after`;
        and the network goes down with it, when `cut`)."""
        self.faults.setdefault(operation, []).extend([Fault(outcome, after, cut)] * times)

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        payload = json.loads(body)
        check_against_schema(payload["query"], payload["variables"])
        operation = payload["query"].split()[1].split("(")[0]
        self.requests.append((operation, payload["variables"], dict(headers)))
        fault = self.faults[operation].pop(0) if self.faults.get(operation) else None
        self.down = bool(fault and fault.cut)
        if fault and not fault.after:
            return _fail(fault)
        answer = self.answers[operation]
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if callable(answer):
            answer = answer(payload["variables"])
        if fault:
            return _fail(fault)
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


def _fail(fault: Fault) -> Response:
    if isinstance(fault.outcome, BaseException):
        raise fault.outcome
    return fault.outcome


def graphql_error(message: str) -> Response:
    """Railway's way of refusing: HTTP 200 with an `errors` array."""
    return Response(200, {}, json.dumps({"data": None, "errors": [{"message": message}]}).encode())


@functools.cache
def railway_schema() -> graphql.GraphQLSchema:
    # assume_valid: the published file breaks one deprecation rule (Team.id) and is otherwise sound.
    return graphql.build_schema(SCHEMA_FILE.read_text(), assume_valid=True)


def check_against_schema(document: str, variables: dict[str, Any]) -> None:
    """Fails the test (AssertionError) when Railway would refuse the request before running it."""
    schema, parsed = railway_schema(), graphql.parse(document)
    errors = graphql.validate(schema, parsed)
    assert not errors, [e.message for e in errors]
    operation = next(d for d in parsed.definitions if isinstance(d, graphql.OperationDefinitionNode))
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    assert not isinstance(coerced, list), [e.message for e in coerced]


def wire(provider, fake: FakeRailway, token: str = "rw-test-token"):
    """The provider as the engine would run it: configured with the token setting, talking to `fake`."""
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    provider.configure(ConfigureRequest(Config({"observability:railwayToken": token}, "observability")))
    provider.transport, provider.sleep, provider.clock = fake, fake.sleep, fake.clock
    return provider


def edges(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"edges": [{"node": node} for node in nodes]}

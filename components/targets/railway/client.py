"""A small client for Railway's public GraphQL API (stdlib only: it runs inside the dynamic providers).
`clock` is Unix time: X-RateLimit-Reset is compared with it.

The token is read at call time, never stored in anything Pulumi serializes: from the stack's secret
setting `railwayToken` (handed to the provider's `configure`) or from `RAILWAY_TOKEN`. It must be an
account or workspace token (`Authorization: Bearer`): a project token cannot create projects.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from components.constants import RAILWAY_TOKEN_ENV as TOKEN_ENV

ENDPOINT = "https://backboard.railway.com/graphql/v2"
MAX_RATE_LIMIT_RETRIES = 5
DEFAULT_RETRY_SECONDS = 10.0
GATEWAY_ERRORS = (502, 503, 504)  # a read is retried after these; a mutation is not (it may have happened)
MAX_WAIT_SECONDS = 300.0  # never sleep longer than this on one rate-limit answer


# A GraphQL coercion error echoes the rejected variables ("got invalid value {...}; <reason>"), and the reason
# may quote a value again: only these parts of it, which name fields and types but no values, are kept.
INVALID_VALUE = re.compile(r"\bgot invalid value\b", re.IGNORECASE)
SAFE_DETAIL = re.compile(r"""at ["'][\w.\[\]]+["']"""
                         r"""|Field ["'][\w.]+["'] (?:is not defined by type|of required type) ["'][\w!\[\]]+["']"""
                         r"""|Expected type ["'][\w!\[\]]+["']""")


class RailwayError(Exception):
    """A request Railway refused or could not answer; the message never contains the token, and never a
    variable's value (values may be secrets)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


Transport = Callable[[str, bytes, Mapping[str, str]], Response]


def urllib_transport(url: str, body: bytes, headers: Mapping[str, str]) -> Response:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (fixed https endpoint)
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in (error.headers or {}).items()}, error.read())


class RailwayClient:
    def __init__(self, token: str, transport: Transport = urllib_transport,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time):
        if not token:
            raise RailwayError(f"no Railway API token: set it with `pulumi config set --secret railwayToken` "
                               f"or export {TOKEN_ENV} (an account or workspace token)")
        self._token, self._transport, self._sleep, self._clock = token, transport, sleep, clock
        self._not_before = 0.0  # set when X-RateLimit-Remaining reaches 0

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of one operation; an `errors` array (even on HTTP 200) raises RailwayError."""
        body = json.dumps({"query": document, "variables": dict(variables or {})}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self._token}",
                   "User-Agent": "observability-pulumi"}
        for _attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            wait = self._not_before - self._clock()
            if wait > 0:
                self._sleep(min(wait, MAX_WAIT_SECONDS))
            response = self._transport(ENDPOINT, body, headers)
            self._remember_budget(response.headers)
            if response.status == 429 or (response.status in GATEWAY_ERRORS and document.lstrip().startswith("query")):
                self._sleep(self._retry_after(response.headers))
                continue
            return self._data(document, response, variables or {})
        raise RailwayError(f"Railway kept answering {response.status} after {MAX_RATE_LIMIT_RETRIES} retries "
                           "(429: rate limited — wait for the hourly budget, Hobby: 1,000 requests/hour); "
                           "run `pulumi up` again later")

    def _data(self, document: str, response: Response, variables: Mapping[str, Any]) -> dict[str, Any]:
        operation = document.split("(")[0].split("{")[0].strip()
        try:
            payload = json.loads(response.body or b"{}")
        except json.JSONDecodeError:
            payload = {}
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if errors:
            messages = "; ".join(redact(str(e.get("message", e)) if isinstance(e, dict) else str(e), variables)
                                 for e in errors)
            raise RailwayError(f"{operation}: {messages}")
        if response.status != 200:
            raise RailwayError(f"{operation}: HTTP {response.status}")
        data = payload.get("data")
        if not isinstance(data, dict):
            raise RailwayError(f"{operation}: the answer has no data")
        return data

    def _retry_after(self, headers: Mapping[str, str]) -> float:
        retry_after = headers.get("retry-after", "")
        if retry_after.strip().isdigit():
            return min(float(retry_after), MAX_WAIT_SECONDS)
        reset = _reset_time(headers)
        if reset is not None:
            return min(max(reset - self._clock(), 1.0), MAX_WAIT_SECONDS)
        return DEFAULT_RETRY_SECONDS

    def _remember_budget(self, headers: Mapping[str, str]) -> None:
        reset = _reset_time(headers)
        if headers.get("x-ratelimit-remaining", "").strip() == "0" and reset is not None:
            self._not_before = reset


def redact(message: str, variables: Mapping[str, Any]) -> str:
    """The message without any value of `variables`: an echoed input is cut to the field and type names
    around it, and any variable value quoted elsewhere is masked (ids stay: they help and are not secret)."""
    if not variables:
        return message
    echo = INVALID_VALUE.search(message)
    if echo:
        details = SAFE_DETAIL.findall(message[echo.end():])
        message = message[:echo.start()] + "got an invalid value (not shown: it may hold a secret)" + \
            "".join(f"; {detail}" for detail in details)
    for value in sorted(_values(variables), key=len, reverse=True):
        message = message.replace(value, "[redacted]")
    return message


def _values(variables: Any, key: str = "") -> set[str]:
    if isinstance(variables, Mapping):
        return {v for k, item in variables.items() for v in _values(item, str(k))}
    if isinstance(variables, list | tuple):
        return {v for item in variables for v in _values(item, key)}
    is_id = key == "id" or key.endswith("Id")  # ids name objects in messages and are not secret
    return {variables} if isinstance(variables, str) and not is_id and len(variables) >= 4 else set()


def _reset_time(headers: Mapping[str, str]) -> float | None:
    """X-RateLimit-Reset as a Unix time (seconds; milliseconds are recognised too)."""
    value = headers.get("x-ratelimit-reset", "").strip()
    try:
        reset = float(value)
    except ValueError:
        return None
    return reset / 1000 if reset > 1e11 else reset


def token_from(config_value: Any) -> str:
    """The API token: the stack's secret setting if set, else RAILWAY_TOKEN from the environment."""
    return str(config_value or "") or os.environ.get(TOKEN_ENV, "")

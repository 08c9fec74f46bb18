"""A small client for Railway's public GraphQL API (stdlib only: it runs inside the dynamic providers).
`clock` is Unix time: X-RateLimit-Reset is compared with it.

The token is read at call time, never stored in anything Pulumi serializes: from the stack's secret
setting `railwayToken` (handed to the provider's `configure`) or from `RAILWAY_TOKEN`. It must be an
account or workspace token (`Authorization: Bearer`): a project token cannot create projects.
"""

from __future__ import annotations

import email.utils
import http.client
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
from components.targets.railway.operations import SAFE_TO_REPEAT

ENDPOINT = "https://backboard.railway.com/graphql/v2"
MAX_RETRIES = 5  # after the first try: six requests at most for one operation
FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS = 1.0, 30.0
GATEWAY_ERRORS = (502, 503, 504)  # Railway's documented 504s: the request may or may not have run
MAX_WAIT_SECONDS = 300.0  # never sleep longer than this on one Retry-After or rate-limit reset
RATE_LIMITED_SECONDS = 10.0  # a 429 that says neither when to retry nor when the budget resets
REQUEST_TIMEOUT_SECONDS = 60.0


# A GraphQL coercion error echoes the rejected variables ("got invalid value {...}; <reason>"), and the reason
# may quote a value again: only these parts of it, which name fields and types but no values, are kept.
INVALID_VALUE = re.compile(r"\bgot invalid value\b", re.IGNORECASE)
SAFE_DETAIL = re.compile(r"""at ["'][\w.\[\]]+["']"""
                         r"""|Field ["'][\w.]+["'] (?:is not defined by type|of required type) ["'][\w!\[\]]+["']"""
                         r"""|Expected type ["'][\w!\[\]]+["']""")


class RailwayError(Exception):
    """A request Railway refused or could not answer; the message never contains the token, and never a
    variable's value (values may be secrets)."""


class TransportError(RailwayError):
    """No answer arrived (reset, timeout, refused): the request may or may not have reached Railway."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


Transport = Callable[[str, bytes, Mapping[str, str]], Response]


def urllib_transport(url: str, body: bytes, headers: Mapping[str, str],
                     timeout: float = REQUEST_TIMEOUT_SECONDS) -> Response:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (fixed https endpoint)
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in (error.headers or {}).items()}, error.read())
    except (OSError, http.client.HTTPException) as error:  # URLError, resets, timeouts, a cut-off answer
        reason = getattr(error, "reason", None) or error
        raise TransportError(f"{type(reason).__name__}: {reason}") from error


class RailwayClient:
    def __init__(self, token: str, transport: Transport = urllib_transport,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time):
        if not token:
            raise RailwayError(f"no Railway API token: set it with `pulumi config set --secret railwayToken` "
                               f"or export {TOKEN_ENV} (an account or workspace token)")
        self._token, self._transport, self._sleep, self._clock = token, transport, sleep, clock
        self._not_before = 0.0  # set when X-RateLimit-Remaining reaches 0

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of one operation; an `errors` array (even on HTTP 200) raises RailwayError.
        A 429 is retried for every operation (Railway refused it unrun). A reset, a timeout or a 502/503/504
        is retried, with bounded exponential backoff, only for a query or a mutation that sets state
        (`operations.SAFE_TO_REPEAT`): a create might have happened, so the error says what to do."""
        variables = variables or {}
        operation = _operation_name(document)
        repeatable = document.lstrip().startswith("query") or document in SAFE_TO_REPEAT
        body = json.dumps({"query": document, "variables": dict(variables)}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self._token}",
                   "User-Agent": "observability-pulumi"}
        backoff = FIRST_BACKOFF_SECONDS
        for attempt in range(MAX_RETRIES + 1):
            wait = self._not_before - self._clock()
            if wait > 0:
                self._sleep(min(wait, MAX_WAIT_SECONDS))
            try:
                response = self._transport(ENDPOINT, body, headers)
            except (TransportError, OSError, http.client.HTTPException) as error:
                failure, retry_in = f"no answer ({redact(str(error), variables)})", backoff
            else:
                self._remember_budget(response.headers)
                if response.status != 429 and response.status not in GATEWAY_ERRORS:
                    return self._data(operation, response, variables)
                failure = f"HTTP {response.status}"
                retry_in = self._retry_after(response.headers, max(backoff, RATE_LIMITED_SECONDS)
                                             if response.status == 429 else backoff)
            if not (repeatable or failure == "HTTP 429"):  # a 429 was refused unrun: safe to send again
                raise TransportError(
                    f"{operation}: {failure}; Railway may or may not have done it, so it is not sent again. "
                    "Run `pulumi up` again: it looks for what this stack made before making anything "
                    "(docs/railway.md, Faults)")
            if attempt == MAX_RETRIES:
                break  # no sleep after the last try
            self._sleep(retry_in)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        advice = ("rate limited: wait for the hourly budget (Hobby: 1,000 requests/hour), then "
                  if failure == "HTTP 429" else "Railway or the network is failing: check status.railway.com, then ")
        raise RailwayError(f"{operation}: {failure} after {MAX_RETRIES + 1} tries ({advice}"
                           "run `pulumi up` again; what is done is kept)")

    def _data(self, operation: str, response: Response, variables: Mapping[str, Any]) -> dict[str, Any]:
        try:
            payload = json.loads(response.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            kind = response.headers.get("content-type", "no content type")
            raise RailwayError(f"{operation}: HTTP {response.status} with a body that is not a GraphQL response "
                               f"({kind}, {len(response.body)} bytes): a proxy or an outage page answered; "
                               "run `pulumi up` again once Railway answers")
        errors = payload.get("errors")
        if errors:
            listed = errors if isinstance(errors, list) else [errors]
            messages = "; ".join(redact(str(e.get("message", e)) if isinstance(e, dict) else str(e), variables)
                                 for e in listed)
            raise RailwayError(f"{operation}: {messages}")
        if response.status != 200:
            raise RailwayError(f"{operation}: HTTP {response.status}")
        data = payload.get("data")
        if not isinstance(data, dict):
            raise RailwayError(f"{operation}: the answer has no data")
        return data

    def _retry_after(self, headers: Mapping[str, str], otherwise: float) -> float:
        """Retry-After in seconds or as an HTTP date, else the rate-limit reset, else `otherwise`."""
        retry_after = headers.get("retry-after", "").strip()
        if retry_after.isdigit():
            return min(float(retry_after), MAX_WAIT_SECONDS)
        if retry_after:
            try:
                when = email.utils.parsedate_to_datetime(retry_after).timestamp()
            except (TypeError, ValueError):
                when = None
            if when is not None:
                return min(max(when - self._clock(), 0.0), MAX_WAIT_SECONDS)
        reset = _reset_time(headers)
        if reset is not None:
            return min(max(reset - self._clock(), 1.0), MAX_WAIT_SECONDS)
        return otherwise

    def _remember_budget(self, headers: Mapping[str, str]) -> None:
        reset = _reset_time(headers)
        if headers.get("x-ratelimit-remaining", "").strip() == "0" and reset is not None:
            self._not_before = reset


def _operation_name(document: str) -> str:
    """`ServiceCreate` from `mutation ServiceCreate(...)`: named in every message."""
    words = document.split("(")[0].split("{")[0].split()
    return words[-1] if words else "operation"


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
    # Each value as it is and as JSON escapes it (quotes, backslashes, newlines, non-ASCII), longest first.
    forms = {form for value in _values(variables)
             for form in (value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1])}
    for form in sorted(forms, key=len, reverse=True):
        message = message.replace(form, "[redacted]")
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

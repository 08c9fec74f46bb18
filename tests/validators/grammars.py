"""Checks PromQL, LogQL and TraceQL with the official Lezer grammars (tests/validators/grammar/parse.mjs).

Dashboard queries carry Grafana template variables, which are not part of any of these languages:
pass them through `expand_grafana_variables` first. Alert rule queries must parse as they are.
"""

from __future__ import annotations

import json
import re
import subprocess

from tests.validators.tools import repo_root, require_tool

LANGUAGES = ("promql", "logql", "traceql")
TIMEOUT_SECONDS = 60

# Grafana's built-in interval variables, replaced by a literal of the same kind wherever they stand.
BUILTIN_VARIABLES = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__auto": "1m",
    "__range": "1h",
    "__interval_ms": "60000",
    "__rate_interval_ms": "60000",
    "__range_s": "3600",
    "__range_ms": "3600000",
}

# $name, ${name} and ${name:format}, and the deprecated [[name]] / [[name:format]].
_VARIABLE = r"\$\{(?P<braced>\w+)(?::[^}]*)?\}|\$(?P<plain>\w+)|\[\[(?P<legacy>\w+)(?::[^\]]*)?\]\]"
_TOKEN = re.compile(
    r"""(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)|(?P<variable>""" + _VARIABLE + r")|(?P<bracket>[\[\]])"
)
_VARIABLE_IN_STRING = re.compile(_VARIABLE)


def _substitute(name: str, *, in_string: bool = False, in_range: bool = False) -> str:
    if name in BUILTIN_VARIABLES:
        return BUILTIN_VARIABLES[name]
    if in_string:
        return ".*"  # matches anything in a regex matcher, and is plain text in any other string
    if in_range:
        return "1m"  # a custom interval variable, as in rate(x[$window])
    return "grafana_variable"  # an identifier: a label name in by (...), or a metric name


def expand_grafana_variables(expr: str) -> str:
    """The query with each Grafana variable replaced by a plausible literal, so that it can be parsed.

    Rules: the built-in interval variables become the literals in BUILTIN_VARIABLES ($__rate_interval,
    $__interval and $__auto -> 1m, $__range -> 1h, the _ms/_s forms -> numbers). Any other variable becomes
    `.*` inside a quoted string (a regex matcher's value, or a line filter), `1m` inside [...] (a range
    or subquery), and the identifier `grafana_variable` elsewhere (a label name in `by (...)`).
    """
    range_depth = 0

    def replace(token: re.Match[str]) -> str:
        nonlocal range_depth
        if token["string"]:
            return _VARIABLE_IN_STRING.sub(
                lambda v: _substitute(v["braced"] or v["plain"] or v["legacy"], in_string=True), token["string"]
            )
        if token["bracket"]:
            range_depth = max(0, range_depth + (1 if token["bracket"] == "[" else -1))
            return token["bracket"]
        name = token["braced"] or token["plain"] or token["legacy"]
        return _substitute(name, in_range=range_depth > 0)

    return _TOKEN.sub(replace, expr)


def parse_errors(items: list[tuple[str, str]]) -> list[str | None]:
    """For each (language, expression): None when it parses, else the first syntax error.

    One node process parses the whole batch. Skips (or fails, with REQUIRE_VALIDATORS=1) without node
    and the grammar packages.
    """
    unknown = sorted({lang for lang, _ in items} - set(LANGUAGES))
    if unknown:
        raise ValueError(f"unknown query languages {unknown}; known: {LANGUAGES}")
    if not items:
        return []
    node = require_tool("node")
    script = repo_root() / "tests" / "validators" / "grammar" / "parse.mjs"
    request = json.dumps([{"lang": lang, "expr": expr} for lang, expr in items])
    done = subprocess.run(
        [node, str(script)], input=request, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} exited with {done.returncode}: {done.stderr.strip()}")
    results = json.loads(done.stdout)
    if len(results) != len(items):
        raise RuntimeError(f"{script.name} answered {len(results)} results for {len(items)} expressions")
    return [None if result["ok"] else result["error"] for result in results]

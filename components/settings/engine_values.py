"""How the Pulumi engine turns a stack file's YAML value into the string a program receives.

The engine decodes each value with Go's yaml.v3 into `any`, then hands the
program a string: a string as is, a bool/number as Go's JSON encodes it, an array or object as JSON. So
`0x270F` arrives as "9999", `True` as "true", `017` as "15" (yaml.v3 still reads 1.1 octals), while
`yes`/`on`/`off` stay strings (YAML 1.2). Infinite and NaN numbers cannot be encoded: the engine refuses them.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# The YAML 1.2 core schema's null, bool and special-float spellings, exact spellings only
# (https://yaml.org/spec/1.2.2/#1023-core-schema, which yaml.v3 implements).
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True), **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# The core schema's float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? (YAML 1.2.2, 10.2.3).
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)")


class NotEncodable(ValueError):
    """A value Go's JSON encoder refuses (an infinite or NaN number)."""


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) (or ParseUint): 0x, 0b, 0o and a leading 0 (octal) prefixes."""
    if not _GO_INT.fullmatch(text):
        return None
    sign, digits = (-1, text[1:]) if text[0] == "-" else (1, text.lstrip("+"))
    lowered = digits.lower()
    base = 16 if lowered.startswith("0x") else 2 if lowered.startswith("0b") else \
        8 if lowered.startswith("0o") or (len(digits) > 1 and digits[0] == "0") else 10
    number = sign * int(digits[2:] if lowered[:2] in ("0x", "0b", "0o") else digits, base)
    return number if -2**63 <= number < 2**64 else None


def plain_scalar(text: str) -> Any:
    """The Go value yaml.v3 decodes an unquoted scalar into (timestamps stay strings in v3)."""
    if text in _WORDS:
        return _WORDS[text]
    if text[:1] and text[0] in "+-.0123456789":
        plain = text.replace("_", "") if text[0] != "." else text
        number = _go_int(plain)
        if number is not None:
            return number
        if _YAML_FLOAT.fullmatch(plain):
            return float(plain)
    return text


# Bounds on one value, far above any setting: an alias bomb (a few lines that expand to billions of nodes, which
# yaml.v3 refuses as "excessive aliasing") or deep nesting ends in one error, in bounded time and memory.
MAX_NODES = 10_000
MAX_DEPTH = 64
BINARY = "tag:yaml.org,2002:binary"


class TooLarge(ValueError):
    """A value that expands past MAX_NODES or nests deeper than MAX_DEPTH."""


def value_of(node: Node, budget: list[int] | None = None, depth: int = 0) -> Any:
    """A node's value as yaml.v3 decodes it into Go's `any` (keys of a mapping become strings)."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge(f"expands to more than {MAX_NODES:,} values (aliases repeat whole values)")
    if depth > MAX_DEPTH:
        raise TooLarge(f"nests deeper than {MAX_DEPTH} levels")
    if isinstance(node, SequenceNode):
        return [value_of(item, budget, depth + 1) for item in node.value]
    if isinstance(node, MappingNode):
        return {str(k.value): value_of(v, budget, depth + 1) for k, v in node.value}
    if not isinstance(node, ScalarNode) or node.style is not None:
        return node.value  # quoted or block scalars are strings
    return plain_scalar(node.value)


def unsupported_tag(node: Node, depth: int = 0) -> str | None:
    """A tag no setting takes (`!!binary`, which yaml.v3 decodes to raw bytes, or an application `!tag`), or None."""
    tag = str(node.tag or "")
    if tag == BINARY or tag.startswith("!"):
        return tag.replace("tag:yaml.org,2002:", "!!")
    children = node.value if isinstance(node, SequenceNode) else \
        [v for pair in node.value for v in pair] if isinstance(node, MappingNode) else []
    return next((t for child in children if depth < MAX_DEPTH and (t := unsupported_tag(child, depth + 1))), None)


def engine_text(value: Any) -> str:
    """The string the engine hands the program for a decoded value (Go's JSON for anything not a string)."""
    if isinstance(value, str):
        return value
    _check_encodable(value)
    if isinstance(value, float):
        return go_float(value)
    return json.dumps(value, separators=(",", ":"))


def _check_encodable(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise NotEncodable(str(value))
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _check_encodable(item)


def go_float(number: float) -> str:
    """encoding/json's float64: shortest digits, no exponent from 1e-6 up to 1e21."""
    if number != 0 and (abs(number) < 1e-6 or abs(number) >= 1e21):
        return re.sub(r"e([-+])0(\d)$", r"e\1\2", repr(number))
    return format(Decimal(repr(number)).normalize(), "f")

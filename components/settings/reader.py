"""Typed access to raw config values against the schema in Pulumi.yaml, recording problems instead of raising."""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from components import constants as c
from components.settings.formats import Format
from components.settings.secret import Secret

ROOT = Path(__file__).resolve().parents[2]


def load_schema(root: Path = ROOT) -> dict[str, dict]:
    """Pulumi.yaml's `config:` schema (parsed once per file version; callers must not modify it)."""
    path = root / "Pulumi.yaml"
    stat = path.stat()
    return _schema(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _schema(path: Path, mtime_ns: int, size: int) -> dict[str, dict]:
    return yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["config"]  # libyaml: a tenth of the time


class Reader:
    """Typed access to raw values that records a problem instead of raising."""

    def __init__(self, raw: Mapping[str, Any], secret_keys: set[str], schema: dict[str, dict]):
        self.raw, self.secret_keys, self.schema = raw, secret_keys, schema
        self.problems: list[str] = []

    def problem(self, key: str, value: Any, allowed: str) -> None:
        shown = "[secret]" if key in self.secret_keys else shown_value(value)
        if key in self.schema and not self.is_set(key):
            shown += " (not set: the default)"  # never blame the user for a value they did not write
        self.problems.append(f"{c.PROJECT}:{shown_key(key)} = {shown}: {allowed}")

    def _unsafe_text(self, key: str, value: str) -> bool:
        """Refuses, in any text setting, what no setting means and what a rendered file or Grafana would act on."""
        if "\n" in value:  # a pasted file: not echoed (it may hold credentials)
            self.problem(key, "<several lines>", "is several lines, like a file's contents: a setting is one line "
                         "(for a file, its path, not its contents; for a secret, pulumi config set --secret)")
        elif hidden := hidden_characters(value):
            self.problem(key, value, f"contains {hidden}, which no setting takes (type the value plainly)")
        elif "$__" in value:  # Grafana expands $__file{…}, $__env{…}, $__vault{…} in every setting, GF_* too
            self.problem(key, value, "must not contain '$__' (Grafana would expand $__file{…}/$__env{…} in it)")
        else:
            return False
        return True

    def is_set(self, key: str) -> bool:
        """Whether the stack gives `key` a value other than its default (the engine passes defaults along)."""
        if key not in self.raw:
            return False
        return key not in self.schema or _as_engine_text(self.raw[key]) != _as_engine_text(self.schema[key]["default"])

    def _value(self, key: str) -> Any:
        return self.raw[key] if key in self.raw else self.schema[key]["default"]

    def string(self, key: str, choices: tuple[str, ...] | None = None, fmt: Format | None = None,
               required: bool = False) -> str:
        """A string; `required` refuses empty (or blank), `fmt` is checked on any non-empty value."""
        value = self._value(key)
        if not isinstance(value, str):
            self.problem(key, value, "must be a string")
            return str(value)
        if self._unsafe_text(key, value):
            return value
        if choices and value not in choices:
            self.problem(key, value, f"allowed values are {' | '.join(choices)}")
        elif required and not value.strip():
            self.problem(key, value, "must not be empty" + (f"; it {fmt.allowed}" if fmt else ""))
        elif fmt and value and not fmt.fits(value):
            self.problem(key, value, fmt.allowed)
        return value

    def integer(self, key: str, low: int = 1, high: int | None = None) -> int:
        value = self._value(key)
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):  # ASCII digits, as Go reads them
            number = int(value)
        span = f"from {low} to {high}" if high is not None else f"at least {low}"
        if number is None or number < low or (high is not None and number > high):
            self.problem(key, value, f"must be a whole number {span}")
            return low
        return number

    def number(self, key: str, low: float, high: float) -> float:
        value = self._value(key)
        try:  # Python's float() also reads other scripts' digits ("٣"): Go, and so the engine, does not
            number = float(value) if not isinstance(value, str) or value.isascii() else None
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or not math.isfinite(number) or not low <= number <= high:
            self.problem(key, value, f"must be a number from {low:g} to {high:g}")
            return low
        return number

    def boolean(self, key: str) -> bool:
        value = self._value(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.problem(key, value, "must be true or false")
        return False

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._value(key)
        if isinstance(value, str):
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(key, value, "must be a list of non-empty strings, e.g. [\"a\", \"b\"]")
            return ()
        if any(self._unsafe_text(key, v) for v in value):
            return ()
        return tuple(value)

    def secret(self, key: str) -> Secret | None:
        value = self._value(key)
        if isinstance(value, Secret):
            return value if value.known is False or value.reveal() else None
        if not isinstance(value, str):
            self.problem(key, value, "must be a string")
            return None
        if value and key not in self.secret_keys:
            self.problem(key, "<cleartext>", f"must be set as a secret: pulumi config set --secret {key}")
        return Secret(value) if value else None


def shown_value(value: Any) -> str:
    """A value as the user wrote it in YAML: plain text bare, anything ambiguous or unprintable JSON-quoted (with
    control, bidirectional and zero-width characters escaped, so a message never reorders or hides text)."""
    if isinstance(value, str) and value.isprintable() and re.fullmatch(r"[^\s\"',\[\]{}#]+", value):
        return value
    return json.dumps(value)


def shown_key(key: str) -> str:
    return key if key.isprintable() and key.isascii() else json.dumps(key)


def hidden_characters(text: str) -> str | None:
    """The first control, bidirectional-override, zero-width or other invisible character in `text`, named."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            return f"the invisible character U+{ord(char):04X} ({unicodedata.name(char, 'control')})"
    return None


def _as_engine_text(value: Any) -> str:
    if isinstance(value, Secret):  # a secure value is set (its text, when known, never equals a default)
        return value.reveal() if value.known else "[secret]"
    return value if isinstance(value, str) else json.dumps(value)


IMAGE_PREFIX = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(/[a-z0-9._-]+)*$")


"""Where raw settings come from: the running Pulumi program, or a Pulumi.<stack>.yaml file offline.

Both go through the same steps — the engine's config map (full key -> string), then `project_values` —
so the offline render and `pulumi up` can never disagree about a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from components import constants as c
from components.settings.errors import SettingsError
from components.settings.reader import ROOT, shown_value
from components.settings.secret import Secret
from components.settings.stackfile import read_stack_config
from components.settings.suggest import close_match
from components.settings.validate import Settings, parse

# Config namespaces of the providers this project uses (and the engine's own): their keys are theirs to check.
PROVIDER_NAMESPACES = ("pulumi", "azure-native", "docker", "kubernetes", "random", "tls", "command", "railway")


def from_stack_file(stack: str, root: Path = ROOT) -> Settings:
    """Settings from Pulumi.<stack>.yaml, for the offline render and the tests (secure values stay unknown)."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise SettingsError(stack, [f"no {path.name}; stacks here: {', '.join(stacks)}"])
    config = read_stack_config(path)
    raw, secret_keys, problems = project_values(config.values, config.secure)
    for key in secret_keys:
        raw[key] = Secret("[secret]", known=False)
    return parse(stack, raw, secret_keys, root, deploying=False, found=problems)


def from_pulumi() -> Settings:
    """Settings from the running Pulumi program's configuration (the only reader of pulumi config)."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    stack_file = ROOT / f"Pulumi.{pulumi.get_stack()}.yaml"
    if stack_file.exists():
        # What the engine lets through (a null value arrives as "null", a key outside config: is dropped):
        # refused here exactly as the offline render refuses it.
        read_stack_config(stack_file)
    everything = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret = {k for k in everything if runtime_config.is_config_secret(k)}
    secret |= set(runtime_config.get_config_secret_keys_env())
    raw, secret_keys, problems = project_values(everything, secret)
    return parse(pulumi.get_stack(), raw, secret_keys, found=problems)


def project_values(config: Mapping[str, Any], secret: Iterable[str]) -> tuple[dict[str, Any], set[str], list[str]]:
    """(this project's values by short key, its secret short keys, problems with keys of unknown namespaces)."""
    prefix = f"{c.PROJECT}:"
    secret = set(secret)
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in sorted(config.items()):
        namespace, _, short = key.partition(":")
        if namespace == c.PROJECT:
            raw[short] = _decode(value)
        elif namespace not in PROVIDER_NAMESPACES:
            shown = "[secret]" if key in secret else shown_value(_decode(value))
            problems.append(f"{key} = {shown}: {_namespace_hint(namespace, short)}")
    return raw, {k[len(prefix):] for k in secret if k.startswith(prefix)}, problems


def _namespace_hint(namespace: str, short: str) -> str:
    close = close_match(namespace, (c.PROJECT, *PROVIDER_NAMESPACES))
    if close:
        return f"unknown namespace '{namespace}', did you mean {close}:{short}?"
    return (f"unknown namespace '{namespace}': neither this project ({c.PROJECT}) nor a provider it uses "
            f"({', '.join(PROVIDER_NAMESPACES)})")


def _decode(value: Any) -> Any:
    """The engine hands every value over as a string; arrays and objects arrive JSON-encoded."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value

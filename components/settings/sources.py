"""Where raw settings come from: the running Pulumi program, or a Pulumi.<stack>.yaml file offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from components import constants as c
from components.settings.reader import ROOT
from components.settings.types import Secret, Settings, SettingsError
from components.settings.validate import parse


def from_stack_file(stack: str, root: Path = ROOT) -> Settings:
    """Settings from Pulumi.<stack>.yaml, for the offline render and the tests (secure values stay unknown)."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise SettingsError(stack, [f"no {path.name}; stacks here: {', '.join(stacks)}"])
    raw, secret_keys = {}, set()
    for key, value in (yaml.safe_load(path.read_text()) or {}).get("config", {}).items():
        namespace, _, short = key.rpartition(":")
        if namespace not in ("", c.PROJECT):
            continue  # provider settings such as azure-native:location
        if isinstance(value, dict) and "secure" in value:
            value = Secret("[secret]", known=False)
            secret_keys.add(short)
        raw[short] = value
    return parse(stack, raw, secret_keys, root, deploying=False)


def from_pulumi() -> Settings:
    """Settings from the running Pulumi program's configuration (the only reader of pulumi config)."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    prefix = f"{c.PROJECT}:"
    everything = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    raw: dict[str, Any] = {}
    for key, value in everything.items():
        if key.startswith(prefix):
            raw[key[len(prefix):]] = _decode(value)
    secret_keys = {k for k in raw if runtime_config.is_config_secret(prefix + k)}
    secret_keys |= {k[len(prefix):] for k in runtime_config.get_config_secret_keys_env() if k.startswith(prefix)}
    return parse(pulumi.get_stack(), raw, secret_keys)


def _decode(value: Any) -> Any:
    """The engine hands every value over as a string; arrays arrive JSON-encoded."""
    if isinstance(value, str) and value[:1] == "[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value

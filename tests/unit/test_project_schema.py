"""Pulumi.yaml as the Pulumi CLI reads it, and the secret settings.

The structural rules are those of Pulumi's project schema, sdk/go/common/workspace/project.json in
github:pulumi/pulumi at 1b5949891b3c (3.260.0-dev, 2026-08-21; the newest source available here, the CLI pinned
is 3.272.0): the `config:` map, `configTypeDeclaration` (closed: type, items, description, secret, default,
value), `simpleConfigType` and `configItemsType`. The semantic rules are those of `Project.Validate`
(sdk/go/common/workspace/project.go) and of the stack-config merge (pkg/workspace/config.go,
`mergeConfig`/`validateStackConfigValue`) at the same commit. They are restated here, not copied.
"""

from __future__ import annotations

import math

import jsonschema
import pytest
import yaml

from components.settings import ROOT, from_stack_file
from components.settings.reader import Reader

PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
SIMPLE_TYPES = ["string", "integer", "boolean", "array", "object"]
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "required": ["name", "runtime"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": ["string", "null"]},
        "runtime": {"oneOf": [{"type": "string", "minLength": 1}, {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1}, "options": {"type": "object"}}}]},
        "config": {
            "type": ["object", "string", "null"],
            "properties": {"secret": {"type": "boolean"}},
            "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"},
                                               {"type": "array"}, {"$ref": "#/$defs/configTypeDeclaration"}]}},
    },
    "$defs": {
        "simpleConfigType": {"enum": SIMPLE_TYPES},
        "configItemsType": {
            "type": "object", "required": ["type"],
            "properties": {"type": {"oneOf": [{"$ref": "#/$defs/simpleConfigType"},
                                              {"$ref": "#/$defs/configItemsType"}]},
                           "items": {"$ref": "#/$defs/configItemsType"}},
            "if": {"properties": {"type": {"const": "array"}}}, "then": {"required": ["items"]}},
        "configTypeDeclaration": {
            "type": "object", "additionalProperties": False,
            "properties": {"type": {"$ref": "#/$defs/simpleConfigType"},
                           "items": {"$ref": "#/$defs/configItemsType"}, "description": {"type": "string"},
                           "secret": {"type": "boolean"}, "default": {}, "value": {}}},
    },
}


def _fits(type_name: str, items: dict | None, value) -> bool:
    """project.go ValidateConfigValue: whether a value (a default, or a stack's value) has the declared type."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value == math.trunc(value)):
            return True
        return isinstance(value, str) and value.lstrip("+-").isdigit()
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, dict)
    return isinstance(value, list) and items is not None and all(
        _fits(items["type"], items.get("items"), item) for item in value)


def engine_config_errors(project: dict, stack: str) -> list[str]:
    """What `pulumi preview`/`up` refuses in a stack's config against the project's declarations (mergeConfig):
    a key neither set nor defaulted is missing; a default is applied as a plain (not secure) value; a typed key
    declared `secret: true` must hold a secure value; a typed value must fit its type."""
    name = project["name"]
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text()).get("config") or {}
    errors = []
    for key, declared in sorted(project["config"].items()):
        if "default" in declared or "value" in declared or f"{name}:{key}" in config:
            value = config.get(f"{name}:{key}", declared.get("value", declared.get("default")))
        else:
            errors.append(f"Stack '{stack}' is missing configuration value '{key}'")
            continue
        if "type" not in declared:
            continue
        secure = isinstance(value, dict) and set(value) == {"secure"}
        if declared.get("secret") and not secure:
            errors.append(f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret")
        elif not secure and not _fits(declared["type"], declared.get("items"), value):
            errors.append(f"Stack '{stack}' with configuration key '{key}' must be of type '{declared['type']}'")
    return errors


def test_pulumi_yaml_follows_pulumis_project_schema():
    jsonschema.validate(PROJECT, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert len(PROJECT["config"]) > 60


def test_every_declared_default_has_the_declared_type_as_project_validate_requires():
    for key, declared in PROJECT["config"].items():
        assert ":" not in key, key  # provider keys would need `value`, not a type and default
        assert not ("default" in declared and "value" in declared), key
        if declared["type"] == "array":
            assert "items" in declared, key
        assert _fits(declared["type"], declared.get("items"), declared["default"]), key


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_stack_passes_the_engines_config_validation(stack):
    assert engine_config_errors(PROJECT, stack) == []


def test_a_defaulted_secret_declaration_would_stop_every_stack_that_leaves_it_unset():
    """Why no setting is declared `secret: true` (pulumi/pulumi#21865, open since 2026-02; in the merge code at
    the commit above): the engine applies the default `""` as a plain value, then refuses it as not encrypted."""
    marked = {**PROJECT, "config": {**PROJECT["config"], "grafanaAdminPassword": {
        **PROJECT["config"]["grafanaAdminPassword"], "secret": True}}}
    jsonschema.validate(marked, SCHEMA, cls=jsonschema.Draft202012Validator)  # the schema itself allows it
    assert engine_config_errors(marked, "local") == [
        "Stack 'local' with configuration key 'grafanaAdminPassword' must be encrypted as it's secret"]


def _read_as_secrets(monkeypatch) -> set[str]:
    """Every key the program reads through `Reader.secret` (the settings that refuse a clear-text value)."""
    read: set[str] = set()
    original = Reader.secret

    def recording(self, key):
        read.add(key)
        return original(self, key)

    monkeypatch.setattr(Reader, "secret", recording)
    for stack in STACKS:
        from_stack_file(stack)
    return read


def test_the_settings_marked_secret_in_pulumi_yaml_are_exactly_those_the_program_reads_as_secrets(monkeypatch):
    marked = {key for key, declared in PROJECT["config"].items() if "(secret" in declared["description"]}
    read = _read_as_secrets(monkeypatch)
    assert read and marked == read

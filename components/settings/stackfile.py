"""`Pulumi.<stack>.yaml` read the way the Pulumi engine reads it, into the config map the engine hands a program.

The engine parses stack files with Go's yaml.v3: YAML 1.2 scalars (`yes`/`no`/`on`/`off` are strings), and
every config value reaches the program as a string — a scalar as it is written, an array or object
JSON-encoded, a `secure:` value decrypted and marked secret. ruamel.yaml (pure, YAML 1.2) composes the file;
this module keeps each scalar's source text, so the offline render and the mocks harness see exactly the
strings `pulumi up` would. Unlike a lenient YAML load, it refuses duplicate keys, an empty or non-mapping
`config:`, keys outside `config:`, keys without a namespace and null values, each with the file and line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from components.settings.suggest import close_match
from components.settings.types import SettingsError

# What a stack file may hold besides config (the CLI writes the secrets-provider keys; `environment` imports ESC).
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")
_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class StackConfig:
    """The engine's view of a stack file: full key -> value string, and which keys are `secure:`."""

    values: dict[str, str]
    secure: frozenset[str]


class _Problems:
    def __init__(self, path: Path):
        self.path = path
        self.found: list[str] = []

    def add(self, node: Node | None, message: str) -> None:
        where = f"{self.path.name}:{node.start_mark.line + 1}" if node is not None else self.path.name
        self.found.append(f"{where}: {message}")


def read_stack_config(path: Path) -> StackConfig:
    """The config map of `path` as the engine would hand it over, or SettingsError naming file, line and key."""
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    problems = _Problems(path)
    try:
        root = YAML(typ="safe", pure=True).compose(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SettingsError(stack, [f"{path.name}{line}: not valid YAML: {error.problem or error.context}"]) \
            from None
    except (YAMLError, UnicodeDecodeError) as error:
        raise SettingsError(stack, [f"{path.name}: not valid YAML: {error}"]) from None
    config = _config_node(root, problems)
    values: dict[str, str] = {}
    secure: set[str] = set()
    for key_node, value_node in _pairs(config, problems) if config is not None else ():
        key = _full_key(key_node, problems)
        if key is None:
            continue
        if _is_null(value_node):
            problems.add(value_node, f"{key} is empty (null): give it a value, or delete the line to use "
                                     "its default")
        elif isinstance(value_node, MappingNode) and _is_secure(value_node):
            secure.add(key)
            values[key] = "[secret]"
        elif isinstance(value_node, ScalarNode):
            values[key] = value_node.value
        else:
            values[key] = json.dumps(_plain(value_node, problems))
    if problems.found:
        raise SettingsError(stack, problems.found)
    return StackConfig(values, frozenset(secure))


def _config_node(root: Node | None, problems: _Problems) -> MappingNode | None:
    if root is None or _is_null(root):
        return None  # an empty stack file: every setting takes its default
    if not isinstance(root, MappingNode):
        problems.add(root, "a stack file is a mapping with a config: section")
        return None
    config = None
    for key_node, value_node in _pairs(root, problems):
        name = str(key_node.value)
        if name == "config":
            config = value_node
        elif name not in STACK_FILE_KEYS:
            hint = f"did you mean {close}?" if (close := close_match(name, STACK_FILE_KEYS)) else \
                "settings go under config: (indented)"
            problems.add(key_node, f"{name} is outside config:, not a stack file key ({hint})")
    if config is None:
        return None
    if _is_null(config):
        problems.add(config, "config: is empty: list settings under it (key: value), or delete the line")
        return None
    if not isinstance(config, MappingNode):
        problems.add(config, "config: must be a mapping of namespace:key: value lines, not a "
                             f"{'list' if isinstance(config, SequenceNode) else 'single value'}")
        return None
    return config


def _pairs(node: MappingNode, problems: _Problems) -> list[tuple[Node, Node]]:
    """The mapping's pairs; a repeated key is refused (yaml.v3 refuses it too), naming both lines."""
    seen: dict[str, int] = {}
    pairs: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            problems.add(key_node, "a key must be a plain name")
            continue
        if key_node.value in seen:
            problems.add(key_node, f"{key_node.value} appears twice (first on line {seen[key_node.value]}); "
                                   "keep one")
            continue
        seen[key_node.value] = key_node.start_mark.line + 1
        pairs.append((key_node, value_node))
    return pairs


def _full_key(node: Node, problems: _Problems) -> str | None:
    """`namespace:name` (the engine also reads the old `namespace:config:name`); a bare name is refused."""
    parts = str(node.value).split(":")
    if len(parts) == 3 and parts[1] == "config":
        parts = [parts[0], parts[2]]
    if len(parts) != 2 or not all(parts):
        problems.add(node, f"{node.value} is not a config key: write it as <namespace>:<name>, e.g. "
                           f"observability:{parts[-1] or 'environment'}")
        return None
    return ":".join(parts)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + "null"


def _is_secure(node: MappingNode) -> bool:
    keys = [k.value for k, _ in node.value if isinstance(k, ScalarNode)]
    return keys == ["secure"]


def _plain(node: Node, problems: _Problems) -> Any:
    """An array's or object's value as yaml.v3 decodes it into Go's interface{} (then JSON-encoded)."""
    if isinstance(node, SequenceNode):
        return [_plain(item, problems) for item in node.value]
    if isinstance(node, MappingNode):
        return {str(k.value): _plain(v, problems) for k, v in _pairs(node, problems)}
    tag, text = str(node.tag).removeprefix(_TAG), node.value
    if tag == "null":
        return None
    if tag == "bool":
        return text.lower() == "true"
    for kind in (int, float) if tag in ("int", "float") else ():
        try:
            return kind(text.replace("_", ""))
        except ValueError:
            continue
    return text

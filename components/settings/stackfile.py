"""`Pulumi.<stack>.yaml` read the way the Pulumi engine reads it, into the config map the engine hands a program.

The engine parses stack files with Go's yaml.v3 (YAML 1.2 words: `yes`/`no`/`on`/`off` are strings) and
hands every config value to the program as a string (see engine_values.py). ruamel.yaml (pure, YAML 1.2)
composes the file here, and the same rules turn each value into the engine's string, so the offline render
and the mocks harness see exactly what `pulumi up` would. Like yaml.v3 it refuses duplicate keys; beyond it,
an empty or non-mapping `config:`, keys outside `config:`, keys without a namespace and null values are
refused, each with the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from components.settings.engine_values import (MAX_DEPTH, NotEncodable, TooLarge, engine_text, plain_scalar,
                                               unsupported_tag, value_of)
from components.settings.errors import SettingsError
from components.settings.suggest import close_match

# What a stack file may hold besides config (the CLI writes the secrets-provider keys; `environment` imports ESC).
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")


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
        text = path.read_text(encoding="utf-8")
        if (deep := _too_deep_flow(text)) is not None:
            raise SettingsError(stack, [f"{path.name}:{deep}: brackets nest deeper than {MAX_DEPTH} levels: a setting "
                                        "is a string, a number, or a short list"])
        root = YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SettingsError(stack, [f"{path.name}{line}: not valid YAML: {error.problem or error.context}"]) \
            from None
    except (YAMLError, UnicodeDecodeError) as error:
        raise SettingsError(stack, [f"{path.name}: not valid YAML: {error}"]) from None
    except RecursionError:  # the composer recurses per nesting level
        raise SettingsError(stack, [f"{path.name}: nested too deeply to be a stack file"]) from None
    config = _config_node(root, problems)
    values: dict[str, str] = {}
    secure: set[str] = set()
    for key_node, value_node in _pairs(config, problems) if config is not None else ():
        key = _full_key(key_node, problems)
        if key is None:
            continue
        try:
            value = value_of(value_node)
        except TooLarge as error:
            problems.add(value_node, f"{key} {error}: a setting is a string, a number, or a short list")
            continue
        if tag := unsupported_tag(value_node):
            problems.add(value_node, f"{key} has the tag {tag}: write the value as plain text (a secret with "
                                     "pulumi config set --secret)")
            continue
        if value is None:
            problems.add(value_node, f"{key} is empty (null): give it a value, or delete the line to use "
                                     "its default")
        elif isinstance(value, dict) and list(value) == ["secure"] and isinstance(value["secure"], str):
            secure.add(key)
            values[key] = "[secret]"
        else:
            try:
                values[key] = engine_text(value)
            except NotEncodable:
                problems.add(value_node, f"{key} = {value_node.value if isinstance(value_node, ScalarNode) else value}"
                                         ": infinite or NaN numbers cannot be config values")
        if isinstance(value_node, MappingNode):
            _pairs(value_node, problems)  # a repeated key inside an object value is refused too
    if problems.found:
        raise SettingsError(stack, problems.found)
    return StackConfig(values, frozenset(secure))


def _too_deep_flow(text: str) -> int | None:
    """The line where [ and { (outside comments and quoted scalars) nest past MAX_DEPTH, or None. Checked before
    composing: the YAML scanner's work grows with the square of the flow depth (seconds at a few thousand)."""
    depth, line, quote, previous = 0, 1, "", "\n"
    for char in text:
        if char == "\n":
            line += 1
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and previous in " \t\n[{,:" or char == "#" and previous in " \t\n":
            quote = "\n" if char == "#" else char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return None


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
    return isinstance(node, ScalarNode) and node.style is None and plain_scalar(node.value) is None

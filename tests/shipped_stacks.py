"""The shipped azure-dev and aks-dev stack files carry no allowlist (the first preview asks for one): the tests
that read those files supply one explicitly, as a deployer does with `pulumi config set --path`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from components import constants as c
from components.settings import ROOT
from components.settings.stackfile import StackConfig

TEST_ALLOWLIST = ["10.100.0.0/24"]  # a VPN range: private, so it admits no public address
NEEDS_ALLOWLIST = ("azure-dev", "aks-dev")
KEY = f"{c.PROJECT}:allowedSourceCidrs"


def _shipped_without_allowlist(path: Path, config: StackConfig) -> bool:
    return (path.resolve().parent == ROOT and path.name in {f"Pulumi.{s}.yaml" for s in NEEDS_ALLOWLIST}
            and KEY not in config.values)


def with_test_allowlist(read: Callable[[Path], StackConfig]) -> Callable[[Path], StackConfig]:
    """`read_stack_config` that adds TEST_ALLOWLIST to a shipped stack file without one (as the engine's string)."""
    def read_stack_config(path: Path) -> StackConfig:
        config = read(path)
        if not _shipped_without_allowlist(path, config):
            return config
        return StackConfig({**config.values, KEY: json.dumps(TEST_ALLOWLIST, separators=(",", ":"))}, config.secure)
    return read_stack_config


def project_with_test_allowlist(directory: Path) -> Path:
    """A copy of the project's Pulumi.yaml and stack files in `directory`, the allowlist written into the stack
    files that need one (for a render run as a separate process, with --project-dir)."""
    shutil.copy(ROOT / "Pulumi.yaml", directory / "Pulumi.yaml")
    for path in ROOT.glob("Pulumi.*.yaml"):
        text = path.read_text()
        if path.name in {f"Pulumi.{s}.yaml" for s in NEEDS_ALLOWLIST} and KEY not in text:
            text += f"  {KEY}: {json.dumps(TEST_ALLOWLIST)}\n"
        (directory / path.name).write_text(text)
    return directory

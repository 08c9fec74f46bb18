"""Finds the external tools the validator tests run (promtool, nginx, Postgres, node grammars, checkov,
Azurite).

These are the tools a package registry ships; the real engines (Loki, Tempo, Alloy) are not among them
and come from the environment instead (tests/validators/engines.py).

`require_tool(name)` returns the executable's path, or skips the test when the tool is missing; with
REQUIRE_VALIDATORS=1 (as .ci/run sets it) a missing tool fails the test instead. Lookup order: an
environment override, then the repo's `.tools/` (filled by scripts/install-validators.sh), then PATH and
the Debian locations.
"""

from __future__ import annotations

import os
import socket
import re
import shutil
from pathlib import Path

import pytest

INSTALL_HINT = "install the validators with: bash scripts/install-validators.sh"

# Environment variable that overrides each tool's location. PG_BIN names the directory of pg_ctl.
OVERRIDES = {
    "promtool": "PROMTOOL",
    "prometheus": "PROMETHEUS",
    "nginx": "NGINX",
    "openssl": "OPENSSL",
    "pg_ctl": "PG_BIN",
    "node": "NODE",
    "checkov": "CHECKOV",
    "busybox": "BUSYBOX",
    "azurite-blob": "AZURITE_BLOB",
}

# Where scripts/install-validators.sh puts the tools it keeps out of the system, relative to the repo.
REPO_TOOLS = {
    "promtool": ".tools/prometheus/usr/bin/promtool",
    "prometheus": ".tools/prometheus/usr/bin/prometheus",
    "checkov": ".tools/checkov-venv/bin/checkov",
    "azurite-blob": "node_modules/.bin/azurite-blob",  # npm (package.json): the Azure Storage emulator
}

# The grammar packages tests/validators/grammar/parse.mjs imports.
GRAMMAR_PACKAGES = ("@prometheus-io/lezer-promql", "@grafana/lezer-logql", "@grafana/lezer-traceql")


def repo_root() -> Path:
    """The repository's top directory (where pyproject.toml is)."""
    return Path(__file__).resolve().parents[2]


def _executable(path: str | Path) -> str | None:
    path = Path(path)
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def _newest_postgres_pg_ctl() -> str | None:
    """pg_ctl of the newest Postgres under Debian's versioned /usr/lib/postgresql/<major>/bin."""
    candidates = Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
    versioned = [p for p in candidates if re.fullmatch(r"\d+(\.\d+)?", p.parents[1].name)]
    for path in sorted(versioned, key=lambda p: float(p.parents[1].name), reverse=True):
        if found := _executable(path):
            return found
    return None


def _system_tool(name: str) -> str | None:
    found = shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")
    if found or name != "pg_ctl":
        return found
    # Debian keeps pg_ctl off PATH, in the versioned directory.
    return _newest_postgres_pg_ctl()


def find_tool(name: str) -> tuple[str | None, str]:
    """(path, "") when the tool is usable, else (None, why not)."""
    if name not in OVERRIDES:
        raise ValueError(f"unknown validator tool {name!r}; known: {', '.join(OVERRIDES)}")
    variable = OVERRIDES[name]
    override = os.environ.get(variable)
    if override:
        target = Path(override) / "pg_ctl" if name == "pg_ctl" else Path(override)
        found = _executable(target)
        if not found:
            return None, f"{variable}={override} does not point to an executable {name}"
    else:
        local = repo_root() / REPO_TOOLS[name] if name in REPO_TOOLS else None
        found = (_executable(local) if local else None) or _system_tool(name)
        if not found:
            return None, f"{name} not found (set {variable}, or put it on PATH)"
    if name == "node":
        modules = repo_root() / "node_modules"
        missing = [package for package in GRAMMAR_PACKAGES if not (modules / package).is_dir()]
        if missing:
            return None, f"node is at {found}, but {', '.join(missing)} is missing from {modules}"
    return found, ""


def require_tool(name: str) -> str:
    """The tool's executable path; skips the test when it is missing (fails with REQUIRE_VALIDATORS=1)."""
    found, reason = find_tool(name)
    if found:
        return found
    message = f"{reason}; {INSTALL_HINT}"
    if os.environ.get("REQUIRE_VALIDATORS") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now, for a server a test starts on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def busybox_bin(directory: Path, applets: tuple[str, ...]) -> str:
    """`directory` filled with busybox applets, as on an alpine image's PATH; returns it as a PATH."""
    busybox = require_tool("busybox")
    for applet in applets:
        (directory / applet).symlink_to(busybox)
    return str(directory)

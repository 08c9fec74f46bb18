"""The real engines the stack deploys (Loki, Tempo, Alloy), taken from the environment for the tests.

No package registry ships them, so the tests never install them: `LOKI_BIN`, `TEMPO_BIN` and `ALLOY_BIN`
name binaries copied out of the pinned images by `scripts/engine-binaries.sh` (the Azure DevOps validate
stage does this on every run). Without a variable, a test that needs the engine skips with the reason;
with REQUIRE_ENGINES=1 that skip is a failure. A binary that is not the catalog's version
(components/images.py) is always refused: a test passing against another release proves nothing about
the one the stack deploys.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from components import images
from components.images import Image

SCRIPT_HINT = "copy it out of the pinned image with: bash scripts/engine-binaries.sh DIR (needs Docker)"
VERSION_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Engine:
    name: str
    variable: str
    image: Image
    version_flag: str  # each binary's own spelling (Loki and Tempo use Go flags, Alloy a cobra command)


ENGINES = {
    "loki": Engine("loki", "LOKI_BIN", images.LOKI, "-version"),
    "tempo": Engine("tempo", "TEMPO_BIN", images.TEMPO, "-version"),
    "alloy": Engine("alloy", "ALLOY_BIN", images.ALLOY, "--version"),
}
# Every binary prints Prometheus' version banner first: "<name>, version <version> (branch: …, revision: …)".
_BANNER = re.compile(r"^(?P<name>\S+), version (?P<version>\S+)", re.MULTILINE)


def _bare(version: str) -> str:
    return version.removeprefix("v")


@functools.cache
def _reported_version(path: str, flag: str) -> tuple[str | None, str]:
    """(version, "") as the binary prints it, or (None, why it could not be read)."""
    try:
        result = subprocess.run([path, flag], capture_output=True, text=True, timeout=VERSION_TIMEOUT_SECONDS)
    except OSError as error:
        return None, f"cannot run {path} {flag}: {error}"
    except subprocess.TimeoutExpired:
        return None, f"{path} {flag} did not answer in {VERSION_TIMEOUT_SECONDS}s"
    match = _BANNER.search(result.stdout + result.stderr)
    if result.returncode != 0 or not match:
        output = (result.stdout + result.stderr).strip()[:300]
        return None, f"{path} {flag} exited {result.returncode} without a version banner: {output!r}"
    return match["version"], ""


def find_engine(name: str) -> tuple[str | None, str, bool]:
    """(path, "", False) when the engine is usable; else (None, reason, refused).

    `refused` is True when the variable is set but names something unusable or another version: that is
    a broken environment, never a reason to skip."""
    engine = ENGINES.get(name)
    if engine is None:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
    value = os.environ.get(engine.variable, "")
    if not value:
        return None, f"{engine.variable} is not set: the real {name} {engine.image.tag} is needed; {SCRIPT_HINT}", False
    path = Path(value)
    if not (path.is_file() and os.access(path, os.X_OK)):
        return None, f"{engine.variable}={value} is not an executable file", True
    reported, why = _reported_version(str(path), engine.version_flag)
    if reported is None:
        return None, f"{engine.variable}={value}: {why}", True
    if _bare(reported) != _bare(engine.image.tag):
        return None, (f"{engine.variable}={value} is {name} {reported}, but the stack deploys {engine.image.tag} "
                      f"(components/images.py); {SCRIPT_HINT}"), True
    return str(path), "", False


def require_engine(name: str) -> str:
    """The engine's path; skips the test when its variable is unset (fails with REQUIRE_ENGINES=1), and
    fails when the variable names a wrong or unusable binary."""
    path, reason, refused = find_engine(name)
    if path:
        return path
    if refused or os.environ.get("REQUIRE_ENGINES") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def engines_present(*names: str) -> bool:
    """Whether every named engine is usable (for work started before any test asks, like early boots)."""
    return all(find_engine(name)[0] for name in names)

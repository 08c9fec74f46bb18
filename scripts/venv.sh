#!/usr/bin/env bash
# Creates venv/ with a Python this project supports (pyproject.toml: >=3.11,<3.14) and installs the
# exact versions a deploy uses (requirements.txt); --test adds the test tools (the `test` extra).
#   bash scripts/venv.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

supported() { "$1" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))' 2>/dev/null; }

if [ -x venv/bin/python ] && ! supported venv/bin/python; then
  echo "venv/ uses Python $(venv/bin/python -c 'import platform; print(platform.python_version())'), outside" \
    ">=3.11,<3.14: remove it (rm -rf venv) and run this again." >&2
  exit 1
fi
if [ ! -x venv/bin/python ]; then
  python=""
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && supported "$candidate"; then python=$candidate; break; fi
  done
  if [ -z "$python" ]; then
    echo "This project needs Python >=3.11,<3.14 (found: $(python3 --version 2>&1 || echo none))." >&2
    echo "Install one, e.g. 'apt-get install python3.12 python3.12-venv' or 'brew install python@3.12'." >&2
    exit 1
  fi
  "$python" -m venv venv
fi

packages=(-r requirements.txt)
[ "${1:-}" = "--test" ] && packages+=(-e '.[test]')
venv/bin/python -m pip install --quiet --disable-pip-version-check "${packages[@]}"

#!/usr/bin/env bash
# Creates a virtualenv with a Python this project supports (pyproject.toml: >=3.11,<3.14) and installs a
# lock made by scripts/lock.sh into it, hash-checked and wheels only: a file that does not match its hash
# is refused, and nothing is built from source.
#   bash scripts/venv.sh            venv/: the deploy (requirements.txt), then the project itself
#   bash scripts/venv.sh --test     venv/: the tested environment (requirements-test.txt: the same pins plus
#                                   the `test` extra), then the project itself
#   bash scripts/venv.sh --policy   policy/venv/: the policy pack's (policy/requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  "") venv=venv lock=requirements.txt ;;
  --test) venv=venv lock=requirements-test.txt ;;
  --policy) venv=policy/venv lock=policy/requirements.txt ;;
  *) echo "usage: bash scripts/venv.sh [--test | --policy]" >&2; exit 2 ;;
esac

supported() { "$1" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))' 2>/dev/null; }

if [ -x "$venv/bin/python" ] && ! supported "$venv/bin/python"; then
  echo "$venv/ uses Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'), outside" \
    ">=3.11,<3.14: remove it (rm -rf $venv) and run this again." >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  python=""
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && supported "$candidate"; then python=$candidate; break; fi
  done
  if [ -z "$python" ]; then
    echo "This project needs Python >=3.11,<3.14 (found: $(python3 --version 2>&1 || echo none))." >&2
    echo "Install one, e.g. 'apt-get install python3.12 python3.12-venv' or 'brew install python@3.12'." >&2
    exit 1
  fi
  "$python" -m venv "$venv"
fi

pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --require-hashes --only-binary :all: -r "$lock"
if [ "$venv" = venv ]; then
  # components/ for the dynamic providers' process (components/targets/acr_token.py). No build isolation:
  # the build backend (setuptools) is in the lock, so nothing unhashed is downloaded to build it.
  "${pip[@]}" --no-deps --no-build-isolation -e .
fi

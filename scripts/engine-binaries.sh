#!/usr/bin/env bash
# Copies the real Loki, Tempo and Alloy binaries out of the exact images the stack deploys, for the engine
# tests (tests/validators/engines.py). Needs Docker and access to the images; no container runs.
#
#   bash scripts/engine-binaries.sh DIR        then: eval "$(bash scripts/engine-binaries.sh DIR | grep ^export)"
#
# Each image is pulled by the catalog's pinned reference (components/images.py: tag and digest), through the
# ACR mirror when ACR_LOGIN_SERVER is set (as the VM pulls them), created (not started), and its entrypoint
# binary copied out with `docker cp`. Each binary must report the catalog's version; the script then prints
# one `export LOKI_BIN=…` line per engine on standard output (everything else goes to standard error).
set -euo pipefail

usage() {
  echo "usage: bash scripts/engine-binaries.sh DIR   (ACR_LOGIN_SERVER=<registry> to pull through the ACR mirror)" >&2
}

if [[ $# -ne 1 || $1 == -* ]]; then
  usage
  [[ ${1:-} == -h || ${1:-} == --help ]] && exit 0
  exit 2
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$1
PYTHON=${PYTHON:-python3}
[[ -x "$ROOT/venv/bin/python" ]] && PYTHON="$ROOT/venv/bin/python"

log() { printf '[engine-binaries] %s\n' "$*" >&2; }
die() { printf '[engine-binaries] error: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null || die "needs the docker CLI and a running Docker engine"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed)"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# name<TAB>variable<TAB>version flag<TAB>tag<TAB>reference, from the one catalog.
engines=$(cd "$ROOT" && ACR_LOGIN_SERVER="${ACR_LOGIN_SERVER:-}" "$PYTHON" - <<'EOF'
import os
from components import images

prefix = os.environ["ACR_LOGIN_SERVER"]
for name, variable, flag, image in (("loki", "LOKI_BIN", "-version", images.LOKI),
                                    ("tempo", "TEMPO_BIN", "-version", images.TEMPO),
                                    ("alloy", "ALLOY_BIN", "--version", images.ALLOY)):
    print("\t".join((name, variable, flag, image.tag, image.reference(prefix))))
EOF
) || die "could not read components/images.py with $PYTHON"

exports=()
while IFS=$'\t' read -r name variable flag tag reference; do
  log "$name: pulling $reference"
  docker pull --quiet "$reference" >/dev/null || die "$name: docker pull $reference failed"
  entrypoint=$(docker image inspect --format '{{index .Config.Entrypoint 0}}' "$reference") \
    || die "$name: cannot read the entrypoint of $reference"
  [[ $entrypoint == /* ]] || die "$name: the image's entrypoint is not an absolute path: '$entrypoint'"
  container=$(docker create "$reference") || die "$name: docker create $reference failed"
  status=0
  docker cp "$container:$entrypoint" "$DIR/$name" >/dev/null || status=$?
  docker rm "$container" >/dev/null || log "$name: could not remove the created container $container"
  ((status == 0)) || die "$name: docker cp $container:$entrypoint failed"
  chmod 0755 "$DIR/$name"
  banner=$("$DIR/$name" "$flag" 2>&1 | head -n 1) || true
  reported=$(sed -n 's/^[^ ]*, version \([^ ]*\).*/\1/p' <<<"$banner")
  if [[ ${reported#v} != "${tag#v}" ]]; then
    rm -f "$DIR/$name"
    die "$name: $reference holds version '${reported:-unknown}' ('$banner'), not the catalog's $tag"
  fi
  log "$name: $reported in $DIR/$name"
  exports+=("export $variable=$DIR/$name")
done <<<"$engines"

printf '%s\n' "${exports[@]}"

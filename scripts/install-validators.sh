#!/usr/bin/env bash
# Installs the tools the validator tests run against the product's files (tests/validators/tools.py
# finds them): nginx, Postgres, openssl and node from Debian; promtool and the prometheus server from
# Debian unstable, unpacked into .tools/prometheus/ without touching the system; the query grammars
# from npm into node_modules/; checkov in its own venv at .tools/checkov-venv/. Only what a package
# registry ships: the real Loki, Tempo and Alloy come from their pinned images
# (scripts/engine-binaries.sh) through LOKI_BIN, TEMPO_BIN and ALLOY_BIN.
# For Debian 12 (bookworm), as root. Idempotent: a second run only checks what is already there.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
PROMETHEUS_DIR="$TOOLS/prometheus"
PROMETHEUS_SERIES="3.5."   # what Debian unstable ships; another 3.x only warns, anything else fails
CHECKOV_VERSION="3.3.30"  # locked with its dependencies in scripts/checkov-requirements.txt
CHECKOV_VENV="$TOOLS/checkov-venv"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[install-validators] %s\n' "$*"; }
die() { printf '[install-validators] error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs Debian packages)"
command -v apt-get >/dev/null || die "needs a Debian system (apt-get)"

apt_updated=false
apt_update_once() {
  if ! $apt_updated; then
    apt-get update -qq
    apt_updated=true
  fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

install_debian_packages() {
  local missing=() pkg
  # busybox: the sh and wget of the alpine-based images, for the scripts the stack runs inside them.
  for pkg in nginx postgresql postgresql-contrib openssl busybox; do
    installed "$pkg" || missing+=("$pkg")
  done
  # Any node works (the grammars are plain JavaScript); Debian's only when there is none at all.
  command -v node >/dev/null || missing+=(nodejs npm)
  if ((${#missing[@]} == 0)); then
    log "Debian packages: already installed"
    return
  fi
  log "Debian packages: installing ${missing[*]}"
  apt_update_once
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Prints "URI<TAB>Signed-By" of this machine's main Debian archive (the stanza whose suites include
# the release codename itself, not -updates or -security).
debian_archive() {
  local codename
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  awk -v codename="$codename" '
    BEGIN { RS = ""; FS = "\n" }
    {
      uris = ""; suites = ""; signed = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
        if ($i ~ /^Suites:/) { suites = " " $i " "; sub(/^ Suites:/, " ", suites) }
        if ($i ~ /^Signed-By:/) { signed = $i; sub(/^Signed-By:[ \t]*/, "", signed) }
      }
      if (uris != "" && suites ~ ("[ \t]" codename "[ \t]")) { split(uris, u, " "); print u[1] "\t" signed; exit }
    }' /etc/apt/sources.list.d/*.sources 2>/dev/null
}

promtool_version() {
  "$PROMETHEUS_DIR/usr/bin/promtool" --version 2>&1 | sed -n 's/^promtool, version \([^ ]*\).*/\1/p'
}

install_prometheus() {
  if [[ -x "$PROMETHEUS_DIR/usr/bin/promtool" && -x "$PROMETHEUS_DIR/usr/bin/prometheus" ]] \
    && [[ -n "$(promtool_version)" ]]; then
    log "prometheus: $(promtool_version) already in .tools/prometheus"
    return
  fi
  local archive uri signed work="$WORK/apt-sid"
  archive=$(debian_archive)
  [[ -n "$archive" ]] || die "no Debian archive found in /etc/apt/sources.list.d/*.sources"
  IFS=$'\t' read -r uri signed <<<"$archive"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  {
    printf 'Types: deb\nURIs: %s\nSuites: sid\nComponents: main\n' "$uri"
    [[ -z "$signed" ]] || printf 'Signed-By: %s\n' "$signed"
  } >"$work/sid.sources"
  # A private source list, package lists and cache, so the system's apt never sees unstable; they sit in
  # a root-only temporary directory, hence no download sandbox user.
  local apt_options=(
    -o "Dir::Etc::SourceList=$work/sid.sources" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root"
  )
  log "prometheus: downloading prometheus and promtool from Debian unstable"
  apt-get "${apt_options[@]}" update -qq
  (cd "$work" && apt-get "${apt_options[@]}" download -qq prometheus promtool)
  rm -rf "$PROMETHEUS_DIR"
  mkdir -p "$PROMETHEUS_DIR"
  local deb
  for deb in "$work"/prometheus_*.deb "$work"/promtool_*.deb; do
    dpkg -x "$deb" "$PROMETHEUS_DIR"
  done
  [[ -n "$(promtool_version)" ]] || die "the unpacked promtool does not run"
  log "prometheus: $(promtool_version) unpacked into .tools/prometheus"
}

check_prometheus_version() {
  local version
  version=$(promtool_version)
  [[ $version == 3.* ]] || die "promtool $version is not Prometheus 3.x; remove .tools/prometheus and retry"
  [[ $version == "$PROMETHEUS_SERIES"* ]] \
    || log "warning: promtool is $version, the tests were written against ${PROMETHEUS_SERIES}x"
}

install_grammars() {
  local stamp="$ROOT/node_modules/.lock-sha256" want
  want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "grammars and Azurite: node_modules matches package-lock.json"
    return
  fi
  log "grammars and Azurite: npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

install_checkov() {
  local python="$CHECKOV_VENV/bin/python" have=""
  [[ -x "$python" ]] && have=$("$python" -c \
    'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null || true)
  if [[ "$have" == "$CHECKOV_VERSION" ]]; then
    log "checkov: $CHECKOV_VERSION already in .tools/checkov-venv"
    return
  fi
  log "checkov: installing $CHECKOV_VERSION into .tools/checkov-venv"
  rm -rf "$CHECKOV_VENV"
  python3 -m venv "$CHECKOV_VENV"
  # Hash-checked, wheels only: scripts/checkov-requirements.txt (bash scripts/lock.sh after a version change).
  "$CHECKOV_VENV/bin/pip" install -qq --disable-pip-version-check --require-hashes --only-binary :all: \
    -r "$ROOT/scripts/checkov-requirements.txt"
}

mkdir -p "$TOOLS"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
install_debian_packages
install_prometheus
check_prometheus_version
install_grammars
install_checkov
log "done"

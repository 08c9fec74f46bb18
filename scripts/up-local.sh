#!/usr/bin/env bash
# Deploys the `local` stack on this machine's Docker daemon, from a fresh clone:
#   bash scripts/up-local.sh [--yes]
# Creates venv/, keeps Pulumi state in .pulumi-state/ (a local file backend, no Pulumi Cloud account)
# with a generated passphrase for the stack's secrets, then runs `pulumi up -s local`.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pulumi >/dev/null 2>&1 || missing+=("the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/ — e.g. 'curl -fsSL https://get.pulumi.com | sh')")
if ! command -v docker >/dev/null 2>&1; then
  missing+=("Docker Engine or Docker Desktop (https://docs.docker.com/engine/install/)")
elif ! docker info >/dev/null 2>&1; then
  missing+=("a running Docker daemon that this user may use ('docker info' failed: start Docker, or add yourself to the docker group)")
fi
command -v python3 >/dev/null 2>&1 || missing+=("Python 3.11+ with venv (e.g. 'apt-get install python3 python3-venv')")
if ((${#missing[@]})); then
  echo "Cannot deploy the local stack yet. Install:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

state="$PWD/.pulumi-state"
mkdir -p "$state"
if [ ! -s "$state/passphrase" ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(32))' >"$state/passphrase")
fi
export PULUMI_BACKEND_URL="file://$state"
export PULUMI_CONFIG_PASSPHRASE_FILE="$state/passphrase"

pulumi stack select --create local --non-interactive >/dev/null

# The docker provider talks to `dockerHost`, not to the Docker CLI's current context (Colima, rootless).
context_host=$(docker context inspect -f '{{.Endpoints.docker.Host}}' 2>/dev/null || true)
stack_host=$(pulumi config get dockerHost --stack local 2>/dev/null || echo unix:///var/run/docker.sock)
if [ -n "$context_host" ] && [ "$context_host" != "$stack_host" ]; then
  echo "Your Docker CLI uses $context_host but the local stack targets $stack_host. Point the stack at it:" >&2
  echo "  pulumi config set dockerHost '$context_host' --stack local" >&2
  exit 1
fi

# The local stack mirrors production: it joins the platform's compose network and reads its database.
network=$(pulumi config get externalNetwork --stack local 2>/dev/null || true)
if [ -n "$network" ] && ! docker network inspect "$network" >/dev/null 2>&1; then
  echo "The platform's network '$network' does not exist: start the platform's docker compose first." >&2
  echo "(To run the stack without the platform: pulumi config set postgresEnabled false --stack local" >&2
  echo " and pulumi config set externalNetwork '' --stack local.)" >&2
  exit 1
fi
if [ "$(pulumi config get postgresEnabled --stack local 2>/dev/null)" = "true" ] &&
  ! pulumi config get postgresAdminPassword --stack local >/dev/null 2>&1; then
  password="${PLATFORM_POSTGRES_PASSWORD:-}"
  if [ -z "$password" ] && [ -t 0 ]; then
    read -r -s -p "Platform database admin password (POSTGRES_PASSWORD of the platform's .env): " password
    echo
  fi
  if [ -z "$password" ]; then
    echo "Set PLATFORM_POSTGRES_PASSWORD to the platform database's admin password and run again." >&2
    exit 1
  fi
  # Stored encrypted with your local passphrase in Pulumi.local.yaml: keep that line out of commits.
  printf '%s' "$password" | pulumi config set --secret postgresAdminPassword --stack local
fi

pulumi up --stack local "$@"

cat <<'DONE'

Grafana: https://localhost:9999  (self-signed certificate: accept it once in the browser)
User:     admin
Password: PULUMI_BACKEND_URL=file://$PWD/.pulumi-state PULUMI_CONFIG_PASSPHRASE_FILE=$PWD/.pulumi-state/passphrase \
            pulumi stack output grafanaAdminPassword --show-secrets --stack local
DONE

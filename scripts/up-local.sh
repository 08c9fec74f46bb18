#!/usr/bin/env bash
# Deploys the `local` stack on this machine's Docker daemon, from a fresh clone (`--help` for the options).
# Creates venv/, keeps Pulumi state in .pulumi-state/ (a local file backend, no Pulumi Cloud account)
# with a generated passphrase for the stack's secrets, then runs `pulumi up --stack local`.
# Later pulumi commands: bash scripts/pulumi-local.sh <args>.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
platform_network=migration_network

usage() {
  cat <<'USAGE'
Usage: bash scripts/up-local.sh [--platform | --demo] [--yes] [--refresh] [--diff] [-- <pulumi up arguments>]

Deploys the local stack on this machine's Docker daemon with `pulumi up --stack local`.
Needs the Pulumi CLI, a running Docker daemon and Python 3.11-3.13 (it says what is missing).

  (no option)  standalone, with demo data (the default)
  --platform   read the running platform instead: join migration_network, use its Postgres, no demo data
  --demo       back to standalone with demo data
  --yes, -y    deploy without asking for confirmation        (passed to pulumi up)
  --refresh    refresh the state from Docker first            (passed to pulumi up)
  --diff       show the full diff of every change             (passed to pulumi up)
  -- ARGS      pass ARGS, unchecked, to pulumi up
  --help, -h   print this help and exit

Later commands on the local stack: bash scripts/pulumi-local.sh <pulumi arguments>
USAGE
}

mode=""
up_args=()
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --platform | --demo)
      if [ -n "$mode" ] && [ "$mode" != "${1#--}" ]; then
        echo "up-local.sh: choose one of --platform and --demo" >&2; echo >&2; usage >&2; exit 2
      fi
      mode=${1#--} ;;
    -y | --yes | --refresh | --diff) up_args+=("$1") ;;
    --) shift; up_args+=("$@"); break ;;
    *) echo "up-local.sh: unknown argument '$1'" >&2; echo >&2; usage >&2; exit 2 ;;
  esac
  shift
done

missing=()
command -v pulumi >/dev/null 2>&1 || missing+=("the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/ — e.g. 'curl -fsSL https://get.pulumi.com | sh')")
if ! command -v docker >/dev/null 2>&1; then
  missing+=("Docker Engine or Docker Desktop (https://docs.docker.com/engine/install/)")
elif ! docker info >/dev/null 2>&1; then
  missing+=("a running Docker daemon that this user may use ('docker info' failed: start Docker, or add yourself to the docker group)")
fi
command -v python3 >/dev/null 2>&1 || missing+=("Python 3.11–3.13 with venv (e.g. 'apt-get install python3 python3-venv')")
if ((${#missing[@]})); then
  echo "Cannot deploy the local stack yet. Install:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

bash scripts/venv.sh  # checks the Python version, creates venv/ and installs the pinned packages

state="$repo/.pulumi-state"
mkdir -p "$state"
if [ ! -s "$state/passphrase" ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(32))' >"$state/passphrase")
fi
export PULUMI_BACKEND_URL="file://$state"
export PULUMI_CONFIG_PASSPHRASE_FILE="$state/passphrase"
pulumi_local="bash '$repo/scripts/pulumi-local.sh'"  # what to paste: sets the two variables above

# Creating the stack writes its passphrase salt (`encryptionsalt:`) into Pulumi.local.yaml.
pulumi stack select --create local --non-interactive >/dev/null

# The docker provider talks to `dockerHost`, not to the Docker CLI's current context (Colima, rootless).
context_host=$(docker context inspect -f '{{.Endpoints.docker.Host}}' 2>/dev/null || true)
stack_host=$(pulumi config get dockerHost --stack local 2>/dev/null || true)
stack_host=${stack_host:-unix:///var/run/docker.sock}
if [ -n "$context_host" ] && [ "$context_host" != "$stack_host" ]; then
  echo "Your Docker CLI uses $context_host but the local stack targets $stack_host. Point the stack at it:" >&2
  echo "  $pulumi_local config set dockerHost '$context_host' --stack local" >&2
  exit 1
fi

setting() { pulumi config get "$1" --stack local 2>/dev/null || true; }

case $mode in
  platform)
    if ! docker network inspect "$platform_network" >/dev/null 2>&1; then
      echo "The platform's network '$platform_network' does not exist: start the platform's docker compose first." >&2
      exit 1
    fi
    pulumi config set demoData false --stack local
    pulumi config set externalNetwork "$platform_network" --stack local
    pulumi config set postgresEnabled true --stack local
    ;;
  demo)
    pulumi config set demoData true --stack local
    pulumi config rm externalNetwork --stack local >/dev/null 2>&1 || true
    pulumi config rm postgresEnabled --stack local >/dev/null 2>&1 || true
    ;;
  *)
    if [ "$(setting demoData)" != "false" ] && docker network inspect "$platform_network" >/dev/null 2>&1; then
      echo "Note: the platform's network '$platform_network' is up. This deploys the standalone stack with demo"
      echo "data; to read the platform's database and receive its telemetry instead, run:"
      echo "  bash '$repo/scripts/up-local.sh' --platform"
    fi
    ;;
esac

# The platform's database admin password (only with --platform). `config get` succeeds with the schema's
# empty default, so an empty answer counts as unset too.
if [ "$(setting postgresEnabled)" = "true" ] && [ -z "$(setting postgresAdminPassword)" ]; then
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

pulumi up --stack local ${up_args[@]+"${up_args[@]}"}

cat <<DONE

Grafana:  https://localhost:9999  (self-signed certificate: accept it once in the browser)
User:     admin
Password: $pulumi_local stack output grafanaAdminPassword --show-secrets --stack local
DONE
if [ "$(setting demoData)" = "true" ]; then
  echo "Demo data is on: within a minute, Platform → Application Logs, LLM Costs, MFO Flows, Agent Health and"
  echo "Tenant Memory show data, and Explore → Tempo finds traces of service 'backend' (see README)."
fi
changed=0
git -C "$repo" diff --quiet -- Pulumi.local.yaml 2>/dev/null || changed=$?
if [ "$changed" -eq 1 ]; then
  echo "Pulumi.local.yaml now holds this machine's stack settings (salt, secrets): do not commit those lines."
fi

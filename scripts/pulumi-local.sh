#!/usr/bin/env bash
# Runs `pulumi` for the local stack with its local file backend and passphrase (both made by
# scripts/up-local.sh under .pulumi-state/), from any directory:
#   bash scripts/pulumi-local.sh stack output grafanaAdminPassword --show-secrets --stack local
set -euo pipefail
cd "$(dirname "$0")/.."
state="$PWD/.pulumi-state"
if [ ! -s "$state/passphrase" ]; then
  echo "No local Pulumi state yet: run 'bash scripts/up-local.sh' first." >&2
  exit 1
fi
export PULUMI_BACKEND_URL="file://$state"
export PULUMI_CONFIG_PASSPHRASE_FILE="$state/passphrase"
exec pulumi "$@"

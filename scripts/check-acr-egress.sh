#!/usr/bin/env bash
# Checks, from the stack's Docker host (over the same SSH as the docker provider), that the VM reaches its
# registry: the ACR login server must answer /v2/ with 401 (reachable, asks for credentials). Layer
# downloads then go to the registry's blob storage, which this cannot probe without a pull credential:
# docs/azure-dev-operations.md "VM egress to ACR" lists both rules the firewall needs.
#
#   bash scripts/check-acr-egress.sh <stack> [project dir]   # no registry prefix: nothing to check
set -euo pipefail

stack=${1:?usage: check-acr-egress.sh <stack> [project dir] (reads Pulumi.<stack>.yaml)}
project=$(cd "${2:-$(dirname "$0")/..}" && pwd)
python=${PYTHON:-venv/bin/python}
cd "$(dirname "$0")/.."

# dockerHost, the registry prefix, then one dockerSshOpts entry per line; a bad stack file is its one message.
settings=$("$python" - "$stack" "$project" <<'PY'
import sys
from pathlib import Path
from components.settings import SettingsError, from_stack_file
try:
    s = from_stack_file(sys.argv[1], Path(sys.argv[2]))
except SettingsError as error:
    sys.exit(f"check-acr-egress: {error}")
print(s.docker.host)
print(s.image_registry_prefix)
print("\n".join([*s.docker.ssh_opts, "."]))  # a last line, as $( ) drops trailing empty ones
PY
)
mapfile -t target <<<"$settings"
unset 'target[-1]'
host=${target[0]} registry=${target[1]}
ssh_opts=("${target[@]:2}")
if [[ -z $registry || $registry == docker.io* ]]; then
  echo "check-acr-egress: stack $stack pulls from upstream registries, no ACR to check"
  exit 0
fi
if [[ $host != ssh://* ]]; then
  echo "check-acr-egress: dockerHost is $host, not ssh://; run: curl -sI https://$registry/v2/ (expect 401)" >&2
  exit 2
fi
code=$(ssh "${ssh_opts[@]}" "$host" curl -s -o /dev/null -w '%{http_code}' --max-time 15 "https://$registry/v2/" \
  || true)
if [[ $code != 401 ]]; then
  echo "##vso[task.logissue type=error]The VM cannot reach https://$registry/v2/ (HTTP ${code:-none}, expected 401)." \
    "Open outbound TCP 443 from the VM to $registry and to the registry's blob storage (docs/azure-dev-operations.md: VM egress to ACR)." >&2
  exit 1
fi
echo "check-acr-egress: the VM reaches $registry (401 from /v2/, as expected without credentials)"

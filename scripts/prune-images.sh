#!/usr/bin/env bash
# Removes the stack's superseded images from its Docker host, after a deploy.
#
# The program pulls every image pinned by digest and keeps it when it is no longer used (RemoteImage
# keep_locally: a rollback needs no pull), so every version bump leaves the old image on the disk that
# also holds the data volumes. This removes, for each repository the stack runs, every image whose digest
# is not the one the stack runs now. Docker refuses to remove an image a container still uses; that one
# is reported and kept. Images of other repositories (the platform's) are never touched. The disk alert
# stays the backstop.
#
#   bash scripts/prune-images.sh <stack>     # on the stack's dockerHost, unless DOCKER_HOST says otherwise
# Needs the docker CLI; an ssh:// host is reached with the SSH agent and ~/.ssh/known_hosts (the CLI
# does not take dockerSshOpts).
set -euo pipefail

stack=${1:?usage: prune-images.sh <stack> (reads Pulumi.<stack>.yaml)}
python=${PYTHON:-venv/bin/python}
cd "$(dirname "$0")/.."

render=$(mktemp -d)
trap 'rm -rf "$render"' EXIT
"$python" -m components.render --stack "$stack" --out "$render" >/dev/null
# "<repository> <digest>" of every image the stack runs now.
"$python" - "$render/manifest.json" "$stack" > "$render/current" <<'PY'
import json, sys
from components.settings import from_stack_file
print("DOCKER_HOST", from_stack_file(sys.argv[2]).docker.host)
for ref in sorted({c["image"] for c in json.load(open(sys.argv[1]))["containers"]}):
    name, digest = ref.split("@", 1)
    print(name.rsplit(":", 1)[0], digest)
PY

read -r _ stack_host < "$render/current"
export DOCKER_HOST=${DOCKER_HOST:-$stack_host}
removed=0 kept=0
while read -r repository current; do
  [[ $repository == DOCKER_HOST ]] && continue
  # Listed into a file first: in `done < <(docker ...)` a failed docker (daemon unreachable) goes unseen.
  if ! docker image ls --digests --format '{{.Digest}}' "$repository" >"$render/digests" 2>"$render/error"; then
    echo "prune-images: cannot list $repository on $DOCKER_HOST: $(head -n 1 "$render/error")" >&2
    exit 1
  fi
  while read -r digest; do
    [[ -z $digest || $digest == "<none>" || $digest == "$current" ]] && continue
    if docker image rm "$repository@$digest" </dev/null >/dev/null 2>"$render/error"; then
      echo "removed $repository@$digest"
      removed=$((removed + 1))
    else
      echo "kept $repository@$digest: $(head -n 1 "$render/error")"
      kept=$((kept + 1))
    fi
  done < "$render/digests"
done < "$render/current"
echo "prune-images: $removed superseded image(s) removed, $kept kept (still used)"

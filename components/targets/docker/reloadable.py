"""How the Docker target delivers a spec's reloadable files without recreating the service's container.

`uploads` are part of a container's identity: any change to one replaces the container (stop, delete,
create). So a spec's reloadable files go instead into a named volume that the service mounts read-only,
written by a one-shot sync job that is replaced (and so re-run) whenever a file changes: it copies the
files in, removes the ones the spec no longer ships, and POSTs the service's reload URLs. The service
container's inputs no longer depend on those files at all.
"""

from __future__ import annotations

from dataclasses import replace

from components import constants as c
from components.model import ContainerSpec, File, Ref, Reload, Volume, frozen_env

STAGING = "/staging"  # where the job's uploads land
TARGET = "/target"  # where the job mounts the volume
PASSWORD_FILE = f"{c.SECRETS_DIR}/reload_password"

# POSIX sh + busybox (or GNU) wget: new and changed files are written next to their target and renamed
# over it (a reader never sees half a file), then files the spec dropped are removed, then the service
# is told to reload. Arguments: the reload URLs.
SYNC_SCRIPT = r"""set -eu
cd "$SYNC_SOURCE"
find . -type d | while read -r dir; do mkdir -p "$SYNC_TARGET/$dir"; done
find . -type f | while read -r file; do
  cp "$file" "$SYNC_TARGET/$file.sync-tmp" && chmod 0444 "$SYNC_TARGET/$file.sync-tmp"
  mv -f "$SYNC_TARGET/$file.sync-tmp" "$SYNC_TARGET/$file"
done
cd "$SYNC_TARGET"
find . -type f | while read -r file; do
  if [ ! -e "$SYNC_SOURCE/$file" ]; then echo "removed $file"; rm -f "$file"; fi
done
auth=$(printf '%s:%s' "$RELOAD_USER" "$(cat "$RELOAD_PASSWORD_FILE")" | base64 | tr -d '\n')
for url in "$@"; do
  wget -q -O /dev/null --header "Authorization: Basic $auth" --post-data '' "$url" \
    || { echo "reload failed: POST $url" >&2; exit 1; }
  echo "reloaded: $url"
done
"""


def volume_name(service: str) -> str:
    return f"obs-{service}-provisioning"


def job_service(service: str) -> str:
    return f"{service}-provisioning"


def deliverable(specs: tuple[ContainerSpec, ...]) -> tuple[ContainerSpec, ...]:
    """The specs as the Docker target runs them: each spec with a `reload` becomes the service (its
    reloadable files replaced by a read-only volume) followed by its sync job."""
    result: list[ContainerSpec] = []
    jobs: list[ContainerSpec] = []  # last: each runs after the service and the jobs that prepare it
    for spec in specs:
        if spec.reload is None or not any(f.reloadable for f in spec.files):
            result.append(spec)
            continue
        reload = spec.reload
        reloadable = tuple(f for f in spec.files if f.reloadable)
        outside = [f.path for f in reloadable if not f.path.startswith(reload.directory.rstrip("/") + "/")]
        assert not outside, f"{spec.service}: reloadable files outside {reload.directory}: {outside}"
        # The sync job makes every file 0444 in a volume other containers could mount: no secrets there.
        secret = [f.path for f in reloadable if isinstance(f.content, Ref) and f.content.secret]
        assert not secret, f"{spec.service}: reloadable files must not hold secrets (they become 0444): {secret}"
        result.append(replace(spec, files=tuple(f for f in spec.files if not f.reloadable),
                              volumes=(*spec.volumes, Volume(volume_name(spec.service), reload.directory,
                                                             read_only=True))))
        # After the service is up, and after every job that prepares it (say, its admin password).
        after = (spec.service, *(s.service for s in specs if s.oneshot and spec.service in s.depends_on))
        jobs.append(_sync_job(spec, reload, reloadable, after))
    return (*result, *jobs)


def _sync_job(spec: ContainerSpec, reload: Reload, files: tuple[File, ...],
              after: tuple[str, ...]) -> ContainerSpec:
    base = reload.directory.rstrip("/")
    service = job_service(spec.service)
    return ContainerSpec(
        service=service,
        name=c.container_name(service),
        image=spec.image,  # already on the host; needs sh, find, base64 and wget
        entrypoint=("/bin/sh", "-c"),
        command=(SYNC_SCRIPT, "sync", *reload.urls),
        env=frozen_env(SYNC_SOURCE=STAGING, SYNC_TARGET=TARGET, RELOAD_USER=reload.user,
                       RELOAD_PASSWORD_FILE=PASSWORD_FILE),
        files=(*(replace(f, path=STAGING + f.path[len(base):], reloadable=False) for f in files),
               File(PASSWORD_FILE, reload.password, 0o400)),
        volumes=(Volume(volume_name(spec.service), TARGET),),
        memory_mb=64,
        user="0:0",  # writes into a fresh volume, whatever its owner; the files it writes are read-only
        oneshot=True,
        depends_on=after,
    )

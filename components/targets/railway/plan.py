"""What Railway gets for one service spec — pure, shared by the deploy (stack.py) and the offline render.

Config files reach Railway inside an image: Railway has no file upload, and Loki's and Tempo's images
have no usable shell for a write-then-exec start command. Each service's image is built FROM the
catalog's pinned digest with the rendered files COPY'd in and the spec's command as CMD — no RUN step,
so it builds the same on distroless and shell images alike (see docs/railway-images.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from components.model import ContainerSpec, Content, Ref, Volume

FILES_DIR = "files"  # inside the build context: the container's filesystem from /
RESTART_ALWAYS, RESTART_ONCE = "ON_FAILURE", "NEVER"
HEALTHCHECK_TIMEOUT_SECONDS = 300


class RailwayPlanError(ValueError):
    """A spec Railway cannot run as it is (a programming error in a service spec, not a user setting)."""


@dataclass(frozen=True)
class ServicePlan:
    spec: ContainerSpec
    dockerfile: str
    variables: dict[str, Content]
    volume: Volume | None
    restart_policy: str
    memory_gb: float

    @property
    def name(self) -> str:
        return self.spec.service  # the Railway service name, and so its <name>.railway.internal

    def context_digest(self) -> str:
        """Changes exactly when the image would: the Dockerfile or a file's path, mode or text."""
        digest = hashlib.sha256(self.dockerfile.encode())
        for file in sorted(self.spec.files, key=lambda f: f.path):
            digest.update(f"\0{file.path}\0{file.mode:o}\0{file.content}".encode())
        return digest.hexdigest()


def plan(spec: ContainerSpec, base_image: str) -> ServicePlan:
    _check(spec)
    volume = spec.data_volumes[0] if spec.data_volumes else None
    variables: dict[str, Content] = dict(spec.env)
    if spec.http_check:
        variables["PORT"] = str(spec.http_check.port)  # where Railway's health check and domain connect
    if volume:
        # Railway mounts volumes owned by root: images with a non-root USER could not write to them.
        variables["RAILWAY_RUN_UID"] = "0"
    return ServicePlan(spec, dockerfile(spec, base_image), dict(sorted(variables.items())), volume,
                       RESTART_ONCE if spec.oneshot else RESTART_ALWAYS, round(spec.memory_mb / 1024, 3))


def dockerfile(spec: ContainerSpec, base_image: str) -> str:
    lines = [f"# {spec.service} on Railway: the pinned upstream image plus its rendered config files.",
             "# No RUN step: it builds the same on distroless images (Loki, Tempo) as on ones with a shell.",
             f"FROM {base_image}"]
    if spec.files:
        lines.append(f"COPY {FILES_DIR}/ /")
    if spec.entrypoint:
        lines.append(f"ENTRYPOINT {json.dumps(list(spec.entrypoint))}")
    if spec.command:
        lines.append(f"CMD {json.dumps(list(spec.command))}")
    return "\n".join(lines) + "\n"


def _check(spec: ContainerSpec) -> None:
    secret_files = [f.path for f in spec.files if isinstance(f.content, Ref)]
    if secret_files:
        raise RailwayPlanError(f"{spec.service}: secret files {secret_files} would be baked into a pushed image; "
                               "deliver them as variables")
    if any(v.bind for v in spec.volumes) or len(spec.data_volumes) > 1 or spec.ports:
        raise RailwayPlanError(f"{spec.service}: Railway has one volume per service, no host paths and no "
                               "published ports")
    for volume in spec.data_volumes:
        hidden = [f.path for f in spec.files if f.path.startswith(volume.container_path.rstrip("/") + "/")]
        if hidden:
            raise RailwayPlanError(f"{spec.service}: {hidden} would be hidden by the volume at "
                                   f"{volume.container_path}")


"""Each service's image, built on the deployer's machine and pushed to `railwayImageRegistry`.

The build context is written under .build/railway/<stack>/<service>/ (git-ignored): the Dockerfile from
plan.py and the spec's files with their modes. pulumi-docker rebuilds only when the context changes, and
Railway pulls the pushed image by its digest (`repo_digest`), so a deploy never runs an image it did not build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pulumi
import pulumi_docker as docker

from components.settings import ROOT
from components.targets.railway.plan import FILES_DIR, ServicePlan

BUILD_ROOT = ROOT / ".build" / "railway"
PLATFORM = "linux/amd64"  # Railway runs amd64


def write_context(plan: ServicePlan, stack: str, root: Path | None = None) -> Path:
    context = (root or BUILD_ROOT) / stack / plan.name
    if context.exists():
        shutil.rmtree(context)  # a file the service no longer ships must not linger in its image
    (context / FILES_DIR).mkdir(parents=True)
    (context / "Dockerfile").write_text(plan.dockerfile)
    for file in plan.spec.files:
        target = context / FILES_DIR / file.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(str(file.content))
        target.chmod(file.mode)
    return context


def service_image(name: str, plan: ServicePlan, stack: str, registry: str, username: str,
                  password: pulumi.Output[str] | None, opts: pulumi.ResourceOptions) -> docker.Image:
    context = write_context(plan, stack)
    credentials = docker.RegistryArgs(server=registry.split("/", 1)[0], username=username,
                                      password=password) if username else None
    return docker.Image(
        name,
        # The tag names the content, so a changed file is a new tag and the old image stays pullable.
        image_name=f"{registry}/{plan.name}:{plan.context_digest()[:16]}",
        build=docker.DockerBuildArgs(context=str(context), dockerfile=str(context / "Dockerfile"),
                                     platform=PLATFORM),
        registry=credentials,
        opts=opts,
    )

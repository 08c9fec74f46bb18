"""The canary: proves, every minute, that each signal still travels from an OTLP sender through Alloy into
its backend, and that Alloy still redacts secrets on the way (the canary rules, components/alerts/canary.py).

One small container on every stack that ships this stack's collector and backends. It runs config/canary/
canary.sh in the pinned alpine image the read-only role job already uses (busybox sh and wget): one
container and one image already mirrored to ACR, where telemetrygen would need a container per signal and
a ghcr.io mirror on azure-dev.
"""

from __future__ import annotations

from components import constants as c
from components import images
from components.model import ContainerSpec, File, Flow, Healthcheck, frozen_env
from components.services.common import SCRATCH, config_file
from components.settings import Settings

SCRIPT = "/etc/canary/canary.sh"
OK_FILE = "/tmp/canary-ok"  # noqa: S108 - the canary's own scratch directory
# Healthy while some round in the last three intervals reached Alloy (busybox find: -mmin in minutes).
STALE_MINUTES = 3 * c.CANARY_INTERVAL_SECONDS // 60
HEALTH_PROBE = f'test -n "$(find {OK_FILE} -mmin -{STALE_MINUTES})"'
NOBODY = "65534:65534"


def spec(settings: Settings) -> ContainerSpec:
    return ContainerSpec(
        service=c.CANARY,
        name=c.container_name(c.CANARY),
        image=images.POSTGRES_CLIENT,
        entrypoint=("/bin/sh",),
        command=(SCRIPT,),
        env=frozen_env(
            CANARY_OTLP_ENDPOINT=f"http://{c.ALLOY}:{c.OTLP_HTTP_PORT}",
            CANARY_SERVICE_NAME=c.CANARY_SERVICE_NAME,
            CANARY_ENVIRONMENT=settings.environment,
            CANARY_METRIC=c.CANARY_METRIC,
            CANARY_FAKE_SECRET=c.CANARY_FAKE_SECRET,
            CANARY_INTERVAL_SECONDS=str(c.CANARY_INTERVAL_SECONDS),
            CANARY_OK_FILE=OK_FILE,
        ),
        files=(File(SCRIPT, config_file(c.CANARY, "canary.sh", SCRIPT).content, 0o555),),
        healthcheck=Healthcheck(("CMD", "/bin/sh", "-c", HEALTH_PROBE), interval="60s", start_period="90s"),
        memory_mb=c.CANARY_MEMORY_MB,
        user=NOBODY,
        scratch_dirs=SCRATCH,
        connects_to=(Flow(c.ALLOY, c.OTLP_HTTP_PORT),),
        cpu_request_millis=10,
        depends_on=(c.ALLOY,),
    )

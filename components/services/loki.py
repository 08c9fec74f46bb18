"""Loki: single binary, filesystem storage on a named volume, retention by the compactor."""

from components import constants as c
from components.model import ContainerSpec, Healthcheck, HttpCheck, Listen, Volume, data_volume_name, frozen_env
from components.services import object_store
from components.services.common import SCRATCH, admin_ports
from components.settings import Settings

CONFIG_PATH = "/etc/loki/loki.yaml"


def spec(settings: Settings) -> ContainerSpec:
    return ContainerSpec(
        service=c.LOKI,
        name=c.container_name(c.LOKI),
        image=settings.images[c.LOKI],
        # -config.expand-env lets the one loki.yaml take this stack's retention from the environment.
        command=(f"-config.file={CONFIG_PATH}", "-config.expand-env=true"),
        env=frozen_env(LOKI_RETENTION_PERIOD=f"{settings.retention.loki_days * 24}h",
                       **object_store.env(settings, c.LOKI)),
        files=(object_store.config(settings, c.LOKI, "loki.yaml", CONFIG_PATH),),
        volumes=(Volume(data_volume_name(c.LOKI), "/loki"),),
        ports=admin_ports(settings, c.LOKI),
        # Distroless image: no shell or wget, but `loki -health` (>= 3.7) probes /ready itself.
        healthcheck=Healthcheck(("CMD", "/usr/bin/loki", "-health"), start_period="45s"),
        memory_mb=settings.memory_mb[c.LOKI],
        user="10001:10001",
        http_check=HttpCheck("/ready", c.PORTS[c.LOKI]),  # /ready fails while the ring settles: no liveness
        scratch_dirs=SCRATCH,
        listens=(Listen("http", c.PORTS[c.LOKI]),),
        **object_store.spec_parts(settings),
    )

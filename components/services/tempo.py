"""Tempo 3.x monolithic (-target=all): local block storage on a named volume, OTLP from Alloy."""

from components import constants as c
from components.model import (RAILWAY, ContainerSpec, Flow, Healthcheck, HttpCheck, Listen, Override, Volume,
                              data_volume_name, frozen_env)
from components.services import object_store
from components.services.common import SCRATCH, admin_ports
from components.settings import Settings

CONFIG_PATH = "/etc/tempo/tempo.yaml"


def spec(settings: Settings) -> ContainerSpec:
    env = {"TEMPO_RETENTION_PERIOD": f"{settings.retention.tempo_days * 24}h", **object_store.env(settings, c.TEMPO)}
    return ContainerSpec(
        service=c.TEMPO,
        name=c.container_name(c.TEMPO),
        image=settings.images[c.TEMPO],
        command=("-target=all", f"-config.file={CONFIG_PATH}", "-config.expand-env=true"),
        env=frozen_env(**env),
        files=(object_store.config(settings, c.TEMPO, "tempo.yaml", CONFIG_PATH),),
        # A fresh named volume inherits the image's 10001 ownership of /var/tempo (a bind mount would not).
        volumes=(Volume(data_volume_name(c.TEMPO), "/var/tempo"),),
        ports=admin_ports(settings, c.TEMPO),
        # Distroless image: the built-in `tempo --health` (3.x) is the only probe that works inside it.
        healthcheck=Healthcheck(("CMD", "/tempo", "--health"), start_period="45s"),
        memory_mb=settings.memory_mb[c.TEMPO],
        user="10001:10001",
        http_check=HttpCheck("/ready", c.PORTS[c.TEMPO]),  # WAL replay can take minutes: startup, no liveness
        scratch_dirs=SCRATCH,
        listens=(Listen("http", c.PORTS[c.TEMPO]), Listen("otlp-grpc", c.OTLP_GRPC_PORT)),
        connects_to=(Flow(c.PROMETHEUS, c.PORTS[c.PROMETHEUS]),),  # span metrics by remote write
        **object_store.spec_parts(settings),
        # Railway: span metrics' remote write (tempo.yaml's default unless this is set) as a variable, which
        # becomes a reference Railway resolves to Prometheus's private host rather than an assumed name.
        overrides=(Override(RAILWAY, env=frozen_env(
            **env, PROMETHEUS_REMOTE_WRITE_URL=f"http://{c.PROMETHEUS}:{c.PORTS[c.PROMETHEUS]}/api/v1/write")),),
    )

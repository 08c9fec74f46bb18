"""Loki: single binary (-target=all), filesystem storage on a named volume, retention by the compactor; on
a cluster with a blob store, several such instances on one ring (lokiReplicas, config/loki/replicas.yaml)."""

from components import constants as c
from components.model import (ContainerSpec, Healthcheck, HttpCheck, Listen, Volume, data_volume_name,
                              frozen_env)
from components.services import object_store
from components.services.common import SCRATCH, admin_ports
from components.settings import Settings

CONFIG_PATH = "/etc/loki/loki.yaml"
REPLICAS_OVERLAY = "replicas.yaml"
# Loki's documented HA shape: each stream on 3 ingesters, so one pod down still leaves a write quorum.
HA_REPLICATION_FACTOR = 3
# A stopping ingester flushes every in-memory chunk to the blob store (flush_on_shutdown) before it exits.
FLUSH_GRACE_SECONDS = 300


def replicas(settings: Settings) -> int:
    return settings.kubernetes.loki_replicas if settings.kubernetes else 1


def replication_factor(count: int) -> int:
    return HA_REPLICATION_FACTOR if count >= HA_REPLICATION_FACTOR else 1


def _ring_parts(count: int) -> dict:
    """What several replicas add to the spec: ports between the pods, and time for an ingester to flush."""
    if count == 1:
        return {}
    return {"replicas": count, "stop_grace_seconds": FLUSH_GRACE_SECONDS,
            "peer_ports": (Listen("grpc", c.LOKI_GRPC_PORT), Listen("memberlist", c.MEMBERLIST_PORT))}


def spec(settings: Settings) -> ContainerSpec:
    count = replicas(settings)
    ring_env = {"LOKI_REPLICATION_FACTOR": str(replication_factor(count))} if count > 1 else {}
    return ContainerSpec(
        service=c.LOKI,
        name=c.container_name(c.LOKI),
        image=settings.images[c.LOKI],
        # -config.expand-env lets the one loki.yaml take this stack's retention from the environment.
        command=(f"-config.file={CONFIG_PATH}", "-config.expand-env=true"),
        env=frozen_env(LOKI_RETENTION_PERIOD=f"{settings.retention.loki_days * 24}h",
                       **object_store.env(settings, c.LOKI), **ring_env),
        files=(object_store.config(settings, c.LOKI, "loki.yaml", CONFIG_PATH,
                                    (REPLICAS_OVERLAY,) if count > 1 else ()),),
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
        **_ring_parts(count),
    )

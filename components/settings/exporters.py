"""What Alloy scrapes beside the stack: the platform's Postgres and Redis, the host and its containers."""

from __future__ import annotations

from dataclasses import dataclass

from components.settings import formats as f
from components.settings.postgres import Postgres
from components.settings.reader import Reader
from components.settings.secret import Secret

KEYS = ("exportPostgres", "exportRedis", "exportHostMetrics", "exportContainerMetrics")


@dataclass(frozen=True)
class Exporters:
    postgres: bool
    redis: bool
    redis_address: str
    redis_password: Secret | None
    host: bool
    containers: bool


def read_exporters(r: Reader) -> Exporters:
    return Exporters(r.boolean("exportPostgres"), r.boolean("exportRedis"),
                     r.string("redisAddress", fmt=f.HOST_PORT, required=True), r.secret("redisPassword"),
                     r.boolean("exportHostMetrics"), r.boolean("exportContainerMetrics"))


def check_exporters(r: Reader, exporters: Exporters, postgres: Postgres, environment: str) -> None:
    if exporters.postgres and not postgres.enabled:
        r.problem("exportPostgres", True, "needs postgresEnabled: true (it uses the read-only role)")
    if exporters.containers and not r.boolean("exportContainerMetricsAsRoot"):
        r.problem("exportContainerMetrics", True, "runs Alloy privileged as root (root on the host, for "
                  "cAdvisor); set exportContainerMetricsAsRoot: true to accept that, or leave it off")
    if environment == "railway":
        for key in KEYS:
            if r.is_set(key) and str(r.raw[key]).lower() == "true":
                r.problem(key, r.raw[key], "exporters are off for railway (ADR-031: Railway uses its native "
                          "metrics)")

"""Every container of the stack as a pure spec, in start order."""

from __future__ import annotations

from components.model import DOCKER, ContainerSpec
from components.services import (alloy, canary, demo_postgres, demo_telemetry, docker_api, grafana, loki,
                                 postgres_readonly, prometheus, proxy, tempo)
from components.settings import Settings


def stack_specs(settings: Settings, target: str = DOCKER) -> tuple[ContainerSpec, ...]:
    """The specs, each cut down to the parts that run on `target` (docker, kubernetes or railway)."""
    if settings.ships_to_grafana_cloud:  # the collector alone: none of the stack's backends, no Grafana
        return _on(target, [alloy.spec(settings)])
    # demoData (local only): the demo database first, so the role job can reach it.
    specs = [demo_postgres.spec(settings)] if settings.postgres.demo else []
    # The read-only role job first: Grafana and Alloy log in with the password it sets.
    specs += [postgres_readonly.spec(settings)] if settings.postgres.enabled else []
    specs += [loki.spec(settings), tempo.spec(settings), prometheus.spec(settings), docker_api.spec(settings),
              alloy.spec(settings), canary.spec(settings),
              grafana.spec(settings), grafana.admin_sync_spec(settings), proxy.spec(settings)]
    if settings.demo_data:
        specs += demo_telemetry.specs(settings)  # after Alloy, which they send to
    return _on(target, specs)


def _on(target: str, specs: list[ContainerSpec]) -> tuple[ContainerSpec, ...]:
    return tuple(part for spec in specs if (part := spec.for_target(target)) is not None)

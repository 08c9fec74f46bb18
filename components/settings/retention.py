"""How long things last: the days each store keeps data, and the rotation window of generated passwords."""

from __future__ import annotations

from dataclasses import dataclass

from components.settings.reader import Reader

# Days each store keeps data: within what Loki/Tempo/Prometheus accept (Go durations overflow past ~106,000
# days), capped at a sane 10 years.
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True)
class Retention:
    loki_days: int
    tempo_days: int
    prometheus_days: int


def read_retention(r: Reader) -> Retention:
    return Retention(*(r.integer(f"{s}RetentionDays", 1, MAX_RETENTION_DAYS) for s in ("loki", "tempo", "prometheus")))


def read_rotation_days(r: Reader) -> int:
    """rotationWindowDays: the first `pulumi up` after a window ends rotates the generated passwords."""
    return r.integer("rotationWindowDays", 1, 3650)

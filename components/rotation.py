"""Rotation windows: pure date arithmetic shared by the password keepers and Key Vault expiries.

A window is `rotation_days` long, counted from 1970-01-01 UTC, so every run inside one window computes
the same keeper (no diff in preview) and the first run after it ends regenerates the passwords.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, UTC

EPOCH = date(1970, 1, 1)
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Window:
    index: int
    days: int

    @property
    def keeper(self) -> str:
        """Stable text for RandomPassword keepers; it changes exactly at a window boundary."""
        return f"{self.days}d-window-{self.index}"

    @property
    def expires_epoch(self) -> int:
        """End of the window as seconds since the epoch (Key Vault `expires`)."""
        return (self.index + 1) * self.days * DAY_SECONDS


def current_window(rotation_days: int, today: date | None = None) -> Window:
    today = today or datetime.now(UTC).date()
    return Window((today - EPOCH).days // rotation_days, rotation_days)

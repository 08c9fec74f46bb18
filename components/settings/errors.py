"""The one error a stack's settings raise: every problem found, reported together."""

from __future__ import annotations


class SettingsError(Exception):
    """One message naming every bad key, its value and what is allowed."""

    def __init__(self, stack: str, problems: list[str]):
        # Invisible characters (bidirectional overrides, zero-width, control) are printed escaped: a message
        # about a hostile value must show it, not be reordered or hidden by it.
        self.problems = ["".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in p) for p in problems]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Stack '{stack}' has {len(problems)} configuration problem(s):\n{lines}")

"""Prints the corpus totals (clear / unclear / traceback / silent) at the end of every run that ran it."""

from __future__ import annotations

from tests.unit.settings_corpus.tally import OUTCOMES, TALLY


def pytest_terminal_summary(terminalreporter) -> None:
    if not any(TALLY.values()):
        return
    terminalreporter.section("broken stack file corpus")
    for path, counts in TALLY.items():
        totals = " / ".join(f"{counts[o]} {o}" for o in OUTCOMES)
        terminalreporter.write_line(f"{path:8} {sum(counts.values()):4} cases: {totals}")

""""Did you mean" only when the name is really close: a typo or two, or a different case."""

from __future__ import annotations

from collections.abc import Iterable


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def close_match(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` most likely misspells: at most 2 edits, and 1 per 4 characters; case is free."""
    allowed = min(2, len(word) // 4)
    scored = sorted((_distance(word.lower(), c.lower()), c) for c in candidates)
    return scored[0][1] if scored and scored[0][0] <= allowed else None

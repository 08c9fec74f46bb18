"""Outcomes of the corpus cases, counted per path for the terminal summary (conftest.py)."""

from __future__ import annotations

import re
from collections import Counter

OUTCOMES = ("clear", "unclear", "traceback", "silent", "deploy-only")  # deploy-only: accepted by the render
TALLY: dict[str, Counter[str]] = {"render": Counter(), "program": Counter()}
_BLAMED = re.compile(r"^\s+- observability:(\w+) = (.*)$", re.MULTILINE)


def blamed_but_not_set(message: str, stack_text: str) -> list[str]:
    """Keys a message blames that the stack file does not set (unless the message says it is the default)."""
    return [key for key, rest in _BLAMED.findall(message)
            if f"observability:{key}:" not in stack_text and "(not set: the default)" not in rest]


def classify(refused: bool, message: str, names: str, fragment: str, stack_text: str) -> str:
    if "Traceback (most recent call last)" in message:
        return "traceback"
    if not refused:
        return "silent"
    clear = names in message and fragment in message and not blamed_but_not_set(message, stack_text)
    return "clear" if clear else "unclear"

"""A secret setting value: never printed, and `known` False while the engine still holds it encrypted."""

from __future__ import annotations


class Secret:
    """A secret setting value. Never printed; `known` is False when the value is still encrypted."""

    def __init__(self, value: str, known: bool = True):
        self._value = value
        self.known = known

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret([secret])"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and (self._value, self.known) == (other._value, other.known)

    def __hash__(self) -> int:
        return hash((self._value, self.known))

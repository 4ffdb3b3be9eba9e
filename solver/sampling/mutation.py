"""The one result type of every language's mutator."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """A mutated program and the names of the mutations applied to it, in order."""

    source: str
    operators: tuple[str, ...]

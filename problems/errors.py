"""Errors raised for malformed problem packages."""

from __future__ import annotations

from pathlib import Path


class ProblemError(Exception):
    """A problem package is malformed: names the offending file and what is wrong."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")

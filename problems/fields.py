"""Typed access to fields of parsed YAML/JSON configuration.

Each getter checks the type of one field and raises a ProblemError naming the file
and the field (dotted, e.g. `limits.memory`) when it is wrong, so a package with
`limits: 5` fails with a sentence instead of an AttributeError deep in a reader."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from problems.errors import ProblemError


def get_mapping(data: Mapping[str, Any], key: str, path: Path, label: str = "") -> dict[str, Any]:
    """The mapping stored under `key`, or an empty one when the key is absent or null."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProblemError(path, f"`{label or key}` must be a mapping, got {value!r}")
    return {str(k): v for k, v in value.items()}


def get_number(
    data: Mapping[str, Any], key: str, path: Path, default: float, label: str = ""
) -> float:
    """The finite number stored under `key`, or `default` when absent or null."""
    value = get_optional_number(data, key, path, label)
    return float(default) if value is None else value


def get_optional_number(
    data: Mapping[str, Any], key: str, path: Path, label: str = ""
) -> float | None:
    """The finite number stored under `key`, or None when absent or null."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProblemError(path, f"`{label or key}` must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ProblemError(path, f"`{label or key}` must be finite, got {value!r}")
    return float(value)


def get_positive_number(
    data: Mapping[str, Any], key: str, path: Path, default: float, label: str = ""
) -> float:
    """Like get_number, and the number must be greater than zero."""
    value = get_number(data, key, path, default, label)
    if value <= 0:
        raise ProblemError(path, f"`{label or key}` must be positive, got {value!r}")
    return value


def get_string(data: Mapping[str, Any], key: str, path: Path, default: str, label: str = "") -> str:
    """The string stored under `key`, or `default` when absent or null."""
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ProblemError(path, f"`{label or key}` must be a string, got {value!r}")
    return value


def get_flags(data: Mapping[str, Any], key: str, path: Path, label: str = "") -> tuple[str, ...]:
    """Command-line style flags stored under `key`: a space-separated string (legacy
    Kattis; a lone number, which YAML reads as one, counts as its text) or a list
    of strings/numbers (2023-07); empty when absent."""
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        return tuple(str(item) for item in value)
    raise ProblemError(
        path, f"`{label or key}` must be a string or a list of strings, got {value!r}"
    )

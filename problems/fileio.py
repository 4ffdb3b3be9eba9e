"""Reading the files of a problem package into plain Python values.

Every failure (missing file, bad encoding, YAML/JSON syntax, wrong top-level type)
becomes one ProblemError naming the file, so readers never leak a raw
yaml/json/OS exception to the user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from problems.errors import ProblemError

# Names a package reader never treats as part of the package: hidden files and
# folders, and the bytecode caches Python leaves beside any .py file it imports.
IGNORED_NAMES = frozenset({"__pycache__"})


def is_ignored_name(name: str) -> bool:
    """True for a file or folder name that readers skip: hidden (leading dot) or
    a tool's cache such as __pycache__, so that running a package's Python files
    never adds a submission, test or program to it."""
    return name.startswith(".") or name in IGNORED_NAMES


def has_ignored_part(path: Path, root: Path) -> bool:
    """True when any component of `path` below `root` is an ignored name."""
    return any(is_ignored_name(part) for part in path.relative_to(root).parts)


def read_text(path: Path) -> str:
    """The text of `path`, decoded as UTF-8 with undecodable bytes replaced.

    Used for statements and source headers, where a stray Latin-1 byte must not
    stop a package from loading."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as error:
        raise ProblemError(path, f"cannot read file: {error.strerror}") from error


def _read_strict_text(path: Path) -> str:
    """The text of a configuration file, which must be valid UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ProblemError(path, f"cannot read file: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ProblemError(path, f"not valid UTF-8 (byte {error.start}): {error.reason}") from error


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML file; an empty file is an empty mapping.

    Raises ProblemError for syntax errors (with line and column) and for a
    document whose top level is not a mapping."""
    text = _read_strict_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ProblemError(path, f"YAML syntax error{where}: {error.problem}") from error
    except yaml.YAMLError as error:
        raise ProblemError(path, f"YAML syntax error: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProblemError(path, f"expected a mapping at the top level, got {_kind(data)}")
    return {str(key): value for key, value in data.items()}


def read_json_object(path: Path) -> dict[str, Any]:
    """The top-level object of a JSON file.

    Raises ProblemError for syntax errors (with line and column) and for a
    document whose top level is not an object."""
    text = _read_strict_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError(
            path, f"JSON syntax error at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from error
    if not isinstance(data, dict):
        raise ProblemError(path, f"expected a JSON object at the top level, got {_kind(data)}")
    return data


def _kind(value: object) -> str:
    """A short human name for the type of a parsed YAML/JSON value."""
    names = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)

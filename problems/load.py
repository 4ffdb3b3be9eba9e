"""Loading problem packages of any supported format, and finding them on disk.

The format is told by a marker file in the package's folder: problem.yaml for the
Kattis format, problem.json for CMS/IOI. The registry below maps each marker to
its reader; a folder with neither is not a problem package."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from problems.cms import load_cms
from problems.errors import ProblemError
from problems.fileio import is_ignored_name
from problems.kattis import load_kattis
from problems.model import Problem

READERS: dict[str, Callable[[Path], Problem]] = {
    "problem.yaml": load_kattis,
    "problem.json": load_cms,
}


def is_problem_dir(path: Path) -> bool:
    """True when `path` is a folder holding one of the format marker files."""
    return path.is_dir() and any((path / marker).is_file() for marker in READERS)


def load_problem(path: Path | str) -> Problem:
    """Read the problem package at `path`, whatever its format.

    Raises ProblemError when `path` is not a problem package or is malformed."""
    folder = Path(path)
    if not folder.exists():
        raise ProblemError(folder, "no such file or folder")
    if not folder.is_dir():
        raise ProblemError(folder, "not a problem package: expected a folder")
    for marker, reader in READERS.items():
        if (folder / marker).is_file():
            return reader(folder)
    markers = " or ".join(READERS)
    raise ProblemError(folder, f"not a problem package: no {markers} found")


def find_problems(path: Path | str) -> list[Path]:
    """The problem package at `path`, or every package below it, sorted.

    A package's own subfolders are not searched (a package never nests another),
    hidden folders are skipped, and symlinked folders are not followed. Raises
    ProblemError when `path` does not exist."""
    root = Path(path)
    if not root.exists():
        raise ProblemError(root, "no such file or folder")
    if is_problem_dir(root):
        return [root]
    found: list[Path] = []
    for folder, subfolders, _ in os.walk(root):
        current = Path(folder)
        if current != root and is_problem_dir(current):
            found.append(current)
            subfolders.clear()
            continue
        subfolders[:] = sorted(name for name in subfolders if not is_ignored_name(name))
    return sorted(found)

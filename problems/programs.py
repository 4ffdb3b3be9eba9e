"""Helper programs shipped in a package (validators, checkers, graders): which
files make up a program and which file is its main one.

A program is a single source file or a folder of sources. Its `sources` are the
files a compiler is given - files in a known language, headers excluded (they are
found next to the main file, whose folder goes on the include path). The main
file comes first: for C/C++ the one defining `main`, otherwise the first by name."""

from __future__ import annotations

import re
from pathlib import Path

from problems.errors import ProblemError
from problems.fileio import is_ignored_name, read_text
from problems.languages import language_of

_C_MAIN = re.compile(r"\bmain\s*\(")
EXTRA_PROGRAM_SUFFIXES = (".ctd", ".viva")  # checktestdata / VIVA input validator scripts


def _is_source(path: Path) -> bool:
    """True for a visible file that is compiled or run as part of a program."""
    return (
        path.is_file()
        and not is_ignored_name(path.name)
        and (language_of(path) is not None or path.suffix in EXTRA_PROGRAM_SUFFIXES)
    )


def _defines_main(path: Path) -> bool:
    """True when a C/C++ file appears to define `main`."""
    return language_of(path) in ("c", "cpp") and bool(_C_MAIN.search(read_text(path)))


def program_sources(entry: Path) -> tuple[Path, ...]:
    """The source files of the program at `entry` (a file or a folder, searched
    recursively), main file first; empty when it has none."""
    if entry.is_file():
        return (entry,) if _is_source(entry) else ()
    sources = sorted(
        (path for path in entry.rglob("*") if _is_source(path)),
        key=lambda path: path.relative_to(entry).as_posix(),
    )
    mains = [path for path in sources if _defines_main(path)]
    if mains:
        sources.remove(mains[0])
        sources.insert(0, mains[0])
    return tuple(sources)


def program_entries(folder: Path) -> tuple[Path, ...]:
    """The programs in a folder such as input_validators/: each source file directly
    in it and each subfolder that holds sources, sorted by name."""
    if not folder.is_dir():
        return ()
    return tuple(
        entry
        for entry in sorted(folder.iterdir(), key=lambda path: path.name)
        if not is_ignored_name(entry.name) and program_sources(entry)
    )


def single_program(folder: Path) -> tuple[Path, ...]:
    """The sources of the one program in `folder`: the folder itself when it holds
    source files directly, else its only program subfolder or file.

    Raises ProblemError when the folder holds no program or several."""
    direct = [entry for entry in folder.iterdir() if _is_source(entry)]
    subfolders = [entry for entry in program_entries(folder) if entry.is_dir()]
    if direct and not subfolders:
        return program_sources(folder)
    entries = program_entries(folder)
    if len(entries) != 1:
        found = ", ".join(entry.name for entry in entries) or "none"
        raise ProblemError(folder, f"expected exactly one program, found: {found}")
    return program_sources(entries[0])

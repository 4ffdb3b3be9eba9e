"""Which programming language a package's source file is written in.

Names follow the judge's language keys ("cpp", "c", "python", "python2", "java",
...). The extension table follows problemtools' languages.yaml (Kattis uses `.pl`
for Prolog); Python 2 is told from Python 3 by a `python2` shebang or a `print x`
statement, as problemtools does."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from problems.fileio import read_text

LANGUAGE_BY_EXTENSION: dict[str, str] = {
    ".c": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".C": "cpp",
    ".py": "python",
    ".py3": "python",
    ".py2": "python2",
    ".java": "java",
    ".kt": "kotlin",
    ".rs": "rust",
    ".go": "go",
    ".js": "javascript",
    ".ts": "typescript",
    ".cs": "csharp",
    ".scala": "scala",
    ".hs": "haskell",
    ".ml": "ocaml",
    ".rb": "ruby",
    ".php": "php",
    ".pl": "prolog",
    ".lisp": "lisp",
    ".cl": "lisp",
    ".lua": "lua",
    ".pas": "pascal",
    ".f90": "fortran",
    ".swift": "swift",
    ".m": "objectivec",
    ".fs": "fsharp",
    ".d": "d",
    ".jl": "julia",
    ".sh": "bash",
}

HEADER_SUFFIXES: tuple[str, ...] = (".h", ".hpp", ".hh", ".hxx")
"""C and C++ headers: copied next to a build (found through the include path),
shown to the model with a grader, never compiled and never a program's language."""

_PRINT_STATEMENT = re.compile(r"^\s*print\s+[^\s(=.,]", re.MULTILINE)
_SHEBANG_VERSION = re.compile(r"\A#!.*python([23])")


def is_python2_source(text: str) -> bool:
    """True when Python source is Python 2: a python2 shebang, or no python3
    shebang and a `print x` statement."""
    shebang = _SHEBANG_VERSION.match(text)
    if shebang:
        return shebang.group(1) == "2"
    return bool(_PRINT_STATEMENT.search(text))


def language_of(path: Path) -> str | None:
    """The language of one source file from its extension (reading .py files to tell
    Python 2 from 3), or None when the extension is unknown."""
    language = LANGUAGE_BY_EXTENSION.get(path.suffix) or LANGUAGE_BY_EXTENSION.get(
        path.suffix.lower()
    )
    if language == "python" and path.suffix == ".py" and is_python2_source(read_text(path)):
        return "python2"
    return language


def language_of_files(paths: Iterable[Path]) -> str | None:
    """The language of a multi-file program: the most common known language among
    its files (ties broken by first occurrence), None when none is known."""
    counts = Counter(lang for lang in (language_of(path) for path in paths) if lang is not None)
    if not counts:
        return None
    return counts.most_common(1)[0][0]

"""What a programming language is, wherever the project names one: the one identity
table (`LANGUAGES`), and which language a package's source file is written in.

Every other table of languages reads this one: the judge's languages.yaml adds only
how to compile and run a key of it (checked when the YAML is loaded), the solver's
prompt templates, fence extraction, mutators and CLI choices name its keys. Keys
follow the judge's ("cpp", "c", "python", "python2", "java", ...). The extensions
follow problemtools' languages.yaml (Kattis uses `.pl` for Prolog); Python 2 is
told from Python 3 by a `python2` shebang or a `print x` statement, as
problemtools does."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from problems.fileio import read_text


@dataclass(frozen=True)
class LanguageIdentity:
    """One language: its key, the name shown to people and models, its family (the
    language a grader or include folder is written for: "cpp" for C++20, "python"
    for PyPy), the file extensions that mean it, and the other names it goes by
    (markdown fence info words, Kattis include folder names; lower case)."""

    key: str
    name: str
    family: str
    extensions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def fence(self) -> str:
        """The fence info word a prompt asks an answer in this language to use."""
        return self.key


def _row(
    key: str,
    name: str,
    extensions: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    family: str = "",
) -> LanguageIdentity:
    return LanguageIdentity(key, name, family or key, extensions, aliases)


LANGUAGES: Mapping[str, LanguageIdentity] = {
    row.key: row
    for row in (
        _row("c", "C11", (".c",)),
        _row(
            "cpp",
            "C++17",
            (".cpp", ".cc", ".cxx", ".c++", ".C"),
            ("c++", "cc", "cxx", "c++17", "c++20"),
        ),
        _row("cpp20", "C++20", family="cpp"),
        _row("python", "Python 3", (".py", ".py3"), ("python3", "py", "py3")),
        _row("python2", "Python 2", (".py2",)),
        _row("pypy", "Python 3 (PyPy)", family="python"),
        _row("java", "Java", (".java",)),
        _row("kotlin", "Kotlin", (".kt",)),
        _row("rust", "Rust", (".rs",)),
        _row("go", "Go", (".go",)),
        _row("javascript", "JavaScript", (".js",)),
        _row("typescript", "TypeScript", (".ts",)),
        _row("csharp", "C#", (".cs",)),
        _row("scala", "Scala", (".scala",)),
        _row("haskell", "Haskell", (".hs",)),
        _row("ocaml", "OCaml", (".ml",)),
        _row("ruby", "Ruby", (".rb",)),
        _row("php", "PHP", (".php",)),
        _row("prolog", "Prolog", (".pl",)),
        _row("lisp", "Common Lisp", (".lisp", ".cl")),
        _row("lua", "Lua", (".lua",)),
        _row("pascal", "Pascal", (".pas",)),
        _row("fortran", "Fortran", (".f90",)),
        _row("swift", "Swift", (".swift",)),
        _row("objectivec", "Objective-C", (".m",)),
        _row("fsharp", "F#", (".fs",)),
        _row("d", "D", (".d",)),
        _row("julia", "Julia", (".jl",)),
        _row("bash", "Bash", (".sh",)),
    )
}
"""Every language the project can name, by key."""

LANGUAGE_BY_EXTENSION: Mapping[str, str] = {
    extension: row.key for row in LANGUAGES.values() for extension in row.extensions
}
"""File extension -> language key (read from `LANGUAGES`)."""

LANGUAGE_BY_NAME: Mapping[str, str] = {
    name: row.key for row in LANGUAGES.values() for name in (row.key, *row.aliases)
}
"""A language's key or alias (lower case) -> its key (read from `LANGUAGES`)."""


def language_named(name: str) -> str | None:
    """The key of the language a name stands for (its key or an alias, any case:
    a fence's info word, a Kattis include folder), or None when none does."""
    return LANGUAGE_BY_NAME.get(name.lower())


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


def language_of_suffix(suffix: str) -> str | None:
    """The language key a file extension means (".C" is C++, ".c" is C; another
    extension in upper case reads as its lower case), or None when unknown."""
    return LANGUAGE_BY_EXTENSION.get(suffix) or LANGUAGE_BY_EXTENSION.get(suffix.lower())


def language_of(path: Path) -> str | None:
    """The language of one source file from its extension (reading .py files to tell
    Python 2 from 3), or None when the extension is unknown."""
    language = language_of_suffix(path.suffix)
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

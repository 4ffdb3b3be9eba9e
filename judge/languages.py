"""The languages this judge can run (languages.yaml), and how a language turns
sources into compile and run commands inside the sandbox. What a language is (its
name, extensions, family) is problems.languages' identity table; the YAML adds
only how to compile and run one of its keys, and is checked against it at load."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from problems.languages import LANGUAGE_BY_EXTENSION, LANGUAGES, LanguageIdentity


@dataclass(frozen=True)
class Language:
    """One entry of languages.yaml over its identity row. Commands are templates:
    see `compile_argv`."""

    identity: LanguageIdentity
    main: str
    compile: tuple[str, ...]
    run: tuple[str, ...]
    artifact: str
    zygote: bool = False
    processes: int = 1
    probe: tuple[str, ...] = ()
    interpreter: str = ""
    stands_for: str = ""
    platforms: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The language's key in the identity table ("cpp", "pypy"...)."""
        return self.identity.key

    @property
    def name(self) -> str:
        """The language's display name ("C++17")."""
        return self.identity.name

    @property
    def extensions(self) -> tuple[str, ...]:
        """The file extensions that mean this language."""
        return self.identity.extensions

    @property
    def family(self) -> str:
        """The language graders and include folders name it by ("cpp" for C++20)."""
        return self.identity.family

    @property
    def source_language(self) -> str:
        """The language its programs are written in ("python" for PyPy)."""
        return self.stands_for or self.key

    def main_file(self, source_name: str) -> str:
        """The file name the main source gets inside the box (Java needs its class name)."""
        return self.main.replace("{class}", Path(source_name).stem)

    def compile_argv(self, main: str, files: list[str]) -> tuple[str, ...]:
        """The compile command for the given box file names."""
        return _expand(self.compile, main, files)

    def run_argv(self, main: str) -> tuple[str, ...]:
        """The run command for a program whose main source was `main`."""
        return _expand(self.run, main, [main])

    def interpreter_text(self) -> str:
        """What runs this language's programs, for reports ("" for compiled ones)."""
        return self.interpreter.replace("{python}", base_python())

    def missing_tools(self) -> list[str]:
        """Binaries this language needs that this machine lacks (empty when usable)."""
        return [tool for tool in _substitutions_of(self.probe) if not os.access(tool, os.X_OK)]


def base_python() -> str:
    """The interpreter candidates run under: the base installation, not a venv,
    so that nothing of the judge's own environment is visible to them. The
    system's own one (/usr/bin) comes first when it has the judge's version: the
    sandbox then shows no host path outside /usr (its mountinfo included)."""
    versioned = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (
        Path("/usr/bin") / versioned,
        *(Path(sys.base_prefix) / "bin" / name for name in (versioned, "python3")),
    ):
        if candidate.exists():
            return str(candidate)
    return sys.executable


def _substitutions_of(items: tuple[str, ...]) -> list[str]:
    return [item.replace("{python}", base_python()) for item in items]


def _expand(template: tuple[str, ...], main: str, files: list[str]) -> tuple[str, ...]:
    argv: list[str] = []
    for item in _substitutions_of(template):
        if item == "{files}":
            argv.extend(files)
        else:
            item = item.replace("{files}", " ".join(files))
            argv.append(item.replace("{main}", main).replace("{class}", Path(main).stem))
    return tuple(argv)


YAML_FIELDS = frozenset(
    {"main", "compile", "run", "artifact", "zygote", "processes", "probe", "interpreter"}
    | {"stands_for", "platforms"}
)
"""What an entry of languages.yaml may say: how to compile and run, nothing of what
the language is (that is problems.languages.LANGUAGES)."""


def read_languages(text: str, source: str) -> dict[str, Language]:
    """The languages of a languages.yaml text; ValueError naming `source` (the
    file) for a key the identity table lacks or a field that is not about
    compiling and running."""
    table = yaml.safe_load(text)
    result: dict[str, Language] = {}
    for key, entry in table.items():
        if key not in LANGUAGES:
            raise ValueError(
                f"{source}: language {key!r} has no row in problems.languages.LANGUAGES"
            )
        unknown = sorted(set(entry) - YAML_FIELDS)
        if unknown:
            raise ValueError(
                f"{source}: language {key!r}: unknown field(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(YAML_FIELDS))})"
            )
        stands_for = str(entry.get("stands_for", ""))
        if stands_for and stands_for not in LANGUAGES:
            raise ValueError(f"{source}: language {key!r} stands for unknown {stands_for!r}")
        result[key] = Language(
            identity=LANGUAGES[key],
            main=entry["main"],
            compile=tuple(entry.get("compile", ())),
            run=tuple(entry["run"]),
            artifact=entry["artifact"],
            zygote=bool(entry.get("zygote", False)),
            processes=int(entry.get("processes", 1)),
            probe=tuple(entry.get("probe", ())),
            interpreter=str(entry.get("interpreter", "")),
            stands_for=stands_for,
            platforms=tuple(entry.get("platforms", ())),
        )
    return result


@functools.cache
def languages() -> Mapping[str, Language]:
    """All languages of languages.yaml, keyed by their short name ("cpp", "python"...)."""
    resource = resources.files("judge").joinpath("languages.yaml")
    return read_languages(resource.read_text(encoding="utf-8"), str(resource))


def platform_language(key: str, platform: str) -> Language:
    """The language a program written in `key` is judged as for a package written
    for `platform` (Problem.platform): the entry standing for `key` there when
    this machine has its tools (PyPy for Python on Kattis), else `key` itself."""
    for language in languages().values():
        if (
            language.stands_for == key
            and platform in language.platforms
            and not language.missing_tools()
        ):
            return language
    return get_language(key)


def language_for_path(path: Path | str) -> Language | None:
    """The language a source file is written in, judged by its extension (None
    when the extension is unknown or this judge does not run its language)."""
    key = LANGUAGE_BY_EXTENSION.get(Path(path).suffix)
    return languages().get(key) if key is not None else None


def get_language(key: str) -> Language:
    """The language called `key`; ValueError naming the known ones otherwise."""
    table = languages()
    if key not in table:
        raise ValueError(f"unknown language {key!r}; known: {', '.join(sorted(table))}")
    return table[key]

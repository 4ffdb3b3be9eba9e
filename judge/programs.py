"""A program to judge: its language and source files, read and checked once, and
the key that identifies it in every cache."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from judge.languages import Language, get_language, language_for_path


class SourceError(Exception):
    """A source file cannot be judged (unreadable, not UTF-8, unknown language);
    names the file and what is wrong."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class Program:
    """Sources of one candidate. `files` are (box file name, content); the first is
    the main file. `name` is for reports only and is not part of the key."""

    language: str
    files: tuple[tuple[str, bytes], ...]
    name: str = ""

    @property
    def main(self) -> str:
        """Box file name of the main source."""
        return self.files[0][0]

    def key(self) -> str:
        """Content hash of language and sources: equal programs share results."""
        digest = hashlib.sha256(self.language.encode())
        for file_name, content in self.files:
            digest.update(b"\0" + file_name.encode() + b"\0")
            digest.update(hashlib.sha256(content).digest())
        return digest.hexdigest()


def _decode_check(path: Path, content: bytes) -> None:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(
            path,
            f"not valid UTF-8: byte 0x{content[error.start]:02x} at offset {error.start}",
        ) from error


def program_from_text(source: str, language: str, name: str = "") -> Program:
    """A single-file program from source text (e.g. a sampled candidate)."""
    lang = get_language(language)
    return Program(lang.key, ((lang.main_file(name or lang.main), source.encode()),), name)


def program_from_paths(paths: list[Path], language: str | None = None, name: str = "") -> Program:
    """A program from files on disk: the language comes from the first file's
    extension unless given; every file must be readable UTF-8."""
    if not paths:
        raise SourceError(Path(name or "."), "no source files")
    lang: Language | None = get_language(language) if language else language_for_path(paths[0])
    if lang is None:
        raise SourceError(paths[0], f"unsupported language (extension {paths[0].suffix!r})")
    files: list[tuple[str, bytes]] = []
    for index, path in enumerate(paths):
        try:
            content = path.read_bytes()
        except OSError as error:
            raise SourceError(path, f"cannot read: {error.strerror}") from error
        _decode_check(path, content)
        box_name = lang.main_file(path.name) if index == 0 else path.name
        files.append((box_name, content))
    return Program(lang.key, tuple(files), name or paths[0].stem)

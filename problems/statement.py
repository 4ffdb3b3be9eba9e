"""Finding a package's problem statement and the title written in it.

The statement is kept as raw text (LaTeX or Markdown), English preferred. Files
are read with undecodable bytes replaced, so a badly encoded statement never stops
a package from loading."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from problems.fileio import read_text

STATEMENT_SUFFIXES = (".tex", ".md", ".txt")
_PROBLEMNAME = re.compile(r"\\problemname\{((?:[^{}]|\{[^{}]*\})*)\}")
_MARKDOWN_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _language_rank(path: Path) -> tuple[int, str]:
    """Sort key: English first, then files naming no language, then the rest by name.

    The language is the last `.`/`-`/`_` separated part of the stem after the
    first one ("problem.en.tex", "en.md", "statement-en.md")."""
    parts = re.split(r"[._-]", path.stem)
    language = parts[-1].lower() if len(parts) >= 2 or len(parts[0]) <= 3 else ""
    if language in ("en", "eng", "english"):
        return (0, path.name)
    return (1 if language in ("", "problem", "statement") else 2, path.name)


def find_statement_file(folders: Sequence[Path], prefix: str = "problem.") -> Path | None:
    """The preferred statement file in the first of `folders` that has one.

    Candidates are files named `<prefix>...` with a .tex/.md/.txt suffix (Kattis:
    `problem[.LANG].tex`; CMS: any name, prefix ""), English first; other files
    (images, PDFs, attachments) are ignored."""
    for folder in folders:
        if not folder.is_dir():
            continue
        candidates = [
            path
            for path in folder.iterdir()
            if path.is_file() and path.name.startswith(prefix) and path.suffix in STATEMENT_SUFFIXES
        ]
        if candidates:
            return min(candidates, key=_language_rank)
    return None


def read_statement(folders: Sequence[Path], prefix: str = "problem.") -> tuple[str, Path | None]:
    """The raw statement text and the file it came from ("" and None if none)."""
    path = find_statement_file(folders, prefix)
    if path is None:
        return "", None
    return read_text(path), path


def title_from_statement(text: str) -> str | None:
    """The title a statement declares: LaTeX `\\problemname{...}` or a Markdown
    `# heading`; None when it declares none."""
    match = _PROBLEMNAME.search(text)
    if match:
        return match.group(1).strip()
    heading = _MARKDOWN_TITLE.search(text)
    return heading.group(1).strip() if heading else None

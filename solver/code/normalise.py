"""Source normalisation and the dedup key of a program: a canonical text per
program, so that programs differing only in comments or formatting get the same key
(dedup by normalised source, as DESIGN.md asks)."""

from __future__ import annotations

import hashlib
import io
import tokenize
from collections.abc import Callable

from solver.code.cpp_lexer import CppKind, tokenize_cpp


def _normalise_directive(text: str) -> str:
    """A directive with comments removed, continuations joined and blanks collapsed."""
    parts = [t.text for t in tokenize_cpp(text[1:]) if t.kind is not CppKind.COMMENT]
    body = " ".join("".join(parts).replace("\\\n", " ").split())
    return "#" + body


def normalise_cpp(source: str) -> str:
    """C++ source with comments dropped and every run of whitespace between tokens
    made one space; preprocessor directives sit on lines of their own. String and
    char literals are kept byte for byte."""
    lines: list[str] = []
    current: list[str] = []
    for token in tokenize_cpp(source):
        if token.kind in (CppKind.SPACE, CppKind.COMMENT):
            continue
        if token.kind is CppKind.DIRECTIVE:
            lines.extend([" ".join(current), _normalise_directive(token.text)])
            current = []
        else:
            current.append(token.text)
    lines.append(" ".join(current))
    return "\n".join(line for line in lines if line)


def _normalise_whitespace(source: str) -> str:
    """Fallback normalisation: blank lines dropped, trailing blanks stripped, runs of
    blanks inside a line collapsed (leading indentation kept as is)."""
    lines = []
    for line in source.splitlines():
        stripped = line.rstrip()
        if not stripped:
            continue
        indent = stripped[: len(stripped) - len(stripped.lstrip())]
        lines.append(indent + " ".join(stripped.split()))
    return "\n".join(lines)


_PY_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_PY_MARKERS = {tokenize.INDENT: "<INDENT>", tokenize.DEDENT: "<DEDENT>"}


def normalise_python(source: str) -> str:
    """Python source as its token stream: comments and blank lines dropped, tokens
    separated by one space, logical lines by newlines, indentation as INDENT/DEDENT
    markers (so 2- and 4-space indentation agree). Strings, docstrings included, are
    kept. Source that does not tokenize falls back to whitespace normalisation."""
    lines: list[str] = []
    current: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in _PY_SKIPPED:
                continue
            if token.type == tokenize.NEWLINE:
                lines.append(" ".join(current))
                current = []
            else:
                current.append(_PY_MARKERS.get(token.type, token.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _normalise_whitespace(source)
    lines.append(" ".join(current))
    return "\n".join(line for line in lines if line)


NORMALISERS: dict[str, Callable[[str], str]] = {
    "cpp": normalise_cpp,
    "python": normalise_python,
}


def normalise(source: str, language: str) -> str:
    """Canonical text of a program: equal for programs that differ only in comments
    or formatting, different when any token (string contents included) differs."""
    try:
        normaliser = NORMALISERS[language]
    except KeyError:
        raise ValueError(f"unknown language {language!r}; known: {sorted(NORMALISERS)}") from None
    return normaliser(source)


def source_hash(source: str, language: str) -> str:
    """The dedup key of a program: sha256 (hex) of its normalised text."""
    return hashlib.sha256(normalise(source, language).encode("utf-8")).hexdigest()

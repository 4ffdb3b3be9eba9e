"""Code extraction from model completions, source normalisation, and dedup keys.

Three jobs of one kind - turning completion text into a program and a stable
identity for it:

- `extract_code`: the program inside a completion's fenced blocks.
- `normalise` / `source_hash`: a canonical text per program so that programs
  differing only in comments or formatting get the same key (dedup by normalised
  source, as DESIGN.md asks).
- `tokenize_cpp`: the small C++ lexer that normalisation needs; the C++ mutator
  reuses it so that both agree on what a comment, a string or a directive is.

Unterminated fences (a completion cut by max_tokens): the final, unclosed block
counts only when its info string names the requested language. Such a block is
then clearly code in that language, and whether it is complete is for the
compiler to decide; an unclosed block without a matching tag is ignored, because
nothing says it is code at all.
"""

from __future__ import annotations

import enum
import hashlib
import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

LANGUAGE_ALIASES: dict[str, frozenset[str]] = {
    "cpp": frozenset({"cpp", "c++", "cc", "cxx", "c++17", "c++20"}),
    "python": frozenset({"python", "python3", "py", "py3"}),
}

_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")


@dataclass(frozen=True)
class FencedBlock:
    """One fenced block of a completion: its info-string word (lower case, "" if
    none), its body, and whether a closing fence was found."""

    info: str
    body: str
    closed: bool


def fenced_blocks(text: str) -> list[FencedBlock]:
    """All fenced blocks of `text` in order (CommonMark-style ``` or ~~~ fences).

    A closing fence uses the opening fence's character, at least as many of them,
    and nothing else on its line. A block still open at the end is returned with
    `closed=False`."""
    blocks: list[FencedBlock] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if match is None:
            i += 1
            continue
        fence = match.group("fence")
        info = match.group("info").lower()
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j])
            j += 1
        closed = j < len(lines)
        text_body = "\n".join(body) + ("\n" if body else "")
        blocks.append(FencedBlock(info=info, body=text_body, closed=closed))
        i = j + 1
    return blocks


def language_of_info(info: str) -> str | None:
    """The canonical language ("cpp", "python") a fence info word names, or None."""
    for language, aliases in LANGUAGE_ALIASES.items():
        if info.lower() in aliases:
            return language
    return None


def extract_code(text: str, language: str) -> str | None:
    """The program a completion offers in `language`: the last fenced block tagged
    with that language (aliases allowed), else the last closed fenced block of any
    language, else None - an extraction failure the caller counts.

    An unterminated final block is used only when it is tagged with `language`
    (see the module docstring)."""
    if language not in LANGUAGE_ALIASES:
        raise ValueError(f"unknown language {language!r}; known: {sorted(LANGUAGE_ALIASES)}")
    blocks = fenced_blocks(text)
    tagged = [b for b in blocks if language_of_info(b.info) == language and b.body.strip()]
    if tagged:
        return tagged[-1].body
    closed = [b for b in blocks if b.closed and b.body.strip()]
    if closed:
        return closed[-1].body
    return None


class CppKind(enum.Enum):
    """Lexical classes of the C++ lexer."""

    SPACE = "space"
    COMMENT = "comment"
    DIRECTIVE = "directive"
    STRING = "string"
    CHAR = "char"
    NUMBER = "number"
    IDENT = "ident"
    PUNCT = "punct"
    OTHER = "other"


@dataclass(frozen=True)
class CppToken:
    """One lexeme of C++ source; concatenating all tokens' `text` gives the source back."""

    kind: CppKind
    text: str


_CPP_PUNCTUATORS = (
    ">>=", "<<=", "<=>", "->*", "...", "::", "->", "++", "--", "<<", ">>", "<=", ">=",
    "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", ".*", "##",
)  # fmt: skip
_CPP_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<space>(?:[ \t\r\n\f\v]|\\\r?\n)+)",
            r"(?P<comment>//[^\n]*|/\*[\s\S]*?(?:\*/|\Z))",
            r'(?P<string>(?:u8|u|U|L)?R"(?P<delim>[^()\\\s]{0,16})\([\s\S]*?(?:\)(?P=delim)"|\Z)'
            r'|(?:u8|u|U|L)?"(?:[^"\\\n]|\\[\s\S])*"?)',
            r"(?P<char>(?:u8|u|U|L)?'(?:[^'\\\n]|\\[\s\S])*'?)",
            r"(?P<number>\.?\d(?:[eEpP][+-]|'[0-9A-Za-z_]|[0-9A-Za-z_.])*)",
            r"(?P<ident>[A-Za-z_$][A-Za-z0-9_$]*)",
            "(?P<punct>"
            + "|".join(re.escape(p) for p in sorted(_CPP_PUNCTUATORS, key=len, reverse=True))
            + r"|[{}\[\]()<>;:,.?~!+\-*/%^&|=#])",
            r"(?P<other>[\s\S])",
        ]
    )
)
_CPP_GROUP_KINDS = {
    "space": CppKind.SPACE,
    "comment": CppKind.COMMENT,
    "string": CppKind.STRING,
    "char": CppKind.CHAR,
    "number": CppKind.NUMBER,
    "ident": CppKind.IDENT,
    "punct": CppKind.PUNCT,
    "other": CppKind.OTHER,
}


def _scan_directive(source: str, start: int) -> int:
    """End offset (exclusive, before the newline) of a preprocessor directive,
    following backslash-newline continuations and skipping block comments."""
    i = start
    while i < len(source):
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = len(source) if end < 0 else end + 2
            continue
        if source.startswith("//", i):
            end = source.find("\n", i)
            return len(source) if end < 0 else end
        ch = source[i]
        if ch == "\\" and source.startswith("\n", i + 1):
            i += 2
            continue
        if ch == "\\" and source.startswith("\r\n", i + 1):
            i += 3
            continue
        if ch == "\n":
            return i
        i += 1
    return len(source)


def _at_line_start(source: str, pos: int) -> bool:
    """Whether only blanks precede `pos` on its line."""
    line_start = source.rfind("\n", 0, pos) + 1
    return source[line_start:pos].strip(" \t") == ""


def tokenize_cpp(source: str) -> list[CppToken]:
    """Lex C++ source into tokens, keeping whitespace and comments as tokens so
    that the source can be rebuilt exactly. Aware of // and /* */ comments, string,
    char and raw-string literals, digit separators and preprocessor lines (one
    DIRECTIVE token each). Never fails: unknown characters become OTHER tokens,
    unterminated literals end at the end of their line."""
    tokens: list[CppToken] = []
    i = 0
    while i < len(source):
        if source[i] == "#" and _at_line_start(source, i):
            end = _scan_directive(source, i)
            tokens.append(CppToken(CppKind.DIRECTIVE, source[i:end]))
            i = end
            continue
        match = _CPP_TOKEN.match(source, i)
        assert match is not None and match.lastgroup is not None  # `other` matches anything
        group = "string" if match.lastgroup == "delim" else match.lastgroup
        tokens.append(CppToken(_CPP_GROUP_KINDS[group], match.group()))
        i = match.end()
    return tokens


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

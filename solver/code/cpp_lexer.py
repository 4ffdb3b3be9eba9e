"""The small C++ lexer: source into tokens that rebuild it exactly. Normalisation
(`solver.code.normalise`) and the C++ mutator (`solver.sampling.mutate_cpp`) both use
it, so they agree on what a comment, a string or a directive is."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


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

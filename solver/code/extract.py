"""The program inside a model completion: its fenced code blocks and the one that
answers in the requested language (`extract_code`).

Unterminated fences (a completion cut by max_tokens): the final, unclosed block
counts only when its info string names the requested language. Such a block is
then clearly code in that language, and whether it is complete is for the
compiler to decide; an unclosed block without a matching tag is ignored, because
nothing says it is code at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from problems.languages import LANGUAGES, language_named

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


def extract_code(text: str, language: str) -> str | None:
    """The program a completion offers in `language`: the last fenced block tagged
    with that language (its key or an alias of problems.languages), else the last
    closed fenced block of any language, else None - an extraction failure the
    caller counts.

    An unterminated final block is used only when it is tagged with `language`
    (see the module docstring)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; known: {sorted(LANGUAGES)}")
    blocks = fenced_blocks(text)
    tagged = [b for b in blocks if language_named(b.info) == language and b.body.strip()]
    if tagged:
        return tagged[-1].body
    closed = [b for b in blocks if b.closed and b.body.strip()]
    if closed:
        return closed[-1].body
    return None

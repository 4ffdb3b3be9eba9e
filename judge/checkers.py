"""Output checking as pure functions: the token checker, and the interpretation of
what program checkers (Kattis output validators, testlib, CMS checkers and
managers) reported. Running those programs is the sandbox's job; this module only
reads their exit code and text.

Token checker semantics follow problemtools' `default_validator.cc` (its flags
are parsed when the problem is read: problems.flags.TokenOptions):

* tokens are maximal runs of non-whitespace (ASCII space, \\t, \\n, \\v, \\f, \\r);
* tokens compare case-insensitively (ASCII) unless `case_sensitive`;
* with a float tolerance set, an answer token that parses completely as a finite
  C double (integers included: "200" is a float token, so "2e2" matches it; "inf"
  and "nan" are not float tokens and compare as strings) requires a finite float
  from the candidate with |a - b| <= abs_tol or |a - b| <= rel_tol * |a| (a = answer);
  `float_tolerance eps` sets both tolerances;
* `space_change_sensitive`: whitespace must match byte for byte. Kattis calls any
  difference wrong answer; here, when every token matches and only whitespace
  differs, the verdict is PE (the design's presentation error); a token
  mismatch is still WA.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import compress, count
from math import isfinite
from operator import ne
from pathlib import Path
from typing import Any, BinaryIO

from judge.verdicts import Verdict
from problems.flags import TokenOptions, parse_float_token

DEFAULT_TOKEN_OPTIONS = TokenOptions()  # no flags: tokens compare case-insensitively, exactly
_SHOWN_TOKEN_BYTES = 40
_NON_SPACE = re.compile(rb"\S+")


@dataclass(frozen=True)
class CheckResult:
    """What a checker decided about one output. `score` is None when the checker
    gave no score (see judge.verdicts for how graders value such results)."""

    verdict: Verdict
    score: float | None
    message: str


# --- the token checker ---------------------------------------------------------------


def check_tokens(
    output: bytes,
    answer: bytes,
    *,
    case_sensitive: bool = False,
    space_change_sensitive: bool = False,
    float_absolute_tolerance: float | None = None,
    float_relative_tolerance: float | None = None,
) -> CheckResult:
    """Compare a candidate's output with the answer token by token (Kattis default
    validator semantics, see the module docstring). Linear in the output size."""
    options = TokenOptions(
        case_sensitive=case_sensitive,
        space_change_sensitive=space_change_sensitive,
        float_absolute_tolerance=float_absolute_tolerance,
        float_relative_tolerance=float_relative_tolerance,
    )
    return check_token_streams(io.BytesIO(output), io.BytesIO(answer), options)


def check_token_files(
    output: Path, answer: Path | None, options: TokenOptions = DEFAULT_TOKEN_OPTIONS
) -> CheckResult:
    """`check_tokens` on two files (no answer file: an empty answer), read in
    chunks: the judge holds a few chunks of each, never a whole output."""
    with contextlib.ExitStack() as files:
        got = files.enter_context(open(output, "rb"))
        expected = files.enter_context(open(answer, "rb")) if answer else io.BytesIO(b"")
        return check_token_streams(got, expected, options)


def check_token_streams(
    output: BinaryIO, answer: BinaryIO, options: TokenOptions = DEFAULT_TOKEN_OPTIONS
) -> CheckResult:
    """`check_tokens` on two seekable binary streams, read CHUNK_BYTES at a time.

    Tokens are compared a chunk's worth at a time at C speed (list equality);
    only differing pairs are looked at one by one (float tolerance). The memory
    held is a few chunks' tokens per side, whatever the output's size, except
    that one token is always held whole. The failure message re-reads the
    streams to name the tokens and the output line."""
    lower = not options.case_sensitive
    mismatch = _first_token_mismatch(
        _TokenReader(output, lower=lower),
        _TokenReader(answer, lower=lower),
        options.float_absolute_tolerance,
        options.float_relative_tolerance,
        options.uses_floats,
    )
    if mismatch is not None:
        return CheckResult(Verdict.WA, None, _describe_mismatch(output, answer, mismatch))
    if options.space_change_sensitive:
        gap = _first_whitespace_mismatch(output, answer)
        if gap is not None:
            return CheckResult(Verdict.PE, None, gap)
    return CheckResult(Verdict.AC, None, "")


CHUNK_BYTES = 1 << 16
LONG_TOKEN_BYTES = 1 << 20
"""A token longer than this is compared by its SHA-256 and length (exactly,
both ways), not held whole: the judge's memory stays bounded whatever the
output is. Such a token is never a float within tolerance of another."""
_WHITESPACE = b" \t\n\r\x0b\x0c"  # what bytes.split() splits on
_NOT_WHITESPACE = bytes(b for b in range(256) if b not in _WHITESPACE)
_SHOWN_HEAD_BYTES = 64


def _whole_token_chunks(stream: BinaryIO, lower: bool) -> Iterator[bytes]:
    """The bytes of `stream` in pieces of about CHUNK_BYTES that never cut a
    token; a token longer than LONG_TOKEN_BYTES comes alone, folded into its
    first bytes, a NUL and the digest and length of all of it (of its lowered
    bytes with `lower`), so equal tokens still compare equal."""
    stream.seek(0)
    carry = b""
    folding: tuple[bytes, Any, int] | None = None  # head, hash, length so far
    while True:
        data = stream.read(CHUNK_BYTES)
        if folding is not None:
            run = len(data) - len(data.lstrip(_NOT_WHITESPACE))
            head, digest, length = folding
            digest.update(data[:run].lower() if lower else data[:run])
            if data and run == len(data):
                folding = (head, digest, length + run)
                continue
            yield head + b"\0" + digest.hexdigest().encode() + b"#" + str(length + run).encode()
            folding = None
            data = data[run:]
            if not data:
                return
        elif not data:
            if carry:
                yield carry
            return
        text = carry + data
        complete = text.rstrip(_NOT_WHITESPACE)  # up to the last whitespace
        carry = text[len(complete) :]
        if len(carry) > LONG_TOKEN_BYTES:
            digest = hashlib.sha256(carry.lower() if lower else carry)
            folding, carry = (carry[:_SHOWN_HEAD_BYTES], digest, len(carry)), b""
        if complete:
            yield complete


def _complete_tokens(stream: BinaryIO, lower: bool) -> Iterator[list[bytes]]:
    """The tokens of `stream`, in lists of about a chunk's worth."""
    for chunk in _whole_token_chunks(stream, lower):
        yield (chunk.lower() if lower else chunk).split()


class _TokenReader:
    """Tokens of a stream, taken from the front in slices."""

    def __init__(self, stream: BinaryIO, lower: bool) -> None:
        self._chunks = _complete_tokens(stream, lower)
        self._tokens: list[bytes] = []
        self._position = 0
        self.consumed = 0  # tokens taken so far

    def available(self) -> int:
        """How many tokens can be taken now (0 only at the end of the stream)."""
        while self._position == len(self._tokens):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._tokens, self._position = chunk, 0
        return len(self._tokens) - self._position

    def take(self, count: int) -> list[bytes]:
        """The next `count` tokens (at most `available()`)."""
        taken = self._tokens[self._position : self._position + count]
        self._position += count
        self.consumed += count
        return taken


@dataclass(frozen=True)
class _Mismatch:
    index: int
    reason: str


def _first_token_mismatch(
    got: _TokenReader,
    expected: _TokenReader,
    abs_tol: float | None,
    rel_tol: float | None,
    use_floats: bool,
) -> _Mismatch | None:
    # Negative tolerances never accept (|a - b| >= 0), as in default_validator.cc.
    absolute = -1.0 if abs_tol is None else abs_tol
    relative = -1.0 if rel_tol is None else rel_tol
    while True:
        count_now = min(got.available(), expected.available())
        if count_now == 0:
            break
        start = got.consumed
        got_keys, expected_keys = got.take(count_now), expected.take(count_now)
        if got_keys == expected_keys:
            continue
        for offset in compress(count(), map(ne, got_keys, expected_keys)):
            reason = (
                _float_disagreement(got_keys[offset], expected_keys[offset], absolute, relative)
                if use_floats
                else "tokens differ"
            )
            if reason is not None:
                return _Mismatch(start + offset, reason)
    if got.available():
        return _Mismatch(got.consumed, "extra output")
    if expected.available():
        if got.consumed == 0:
            return _Mismatch(0, "missing output: the output has no tokens")
        return _Mismatch(got.consumed, "missing output: the output ended early")
    return None


def _float_disagreement(
    got: bytes, expected: bytes, absolute: float, relative: float
) -> str | None:
    """Why two differing tokens are not equivalent under float tolerance, or None.
    Case does not matter to a float, so lowered tokens give the same answer."""
    try:  # fast path: two plain decimal numbers
        expected_value = float(expected)
        got_value = float(got)
        plain = isfinite(expected_value) and isfinite(got_value)
    except ValueError:
        plain = False
    if not plain or b"_" in expected or b"_" in got:
        parsed_expected = parse_float_token(expected)
        if parsed_expected is None:
            return "tokens differ"
        parsed_got = parse_float_token(got)
        if parsed_got is None:
            return "expected a float"
        expected_value, got_value = parsed_expected, parsed_got
    difference = abs(expected_value - got_value)
    if difference <= absolute or difference <= relative * abs(expected_value):
        return None
    return (
        f"difference {difference:.6g} exceeds tolerance "
        f"(absolute {_tolerance_text(absolute)}, relative {_tolerance_text(relative)})"
    )


def _tolerance_text(tolerance: float) -> str:
    return "none" if tolerance < 0 else f"{tolerance:g}"


def _show(token: bytes) -> str:
    text = token[:_SHOWN_TOKEN_BYTES].decode("utf-8", errors="replace")
    return repr(text + ("..." if len(token) > _SHOWN_TOKEN_BYTES else ""))


def _describe_mismatch(output: BinaryIO, answer: BinaryIO, mismatch: _Mismatch) -> str:
    index = mismatch.index
    got_token, line = _token_at(output, index)
    expected_token, _line = _token_at(answer, index)
    expected_text = _show(expected_token) if expected_token is not None else "end of output"
    got_text = _show(got_token) if got_token is not None else "end of output"
    return (
        f"{mismatch.reason} at token {index + 1} (output line {line}): "
        f"expected {expected_text}, got {got_text}"
    )


@dataclass
class _Gap:
    """A run of whitespace, kept as its first bytes, length and digest."""

    head: bytes = b""
    length: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    def add(self, text: bytes) -> None:
        """Append `text` to the run."""
        if len(self.head) < _SHOWN_HEAD_BYTES:
            self.head += text[: _SHOWN_HEAD_BYTES - len(self.head)]
        self.length += len(text)
        self.digest.update(text)

    def key(self) -> tuple[int, bytes]:
        """What equal runs share."""
        return self.length, self.digest.digest()

    def shown(self) -> str:
        """The run for a message (cut after its first bytes)."""
        return repr(self.head) + ("..." if self.length > len(self.head) else "")


def _gaps(stream: BinaryIO) -> Iterator[_Gap]:
    """The whitespace runs of a stream: before the first token, between tokens
    and after the last one (failure paths only)."""
    gap = _Gap()
    for chunk in _whole_token_chunks(stream, lower=False):
        position = 0
        for match in _NON_SPACE.finditer(chunk):
            gap.add(chunk[position : match.start()])
            yield gap
            gap = _Gap()
            position = match.end()
        gap.add(chunk[position:])
    yield gap


def _token_at(stream: BinaryIO, index: int) -> tuple[bytes | None, int]:
    """The token with 0-based `index` (None past the end) and its 1-based output
    line (past the end: the line after the last newline). Whole chunks are
    skipped at C speed; only the chunk holding the token is walked."""
    line, seen = 1, 0
    for chunk in _whole_token_chunks(stream, lower=False):
        here = len(chunk.split())
        if seen + here > index:
            for offset, match in enumerate(_NON_SPACE.finditer(chunk)):
                if seen + offset == index:
                    return match.group(), line + chunk.count(b"\n", 0, match.start())
        seen += here
        line += chunk.count(b"\n")
    return None, line


def _same_bytes(output: BinaryIO, answer: BinaryIO) -> bool:
    output.seek(0)
    answer.seek(0)
    while True:
        got, expected = output.read(CHUNK_BYTES), answer.read(CHUNK_BYTES)
        if got != expected:
            return False
        if not got:
            return True


def _first_whitespace_mismatch(output: BinaryIO, answer: BinaryIO) -> str | None:
    """Where the whitespace of two token-equal texts first differs, or None."""
    if _same_bytes(output, answer):
        return None
    pairs = zip(_gaps(output), _gaps(answer), strict=False)
    for index, (got_gap, expected_gap) in enumerate(pairs):
        if got_gap.key() != expected_gap.key():
            where = "before token 1" if index == 0 else f"after token {index}"
            return (
                f"whitespace differs {where}: expected {expected_gap.shown()}, "
                f"got {got_gap.shown()}"
            )
    return None


# --- Kattis output validators ------------------------------------------------------

KATTIS_EXIT_AC = 42
KATTIS_EXIT_WA = 43


def interpret_kattis_validator(
    exit_code: int | None, judgemessage: str, score_file: str | None = None
) -> CheckResult:
    """Read a Kattis output validator's result: exit 42 AC, 43 WA, anything else
    (None included: it did not exit normally) JE.

    `judgemessage` is judgemessage.txt's text; `score_file` the text of score.txt
    when the validator wrote one (scoring validators): its number becomes the
    test's score (legacy semantics, it replaces accept_score); an unreadable
    score is a judge error."""
    message = judgemessage.strip()
    if exit_code == KATTIS_EXIT_WA:
        return CheckResult(Verdict.WA, None, message)
    if exit_code != KATTIS_EXIT_AC:
        return CheckResult(
            Verdict.JE, None, _join(f"output validator {_exit_text(exit_code)}", message)
        )
    if score_file is None:
        return CheckResult(Verdict.AC, None, message)
    score = _parse_number(score_file.strip())
    if score is None:
        return CheckResult(
            Verdict.JE,
            None,
            _join(f"score.txt is not a number: {score_file.strip()[:80]!r}", message),
        )
    return CheckResult(Verdict.AC, score, message)


# --- testlib -------------------------------------------------------------------------

_TESTLIB_FIXED: Mapping[int, tuple[Verdict, str]] = {
    0: (Verdict.AC, ""),
    1: (Verdict.WA, ""),
    2: (Verdict.PE, ""),
    3: (Verdict.JE, "checker failed (testlib FAIL)"),
    4: (Verdict.PE, "extra output (testlib dirt)"),
    8: (Verdict.PE, "unexpected end of output"),
    20: (Verdict.WA, "security violation"),
    21: (Verdict.WA, "protocol violation"),
}
TESTLIB_EXIT_POINTS = 7


def interpret_testlib(
    exit_code: int | None, output_text: str, *, points_scale: float = 1.0
) -> CheckResult:
    """Read a standard-mode testlib checker's result from its exit code and its
    stderr (the verdict line, e.g. "wrong answer 1st numbers differ").

    Exit codes (testlib.h defaults): 0 ok, 1 wa, 2 pe, 3 fail -> JE, 4 dirt -> PE
    (testlib calls it "wrong output format"), 7 points, 8 unexpected eof -> PE,
    20/21 security/protocol violation (the IOI testlib) -> WA; any other, or None
    (no normal exit), -> JE.
    For 7 the text is "points <value> [message]" (`quitp`); the score is
    value / points_scale and must land in [0, 1]. A checker built with the
    CMS-modified testlib (problems.cms.is_cms_testlib) exits 0 and prints its
    score on stdout: the reader makes it a CMS checker, read by `interpret_cms`."""
    message = output_text.strip()
    if exit_code == TESTLIB_EXIT_POINTS:
        return _testlib_points(message, points_scale)
    fixed = None if exit_code is None else _TESTLIB_FIXED.get(exit_code)
    if fixed is None:
        return CheckResult(
            Verdict.JE, None, _join(f"testlib checker {_exit_text(exit_code)}", message)
        )
    verdict, note = fixed
    return CheckResult(verdict, None, _join(note, message))


def _testlib_points(message: str, points_scale: float) -> CheckResult:
    words = message.split()
    if words and words[0] == "points":
        words = words[1:]
    value = _parse_number(words[0]) if words else None
    if value is None or points_scale <= 0:
        return CheckResult(Verdict.JE, None, _join("testlib points without a number", message))
    score = value / points_scale
    if not 0.0 <= score <= 1.0:
        return CheckResult(Verdict.JE, None, _join(f"testlib points {value} out of range", message))
    return _scored(score, message)


# --- CMS checkers and managers -------------------------------------------------------

_CMS_TRANSLATIONS: Mapping[str, str] = {
    "success": "Output is correct",
    "partial": "Output is partially correct",
    "wrong": "Output isn't correct",
}

# First stderr lines with which the CMS-mode testlib reports non-answers.
_CMS_TESTLIB_FAILURE = "Judge Failure; Contact staff!"
_CMS_TESTLIB_VIOLATIONS = ("Protocol Violation", "Security Violation")


def interpret_cms(exit_code: int | None, stdout: str, stderr: str) -> CheckResult:
    """Read a CMS checker's (or Communication manager's) result: the score in
    [0, 1] on stdout's first line, the message on stderr's first line.

    "translate:success|partial|wrong" messages become words. A non-zero (or None:
    abnormal) exit, a
    missing or unparsable score, a score outside [0, 1], or the CMS testlib's
    "Judge Failure" line is JE. Protocol / security violations are WA."""
    lines = stderr.strip().splitlines()
    first = lines[0].strip() if lines else ""
    detail = " ".join(line.strip() for line in lines[1:2])
    if exit_code != 0:
        return CheckResult(
            Verdict.JE, None, _join(f"checker {_exit_text(exit_code)}", stderr.strip()[:200])
        )
    if first == _CMS_TESTLIB_FAILURE:
        return CheckResult(Verdict.JE, None, _join("checker failed", detail))
    score_line = stdout.strip().splitlines()[0] if stdout.strip() else ""
    score = _parse_number(score_line.strip())
    if score is None or not 0.0 <= score <= 1.0:
        return CheckResult(
            Verdict.JE,
            None,
            _join(f"checker printed no score in [0, 1]: {score_line[:80]!r}", first),
        )
    message = _translate_cms(first)
    if first in _CMS_TESTLIB_VIOLATIONS:
        return CheckResult(Verdict.WA, 0.0, _join(first.lower(), detail))
    return _scored(score, _join(message, detail))


def _translate_cms(text: str) -> str:
    if not text.startswith("translate:"):
        return text
    key = text[len("translate:") :].strip()
    return _CMS_TRANSLATIONS.get(key, text)


# --- helpers -------------------------------------------------------------------------


def _scored(score: float, message: str) -> CheckResult:
    """AC with `score` when it is positive (clamped at 1), WA with 0 otherwise."""
    if score <= 0.0:
        return CheckResult(Verdict.WA, 0.0, message)
    return CheckResult(Verdict.AC, min(score, 1.0), message)


def _parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _exit_text(exit_code: int | None) -> str:
    if exit_code is None:
        return "did not exit normally (killed by a signal or a limit)"
    return f"exited with code {exit_code}"


def _join(first: str, second: str) -> str:
    return ": ".join(part for part in (first, second) if part)

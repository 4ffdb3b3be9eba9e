"""Typed Kattis flags: the default output validator's `validator_flags` and the
default grader's `grader_flags`, parsed once when a package is read.

The readers (problems.kattis, problems.testdata) parse the raw words of
problem.yaml and testdata.yaml here and turn a FlagError into a ProblemError that
names the file and the key; the judge reads only the typed values. The raw words
stay in the model too, because custom programs (output validators, graders) get
them as arguments and the judge's cache keys are made of them.

Token checker flags (problemtools' default_validator.cc): `case_sensitive`,
`space_change_sensitive`, `float_tolerance X` (absolute and relative),
`float_absolute_tolerance X`, `float_relative_tolerance X`, where X is a finite,
non-negative C double. Flags apply in order, so a later tolerance overrides an
earlier one; a test group's `output_validator_flags` apply after the problem's.

Grader flags (problemtools' default grader): a verdict mode (`first_error`,
`worst_error` (default), `always_accept`), a score mode (`sum` (default), `avg`,
`min`, `max`) and the switches `ignore_sample` and `accept_if_any_accepted`; the
last conflicting mode wins."""

from __future__ import annotations

import enum
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


class FlagError(ValueError):
    """A flag word is unknown or lacks its value. The message names the flag but not
    the file: the reader that knows the file adds it (ProblemError)."""


# --- the token checker's flags ---------------------------------------------------------


@dataclass(frozen=True)
class TokenOptions:
    """How the default output validator compares tokens. A tolerance of None is
    unset (an exact comparison unless the other one is set)."""

    case_sensitive: bool = False
    space_change_sensitive: bool = False
    float_absolute_tolerance: float | None = None
    float_relative_tolerance: float | None = None

    def then(self, later: TokenOptions) -> TokenOptions:
        """These options with `later`'s applied on top, as if `later`'s flags came
        after this one's on the command line (set switches stay set, a set tolerance
        replaces the earlier one)."""
        return TokenOptions(
            case_sensitive=self.case_sensitive or later.case_sensitive,
            space_change_sensitive=self.space_change_sensitive or later.space_change_sensitive,
            float_absolute_tolerance=_later(
                self.float_absolute_tolerance, later.float_absolute_tolerance
            ),
            float_relative_tolerance=_later(
                self.float_relative_tolerance, later.float_relative_tolerance
            ),
        )

    @property
    def uses_floats(self) -> bool:
        """True when some float tolerance is set (numbers compare by value)."""
        tolerances = (self.float_absolute_tolerance, self.float_relative_tolerance)
        return any(tolerance is not None for tolerance in tolerances)


def _later(earlier: float | None, later: float | None) -> float | None:
    return earlier if later is None else later


_SWITCH_FLAGS = ("case_sensitive", "space_change_sensitive")
# flag -> (sets the absolute tolerance, sets the relative tolerance)
_TOLERANCE_FLAGS: dict[str, tuple[bool, bool]] = {
    "float_tolerance": (True, True),
    "float_absolute_tolerance": (True, False),
    "float_relative_tolerance": (False, True),
}


def parse_token_flags(flags: Iterable[str]) -> TokenOptions:
    """Kattis default-validator flags as TokenOptions; FlagError on an unknown flag
    or a tolerance without a finite, non-negative number after it."""
    words = list(flags)
    switches: set[str] = set()
    tolerances: dict[str, float] = {}
    position = 0
    while position < len(words):
        flag = words[position]
        if flag in _SWITCH_FLAGS:
            switches.add(flag)
            position += 1
            continue
        if flag not in _TOLERANCE_FLAGS:
            raise FlagError(f"unknown output validator flag {flag!r}")
        if position + 1 >= len(words):
            raise FlagError(f"flag {flag!r} needs a number after it")
        value = _tolerance(words[position + 1], flag)
        absolute, relative = _TOLERANCE_FLAGS[flag]
        if absolute:
            tolerances["absolute"] = value
        if relative:
            tolerances["relative"] = value
        position += 2
    return TokenOptions(
        case_sensitive="case_sensitive" in switches,
        space_change_sensitive="space_change_sensitive" in switches,
        float_absolute_tolerance=tolerances.get("absolute"),
        float_relative_tolerance=tolerances.get("relative"),
    )


def _tolerance(text: str, flag: str) -> float:
    value = parse_float_token(text.encode())
    if value is None or value < 0:
        raise FlagError(f"flag {flag!r} needs a finite non-negative number, got {text!r}")
    return value


def parse_float_token(token: bytes) -> float | None:
    """The finite double a whole token spells in C `strtod` syntax, else None.

    Decimal and hexadecimal (0x1.8p3) forms are accepted; inf / nan are not
    float tokens (problemtools' isfloat), nor are Python-only forms like 1_000."""
    if b"_" in token:
        return None
    value: float | None
    try:
        value = float(token)
    except ValueError:
        value = _parse_hex_float(token)
    if value is None or math.isinf(value) or math.isnan(value):
        return None
    return value


_HEX_FLOAT = re.compile(
    rb"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
)


def _parse_hex_float(token: bytes) -> float | None:
    if not _HEX_FLOAT.fullmatch(token):
        return None
    try:
        return float.fromhex(token.decode("ascii"))
    except (ValueError, OverflowError):
        return None


# --- the default grader's flags --------------------------------------------------------


class VerdictMode(enum.StrEnum):
    """How the default grader turns a group's sub-verdicts into one verdict."""

    FIRST_ERROR = "first_error"
    WORST_ERROR = "worst_error"
    ALWAYS_ACCEPT = "always_accept"


class ScoreMode(enum.StrEnum):
    """How the default grader turns a group's sub-scores into one score."""

    SUM = "sum"
    AVG = "avg"
    MIN = "min"
    MAX = "max"


# How each score mode combines a group's sub-scores (or their maxima); never called
# on an empty sequence.
SCORE_AGGREGATES: Mapping[ScoreMode, Callable[[Sequence[float]], float]] = {
    ScoreMode.SUM: lambda scores: float(sum(scores)),
    ScoreMode.AVG: lambda scores: float(statistics.fmean(scores)),
    ScoreMode.MIN: min,
    ScoreMode.MAX: max,
}
_VERDICT_MODES = frozenset(mode.value for mode in VerdictMode)
_SCORE_MODES = frozenset(mode.value for mode in ScoreMode)
_GRADER_SWITCHES = ("ignore_sample", "accept_if_any_accepted")


@dataclass(frozen=True)
class GraderFlags:
    """A group's default-grader settings (Kattis `grader_flags`)."""

    verdict_mode: VerdictMode = VerdictMode.WORST_ERROR
    score_mode: ScoreMode = ScoreMode.SUM
    ignore_sample: bool = False
    accept_if_any_accepted: bool = False


def parse_grader_flags(flags: Iterable[str]) -> GraderFlags:
    """Kattis default-grader flags as GraderFlags (the last conflicting mode wins);
    FlagError on an unknown flag."""
    verdict_mode, score_mode = VerdictMode.WORST_ERROR, ScoreMode.SUM
    switches: set[str] = set()
    for flag in flags:
        if flag in _VERDICT_MODES:
            verdict_mode = VerdictMode(flag)
        elif flag in _SCORE_MODES:
            score_mode = ScoreMode(flag)
        elif flag in _GRADER_SWITCHES:
            switches.add(flag)
        else:
            raise FlagError(f"unknown grader flag {flag!r}")
    return GraderFlags(
        verdict_mode=verdict_mode,
        score_mode=score_mode,
        ignore_sample="ignore_sample" in switches,
        accept_if_any_accepted="accept_if_any_accepted" in switches,
    )

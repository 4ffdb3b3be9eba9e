"""Verdicts and the result types that carry them from one test up to a whole problem.

A judge failure (JE: a checker, grader or manager that crashed or answered
nonsense) is never the candidate's failure: it is a verdict of its own, counted
separately at every level (`GroupResult.judge_errors`, `ProblemResult.judge_errors`)
so that reports can show it and callers can re-judge instead of trusting the score.

Scores of single tests (`TestResult.score`):

* `None` - the checker said only accepted / rejected (token diff, a Kattis output
  validator without `score.txt`, testlib without `quitp`). The grading scheme then
  decides the test's value: Kattis uses the group's `accept_score` /
  `reject_score`, IOI GroupMin uses 1.0 for AC and 0.0 otherwise.
* a fraction in [0, 1] - CMS checkers, CMS managers and testlib `points`.
* the raw `score.txt` value - Kattis scoring output validators (legacy
  semantics: the value replaces `accept_score`, it is not a fraction).

A partially correct test is `Verdict.AC` with a score below 1 (as DMOJ and
Kattis report it); a fraction score of 0 (CMS, testlib) is WA, never AC.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass


class Verdict(enum.Enum):
    """The outcome of judging one test, a group or a whole problem."""

    AC = "AC"  # accepted (possibly with a partial score)
    WA = "WA"  # wrong answer
    PE = "PE"  # presentation error: right tokens, wrong whitespace
    TLE = "TLE"  # time limit exceeded (CPU time)
    MLE = "MLE"  # memory limit exceeded
    OLE = "OLE"  # output limit exceeded
    RE = "RE"  # run-time error (non-zero exit, signal)
    CE = "CE"  # compilation error
    JE = "JE"  # judge error: the checker / grader / manager failed, not the candidate

    @property
    def accepted(self) -> bool:
        """True for AC only."""
        return self is Verdict.AC

    @classmethod
    def from_code(cls, code: str) -> Verdict:
        """Parse a verdict code, accepting the Kattis spellings (RTE, IF) too."""
        normalized = code.strip().upper()
        alias = _ALIASES.get(normalized)
        if alias is not None:
            return alias
        try:
            return cls(normalized)
        except ValueError:
            raise ValueError(f"unknown verdict code {code!r}") from None


_ALIASES: dict[str, Verdict] = {
    "RTE": Verdict.RE,
    "IF": Verdict.JE,  # Kattis "internal failure"
    "ACCEPTED": Verdict.AC,
    "WRONG_ANSWER": Verdict.WA,
    "TIME_LIMIT_EXCEEDED": Verdict.TLE,
    "RUN_TIME_ERROR": Verdict.RE,
    "JUDGE_ERROR": Verdict.JE,
}

# Kattis `worst_error` order (JE, IF, RTE, MLE, TLE, OLE, WA, then PE), with CE
# placed right after JE: worst first.
WORST_FIRST: tuple[Verdict, ...] = (
    Verdict.JE,
    Verdict.CE,
    Verdict.RE,
    Verdict.MLE,
    Verdict.TLE,
    Verdict.OLE,
    Verdict.WA,
    Verdict.PE,
    Verdict.AC,
)
_SEVERITY: dict[Verdict, int] = {verdict: rank for rank, verdict in enumerate(WORST_FIRST)}


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The worst of `verdicts` in Kattis `worst_error` order; AC when there are none."""
    return min(verdicts, key=_SEVERITY.__getitem__, default=Verdict.AC)


def first_error(verdicts: Iterable[Verdict]) -> Verdict:
    """The first verdict that is not AC; AC when all are (Kattis `first_error`)."""
    return next((verdict for verdict in verdicts if not verdict.accepted), Verdict.AC)


@dataclass(frozen=True)
class TestResult:
    """The result of running one candidate on one test and checking its output.

    `score` is None or a number, see the module docstring for which. Times are
    seconds, `memory_bytes` is the peak resident memory."""

    __test__ = False  # not a pytest test class

    test: str
    verdict: Verdict
    score: float | None = None
    cpu_time_s: float = 0.0
    wall_time_s: float = 0.0
    memory_bytes: int = 0
    message: str = ""

    def __post_init__(self) -> None:
        if self.score is not None and math.isnan(self.score):
            raise ValueError(f"test {self.test!r}: score is NaN")

    @property
    def judge_error(self) -> bool:
        """True when the judge, not the candidate, failed on this test."""
        return self.verdict is Verdict.JE


@dataclass(frozen=True)
class GroupResult:
    """A graded test group (Kattis) or subtask (IOI).

    `tests` are the test results that counted, in order (after `on_reject: break`
    the rest do not count); `children` the graded subgroups in order."""

    name: str
    verdict: Verdict
    score: float
    max_score: float
    tests: tuple[TestResult, ...] = ()
    children: tuple[GroupResult, ...] = ()
    message: str = ""

    @property
    def judge_errors(self) -> int:
        """How many counted tests below this group are judge errors."""
        own = sum(1 for result in self.tests if result.judge_error)
        return own + sum(child.judge_errors for child in self.children)


@dataclass(frozen=True)
class ProblemResult:
    """A graded submission: verdict, score out of `max_score`, per-group breakdown.

    `scheme` names the grading scheme (see judge.grading.SCHEMES); `groups` are
    the top-level groups (Kattis: sample / secret with nested groups; IOI: the
    subtasks); `tests` every test result that counted, in judging order."""

    scheme: str
    verdict: Verdict
    score: float
    max_score: float
    groups: tuple[GroupResult, ...]
    tests: tuple[TestResult, ...]

    @property
    def judge_errors(self) -> int:
        """How many counted tests are judge errors (0 for a trustworthy result)."""
        return sum(1 for result in self.tests if result.judge_error)

    @property
    def full_score(self) -> bool:
        """True when the score reaches the maximum (within float rounding)."""
        return self.score >= self.max_score - 1e-9 * max(1.0, abs(self.max_score))

    def verdicts(self) -> set[Verdict]:
        """The distinct verdicts of the counted tests."""
        return {result.verdict for result in self.tests}

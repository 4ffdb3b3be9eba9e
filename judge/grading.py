"""From test results to group scores to a problem score: pure functions.

Three schemes, picked by the problem's structure through the `SCHEMES` registry:

* ``kattis-scoring`` - problemtools' default grader on the test-data tree. Per
  group (its `Scoring`): each test is worth `accept_score` when AC (or the
  scoring validator's own score) and `reject_score` otherwise; with
  `on_reject: break` the items after the first rejected one do not count (and
  need not be judged); the verdict is aggregated by `first_error` / `worst_error`
  (default) / `always_accept`, then `accept_if_any_accepted` makes it AC when any
  sub-result is AC; the score by `sum` (default) / `avg` / `min` / `max` (the
  flags are parsed when the package is read: `Scoring.grading`);
  `ignore_sample` drops the sample group's verdict and score (a judge error in
  it still counts, as in problemtools). A judge error anywhere below a group
  makes the group JE. A group score outside its `range` is clamped to it (the
  group's message says so; problemtools reports such a score as a package
  error). As Kattis does, the problem's score is the root's score when the
  root's verdict is AC, and 0 otherwise.
* ``kattis-pass-fail`` - the same tree and flags; AC scores `problem.max_score`,
  anything else 0. With the default `on_reject: break`, the first rejected test
  (samples first) decides the verdict.
* ``ioi-groupmin`` - problems whose top-level groups carry `points` (IOI / CMS
  subtasks): subtask score = points * min(test scores), test score = the
  checker's fraction when AC (1.0 when it gave none), 0 otherwise; task score =
  sum over subtasks. Tests after a subtask's first zero cannot change it, so
  they are not needed. `best_over_submissions` sums each subtask's best score
  over all submissions (IOI since 2017).

Laziness: `tests_needed(problem, results)` lists the tests whose results may
still matter given the results known so far; a judge runs those (all at once, or
one at a time) until the list is empty, then calls `grade`. Grading the needed
results gives the same `ProblemResult` as grading the results of every test.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from judge.verdicts import GroupResult, ProblemResult, TestResult, Verdict, first_error, worst
from problems.flags import SCORE_AGGREGATES, GraderFlags, VerdictMode
from problems.model import CheckerKind, OnReject, Problem, ProblemType, Scoring, TestGroup, TestKind
from problems.testdata import has_custom_grading, max_group_score


class MissingResultsError(ValueError):
    """`grade` was called before every needed test was judged; `tests` lists them."""

    def __init__(self, tests: Sequence[str]) -> None:
        self.tests = tuple(tests)
        shown = ", ".join(self.tests[:5]) + (" ..." if len(self.tests) > 5 else "")
        super().__init__(f"{len(self.tests)} needed test(s) not judged yet: {shown}")


# --- Kattis default grader -------------------------------------------------------------

_VERDICT_MODES: Mapping[VerdictMode, Callable[[list[Verdict]], Verdict]] = {
    VerdictMode.FIRST_ERROR: first_error,
    VerdictMode.WORST_ERROR: worst,
    VerdictMode.ALWAYS_ACCEPT: lambda _verdicts: Verdict.AC,
}


@dataclass(frozen=True)
class _Outcome:
    """One sub-result as the default grader sees it."""

    verdict: Verdict
    score: float
    max_score: float
    is_sample: bool


@dataclass(frozen=True)
class _Evaluation:
    """A node's grade, or the tests still pending before it can be graded."""

    result: GroupResult | None
    pending: tuple[str, ...]
    counted: tuple[TestResult, ...]


# A custom group grader (Kattis legacy `grading: custom`): given a group and its
# sub-results as (verdict, score) in order, the group's verdict, score and a note.
GroupGrader = Callable[[TestGroup, Sequence[tuple[Verdict, float]]], tuple[Verdict, float, str]]

# problemtools' grader protocol: the verdict names a grader reads (the legacy
# spec's AC/WA/TLE/RTE/JE) and writes (current problemtools also takes MLE/OLE).
KATTIS_VERDICT_NAMES: Mapping[Verdict, str] = {
    Verdict.AC: "AC",
    Verdict.WA: "WA",
    Verdict.PE: "WA",
    Verdict.TLE: "TLE",
    Verdict.RE: "RTE",
    Verdict.MLE: "RTE",
    Verdict.OLE: "RTE",
    Verdict.JE: "JE",
}
VERDICTS_BY_KATTIS_NAME: Mapping[str, Verdict] = {
    "AC": Verdict.AC,
    "WA": Verdict.WA,
    "TLE": Verdict.TLE,
    "RTE": Verdict.RE,
    "MLE": Verdict.MLE,
    "OLE": Verdict.OLE,
    "JE": Verdict.JE,
}


def grader_input(outcomes: Sequence[tuple[Verdict, float]]) -> str:
    """What a Kattis custom grader reads on stdin: one "VERDICT SCORE" line per
    sub-result, in order (problemtools' format)."""
    return "".join(f"{KATTIS_VERDICT_NAMES[verdict]} {score}\n" for verdict, score in outcomes)


def parse_grader_output(text: str) -> tuple[Verdict, float] | None:
    """The verdict and score a custom grader wrote ("VERDICT SCORE"), or None when
    the output is not in that form (a judge error)."""
    parts = text.split()
    if len(parts) != 2 or parts[0] not in VERDICTS_BY_KATTIS_NAME:
        return None
    try:
        score = float(parts[1])
    except ValueError:
        return None
    if not math.isfinite(score):
        return None
    return VERDICTS_BY_KATTIS_NAME[parts[0]], score


@dataclass(frozen=True)
class _KattisContext:
    results: Mapping[str, TestResult]
    sample_tests: frozenset[str]
    validator_scores: bool
    group_grader: GroupGrader | None = None


def kattis_test_score(result: TestResult, scoring: Scoring, validator_scores: bool) -> float:
    """A test's value in the default grader: the scoring validator's score when it
    gave one on an AC, else accept_score for AC and reject_score otherwise."""
    if not result.verdict.accepted:
        return scoring.reject_score
    if validator_scores and result.score is not None:
        return result.score
    return scoring.accept_score


def _is_sample_group(group: TestGroup, sample_tests: frozenset[str]) -> bool:
    last = group.name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if last == "sample":
        return True
    names = group.test_names()
    return bool(names) and all(name in sample_tests for name in names)


def _evaluate_kattis(group: TestGroup, context: _KattisContext) -> _Evaluation:
    """Grade one group of the test-data tree as problemtools does: its default
    grader, or the package's custom grader for `grading: custom` groups."""
    breaks = group.scoring.on_reject is OnReject.BREAK
    outcomes: list[_Outcome] = []
    tests: list[TestResult] = []
    children: list[GroupResult] = []
    pending: list[str] = []
    counted: list[TestResult] = []
    for item in group.items:
        if isinstance(item, TestGroup):
            child = _evaluate_kattis(item, context)
            pending.extend(child.pending)
            counted.extend(child.counted)
            if child.result is None:
                continue
            children.append(child.result)
            outcome = _Outcome(
                child.result.verdict,
                child.result.score,
                child.result.max_score,
                _is_sample_group(item, context.sample_tests),
            )
        else:
            result = context.results.get(item)
            if result is None:
                pending.append(item)
                continue
            tests.append(result)
            counted.append(result)
            outcome = _Outcome(
                result.verdict,
                kattis_test_score(result, group.scoring, context.validator_scores),
                group.scoring.accept_score,
                item in context.sample_tests,
            )
        outcomes.append(outcome)
        if breaks and not outcome.verdict.accepted:
            break
    if pending:
        return _Evaluation(None, tuple(pending), tuple(counted))
    if group.scoring.custom_grading:
        verdict, score, max_score, message = _custom_grade(group, outcomes, context)
    else:
        verdict, score, max_score, message = _aggregate(
            group.scoring.grading, group.scoring, outcomes
        )
    graded = GroupResult(
        name=group.name,
        verdict=verdict,
        score=score,
        max_score=max_score,
        tests=tuple(tests),
        children=tuple(children),
        message=message,
    )
    return _Evaluation(graded, (), tuple(counted))


def _aggregate(
    flags: GraderFlags, scoring: Scoring, outcomes: list[_Outcome]
) -> tuple[Verdict, float, float, str]:
    """The default grader on the sub-results of one group: verdict, score, max, note."""
    considered = [o for o in outcomes if not (flags.ignore_sample and o.is_sample)]
    verdicts = [o.verdict for o in considered]
    verdict = _VERDICT_MODES[flags.verdict_mode](verdicts)
    if flags.accept_if_any_accepted and any(v.accepted for v in verdicts):
        verdict = Verdict.AC
    if any(o.verdict is Verdict.JE for o in outcomes):
        verdict = Verdict.JE
    aggregate = SCORE_AGGREGATES[flags.score_mode]
    score = aggregate([o.score for o in considered]) if considered else 0.0
    max_score = aggregate([o.max_score for o in considered]) if considered else 0.0
    message = ""
    if scoring.score_range is not None:
        low, high = scoring.score_range
        if math.isfinite(high):
            max_score = high
        if not low <= score <= high:
            message = f"score {score:g} outside range [{low:g}, {high:g}], clamped"
            score = min(max(score, low), high)
    return verdict, score, max_score, message


def _custom_grade(
    group: TestGroup, outcomes: list[_Outcome], context: _KattisContext
) -> tuple[Verdict, float, float, str]:
    """A `grading: custom` group: the package's grader decides verdict and score
    from the sub-results (none when there are no sub-results: AC 0, as
    problemtools). A compile error or a judge error below is not the grader's
    to see (problemtools passes a judge error up as it is)."""
    max_score = max_group_score(group)
    if not outcomes:
        return Verdict.AC, 0.0, max_score, ""
    if any(o.verdict is Verdict.CE for o in outcomes):
        return Verdict.CE, 0.0, max_score, ""
    if any(o.verdict is Verdict.JE for o in outcomes):
        return Verdict.JE, 0.0, max_score, "a judge error below this group"
    if context.group_grader is None:
        return Verdict.JE, 0.0, max_score, "the custom grader was not run"
    verdict, score, message = context.group_grader(group, [(o.verdict, o.score) for o in outcomes])
    return verdict, score, max_score, message


def _kattis_root(
    problem: Problem, results: Mapping[str, TestResult], group_grader: GroupGrader | None = None
) -> _Evaluation:
    context = _KattisContext(
        results=results,
        sample_tests=frozenset(case.name for case in problem.tests if case.kind == TestKind.SAMPLE),
        validator_scores=problem.checker.kind is CheckerKind.KATTIS_VALIDATOR,
        group_grader=group_grader,
    )
    return _evaluate_kattis(problem.root_group, context)


def _require(evaluation: _Evaluation) -> GroupResult:
    if evaluation.result is None:
        raise MissingResultsError(evaluation.pending)
    return evaluation.result


def _top_groups(root: GroupResult) -> tuple[GroupResult, ...]:
    return root.children if root.children else (root,)


def _grade_kattis(
    problem: Problem,
    results: Mapping[str, TestResult],
    group_grader: GroupGrader | None = None,
    *,
    pass_fail: bool,
) -> ProblemResult:
    """A Kattis package's grade: the root group's verdict, and the root's score
    (scoring problems) or the problem's whole score when accepted (pass-fail)."""
    evaluation = _kattis_root(problem, results, group_grader)
    root = _require(evaluation)
    max_score = problem.max_score if pass_fail else root.max_score
    earned = problem.max_score if pass_fail else root.score
    return ProblemResult(
        scheme="kattis-pass-fail" if pass_fail else "kattis-scoring",
        verdict=root.verdict,
        score=earned if root.verdict.accepted else 0.0,
        max_score=max_score,
        groups=_top_groups(root),
        tests=evaluation.counted,
    )


def _kattis_needed(problem: Problem, results: Mapping[str, TestResult]) -> tuple[str, ...]:
    if has_custom_grading(problem.root_group):
        # What a custom grader decides is not known in advance, so neither is
        # whether a later group still matters: every test is needed.
        return _unique(name for name in problem.root_group.test_names() if name not in results)
    return _unique(_kattis_root(problem, results).pending)


def _best_single(results: Sequence[ProblemResult]) -> float:
    """Kattis keeps the best single submission."""
    return max((result.score for result in results), default=0.0)


# --- IOI GroupMin ----------------------------------------------------------------------


def ioi_test_score(result: TestResult) -> float:
    """A test's fraction in GroupMin: the checker's score on AC (1.0 when none), else 0."""
    if not result.verdict.accepted:
        return 0.0
    if result.score is None:
        return 1.0
    return min(max(result.score, 0.0), 1.0)


def _subtasks(problem: Problem) -> tuple[TestGroup, ...]:
    return tuple(item for item in problem.root_group.items if isinstance(item, TestGroup))


def _evaluate_subtask(subtask: TestGroup, results: Mapping[str, TestResult]) -> _Evaluation:
    """GroupMin over one subtask; tests after the first zero-score test do not count."""
    points = subtask.points or 0.0
    pending: list[str] = []
    counted: list[TestResult] = []
    for name in subtask.test_names():
        result = results.get(name)
        if result is None:
            pending.append(name)
            continue
        counted.append(result)
        if ioi_test_score(result) <= 0.0:
            break
    if pending:
        return _Evaluation(None, tuple(pending), tuple(counted))
    fraction = min((ioi_test_score(result) for result in counted), default=1.0)
    verdicts = [result.verdict for result in counted]
    verdict = Verdict.JE if Verdict.JE in verdicts else first_error(verdicts)
    graded = GroupResult(
        name=subtask.name,
        verdict=verdict,
        score=points * fraction,
        max_score=points,
        tests=tuple(counted),
    )
    return _Evaluation(graded, (), tuple(counted))


def _grade_ioi(
    problem: Problem, results: Mapping[str, TestResult], group_grader: GroupGrader | None = None
) -> ProblemResult:
    evaluations = [_evaluate_subtask(subtask, results) for subtask in _subtasks(problem)]
    pending = _unique(name for evaluation in evaluations for name in evaluation.pending)
    if pending:
        raise MissingResultsError(pending)
    groups = tuple(_require(evaluation) for evaluation in evaluations)
    counted = _unique_results(result for evaluation in evaluations for result in evaluation.counted)
    verdicts = [group.verdict for group in groups]
    verdict = Verdict.JE if Verdict.JE in verdicts else first_error(verdicts)
    return ProblemResult(
        scheme="ioi-groupmin",
        verdict=verdict,
        score=sum(group.score for group in groups),
        max_score=sum(group.max_score for group in groups),
        groups=groups,
        tests=counted,
    )


def _ioi_needed(problem: Problem, results: Mapping[str, TestResult]) -> tuple[str, ...]:
    evaluations = [_evaluate_subtask(subtask, results) for subtask in _subtasks(problem)]
    return _unique(name for evaluation in evaluations for name in evaluation.pending)


def _best_per_subtask(results: Sequence[ProblemResult]) -> float:
    """IOI since 2017: each subtask's best score over all submissions, summed."""
    best: dict[str, float] = {}
    for result in results:
        for group in result.groups:
            best[group.name] = max(best.get(group.name, 0.0), group.score)
    return sum(best.values())


# --- dispatch --------------------------------------------------------------------------


@dataclass(frozen=True)
class GradingScheme:
    """How one family of problems is graded: results -> ProblemResult, which tests
    are still needed, and how several submissions combine into a task score."""

    grade: Callable[[Problem, Mapping[str, TestResult], GroupGrader | None], ProblemResult]
    needed: Callable[[Problem, Mapping[str, TestResult]], tuple[str, ...]]
    best_over_submissions: Callable[[Sequence[ProblemResult]], float]


SCHEMES: Mapping[str, GradingScheme] = {
    "kattis-scoring": GradingScheme(
        functools.partial(_grade_kattis, pass_fail=False), _kattis_needed, _best_single
    ),
    "kattis-pass-fail": GradingScheme(
        functools.partial(_grade_kattis, pass_fail=True), _kattis_needed, _best_single
    ),
    "ioi-groupmin": GradingScheme(_grade_ioi, _ioi_needed, _best_per_subtask),
}

_KATTIS_SCHEME_BY_TYPE: Mapping[ProblemType, str] = {
    ProblemType.SCORING: "kattis-scoring",
    ProblemType.PASS_FAIL: "kattis-pass-fail",
}


def scheme_name(problem: Problem) -> str:
    """The key in `SCHEMES` for this problem: IOI when its subtasks carry points,
    else the Kattis scheme of its type."""
    if any(subtask.points is not None for subtask in _subtasks(problem)):
        return "ioi-groupmin"
    return _KATTIS_SCHEME_BY_TYPE[problem.type]


def grade(
    problem: Problem, results: Mapping[str, TestResult], group_grader: GroupGrader | None = None
) -> ProblemResult:
    """Grade one submission from its test results (keyed by test name).

    `group_grader` runs the package's custom grader for `grading: custom` groups
    (without one such groups are JE). Raises MissingResultsError when a test
    that can still matter has no result; results of tests that cannot matter are
    ignored."""
    return SCHEMES[scheme_name(problem)].grade(problem, results, group_grader)


def tests_needed(problem: Problem, results: Mapping[str, TestResult]) -> tuple[str, ...]:
    """The tests, in judging order, whose results may still change the grade given
    the results known so far (empty once `grade` can run). Tests after a rejected
    one in an `on_reject: break` group, or after a zero in an IOI subtask, are
    left out."""
    return SCHEMES[scheme_name(problem)].needed(problem, results)


def best_over_submissions(results: Sequence[ProblemResult]) -> float:
    """The task score of several submissions of one problem: IOI sums each
    subtask's best; Kattis takes the best single score. 0 with no submissions."""
    schemes = {result.scheme for result in results}
    if not schemes:
        return 0.0
    if len(schemes) > 1:
        raise ValueError(f"results graded by different schemes: {sorted(schemes)}")
    return SCHEMES[schemes.pop()].best_over_submissions(results)


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _unique_results(results: Iterable[TestResult]) -> tuple[TestResult, ...]:
    seen: dict[str, TestResult] = {}
    for result in results:
        seen.setdefault(result.test, result)
    return tuple(seen.values())

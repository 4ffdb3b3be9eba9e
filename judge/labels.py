"""Does a graded submission agree with the label its package gave it?

Kattis labels are folders of `submissions/`, CMS/IOI labels folders of
`solutions/`. The rules (a registry, one predicate per label):

* accepted, model_solution, correct: AC with the full score.
* correct with target subtasks (`Submission.target_subtasks`, which the CMS
  reader takes from a `correct/` file name such as `subtask3.cpp` or
  `GA_subtask4.cpp`: IOI's `correct/` holds solutions correct for the subtasks
  they were written for): AC with the full score on each targeted top-level group
  (`ProblemResult.groups`, the subtasks); nothing is required elsewhere (their
  other subtasks may score anything). A correct/ solution whose name names no
  subtask must still get the full score; model_solution always must.
* slow_accepted: AC with the full score, or rejected only by TLE (problemtools
  runs these with a widened time limit; a judge that runs them under the normal
  limit may see TLE, and that still agrees; any other failure does not).
* wrong_answer: a WA (or PE: Kattis has no PE, our token checker may report it)
  on some test, and not the full score.
* time_limit_exceeded: a TLE on some test, and not the full score.
* run_time_error: an RE or MLE on some test (Kattis reports a memory overrun as a
  run-time error), and not the full score.
* partially_correct (IOI): 0 < score < max.
* partially_accepted (Kattis): 0 < score < max, or an accepted verdict with less
  than the full score (problemtools' rule: with accept_if_any_accepted, passing
  only a group worth 0 points is accepted with score 0, and that is "partial").
* incorrect, time_limit, runtime_error, memory_limit, failed,
  protocol_violation (CMS classes): not the full score.

A result with judge errors agrees with no label: the judge, not the submission,
failed, so nothing can be concluded. When the package states an expected score
(`Submission.expected_score`) the score must also equal it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from judge.verdicts import GroupResult, ProblemResult, Verdict
from problems.cms import TARGETED_LABELS
from problems.model import Label, Problem, Submission

_SCORE_TOLERANCE = 1e-6

# A label predicate returns "" when the result agrees, else the reason it does not.
LabelRule = Callable[[ProblemResult], str]


def _score_text(result: ProblemResult) -> str:
    return f"{result.score:g}/{result.max_score:g}"


def _failing(result: ProblemResult) -> str:
    failing = sorted({v.value for v in result.verdicts()} - {Verdict.AC.value})
    return ", ".join(failing) if failing else "none"


def _full_score(result: ProblemResult) -> str:
    if result.verdict.accepted and result.full_score:
        return ""
    return f"expected AC with full score, got {result.verdict.value} {_score_text(result)}"


def _slow_accepted(result: ProblemResult) -> str:
    if not _full_score(result):
        return ""
    failing = result.verdicts() - {Verdict.AC}
    if failing == {Verdict.TLE}:
        return ""
    return (
        f"expected AC (TLE tolerated), got {result.verdict.value} {_score_text(result)} "
        f"with failing verdicts {_failing(result)}"
    )


def _some(verdicts: frozenset[Verdict], name: str) -> LabelRule:
    def rule(result: ProblemResult) -> str:
        if result.verdicts() & verdicts and not result.full_score:
            return ""
        return (
            f"expected {name} on some test and less than full score, got "
            f"{result.verdict.value} {_score_text(result)} with failing verdicts {_failing(result)}"
        )

    return rule


def _partial(result: ProblemResult) -> str:
    if 0.0 < result.score and not result.full_score:
        return ""
    return f"expected a partial score (0 < score < max), got {_score_text(result)}"


def _not_full(result: ProblemResult) -> str:
    if not (result.verdict.accepted and result.full_score):
        return ""
    return f"expected less than full score, got {result.verdict.value} {_score_text(result)}"


def _group_full(group: GroupResult) -> bool:
    """AC on the group with its full score (float rounding as ProblemResult.full_score)."""
    tolerance = 1e-9 * max(1.0, abs(group.max_score))
    return group.verdict.accepted and group.score >= group.max_score - tolerance


def _targets_full(result: ProblemResult, targets: Sequence[str]) -> str:
    """The rule of a solution that targets subtasks: full score on each of them."""
    groups = {group.name: group for group in result.groups}
    short: list[str] = []
    for name in targets:
        group = groups.get(name)
        if group is None:
            short.append(f"{name} not graded")
        elif not _group_full(group):
            short.append(f"{name} {group.verdict.value} {group.score:g}/{group.max_score:g}")
    if not short:
        return ""
    return f"expected AC with full score on {', '.join(targets)}, got {'; '.join(short)}"


def _kattis_partial(result: ProblemResult) -> str:
    if result.verdict.accepted and not result.full_score:
        return ""
    return _partial(result)


# One rule per Label (a test checks that every Label has one). Label is a str
# enum, so a plain folder name finds its rule too.
LABEL_RULES: Mapping[Label | str, LabelRule] = {
    Label.ACCEPTED: _full_score,
    Label.MODEL_SOLUTION: _full_score,
    Label.CORRECT: _full_score,
    Label.SLOW_ACCEPTED: _slow_accepted,
    Label.WRONG_ANSWER: _some(frozenset({Verdict.WA, Verdict.PE}), "WA"),
    Label.TIME_LIMIT_EXCEEDED: _some(frozenset({Verdict.TLE}), "TLE"),
    Label.RUN_TIME_ERROR: _some(frozenset({Verdict.RE, Verdict.MLE}), "RE or MLE"),
    Label.PARTIALLY_ACCEPTED: _kattis_partial,
    Label.PARTIALLY_CORRECT: _partial,
    Label.INCORRECT: _not_full,
    Label.TIME_LIMIT: _not_full,
    Label.RUNTIME_ERROR: _not_full,
    Label.MEMORY_LIMIT: _not_full,
    Label.FAILED: _not_full,
    Label.PROTOCOL_VIOLATION: _not_full,
}

# Labels that promise AC with the full score (the mutants engine mutates these).
FULL_SCORE_LABELS = frozenset(label for label, rule in LABEL_RULES.items() if rule is _full_score)
# Kattis: the label whose submissions set a derived time limit (problemtools' rule).
TIME_LIMIT_LABELS = frozenset({Label.ACCEPTED})


def label_agrees(
    label: Label | str,
    result: ProblemResult,
    problem: Problem,
    expected_score: float | None = None,
    target_subtasks: Sequence[str] = (),
) -> tuple[bool, str]:
    """Whether `result` is what `label` promises for `problem`, and if not, why.

    `expected_score`, when given, must equal the score too. `target_subtasks`
    (a `correct` solution's, see the module docstring) replaces the whole-task
    full score by the full score on those groups; ValueError for any other label.
    A result with judge errors never agrees (the reason says so)."""
    rule = LABEL_RULES.get(label)
    if rule is None:
        return False, f"unknown label {label!r}"
    if target_subtasks and label not in TARGETED_LABELS:
        raise ValueError(f"label {label!r} cannot target subtasks ({target_subtasks!r})")
    if result.judge_errors or result.verdict is Verdict.JE:
        failed = [test.test for test in result.tests if test.judge_error]
        return False, f"{problem.name}: judge error on {', '.join(failed[:5]) or 'a group'}"
    reason = _targets_full(result, target_subtasks) if target_subtasks else rule(result)
    if reason:
        return False, f"{problem.name}: label {label}: {reason}"
    if expected_score is not None and abs(result.score - expected_score) > _SCORE_TOLERANCE:
        return False, (
            f"{problem.name}: label {label}: expected score {expected_score:g}, "
            f"got {_score_text(result)}"
        )
    return True, ""


def submission_agrees(
    submission: Submission, result: ProblemResult, problem: Problem
) -> tuple[bool, str]:
    """`label_agrees` for a packaged submission: its label, expected score and
    target subtasks."""
    return label_agrees(
        submission.label,
        result,
        problem,
        submission.expected_score,
        submission.target_subtasks,
    )

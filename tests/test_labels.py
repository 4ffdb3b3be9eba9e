"""Labels: does a graded submission agree with the folder its package put it in?"""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.grading import grade
from judge.labels import LABEL_RULES, label_agrees, submission_agrees
from judge.verdicts import ProblemResult, TestResult, Verdict
from problems.load import load_problem
from problems.model import Label, Limits, Problem, ProblemType, Scoring, Submission
from problems.model import TestGroup as Group
from problems.submissions import read_labelled_submissions
from tests.test_grading import results_for, synthetic_problem

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "problems"
POBUDGET = SHARED / "swedish-olympiad-2025" / "online" / "pobudget"
HELLO = SHARED / "kattis-examples" / "hello"


def _scoring_problem() -> Problem:
    """Two groups worth 40 and 60, min inside, sum and accept_if_any_accepted above."""
    group1 = Group(
        "secret/g1",
        ("a", "b"),
        Scoring(accept_score=40.0, score_range=(0.0, 40.0), grader_flags=("min",)),
    )
    group2 = Group(
        "secret/g2",
        ("c", "d"),
        Scoring(accept_score=60.0, score_range=(0.0, 60.0), grader_flags=("min",)),
    )
    secret = Group(
        "secret",
        (group1, group2),
        Scoring(
            on_reject="continue",
            score_range=(0.0, 100.0),
            grader_flags=("first_error", "accept_if_any_accepted"),
        ),
    )
    return synthetic_problem(Group("data", (secret,), Scoring(on_reject="continue")))


def _graded(verdicts: dict[str, Verdict]) -> tuple[Problem, ProblemResult]:
    problem = _scoring_problem()
    return problem, grade(problem, results_for(problem, verdicts, Verdict.AC))


def test_full_score_labels() -> None:
    problem, result = _graded({})
    for label in ("accepted", "model_solution", "correct", "slow_accepted"):
        assert label_agrees(label, result, problem) == (True, "")
    for label in (
        "partially_accepted",
        "wrong_answer",
        "time_limit_exceeded",
        "incorrect",
        "failed",
    ):
        agrees, reason = label_agrees(label, result, problem)
        assert not agrees and reason.startswith(f"synthetic: label {label}: expected")


def test_partial_wrong_answer_submission() -> None:
    problem, result = _graded({"c": Verdict.WA})
    assert result.score == 40.0 and result.verdict is Verdict.AC
    for label in (
        "partially_accepted",
        "partially_correct",
        "wrong_answer",
        "incorrect",
        "protocol_violation",
    ):
        assert label_agrees(label, result, problem) == (True, ""), label
    agrees, reason = label_agrees("accepted", result, problem)
    assert not agrees and "got AC 40/100" in reason
    agrees, reason = label_agrees("time_limit_exceeded", result, problem)
    assert not agrees and "failing verdicts WA" in reason


def test_time_limit_and_run_time_error_labels() -> None:
    problem, tle = _graded({"b": Verdict.TLE, "d": Verdict.TLE})
    assert tle.score == 0.0 and tle.verdict is Verdict.TLE
    assert label_agrees("time_limit_exceeded", tle, problem)[0]
    assert label_agrees("time_limit", tle, problem)[0]
    assert not label_agrees("partially_accepted", tle, problem)[0]
    assert not label_agrees("run_time_error", tle, problem)[0]
    # Kattis reports a memory overrun as a run-time error.
    _, mle = _graded({"a": Verdict.MLE})
    assert label_agrees("run_time_error", mle, problem)[0]
    assert label_agrees("memory_limit", mle, problem)[0]
    assert not label_agrees("wrong_answer", mle, problem)[0]


def test_slow_accepted_tolerates_only_time_limit() -> None:
    problem, tle = _graded({"d": Verdict.TLE})
    assert label_agrees("slow_accepted", tle, problem) == (True, "")
    _, wrong = _graded({"d": Verdict.WA})
    agrees, reason = label_agrees("slow_accepted", wrong, problem)
    assert not agrees and "TLE tolerated" in reason


def test_judge_errors_agree_with_no_label() -> None:
    problem, result = _graded({"c": Verdict.JE})
    assert result.verdict is Verdict.JE
    for label in LABEL_RULES:
        agrees, reason = label_agrees(label, result, problem)
        assert not agrees and "judge error on c" in reason


def test_unknown_label() -> None:
    problem, result = _graded({})
    assert label_agrees("mostly_fine", result, problem) == (False, "unknown label 'mostly_fine'")


def test_every_label_has_one_rule() -> None:
    assert set(LABEL_RULES) == set(Label)
    assert all(isinstance(label, Label) for label in LABEL_RULES)


def test_reader_gives_known_labels_as_label(tmp_path: Path) -> None:
    for folder in ("accepted", "mostly_fine"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.py").write_text("print(1)\n")
    known, unknown = read_labelled_submissions(tmp_path)
    assert known.label is Label.ACCEPTED and known.name == "accepted/a.py"
    assert unknown.label == "mostly_fine" and not isinstance(unknown.label, Label)


def test_expected_score_must_match() -> None:
    problem, result = _graded({"c": Verdict.WA})
    assert label_agrees("partially_accepted", result, problem, expected_score=40.0) == (True, "")
    agrees, reason = label_agrees("partially_accepted", result, problem, expected_score=60.0)
    assert not agrees and "expected score 60, got 40/100" in reason
    submission = Submission(
        "partially_accepted/x.py", "partially_accepted", (Path("x.py"),), expected_score=40.0
    )
    assert submission_agrees(submission, result, problem) == (True, "")


def test_pass_fail_labels() -> None:
    root = Group("data", (Group("secret", ("a", "b")),))
    problem = synthetic_problem(root, ProblemType.PASS_FAIL)
    accepted = grade(problem, results_for(problem, {}, Verdict.AC))
    assert label_agrees("accepted", accepted, problem) == (True, "")
    wrong = grade(problem, results_for(problem, {"a": Verdict.PE}, Verdict.AC))
    assert label_agrees("wrong_answer", wrong, problem) == (True, "")
    assert not label_agrees("accepted", wrong, problem)[0]


@pytest.mark.skipif(not POBUDGET.is_dir(), reason="../shared/problems absent")
def test_real_pobudget_labels_from_package() -> None:
    problem = load_problem(POBUDGET)
    labels = {submission.label for submission in problem.submissions}
    assert labels == {"accepted", "partially_accepted"}
    group3 = [name for name in problem.root_group.test_names() if name.startswith("secret/group3/")]
    partial = grade(problem, results_for(problem, {group3[0]: Verdict.WA}, Verdict.AC))
    full = grade(problem, results_for(problem, {}, Verdict.AC))
    for submission in problem.submissions:
        expected_partial = submission.label == "partially_accepted"
        assert submission_agrees(submission, partial, problem)[0] is expected_partial
        assert submission_agrees(submission, full, problem)[0] is not expected_partial


@pytest.mark.skipif(not HELLO.is_dir(), reason="../shared/problems absent")
def test_real_hello_memory_limit_submission_is_a_run_time_error() -> None:
    problem = load_problem(HELLO)
    memory_hog = next(s for s in problem.submissions if s.label == "run_time_error")
    assert memory_hog.paths[0].name == "memory_limit.cc"
    results = {case.name: TestResult(case.name, Verdict.MLE) for case in problem.tests}
    graded = grade(problem, results)
    assert submission_agrees(memory_hog, graded, problem) == (True, "")


def test_kattis_partial_accepts_an_accepted_zero_score() -> None:
    """problemtools: passing only a group worth 0 points is accepted with score 0,
    which is what partially_accepted means (Swedish olympiad, karleksbrev)."""
    problem = Problem(
        name="p",
        title="p",
        root=Path("."),
        format="kattis-legacy",
        type=ProblemType.SCORING,
        statement="",
        limits=Limits(time_s=1.0),
        tests=(),
        root_group=Group("data", ()),
        max_score=100.0,
    )
    accepted_zero = ProblemResult("kattis-scoring", Verdict.AC, 0.0, 100.0, (), ())
    rejected_zero = ProblemResult("kattis-scoring", Verdict.WA, 0.0, 100.0, (), ())
    assert label_agrees("partially_accepted", accepted_zero, problem)[0]
    assert not label_agrees("partially_accepted", rejected_zero, problem)[0]
    assert not label_agrees("partially_correct", accepted_zero, problem)[0]

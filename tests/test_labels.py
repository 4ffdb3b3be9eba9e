"""Labels: does a graded submission agree with the folder its package put it in?"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.grading import grade
from judge.labelcheck import check_problem
from judge.labels import LABEL_RULES, label_agrees, submission_agrees
from judge.session import Judge, JudgeOptions
from judge.verdicts import ProblemResult, TestResult, Verdict
from problems.load import load_problem
from problems.model import Label, Limits, Problem, ProblemType, Scoring, Submission
from problems.model import TestGroup as Group
from problems.submissions import read_labelled_submissions
from tests.test_grading import results_for, synthetic_problem

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "problems"
POBUDGET = SHARED / "swedish-olympiad-2025" / "online" / "pobudget"
HELLO = SHARED / "kattis-examples" / "hello"
SPHINX = SHARED / "ioi2024" / "sphinx"


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


# ---- correct/ solutions that target subtasks (IOI) ------------------------------

_TEST_VERDICTS = st.sampled_from([Verdict.AC, Verdict.WA, Verdict.TLE])


def _ioi_problem() -> Problem:
    """Three IOI subtasks: 00-samples (0 points) inside 01-small (30) inside 02-big (70)."""
    min_scoring = Scoring(grader_flags=("min",))
    return synthetic_problem(
        Group(
            "subtasks",
            (
                Group("00-samples", ("s",), min_scoring, points=0.0),
                Group("01-small", ("s", "a"), min_scoring, points=30.0),
                Group("02-big", ("s", "a", "b"), min_scoring, points=70.0),
            ),
        )
    )


@given(st.fixed_dictionaries({"s": _TEST_VERDICTS, "a": _TEST_VERDICTS, "b": _TEST_VERDICTS}))
def test_targeted_correct_needs_only_its_subtasks(verdicts: dict[str, Verdict]) -> None:
    problem = _ioi_problem()
    result = grade(problem, results_for(problem, verdicts, Verdict.AC))
    passed = {name for name, verdict in verdicts.items() if verdict is Verdict.AC}
    small, agrees_small = ("01-small",), {"s", "a"} <= passed
    assert label_agrees("correct", result, problem, target_subtasks=small)[0] is agrees_small
    both = ("00-samples", "01-small")
    assert label_agrees("correct", result, problem, target_subtasks=both)[0] is agrees_small
    every = passed == {"s", "a", "b"}
    assert label_agrees("correct", result, problem, target_subtasks=("02-big",))[0] is every
    assert label_agrees("correct", result, problem)[0] is every


def test_targeted_correct_reasons_name_the_short_subtasks() -> None:
    problem = _ioi_problem()
    result = grade(problem, results_for(problem, {"b": Verdict.WA}, Verdict.AC))
    assert result.score == 30.0
    assert label_agrees("correct", result, problem, target_subtasks=("01-small",)) == (True, "")
    agrees, reason = label_agrees(
        "correct", result, problem, target_subtasks=("01-small", "02-big")
    )
    assert not agrees
    assert reason == (
        "synthetic: label correct: expected AC with full score on 01-small, 02-big, "
        "got 02-big WA 0/70"
    )
    agrees, reason = label_agrees("correct", result, problem, target_subtasks=("03-none",))
    assert not agrees and reason.endswith("got 03-none not graded")


def test_targeted_subtask_needs_its_full_score_not_only_ac() -> None:
    """A partially scored test (AC at 0.5) leaves the subtask AC at half its points."""
    problem = _ioi_problem()
    results = results_for(problem, {}, Verdict.AC)
    results["a"] = TestResult("a", Verdict.AC, score=0.5)
    result = grade(problem, results)
    small = next(group for group in result.groups if group.name == "01-small")
    assert small.verdict is Verdict.AC and small.score == 15.0
    agrees, reason = label_agrees("correct", result, problem, target_subtasks=("01-small",))
    assert not agrees and reason.endswith("got 01-small AC 15/30")


def test_targeted_zero_point_subtask_still_needs_ac() -> None:
    problem = _ioi_problem()
    result = grade(problem, results_for(problem, {"s": Verdict.WA}, Verdict.AC))
    agrees, reason = label_agrees("correct", result, problem, target_subtasks=("00-samples",))
    assert not agrees and reason.endswith("got 00-samples WA 0/0")


def test_targets_belong_to_correct_only_and_judge_errors_still_win() -> None:
    problem = _ioi_problem()
    result = grade(problem, results_for(problem, {}, Verdict.AC))
    for label in ("model_solution", "accepted", "incorrect", "partially_correct"):
        with pytest.raises(ValueError, match="cannot target subtasks"):
            label_agrees(label, result, problem, target_subtasks=("01-small",))
    broken = grade(problem, results_for(problem, {"b": Verdict.JE}, Verdict.AC))
    agrees, reason = label_agrees("correct", broken, problem, target_subtasks=("01-small",))
    assert not agrees and "judge error on b" in reason


def test_submission_agrees_reads_the_target_subtasks() -> None:
    problem = _ioi_problem()
    result = grade(problem, results_for(problem, {"b": Verdict.TLE}, Verdict.AC))
    plain = Submission("correct/x.cpp", Label.CORRECT, (Path("x.cpp"),))
    targeted = dataclasses.replace(plain, target_subtasks=("01-small",))
    assert not submission_agrees(plain, result, problem)[0]
    assert submission_agrees(targeted, result, problem) == (True, "")


@pytest.mark.skipif(not SPHINX.is_dir(), reason="../shared/problems absent")
def test_real_sphinx_subtask_solutions_agree_on_their_subtask() -> None:
    """Every test of 03-chain passes, every other test fails: a correct/ solution
    agrees exactly when each subtask its name names has all its tests among those
    (the ones named for subtask 3, and subtask 1, whose N = 2 tests are chains),
    never when it names none; partially_correct keeps its own rule."""
    problem = load_problem(SPHINX)
    subtasks = {g.name: g for g in problem.root_group.items if isinstance(g, Group)}
    passed = set(subtasks["03-chain"].test_names())
    verdicts = {case.name: Verdict.AC for case in problem.tests if case.name in passed}
    result = grade(problem, results_for(problem, verdicts, Verdict.WA))
    assert 0 < result.score < result.max_score
    correct = [s for s in problem.submissions if s.label == "correct"]
    expected = {
        s.name
        for s in correct
        if s.target_subtasks
        and all(set(subtasks[name].test_names()) <= passed for name in s.target_subtasks)
    }
    assert {"correct/GA_subtask3.cpp", "correct/subtask3.cpp", "correct/subtask3-author.cpp"} <= (
        expected
    )
    assert "correct/subtask4.cpp" not in expected and "correct/subtask2.cpp" not in expected
    assert {s.name for s in correct if submission_agrees(s, result, problem)[0]} == expected
    for submission in problem.submissions:
        if submission.label == "partially_correct":
            assert submission_agrees(submission, result, problem) == (True, "")


def _cms_sum_package(root: Path, solutions: dict[str, str]) -> Path:
    """A CMS Batch task printing a+b: 01-small has a, b < 10 (3 points), 02-full any
    (97 points, its tests include 01-small's); `solutions` maps solutions/ paths to
    Python sources."""
    files = {
        "problem.json": json.dumps(
            {"code": "sum", "name": "Sum", "time_limit": 2, "memory_limit": 268435456}
        ),
        "tests/1-01.in": "1 2\n",
        "tests/1-01.out": "3\n",
        "tests/2-01.in": "40 2\n",
        "tests/2-01.out": "42\n",
        "subtasks/01-small.json": json.dumps({"score": 3, "testcases": ["1-01"]}),
        "subtasks/02-full.json": json.dumps({"score": 97, "testcases": ["1-01", "2-01"]}),
        **{f"solutions/{name}": text for name, text in solutions.items()},
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


_FULL = "a, b = map(int, input().split())\nprint(a + b)\n"
_SMALL_ONLY = "a, b = map(int, input().split())\nprint(a + b if a < 10 and b < 10 else 0)\n"


@pytest.mark.slow
def test_check_judges_a_subtask_named_correct_solution_on_its_subtask(tmp_path: Path) -> None:
    """Judged for real: a small-only solution agrees with correct/ when its name
    names subtask 1, and disagrees when its name names no subtask (or subtask 2)."""
    package = _cms_sum_package(
        tmp_path / "sum",
        {
            "model_solution/sum.py": _FULL,
            "correct/subtask1.py": _SMALL_ONLY,
            "correct/small.py": _SMALL_ONLY,
            "correct/GA_subtask2.py": _SMALL_ONLY,
            "partially_correct/subtask1-partial.py": _SMALL_ONLY,
        },
    )
    problem = load_problem(package)
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as judge:
        rows = {row.submission: row for row in check_problem(judge, problem)}
    assert {name: row.agrees for name, row in rows.items()} == {
        "correct/GA_subtask2.py": False,
        "correct/small.py": False,
        "correct/subtask1.py": True,
        "model_solution/sum.py": True,
        "partially_correct/subtask1-partial.py": True,
    }
    assert rows["correct/small.py"].reason.endswith("expected AC with full score, got WA 3/100")
    assert rows["correct/GA_subtask2.py"].reason.endswith("got 02-full WA 0/97")

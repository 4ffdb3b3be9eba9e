"""Grading: Kattis default grader, pass/fail, IOI GroupMin, laziness (tests_needed)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judge.grading import (
    MissingResultsError,
    best_over_submissions,
    grade,
    scheme_name,
)
from judge.grading import tests_needed as needed_tests
from judge.verdicts import ProblemResult, TestResult, Verdict
from problems.flags import FlagError
from problems.load import load_problem
from problems.model import Checker, CheckerKind, Limits, Problem, ProblemType, Scoring
from problems.model import TestCase as Case
from problems.model import TestGroup as Group

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "problems"
SWEDISH = SHARED / "swedish-olympiad-2025"
ODDECHO = SHARED / "kattis-examples" / "oddecho"
APLUSB = SHARED / "ioi2024" / "aplusb"


# --- building problems ----------------------------------------------------------------


def ioi_problem(root: Path) -> Problem:
    """A real CMS/IOI package through the project's reader."""
    problem = load_problem(root)
    assert all(
        isinstance(item, Group) and item.points is not None for item in problem.root_group.items
    )
    return problem


def synthetic_problem(
    root_group: Group,
    problem_type: ProblemType = ProblemType.SCORING,
    checker: Checker | None = None,
    sample_names: tuple[str, ...] = (),
) -> Problem:
    """A Problem around a hand-made test tree."""
    names = list(dict.fromkeys(root_group.test_names()))
    tests = tuple(
        Case(
            name,
            Path(f"{name}.in"),
            Path(f"{name}.ans"),
            "sample" if name in sample_names else "secret",
        )
        for name in names
    )
    return Problem(
        name="synthetic",
        title="synthetic",
        root=Path("/nonexistent/synthetic"),
        format="kattis-2023-07",
        type=problem_type,
        statement="",
        limits=Limits(time_s=1.0),
        tests=tests,
        root_group=root_group,
        checker=checker or Checker(),
    )


def results_for(
    problem: Problem, verdict_of: Mapping[str, Verdict], default: Verdict
) -> dict[str, TestResult]:
    """Results for every test of `problem`: `verdict_of` by name, else `default`."""
    return {
        case.name: TestResult(case.name, verdict_of.get(case.name, default))
        for case in problem.tests
    }


def judge_lazily(
    problem: Problem, full: Mapping[str, TestResult], batch: bool
) -> dict[str, TestResult]:
    """Judge as a lazy judge would: only what tests_needed asks for."""
    known: dict[str, TestResult] = {}
    while needed := needed_tests(problem, known):
        for name in needed if batch else needed[:1]:
            known[name] = full[name]
    return known


def secret_groups(problem: Problem) -> list[Group]:
    secret = next(
        item
        for item in problem.root_group.items
        if isinstance(item, Group) and item.name == "secret"
    )
    return [item for item in secret.items if isinstance(item, Group)]


needs_swedish = pytest.mark.skipif(not SWEDISH.is_dir(), reason="../shared/problems absent")
needs_oddecho = pytest.mark.skipif(not ODDECHO.is_dir(), reason="../shared/problems absent")
needs_aplusb = pytest.mark.skipif(not APLUSB.is_dir(), reason="../shared/problems absent")

SCORING_PACKAGES = sorted(
    [path for path in SWEDISH.glob("*/*") if (path / "data").is_dir()] if SWEDISH.is_dir() else []
) + ([ODDECHO] if ODDECHO.is_dir() else [])


# --- real Kattis scoring packages --------------------------------------------------------


@needs_swedish
def test_pobudget_groups_one_and_two_score_fifty_and_accepted() -> None:
    problem = load_problem(SWEDISH / "online" / "pobudget")
    group3 = [name for name in problem.root_group.test_names() if name.startswith("secret/group3/")]
    results = results_for(problem, {group3[1]: Verdict.WA}, Verdict.AC)
    graded = grade(problem, results)
    assert graded.scheme == "kattis-scoring"
    assert graded.score == 50.0
    assert graded.verdict is Verdict.AC
    assert graded.max_score == 100.0
    assert not graded.full_score


@needs_swedish
def test_pobudget_all_accepted_scores_hundred() -> None:
    problem = load_problem(SWEDISH / "online" / "pobudget")
    graded = grade(problem, results_for(problem, {}, Verdict.AC))
    assert (graded.verdict, graded.score, graded.max_score) == (Verdict.AC, 100.0, 100.0)
    assert graded.full_score


@needs_swedish
def test_pobudget_failing_samples_are_ignored() -> None:
    problem = load_problem(SWEDISH / "online" / "pobudget")
    samples = {case.name: Verdict.WA for case in problem.tests if case.kind == "sample"}
    assert samples
    graded = grade(problem, results_for(problem, samples, Verdict.AC))
    assert (graded.verdict, graded.score) == (Verdict.AC, 100.0)


@needs_swedish
def test_pobudget_judge_error_propagates_to_the_problem() -> None:
    problem = load_problem(SWEDISH / "online" / "pobudget")
    group2 = [name for name in problem.root_group.test_names() if name.startswith("secret/group2/")]
    graded = grade(problem, results_for(problem, {group2[0]: Verdict.JE}, Verdict.AC))
    assert graded.verdict is Verdict.JE
    assert graded.judge_errors == 1
    assert graded.score == 0.0


@needs_swedish
def test_pobudget_on_reject_break_skips_rest_of_group() -> None:
    problem = load_problem(SWEDISH / "online" / "pobudget")
    group1 = [name for name in problem.root_group.test_names() if name.startswith("secret/group1/")]
    known = {group1[0]: TestResult(group1[0], Verdict.TLE)}
    needed = needed_tests(problem, known)
    assert not set(group1) & set(needed)
    assert any(name.startswith("secret/group2/") for name in needed)
    assert any(name.startswith("sample/") for name in needed)


@pytest.mark.parametrize("root", SCORING_PACKAGES, ids=lambda path: path.name)
def test_real_package_each_group_alone_scores_its_accept_score(root: Path) -> None:
    problem = load_problem(root)
    groups = secret_groups(problem)
    assert groups
    total = 0.0
    for group in groups:
        passing = {name: Verdict.AC for name in group.test_names()}
        graded = grade(problem, results_for(problem, passing, Verdict.WA))
        assert group.scoring.score_range is not None
        assert graded.score == group.scoring.score_range[1] == group.scoring.accept_score
        # Kattis: a scoring submission passing any group is accepted.
        assert graded.verdict is Verdict.AC
        total += graded.score
    all_pass = grade(problem, results_for(problem, {}, Verdict.AC))
    assert all_pass.score == total == 100.0 == all_pass.max_score
    all_fail = grade(problem, results_for(problem, {}, Verdict.WA))
    assert (all_fail.verdict, all_fail.score) == (Verdict.WA, 0.0)


@pytest.mark.parametrize("root", SCORING_PACKAGES, ids=lambda path: path.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_real_package_lazy_judging_gives_same_grade(root: Path, data: st.DataObject) -> None:
    problem = load_problem(root)
    verdicts = st.sampled_from(
        [Verdict.AC, Verdict.AC, Verdict.AC, Verdict.WA, Verdict.TLE, Verdict.JE]
    )
    full = {case.name: TestResult(case.name, data.draw(verdicts)) for case in problem.tests}
    expected = grade(problem, full)
    for batch in (True, False):
        lazy = judge_lazily(problem, full, batch)
        assert grade(problem, lazy) == expected
        assert len(lazy) <= len(full)


@needs_oddecho
def test_oddecho_partial_submission_scores_fifty() -> None:
    problem = load_problem(ODDECHO)
    subtask2 = {name: Verdict.WA for name in problem.root_group.test_names() if "subtask2" in name}
    graded = grade(problem, results_for(problem, subtask2, Verdict.AC))
    assert (graded.verdict, graded.score, graded.max_score) == (Verdict.AC, 50.0, 100.0)


# --- synthetic Kattis trees ------------------------------------------------------------------


def _group(name: str, tests: tuple[str, ...], **scoring: object) -> Group:
    return Group(name=name, items=tests, scoring=Scoring(**scoring))  # type: ignore[arg-type]


def test_worst_error_vs_first_error_with_continue() -> None:
    tests = ("a", "b", "c")
    verdicts = {"a": Verdict.AC, "b": Verdict.WA, "c": Verdict.TLE}
    for flags, expected in (
        ((), Verdict.TLE),
        (("worst_error",), Verdict.TLE),
        (("first_error",), Verdict.WA),
    ):
        problem = synthetic_problem(_group("data", tests, on_reject="continue", grader_flags=flags))
        graded = grade(problem, results_for(problem, verdicts, Verdict.AC))
        assert graded.verdict is expected, flags


def test_score_modes_and_always_accept() -> None:
    tests = ("a", "b", "c", "d")
    verdicts = {"a": Verdict.AC, "b": Verdict.AC, "c": Verdict.WA, "d": Verdict.AC}
    expected_scores = {"sum": 30.0, "avg": 7.5, "min": 0.0, "max": 10.0}
    for mode, expected in expected_scores.items():
        problem = synthetic_problem(
            _group(
                "data",
                tests,
                on_reject="continue",
                accept_score=10.0,
                grader_flags=("always_accept", mode),
            )
        )
        graded = grade(problem, results_for(problem, verdicts, Verdict.AC))
        assert graded.verdict is Verdict.AC
        assert graded.score == pytest.approx(expected), mode


def test_unknown_grader_flag_fails_when_the_group_is_made() -> None:
    with pytest.raises(FlagError, match="unknown grader flag 'bogus'"):
        _group("data", ("a",), grader_flags=("bogus",))


def test_break_counts_the_rejected_test_but_not_later_ones() -> None:
    problem = synthetic_problem(
        _group("data", ("a", "b", "c"), accept_score=5.0, grader_flags=("sum",))
    )
    full = results_for(problem, {"b": Verdict.WA}, Verdict.AC)
    graded = grade(problem, full)
    assert (graded.verdict, graded.score) == (Verdict.WA, 0.0)  # not AC: Kattis gives 0
    assert [result.test for result in graded.tests] == ["a", "b"]
    assert graded.groups[0].score == 5.0
    assert needed_tests(problem, {"b": full["b"]}) == ("a",)


def test_score_is_clamped_to_range_with_a_note() -> None:
    problem = synthetic_problem(
        _group("data", ("a", "b"), accept_score=30.0, score_range=(0.0, 50.0), on_reject="continue")
    )
    graded = grade(problem, results_for(problem, {}, Verdict.AC))
    assert graded.score == 50.0
    assert "clamped" in graded.groups[0].message


def test_scoring_validator_scores_replace_accept_score() -> None:
    group = _group("data", ("a", "b"), accept_score=1.0, on_reject="continue")
    validator = synthetic_problem(group, checker=Checker(kind=CheckerKind.KATTIS_VALIDATOR))
    tokens = synthetic_problem(group)
    results = {
        "a": TestResult("a", Verdict.AC, score=7.5),
        "b": TestResult("b", Verdict.AC, score=2.0),
    }
    assert grade(validator, results).score == 9.5
    assert grade(tokens, results).score == 2.0


def test_missing_results_are_reported() -> None:
    problem = synthetic_problem(_group("data", ("a", "b", "c"), on_reject="continue"))
    with pytest.raises(MissingResultsError) as caught:
        grade(problem, {"a": TestResult("a", Verdict.AC)})
    assert caught.value.tests == ("b", "c")


@settings(max_examples=200, deadline=None)
@given(
    accepted=st.lists(st.booleans(), min_size=1, max_size=8),
    accept_score=st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_min_group_equals_minimum_of_test_scores(accepted: list[bool], accept_score: float) -> None:
    names = tuple(f"t{index}" for index in range(len(accepted)))
    problem = synthetic_problem(
        _group(
            "data",
            names,
            accept_score=accept_score,
            grader_flags=("min", "always_accept"),
            on_reject="continue",
        )
    )
    verdict_of = {
        name: Verdict.AC if ok else Verdict.WA for name, ok in zip(names, accepted, strict=True)
    }
    graded = grade(problem, results_for(problem, verdict_of, Verdict.AC))
    assert graded.score == min(accept_score if ok else 0.0 for ok in accepted)


def _random_tree(draw: st.DrawFn, depth: int, prefix: str) -> Group:
    """A random Kattis test tree with random grading settings."""
    count = draw(st.integers(min_value=1, max_value=3))
    items: list[str | Group] = []
    for index in range(count):
        name = f"{prefix}{index}"
        if depth > 0 and draw(st.booleans()):
            items.append(_random_tree(draw, depth - 1, f"{name}/"))
        else:
            items.append(name)
    flags = draw(
        st.lists(
            st.sampled_from(
                [
                    "first_error",
                    "worst_error",
                    "always_accept",
                    "sum",
                    "avg",
                    "min",
                    "max",
                    "accept_if_any_accepted",
                ]
            ),
            max_size=3,
        )
    )
    scoring = Scoring(
        accept_score=draw(st.sampled_from([0.0, 1.0, 10.0])),
        on_reject=draw(st.sampled_from(["break", "continue"])),
        grader_flags=tuple(flags),
    )
    return Group(name=prefix or "data", items=tuple(items), scoring=scoring)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_lazy_judging_matches_full_judging_on_random_trees(data: st.DataObject) -> None:
    tree = data.draw(st.composite(lambda draw: _random_tree(draw, 2, ""))())
    problem_type = data.draw(st.sampled_from([ProblemType.SCORING, ProblemType.PASS_FAIL]))
    problem = synthetic_problem(tree, problem_type)
    verdicts = st.sampled_from([Verdict.AC, Verdict.AC, Verdict.WA, Verdict.RE, Verdict.JE])
    full = {case.name: TestResult(case.name, data.draw(verdicts)) for case in problem.tests}
    expected = grade(problem, full)
    for batch in (True, False):
        assert grade(problem, judge_lazily(problem, full, batch)) == expected


# --- pass/fail ---------------------------------------------------------------------------


def _pass_fail_problem() -> Problem:
    sample = _group("sample", ("sample/1", "sample/2"))
    secret = _group("secret", ("secret/1", "secret/2", "secret/3"))
    root = Group(name="data", items=(sample, secret))
    return synthetic_problem(root, ProblemType.PASS_FAIL, sample_names=("sample/1", "sample/2"))


def test_pass_fail_all_accepted() -> None:
    problem = _pass_fail_problem()
    graded = grade(problem, results_for(problem, {}, Verdict.AC))
    assert graded.scheme == "kattis-pass-fail"
    assert (graded.verdict, graded.score, graded.max_score) == (Verdict.AC, 1.0, 1.0)


def test_pass_fail_failing_sample_rejects_and_stops() -> None:
    problem = _pass_fail_problem()
    full = results_for(problem, {"sample/2": Verdict.TLE, "secret/3": Verdict.WA}, Verdict.AC)
    graded = grade(problem, full)
    assert (graded.verdict, graded.score) == (Verdict.TLE, 0.0)
    known = {name: full[name] for name in ("sample/1", "sample/2")}
    assert needed_tests(problem, known) == ()


def test_pass_fail_first_secret_failure_decides() -> None:
    problem = _pass_fail_problem()
    full = results_for(problem, {"secret/2": Verdict.RE, "secret/3": Verdict.WA}, Verdict.AC)
    graded = grade(problem, full)
    assert graded.verdict is Verdict.RE
    assert "secret/3" not in {result.test for result in graded.tests}


# --- IOI GroupMin ---------------------------------------------------------------------------


@needs_aplusb
def test_aplusb_subtask_scores_from_real_subtasks() -> None:
    problem = ioi_problem(APLUSB)
    assert scheme_name(problem) == "ioi-groupmin"
    bzero = next(
        g for g in problem.root_group.items if isinstance(g, Group) and g.name == "02-bZero"
    )
    passing = {name: Verdict.AC for name in bzero.test_names()}
    graded = grade(problem, results_for(problem, passing, Verdict.WA))
    assert graded.score == 30.0
    assert graded.max_score == 100.0
    assert graded.verdict is Verdict.WA
    full = grade(problem, results_for(problem, {}, Verdict.AC))
    assert (full.verdict, full.score) == (Verdict.AC, 100.0)


@needs_aplusb
def test_aplusb_best_over_submissions_sums_subtask_maxima() -> None:
    problem = ioi_problem(APLUSB)
    groups = {g.name: g for g in problem.root_group.items if isinstance(g, Group)}
    only_small = {name: Verdict.AC for name in groups["01-smallAB"].test_names()}
    only_bzero = {name: Verdict.AC for name in groups["02-bZero"].test_names()}
    first = grade(problem, results_for(problem, only_small, Verdict.WA))
    second = grade(problem, results_for(problem, only_bzero, Verdict.WA))
    assert (first.score, second.score) == (20.0, 30.0)
    assert best_over_submissions([first, second]) == 50.0
    assert best_over_submissions([]) == 0.0


@needs_aplusb
def test_aplusb_zero_in_subtask_skips_its_remaining_tests() -> None:
    problem = ioi_problem(APLUSB)
    known = {"0-01": TestResult("0-01", Verdict.WA)}
    needed = set(needed_tests(problem, known))
    # 0-01 opens subtasks 00, 01 and 03: their other tests are no longer needed,
    # but the tests of 02-bZero still are.
    assert "1-01" not in needed and "3-01" not in needed
    assert {"2-01", "2-02", "2-03", "b0sa-01"} <= needed


@settings(max_examples=200, deadline=None)
@given(
    fractions=st.lists(
        st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=6
    ),
    points=st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_ioi_subtask_is_points_times_minimum(fractions: list[float], points: float) -> None:
    names = tuple(f"t{index}" for index in range(len(fractions)))
    problem = synthetic_problem(Group(name="root", items=(Group("st1", names, points=points),)))
    results = {
        name: TestResult(name, Verdict.AC if value > 0 else Verdict.WA, score=value)
        for name, value in zip(names, fractions, strict=True)
    }
    graded = grade(problem, results)
    assert graded.score == pytest.approx(points * min(fractions))
    assert grade(problem, judge_lazily(problem, results, batch=False)) == graded


def test_ioi_judge_error_gives_je_verdict() -> None:
    subtasks = (Group("st1", ("a", "b"), points=40.0), Group("st2", ("c",), points=60.0))
    problem = synthetic_problem(Group(name="root", items=subtasks))
    results = results_for(problem, {"c": Verdict.JE}, Verdict.AC)
    graded = grade(problem, results)
    assert graded.verdict is Verdict.JE
    assert graded.judge_errors == 1
    assert graded.score == 40.0


def test_best_over_submissions_rejects_mixed_schemes() -> None:
    kattis = ProblemResult("kattis-scoring", Verdict.AC, 10.0, 100.0, (), ())
    ioi = ProblemResult("ioi-groupmin", Verdict.AC, 10.0, 100.0, (), ())
    assert best_over_submissions([kattis, kattis]) == 10.0
    with pytest.raises(ValueError, match="different schemes"):
        best_over_submissions([kattis, ioi])

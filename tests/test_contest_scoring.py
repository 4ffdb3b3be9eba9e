"""IOI, Codeforces and ICPC scoring on hand-computed contests, the time models, and
placement in standings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.candidates import Outcome, Subtask
from solver.contest.scoring import (
    ProblemAttempts,
    Rules,
    TimeModel,
    TimeModelKind,
    codeforces_points,
    place,
    score_contest,
)

ALL = (Subtask("all", 1.0),)
AC = Outcome({"all": 1.0})
WA = Outcome({"all": 0.0})


def passfail(name: str, points: float, *verdicts: Outcome) -> ProblemAttempts:
    return ProblemAttempts(name, points, ALL, tuple(verdicts))


def test_ioi_best_per_subtask_across_submissions() -> None:
    subtasks = (Subtask("a", 30.0), Subtask("b", 70.0))
    outcomes = (Outcome({"a": 30.0, "b": 0.0}), Outcome({"a": 0.0, "b": 70.0}))
    result = score_contest(Rules.IOI, [ProblemAttempts("t", 100.0, subtasks, outcomes)], 50, 300)
    assert result.score == 100.0  # neither submission alone scores more than 70
    assert result.problems[0].solved is False  # no single submission got everything
    # the limit cuts the second submission
    cut = score_contest(Rules.IOI, [ProblemAttempts("t", 100.0, subtasks, outcomes)], 1, 300)
    assert cut.score == 30.0
    # contest points scale the task: a 1-point pass/fail problem worth 100
    scaled = score_contest(Rules.IOI, [passfail("p", 100.0, WA, AC)], 50, 300)
    assert scaled.score == 100.0


def test_codeforces_formula_by_hand() -> None:
    assert codeforces_points(500, 0, 0) == 500
    assert codeforces_points(1000, 25, 1) == pytest.approx(1000 * 0.9 - 50)
    assert codeforces_points(500, 240, 5) == pytest.approx(150)  # floor of 0.3 p
    # even model, 2 problems x limit 3 = 6 slots of 20 minutes: submissions at 10, 30,
    # 50, 70 (A's third is never made: it was accepted at its second)
    result = score_contest(
        Rules.CODEFORCES,
        [passfail("A", 500, WA, AC, WA), passfail("B", 1000, WA, AC)],
        3,
        120,
    )
    a, b = result.problems
    assert (a.minute_accepted, a.wrong_before_accepted) == (30, 1)
    assert a.score == pytest.approx(500 * (1 - 30 / 250) - 50)
    assert (b.minute_accepted, b.wrong_before_accepted) == (70, 1)
    assert b.score == pytest.approx(1000 * (1 - 70 / 250) - 50)
    assert a.submissions == 2  # nothing after the accepted one
    # a problem never solved scores 0 whatever its attempts
    unsolved = score_contest(Rules.CODEFORCES, [passfail("A", 500, WA, WA)], 10, 120)
    assert unsolved.score == 0


def test_icpc_solved_and_penalty() -> None:
    model = TimeModel(TimeModelKind.FIXED, 7.0)
    result = score_contest(
        Rules.ICPC,
        [passfail("A", 1, WA, WA, AC), passfail("B", 1, AC), passfail("C", 1, WA)],
        10,
        300,
        model,
    )
    # minutes 7, 14, 21 (A accepted after 2 wrong), 28 (B), 35 (C wrong)
    assert result.score == 2
    assert result.penalty == (21 + 40) + 28


def test_fixed_model_drops_submissions_after_the_end() -> None:
    model = TimeModel(TimeModelKind.FIXED, 50.0)
    result = score_contest(
        Rules.CODEFORCES, [passfail("A", 500, WA, WA, AC)], 10, 120, model
    )  # the third submission would be at minute 150
    assert result.score == 0 and result.problems[0].submissions == 2


@given(st.integers(1, 40), st.integers(0, 40), st.floats(1, 500))
def test_even_model_inside_contest(count: int, spare: int, duration: float) -> None:
    minutes = TimeModel().minutes(count, duration, count + spare)
    assert len(minutes) == count
    assert all(0 < m < duration for m in minutes)
    assert minutes == sorted(minutes)
    # making fewer submissions never makes one later
    assert minutes[: count // 2] == TimeModel().minutes(count // 2, duration, count + spare)


def test_fewer_submissions_never_score_less_under_codeforces() -> None:
    late = score_contest(
        Rules.CODEFORCES, [passfail("A", 500, WA, WA, AC), passfail("B", 500, AC)], 10, 120
    )
    early = score_contest(
        Rules.CODEFORCES, [passfail("A", 500, AC), passfail("B", 500, AC)], 10, 120
    )
    assert early.problems[1].score > late.problems[1].score


def test_place_with_ties_and_icpc_penalty() -> None:
    field = [(300.0, 0.0), (200.0, 0.0), (200.0, 0.0), (100.0, 0.0)]
    assert place(Rules.IOI, (200.0, 0.0), field) == (2, 2)
    assert place(Rules.IOI, (400.0, 0.0), field) == (1, 0)
    icpc = [(3.0, 100.0), (3.0, 300.0), (2.0, 10.0)]
    assert place(Rules.ICPC, (3.0, 200.0), icpc) == (2, 0)

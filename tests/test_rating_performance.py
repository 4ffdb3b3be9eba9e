"""CodeElo's performance rating: the definition, hand-computed contests, monotonicity."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.rating.performance import (
    HIGH,
    LOW,
    Performance,
    expected_rank,
    mean_performance,
    performance_rating,
)


def test_expected_rank_by_hand() -> None:
    assert expected_rank(1500, [1500, 1500]) == pytest.approx(2.0)
    assert expected_rank(1500, []) == 1.0
    # one opponent 400 points stronger beats you with probability 10/11
    assert expected_rank(1500, [1900]) == pytest.approx(1 + 10 / 11)


def test_symmetric_contests_by_hand() -> None:
    # three opponents at 1500 and a place in the middle of them: 1500 exactly
    assert performance_rating(2.5, [1500, 1500, 1500]).rating == pytest.approx(1500, abs=1e-3)
    # opponents at 1400 and 1600, second place: the two probabilities sum to 1 at 1500
    assert performance_rating(2, [1400, 1600]).rating == pytest.approx(1500, abs=1e-3)


def test_a_skewed_contest_by_hand() -> None:
    """One opponent at 1500, place 1.2: P(it beats r) = 0.2 -> 10^((r-1500)/400) = 4."""
    expected = 1500 + 400 * math.log10(4)  # 1740.82
    assert performance_rating(1.2, [1500]).rating == pytest.approx(expected, abs=1e-3)


def test_places_without_a_finite_answer_are_clamped() -> None:
    first = performance_rating(1, [1500, 1600])
    assert first.clamped and first.rating == HIGH
    last = performance_rating(3, [1500, 1600])
    assert last.clamped and last.rating == LOW
    with pytest.raises(ValueError):
        performance_rating(0.5, [1500])


def test_mean_over_contests() -> None:
    mean = mean_performance([Performance(1500), Performance(1700), Performance(2000)])
    assert mean.rating == pytest.approx(1733.333, abs=1e-3)
    assert mean.estimator == "codeelo" and not mean.clamped
    assert mean_performance([Performance(1500), Performance(HIGH, clamped=True)]).clamped


ratings = st.lists(st.integers(0, 4000), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(ratings, st.data())
def test_definition_holds_within_one_point(others: list[int], data: st.DataObject) -> None:
    """At the returned rating r the expected place brackets the actual one within a
    rating point: expected_rank(r - 1) >= rank >= expected_rank(r + 1)."""
    rank = data.draw(st.integers(2, len(others)).map(float) if len(others) > 1 else st.just(1.5))
    result = performance_rating(rank, others)
    if result.clamped:
        return
    assert (
        expected_rank(result.rating - 1, others) >= rank >= expected_rank(result.rating + 1, others)
    )
    assert expected_rank(result.rating, others) == pytest.approx(rank, abs=0.01)


@settings(max_examples=60, deadline=None)
@given(ratings)
def test_a_worse_place_never_rates_higher(others: list[int]) -> None:
    values = [performance_rating(rank, others).rating for rank in range(1, len(others) + 2)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))


def test_definition_holds_on_a_real_contest() -> None:
    """Every participant of contest 917: at the returned rating the expected place is
    the actual place (among the rated) within one rating point; only first place,
    which has no finite answer, is clamped."""
    from pathlib import Path

    from solver.rating.estimate import codeelo_estimates
    from solver.rating.readers import read_contest

    contest = read_contest(Path(__file__).parent / "data" / "codeforces" / "917-ratingChanges.json")
    ratings = [float(row.rating or 0) for row in contest.rows]
    ranks = [row.rank or 0 for row in contest.rows]
    estimates = codeelo_estimates(contest)
    assert [e.handle for e in estimates if e.clamped] == ["OO0OOO00O0OOO0O00OOO0OO"]
    for i, estimate in enumerate(estimates):
        if estimate.clamped:
            continue
        others = ratings[:i] + ratings[i + 1 :]
        place = 1 + sum(rank < ranks[i] for rank in ranks)
        r = estimate.rating
        assert expected_rank(r - 1, others) >= place >= expected_rank(r + 1, others)

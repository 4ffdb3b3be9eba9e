"""The maximum-likelihood rating over several contests: known answers and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.rating.likelihood import HIGH, ContestResult, log_likelihood, mle_rating
from solver.rating.performance import performance_rating


def _contest(rank: float, others: list[tuple[float, float]]) -> ContestResult:
    return ContestResult(rank, tuple(others))


def test_symmetric_results_give_the_middle() -> None:
    # beat a 1400, lost to a 1600: p(1400) + p(1600) = 1 exactly at 1500
    fit = mle_rating([_contest(2, [(1400, 3), (1600, 1)])])
    assert fit.rating == pytest.approx(1500, abs=1e-3)
    assert (fit.wins, fit.pairs, fit.estimator) == (1.0, 2, "mle")


def test_results_pooled_over_contests() -> None:
    """Two contests, one win and one loss against 1500-rated opponents: 1500."""
    fit = mle_rating([_contest(1, [(1500, 2)]), _contest(2, [(1500, 1)])])
    assert fit.rating == pytest.approx(1500, abs=1e-3)


def test_three_wins_in_four_by_hand() -> None:
    """4 p = 3 against four 1500s: 10^((1500 - r)/400) = 1/3, r = 1500 + 400 log10 3."""
    contests = [_contest(1, [(1500, 2)])] * 3 + [_contest(2, [(1500, 1)])]
    expected = 1500 + 400 * math.log10(3)  # 1690.85
    assert mle_rating(contests).rating == pytest.approx(expected, abs=1e-3)


def test_a_tie_counts_half() -> None:
    fit = mle_rating([_contest(1, [(1500, 1)])])
    assert fit.rating == pytest.approx(1500, abs=1e-3) and fit.wins == 0.5


def test_unbeaten_is_clamped() -> None:
    fit = mle_rating([_contest(1, [(1500, 2), (1600, 3)])])
    assert fit.clamped and fit.rating == HIGH
    with pytest.raises(ValueError):
        mle_rating([_contest(1, [])])


field = st.lists(st.tuples(st.integers(0, 3500), st.integers(1, 30)), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(field, st.integers(1, 30))
def test_the_fit_maximises_the_likelihood(others: list[tuple[int, int]], rank: int) -> None:
    contests = [_contest(rank, [(float(r), float(k)) for r, k in others])]
    fit = mle_rating(contests)
    if fit.clamped:
        return
    best = log_likelihood(fit.rating, contests)
    assert best >= log_likelihood(fit.rating - 1, contests)
    assert best >= log_likelihood(fit.rating + 1, contests)


@settings(max_examples=60, deadline=None)
@given(field, st.integers(1, 30))
def test_one_contest_is_codeelos_performance(others: list[tuple[int, int]], rank: int) -> None:
    """Over one contest the MLE is CodeElo's performance at 1 + losses + ties / 2."""
    contests = [_contest(rank, [(float(r), float(k)) for r, k in others])]
    fit = mle_rating(contests)
    losses = sum(k < rank for _, k in others) + 0.5 * sum(k == rank for _, k in others)
    codeelo = performance_rating(1 + losses, [r for r, _ in others])
    if fit.clamped or codeelo.clamped:
        assert fit.clamped and codeelo.clamped
        return
    assert fit.rating == pytest.approx(codeelo.rating, abs=1e-3)

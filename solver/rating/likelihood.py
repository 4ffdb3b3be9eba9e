"""A maximum-likelihood rating over several contests (o1-ioi's Codeforces estimate).

Each contest is read as the pairwise results of one participant against every other
participant: a win against each one placed behind, a loss against each one placed
ahead, half a win for a tie. Under the Elo (Bradley-Terry) model a participant rated
r beats one rated r_i with probability p_i(r) = 1 / (1 + 10^((r_i - r) / 400)), so the
log-likelihood of all results over all contests is

    L(r) = sum_i [w_i log p_i(r) + (1 - w_i) log(1 - p_i(r))],

and its derivative is (ln 10 / 400) * sum_i (w_i - p_i(r)). L is concave, so the
maximum is the single r where the expected number of wins equals the actual number:
sum_i p_i(r) = sum_i w_i, found by bisection. Pooling the pairs of all contests is
what makes this differ from CodeElo's mean of per-contest ratings. Over one contest it
coincides with CodeElo's performance at rank 1 + losses + ties / 2.

With no loss (or no win) at all the likelihood grows without bound; the bisection
stops at the bound it was given and the result says so (`clamped`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LOW, HIGH = -1000.0, 6000.0


@dataclass(frozen=True)
class ContestResult:
    """One contest from one participant's side: its place and everyone else's."""

    rank: float
    others: tuple[tuple[float, float], ...]  # (rating, rank) of every other participant


@dataclass(frozen=True)
class LikelihoodRating:
    """The maximum-likelihood rating, with the pair counts it rests on."""

    rating: float
    wins: float
    pairs: int
    clamped: bool = False
    estimator: str = "mle"


def _outcomes(contests: Sequence[ContestResult]) -> tuple[np.ndarray, np.ndarray]:
    """Every opponent's rating and the result against it (1 win, 0.5 tie, 0 loss)."""
    ratings: list[float] = []
    scores: list[float] = []
    for contest in contests:
        for rating, rank in contest.others:
            ratings.append(rating)
            if rank > contest.rank:
                scores.append(1.0)
            elif rank < contest.rank:
                scores.append(0.0)
            else:
                scores.append(0.5)
    return np.asarray(ratings, dtype=np.float64), np.asarray(scores, dtype=np.float64)


def win_probabilities(rating: float, opponents: np.ndarray) -> np.ndarray:
    """P(a participant rated `rating` beats each opponent), the Elo curve."""
    return 1.0 / (1.0 + 10.0 ** ((opponents - rating) / 400.0))


def log_likelihood(rating: float, contests: Sequence[ContestResult]) -> float:
    """The log-likelihood of all pairwise results for a participant rated `rating`."""
    opponents, scores = _outcomes(contests)
    p = win_probabilities(rating, opponents)
    return float((scores * np.log(p) + (1 - scores) * np.log1p(-p)).sum())


def mle_rating(
    contests: Sequence[ContestResult],
    *,
    low: float = LOW,
    high: float = HIGH,
    tolerance: float = 1e-6,
) -> LikelihoodRating:
    """The rating that maximises the likelihood of the results of all `contests`."""
    opponents, scores = _outcomes(contests)
    return mle_from_pairs(opponents, scores, low=low, high=high, tolerance=tolerance)


def mle_from_pairs(
    opponents: np.ndarray,
    scores: np.ndarray,
    *,
    low: float = LOW,
    high: float = HIGH,
    tolerance: float = 1e-6,
) -> LikelihoodRating:
    """The maximum-likelihood rating from the pairs themselves: each opponent's
    rating and the result against it (1 win, 0.5 tie, 0 loss)."""
    if len(opponents) == 0:
        raise ValueError("no opponents: a rating needs at least one pairwise result")
    wins = float(scores.sum())

    def gradient(r: float) -> float:
        return wins - float(win_probabilities(r, opponents).sum())

    if gradient(high) >= 0:
        return LikelihoodRating(high, wins, len(opponents), clamped=True)
    if gradient(low) <= 0:
        return LikelihoodRating(low, wins, len(opponents), clamped=True)
    lo, hi = low, high
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        if gradient(mid) > 0:
            lo = mid
        else:
            hi = mid
    return LikelihoodRating((lo + hi) / 2, wins, len(opponents))

"""CodeElo's per-contest performance rating and its mean over contests.

CodeElo (Quan et al., 2025) rates a model by its place in each contest: the
performance rating is the r at which the place the Elo curve expects equals the
actual place,

    1 + sum_i 1 / (1 + 10^((r - r_i) / 400)) = rank,

the sum running over the other participants i with ratings r_i (each term is the
probability that i beats a participant rated r). The left side falls strictly as r
grows, so bisection finds r. Over several contests the estimate is the mean of the
per-contest ratings.

A first place has no finite solution (the expected place only tends to 1), nor a
place beyond 1 + the number of others; the bisection then stops at the bound it was
given and the result says so (`clamped`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The search range of the bisection (ratings outside it are reported clamped).
LOW, HIGH = -1000.0, 6000.0


@dataclass(frozen=True)
class Performance:
    """A performance rating: the value, whether it hit a search bound, its estimator."""

    rating: float
    clamped: bool = False
    estimator: str = "codeelo"


def expected_rank(rating: float, others: Sequence[float] | np.ndarray) -> float:
    """The place the Elo curve expects for `rating` among `others`: 1 + sum P(i beats it)."""
    values = np.asarray(others, dtype=np.float64)
    return float(1.0 + (1.0 / (1.0 + 10.0 ** ((rating - values) / 400.0))).sum())


def performance_rating(
    rank: float,
    others: Sequence[float] | np.ndarray,
    *,
    low: float = LOW,
    high: float = HIGH,
    tolerance: float = 1e-6,
) -> Performance:
    """CodeElo's performance: the rating whose expected place among `others` is `rank`."""
    if rank < 1:
        raise ValueError(f"a rank is at least 1, got {rank}")
    values = np.asarray(others, dtype=np.float64)
    if expected_rank(high, values) >= rank:
        return Performance(high, clamped=True)
    if expected_rank(low, values) <= rank:
        return Performance(low, clamped=True)
    lo, hi = low, high
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        if expected_rank(mid, values) > rank:
            lo = mid
        else:
            hi = mid
    return Performance((lo + hi) / 2)


def mean_performance(performances: Sequence[Performance]) -> Performance:
    """CodeElo's rating over several contests: the mean of the per-contest ratings."""
    if not performances:
        raise ValueError("no contests to average")
    mean = sum(p.rating for p in performances) / len(performances)
    return Performance(mean, clamped=any(p.clamped for p in performances))

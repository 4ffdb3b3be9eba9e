"""The numbers behind the report's plots, per problem, as plain data: score against
the number of samples (n@k for a grid of k), score against the number of
submissions, and the cluster sizes of the public-filter survivors.

Scores are fractions of the problem's maximum (see `solver.contest.nk`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solver.candidates import Pool, task_score
from solver.cluster import cluster_candidates, public_filter
from solver.contest.nk import (
    Selector,
    best_of_random,
    oracle_fraction,
    paired_n_at_k,
    sample_ids,
)


@dataclass(frozen=True)
class CurvePoint:
    """One x of a curve: the strategy's, random's and the oracle's score fraction (the
    strategy's with its standard error over resamples, 0 when exact)."""

    x: int
    strategy: float
    strategy_stderr: float
    random: float
    oracle: float


@dataclass(frozen=True)
class ClusterSize:
    """One behaviour cluster of the survivors: its size in samples, its number of
    distinct programs, and whether its members get full points on the hidden tests
    (None when the pool has no hidden truth)."""

    size: int
    members: int
    correct: bool | None


def sample_grid(total: int, points: int = 8) -> list[int]:
    """The k of a samples curve: powers of two below the pool's size, and the size."""
    grid: list[int] = []
    k = 1
    while k < total and len(grid) < points - 1:
        grid.append(k)
        k *= 2
    grid.append(total)
    return grid


def samples_curve(
    pool: Pool,
    selector: Selector,
    n: int,
    ks: Sequence[int],
    trials: int,
    seed: int = 0,
) -> list[CurvePoint]:
    """n@k of the strategy, random and oracle for every k (AlphaCode's Algorithm 1,
    the three measured on the same resampled subsets)."""
    points = []
    for k in ks:
        paired = paired_n_at_k(pool, selector, n, k, trials, seed)
        points.append(
            CurvePoint(
                k,
                paired.strategy.mean,
                paired.strategy.stderr,
                paired.random.mean,
                paired.oracle.mean,
            )
        )
    return points


def submissions_curve(pool: Pool, submissions: Sequence[str], limit: int) -> list[CurvePoint]:
    """The score of the first m submissions for m = 1..limit, beside random's and the
    oracle's with m submissions from the whole pool."""
    if pool.max_points <= 0:
        return []
    total = len(sample_ids(pool))
    return [
        CurvePoint(
            m,
            task_score(pool, list(submissions[:m])) / pool.max_points,
            0.0,
            best_of_random(pool, min(m, total)),
            oracle_fraction(pool, m),
        )
        for m in range(1, limit + 1)
    ]


def cluster_sizes(pool: Pool) -> list[ClusterSize]:
    """The behaviour clusters of the candidates that pass the public tests."""
    clusters = cluster_candidates(public_filter(pool.candidates))
    sizes = []
    for cluster in clusters:
        correct = None
        if pool.truth:
            correct = all(pool.is_correct(member.id) for member in cluster.members)
        sizes.append(ClusterSize(cluster.size, len(cluster.members), correct))
    return sizes

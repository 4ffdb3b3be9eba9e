"""Evaluation of selection on judged pools: a strategy's score under a submission
limit, the expected score of random picks, the oracle, and selection efficiency.

Two ways to score k submissions (`mode`):

- "pass": pass/fail - 1 when any of them gets full points, else 0 (Codeforces, and the
  n@k of AlphaCode). Submitting stops at the first accepted.
- "ioi": IOI's task score - per subtask the best result over them, summed.

Random picks are k of the pool's samples drawn uniformly without replacement, where
a candidate written `sample_count` times counts that many times (the unbiased pass@k
of the pool); its expectation is exact. All functions are pure; randomness (the
strategies' tie-breaks) takes a seed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

from solver.candidates import Pool, task_score
from solver.scoring.learned import Scorer
from solver.select.policies import select
from solver.select.strategy import Strategy

MODES = ("pass", "ioi")
# Above this many k-subsets of Pareto-best outcomes the exact oracle gives way to the
# greedy cover.
EXACT_LIMIT = 200_000


def selection_score(pool: Pool, ids: Sequence[str], mode: str) -> float:
    """The score of submitting these candidates: pass/fail or IOI task score."""
    if mode == "pass":
        return float(any(pool.is_correct(candidate_id) for candidate_id in ids))
    return task_score(pool, list(ids))


def wrong_attempts(pool: Pool, ids: Sequence[str]) -> int:
    """Codeforces' count of rejected submissions before the first accepted (all if none)."""
    for index, candidate_id in enumerate(ids):
        if pool.is_correct(candidate_id):
            return index
    return len(ids)


def strategy_score(
    pool: Pool,
    strategy: Strategy,
    k: int,
    mode: str,
    *,
    seed: int = 0,
    scorer: Scorer | None = None,
) -> float:
    """The score of the strategy's first k submissions, with full feedback."""
    selection = select(pool, strategy, limit=k, seed=seed, feedback=pool.submit, scorer=scorer)
    return selection_score(pool, selection.ids, mode)


def mean_strategy_score(
    pool: Pool,
    strategy: Strategy,
    k: int,
    mode: str,
    *,
    seeds: Iterable[int] = range(1),
    scorer: Scorer | None = None,
) -> float:
    """The strategy's score averaged over seeds (its random tie-breaks and shuffles)."""
    scores = [strategy_score(pool, strategy, k, mode, seed=s, scorer=scorer) for s in seeds]
    return sum(scores) / len(scores)


def _expected_max(values: Sequence[tuple[float, int]], k: int) -> float:
    """The expected maximum of k draws without replacement from a multiset given as
    (value, count) pairs: the sum over thresholds t of the step above the previous
    one times P(max >= t) = 1 - C(N - #(>= t), k) / C(N, k)."""
    total = sum(count for _, count in values)
    k = min(k, total)
    if k <= 0:
        return 0.0
    expected, previous, at_least = 0.0, 0.0, total
    for value, count in sorted(values):
        if value > previous:
            expected += (value - previous) * (
                1.0 - math.comb(total - at_least, k) / math.comb(total, k)
            )
            previous = value
        at_least -= count
    return expected


def random_score(pool: Pool, k: int, mode: str) -> float:
    """The exact expected score of k samples drawn uniformly without replacement.

    "pass" is pass@k, 1 - C(n - c, k) / C(n, k); "ioi" is, by linearity of
    expectation, the sum over subtasks of the expected best of the k draws."""
    if mode == "pass":
        return _expected_max(
            [(float(pool.is_correct(c.id)), c.sample_count) for c in pool.candidates], k
        )
    return sum(
        _expected_max(
            [
                (pool.truth[c.id].subtask_points.get(subtask.name, 0.0), c.sample_count)
                for c in pool.candidates
            ],
            k,
        )
        for subtask in pool.subtasks
    )


def _pareto(vectors: Iterable[tuple[float, ...]]) -> list[tuple[float, ...]]:
    """The distinct vectors that no other vector dominates."""
    distinct = sorted(set(vectors), reverse=True)
    return [
        v
        for v in distinct
        if not any(w != v and all(a >= b for a, b in zip(w, v, strict=True)) for w in distinct)
    ]


def _cover(chosen: Sequence[tuple[float, ...]]) -> float:
    """The task score of a set of outcome vectors: per subtask the best, summed."""
    return float(sum(max(column) for column in zip(*chosen, strict=True))) if chosen else 0.0


def oracle_score(pool: Pool, k: int, mode: str) -> float:
    """The best score any k of the pool's candidates could get.

    "pass": 1 when any candidate is correct. "ioi": the maximum coverage over the
    candidates' per-subtask results - exact over the Pareto-best outcomes when there are
    at most EXACT_LIMIT k-subsets of them, else greedy (a lower bound)."""
    if k <= 0 or not pool.candidates:
        return 0.0
    if mode == "pass":
        return float(any(pool.is_correct(c.id) for c in pool.candidates))
    names = [subtask.name for subtask in pool.subtasks]
    vectors = _pareto(
        tuple(pool.truth[c.id].subtask_points.get(name, 0.0) for name in names)
        for c in pool.candidates
    )
    size = min(k, len(vectors))
    if math.comb(len(vectors), size) <= EXACT_LIMIT:
        return max(_cover(subset) for subset in itertools.combinations(vectors, size))
    chosen: list[tuple[float, ...]] = []
    for _ in range(size):
        chosen.append(max(vectors, key=lambda v: _cover([*chosen, v])))
    return _cover(chosen)


def efficiency(score: float, random_expected: float, oracle: float) -> float | None:
    """Selection efficiency (score - random) / (oracle - random); None when the oracle
    is no better than random (nothing to select)."""
    if oracle - random_expected <= 1e-12:
        return None
    return (score - random_expected) / (oracle - random_expected)

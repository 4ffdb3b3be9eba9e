"""Evaluation of selection on judged pools: a strategy's score under a submission
limit, the expected score of random picks, the oracle, and selection efficiency.

Two ways to score k submissions (`mode`):

- "pass": pass/fail - 1 when any of them gets full points, else 0 (Codeforces, and the
  n@k of AlphaCode). Submitting stops at the first accepted.
- "ioi": IOI's task score - per subtask the best result over them, summed.

Random picks are k of the pool's samples drawn uniformly without replacement, where
a candidate written `sample_count` times counts that many times (the unbiased pass@k
of the pool). All functions are pure; randomness takes a seed.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence

from solver.candidates import Pool, task_score
from solver.scoring.learned import Scorer
from solver.select.policies import select
from solver.select.strategy import Strategy

MODES = ("pass", "ioi")
# Above this many k-subsets an exact enumeration gives way to Monte Carlo (random)
# or the greedy cover (oracle).
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


def _samples(pool: Pool) -> list[str]:
    """The pool's samples: each candidate id repeated `sample_count` times."""
    return [c.id for c in pool.candidates for _ in range(c.sample_count)]


def random_pass(pool: Pool, k: int) -> float:
    """Exact expected pass/fail score of k random samples: 1 - C(n-c, k) / C(n, k)."""
    n = sum(candidate.sample_count for candidate in pool.candidates)
    c = sum(cand.sample_count for cand in pool.candidates if pool.is_correct(cand.id))
    k = min(k, n)
    if n == 0 or k == 0:
        return 0.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def random_score(pool: Pool, k: int, mode: str, *, seed: int = 0, trials: int = 4000) -> float:
    """Expected score of k uniformly random samples: exact for "pass", exact for "ioi"
    when there are at most EXACT_LIMIT k-subsets of samples, else Monte Carlo."""
    if mode == "pass":
        return random_pass(pool, k)
    samples = _samples(pool)
    k = min(k, len(samples))
    if not samples or k == 0:
        return 0.0
    if math.comb(len(samples), k) <= EXACT_LIMIT:
        subsets = list(itertools.combinations(samples, k))
        return sum(task_score(pool, list(subset)) for subset in subsets) / len(subsets)
    rng = random.Random(seed)
    return sum(task_score(pool, rng.sample(samples, k)) for _ in range(trials)) / trials


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

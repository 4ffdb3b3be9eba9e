"""The n@k estimator with filtering and clustering (AlphaCode, Algorithm 1), pass@k,
and the random and oracle baselines over the same resamples.

Notation (AlphaCode's): n@k is the expected score of n submissions chosen by a
strategy from k samples. A pool holds N samples (a candidate sampled 3 times counts
3) drawn once; Algorithm 1 estimates n@k for any k <= N without drawing again: take
a random subset of k of the N samples (without replacement), run the whole
strategy (filter, cluster, score, select) on that sub-pool, score its first n
submissions, and average over S subsets. Because every k-subset of an i.i.d. pool is
itself an i.i.d. draw of k samples, the average is an unbiased estimate of the score
the strategy would get from k fresh samples. When there are at most S subsets, all
are enumerated and the value is exact.

Scores are fractions of the problem's maximum (pass/fail: solved or not; IOI: the
task score over the subtasks of the submissions, divided by the maximum).

Baselines, on the same footing:
- random: n samples drawn uniformly without replacement; the n-subset of a uniform
  k-subset is a uniform n-subset of the pool, so random n@k does not depend on k and
  has a closed form: pass@n for pass/fail (1 - C(N-c, n) / C(N, n)), and per subtask
  the expected maximum of n draws for partial scores;
- oracle: the best n submissions from the k samples; with n at least the number of
  subtasks it gets every subtask's best, so oracle n@k is the expected per-subtask
  maximum over k draws (pass@k for pass/fail); with fewer submissions than subtasks
  it is estimated over the resamples with an exact oracle per resample.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from solver.candidates import Candidate, Pool, task_score

Selector = Callable[[Pool, int], Sequence[str]]
"""A strategy as the estimator sees it: (pool, limit) -> candidate ids in submission
order (it may call `pool.submit` for feedback, as IOI allows)."""


@dataclass(frozen=True)
class Estimate:
    """An estimated expected score (fraction of the maximum) over resamples: its
    mean, its standard error, the number of subsets scored and whether they were all
    the subsets (then the mean is exact and the error 0)."""

    mean: float
    stderr: float
    trials: int
    exhaustive: bool


def pass_at_k(samples: int, correct: int, k: int) -> float:
    """pass@k = 1 - C(N - c, k) / C(N, k): the chance that k samples drawn without
    replacement from N, c of them correct, include a correct one."""
    if not 0 <= correct <= samples or not 0 <= k <= samples:
        raise ValueError(f"need 0 <= c <= N and 0 <= k <= N, got N={samples} c={correct} k={k}")
    if samples - correct < k:
        return 1.0
    # the product form of the ratio (Chen et al. 2021), stable for large N
    miss = 1.0
    for i in range(samples - correct + 1, samples + 1):
        miss *= 1.0 - k / i
    return 1.0 - miss


def expected_max(values: Sequence[float], n: int) -> float:
    """The expected maximum of n values drawn without replacement from `values`:
    with the values sorted ascending, the i-th is the maximum with probability
    (C(i, n) - C(i-1, n)) / C(N, n)."""
    total = len(values)
    if not 1 <= n <= total:
        raise ValueError(f"need 1 <= n <= {total}, got n={n}")
    ordered = sorted(values)
    denominator = math.comb(total, n)
    result = 0.0
    previous = 0
    for i, value in enumerate(ordered, start=1):
        current = math.comb(i, n)
        if current != previous:
            result += value * ((current - previous) / denominator)
        previous = current
    return result


def sample_ids(pool: Pool) -> list[str]:
    """The pool's samples: each candidate id repeated `sample_count` times."""
    return [c.id for c in pool.candidates for _ in range(c.sample_count)]


def _per_subtask_values(pool: Pool) -> dict[str, list[float]]:
    """Per subtask, the points of every sample of the pool."""
    values: dict[str, list[float]] = {subtask.name: [] for subtask in pool.subtasks}
    for candidate in pool.candidates:
        outcome = pool.truth[candidate.id].subtask_points
        for name, column in values.items():
            column.extend([float(outcome.get(name, 0.0))] * candidate.sample_count)
    return values


def best_of_random(pool: Pool, n: int) -> float:
    """The expected score fraction of n samples drawn uniformly without replacement
    (the random baseline; independent of how many samples the strategy saw)."""
    if pool.max_points <= 0:
        return 0.0
    total = sum(c.sample_count for c in pool.candidates)
    n = min(n, total)
    if n == 0:
        return 0.0
    expected = sum(expected_max(column, n) for column in _per_subtask_values(pool).values())
    return expected / pool.max_points


def oracle_selection(pool: Pool, limit: int) -> list[str]:
    """The best `limit` submissions the pool allows (by the hidden truth): one best
    candidate per subtask when the limit allows, else the best combination of the
    distinct outcomes (exhaustive over the Pareto-optimal ones)."""
    if limit <= 0 or not pool.candidates:
        return []
    names = [subtask.name for subtask in pool.subtasks]

    def vector(candidate_id: str) -> tuple[float, ...]:
        points = pool.truth[candidate_id].subtask_points
        return tuple(float(points.get(name, 0.0)) for name in names)

    if limit >= len(names):
        chosen: list[str] = []
        for index in range(len(names)):
            best = max(pool.candidates, key=lambda c: vector(c.id)[index]).id
            if vector(best)[index] > 0 and best not in chosen:
                chosen.append(best)
        return chosen[:limit]
    representative: dict[tuple[float, ...], str] = {}
    for candidate in pool.candidates:
        representative.setdefault(vector(candidate.id), candidate.id)

    def dominated(v: tuple[float, ...]) -> bool:
        return any(
            w != v and all(a >= b for a, b in zip(w, v, strict=True)) for w in representative
        )

    vectors = [v for v in representative if not dominated(v)]
    if len(vectors) <= limit:
        return [representative[v] for v in vectors]

    def value(combo: Sequence[tuple[float, ...]]) -> float:
        return sum(max(column) for column in zip(*combo, strict=True))

    best_combo = max(itertools.combinations(vectors, limit), key=value)
    return [representative[v] for v in best_combo]


def oracle_fraction(pool: Pool, limit: int) -> float:
    """The oracle's score fraction with `limit` submissions on this pool."""
    if pool.max_points <= 0:
        return 0.0
    return task_score(pool, oracle_selection(pool, limit)) / pool.max_points


def subpool(pool: Pool, chosen: Sequence[str]) -> Pool:
    """The pool restricted to the chosen samples (candidate ids, repeated per sample):
    candidates that were not chosen disappear, the others keep the chosen count."""
    counts = Counter(chosen)
    kept: list[Candidate] = [
        replace(c, sample_count=counts[c.id]) for c in pool.candidates if counts[c.id]
    ]
    return replace(pool, candidates=tuple(kept))


def _subsets(
    samples: list[str], k: int, trials: int, seed: int
) -> tuple[Iterator[Sequence[str]], int, bool]:
    """The k-subsets to score: all of them when there are at most `trials`, else
    `trials` uniform random ones (seeded)."""
    count = math.comb(len(samples), k)
    if count <= trials:
        combos = itertools.combinations(range(len(samples)), k)
        return ([samples[i] for i in combo] for combo in combos), count, True
    rng = random.Random(seed)
    return (rng.sample(samples, k) for _ in range(trials)), trials, False


def _estimate(values: list[float], exhaustive: bool) -> Estimate:
    mean = sum(values) / len(values)
    if exhaustive or len(values) < 2:
        return Estimate(mean, 0.0, len(values), exhaustive)
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return Estimate(mean, math.sqrt(variance / len(values)), len(values), exhaustive)


def n_at_k(
    pool: Pool,
    selector: Selector,
    n: int,
    k: int,
    trials: int = 100,
    seed: int = 0,
) -> Estimate:
    """AlphaCode's Algorithm 1: the expected score fraction of the first n
    submissions `selector` makes from k samples, estimated over `trials` random
    k-subsets of the pool's samples (all subsets when there are no more)."""
    samples = sample_ids(pool)
    if not 1 <= k <= len(samples):
        raise ValueError(f"k must be between 1 and the pool's {len(samples)} samples, got {k}")
    if pool.max_points <= 0:
        return Estimate(0.0, 0.0, 0, True)
    subsets, _, exhaustive = _subsets(samples, k, trials, seed)
    values = []
    for chosen in subsets:
        sub = subpool(pool, chosen)
        submitted = list(selector(sub, n))[:n]
        values.append(task_score(sub, submitted) / pool.max_points)
    return _estimate(values, exhaustive)


@dataclass(frozen=True)
class Paired:
    """n@k of a strategy and of both baselines, measured on the same subsets (so the
    oracle is never below the strategy on any of them)."""

    strategy: Estimate
    random: Estimate
    oracle: Estimate


def paired_n_at_k(
    pool: Pool,
    selector: Selector,
    n: int,
    k: int,
    trials: int = 100,
    seed: int = 0,
) -> Paired:
    """Algorithm 1 for the strategy with the random (expected score of n uniform
    samples of the subset) and oracle (best n of the subset) baselines on the same
    k-subsets: common random numbers, for curves that can be compared point by point."""
    samples = sample_ids(pool)
    if not 1 <= k <= len(samples):
        raise ValueError(f"k must be between 1 and the pool's {len(samples)} samples, got {k}")
    if pool.max_points <= 0:
        zero = Estimate(0.0, 0.0, 0, True)
        return Paired(zero, zero, zero)
    subsets, _, exhaustive = _subsets(samples, k, trials, seed)
    strategy, baseline, oracle = [], [], []
    for chosen in subsets:
        sub = subpool(pool, chosen)
        submitted = list(selector(sub, n))[:n]
        strategy.append(task_score(sub, submitted) / pool.max_points)
        baseline.append(best_of_random(sub, min(n, k)))
        oracle.append(oracle_fraction(sub, n))
    return Paired(
        _estimate(strategy, exhaustive),
        _estimate(baseline, exhaustive),
        _estimate(oracle, exhaustive),
    )


def oracle_n_at_k(pool: Pool, n: int, k: int, trials: int = 100, seed: int = 0) -> Estimate:
    """The oracle's n@k: exact (the expected per-subtask maximum of k draws) when n
    covers every subtask, else estimated over the same resamples as `n_at_k`."""
    samples = sample_ids(pool)
    if not 1 <= k <= len(samples):
        raise ValueError(f"k must be between 1 and the pool's {len(samples)} samples, got {k}")
    if n >= len(pool.subtasks):
        return Estimate(best_of_random(pool, k), 0.0, 0, True)
    subsets, _, exhaustive = _subsets(samples, k, trials, seed)
    values = [oracle_fraction(subpool(pool, chosen), n) for chosen in subsets]
    return _estimate(values, exhaustive)


def random_n_at_k(pool: Pool, n: int, k: int) -> Estimate:
    """The random baseline's n@k: n uniform samples out of k uniform samples are n
    uniform samples of the pool, so it is exact and independent of k (n <= k)."""
    return Estimate(best_of_random(pool, min(n, k)), 0.0, 0, True)

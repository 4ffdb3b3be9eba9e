"""n@k (AlphaCode's Algorithm 1), pass@k and the random/oracle baselines against
brute-force enumeration of every subset on small pools."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.candidates import Candidate, Outcome, Pool, Subtask
from solver.contest.nk import (
    best_of_random,
    expected_max,
    n_at_k,
    oracle_n_at_k,
    paired_n_at_k,
    pass_at_k,
    random_n_at_k,
)


def largest_cluster_first(pool: Pool, limit: int) -> list[str]:
    """A clustering strategy: public filter, one per behaviour class, largest first."""
    groups: dict[tuple[str, ...], list[Candidate]] = {}
    for candidate in pool.candidates:
        if candidate.passes_public:
            groups.setdefault(candidate.behaviour, []).append(candidate)
    ordered = sorted(
        groups.values(),
        key=lambda members: (-sum(m.sample_count for m in members), min(m.id for m in members)),
    )
    return [min(members, key=lambda m: m.id).id for members in ordered][:limit]


@st.composite
def pools(draw: st.DrawFn) -> Pool:
    """Small pools: 1-5 candidates, 1-3 samples each, 1-2 subtasks, varied truth."""
    subtask_count = draw(st.integers(1, 2))
    subtasks = tuple(Subtask(f"s{i}", float(10 * (i + 1))) for i in range(subtask_count))
    count = draw(st.integers(1, 5))
    candidates = []
    truth = {}
    for i in range(count):
        cid = f"c{i}"
        candidates.append(
            Candidate(
                id=cid,
                language="cpp",
                source_length=10,
                sample_count=draw(st.integers(1, 3)),
                public_passed=draw(st.integers(0, 1)),
                public_total=1,
                behaviour=(draw(st.sampled_from("ab")),),
            )
        )
        truth[cid] = Outcome(
            {s.name: draw(st.sampled_from([0.0, s.points / 2, s.points])) for s in subtasks}
        )
    return Pool("p", tuple(candidates), subtasks, ("in",), truth)


def expand(pool: Pool) -> list[str]:
    return [c.id for c in pool.candidates for _ in range(c.sample_count)]


def restricted(pool: Pool, chosen: Sequence[str]) -> Pool:
    counts = Counter(chosen)
    kept = tuple(
        Candidate(**{**c.__dict__, "sample_count": counts[c.id]})
        for c in pool.candidates
        if counts[c.id]
    )
    return Pool(pool.problem, kept, pool.subtasks, pool.generated_inputs, pool.truth)


def score(pool: Pool, submitted: Sequence[str]) -> float:
    total = 0.0
    for subtask in pool.subtasks:
        total += max((pool.truth[c].subtask_points[subtask.name] for c in submitted), default=0.0)
    return total / pool.max_points


def brute_values(pool: Pool, n: int, k: int) -> list[float]:
    samples = expand(pool)
    values = []
    for combo in itertools.combinations(range(len(samples)), k):
        sub = restricted(pool, [samples[i] for i in combo])
        values.append(score(sub, largest_cluster_first(sub, n)))
    return values


def brute_oracle(pool: Pool, n: int, k: int) -> float:
    samples = expand(pool)
    values = []
    for combo in itertools.combinations(range(len(samples)), k):
        distinct = sorted({samples[i] for i in combo})
        best = max(
            score(pool, list(picks))
            for size in range(1, min(n, len(distinct)) + 1)
            for picks in itertools.combinations(distinct, size)
        )
        values.append(best)
    return sum(values) / len(values)


@settings(max_examples=60, deadline=None)
@given(pools(), st.data())
def test_n_at_k_matches_brute_force(pool: Pool, data: st.DataObject) -> None:
    total = len(expand(pool))
    k = data.draw(st.integers(1, total))
    n = data.draw(st.integers(1, 3))
    values = brute_values(pool, n, k)
    exact = sum(values) / len(values)
    estimate = n_at_k(pool, largest_cluster_first, n, k, trials=10**6)
    assert estimate.exhaustive
    assert estimate.mean == pytest.approx(exact, abs=1e-12)
    # resampled (fewer trials than subsets): within 6 standard errors of the truth
    if len(values) > 20:
        trials = 20
        sampled = n_at_k(pool, largest_cluster_first, n, k, trials=trials, seed=7)
        assert not sampled.exhaustive
        sd = math.sqrt(sum((v - exact) ** 2 for v in values) / len(values))
        assert abs(sampled.mean - exact) <= 6 * sd / math.sqrt(trials) + 1e-12


@settings(max_examples=40, deadline=None)
@given(pools(), st.data())
def test_paired_estimates_agree_with_the_separate_ones(pool: Pool, data: st.DataObject) -> None:
    samples = expand(pool)
    k = data.draw(st.integers(1, len(samples)))
    n = data.draw(st.integers(1, 3))
    paired = paired_n_at_k(pool, largest_cluster_first, n, k, trials=10**6)
    assert paired.strategy.mean == pytest.approx(
        sum(brute_values(pool, n, k)) / math.comb(len(samples), k)
    )
    assert paired.random.mean == pytest.approx(best_of_random(pool, min(n, k)), abs=1e-12)
    assert paired.oracle.mean == pytest.approx(brute_oracle(pool, n, k), abs=1e-12)
    # on the same subsets the oracle is never below the strategy, even when resampled
    sampled = paired_n_at_k(pool, largest_cluster_first, n, k, trials=5, seed=3)
    assert sampled.oracle.mean >= sampled.strategy.mean - 1e-12


@settings(max_examples=60, deadline=None)
@given(pools(), st.data())
def test_baselines_match_brute_force(pool: Pool, data: st.DataObject) -> None:
    samples = expand(pool)
    k = data.draw(st.integers(1, len(samples)))
    n = data.draw(st.integers(1, k))
    # random: n uniform samples out of the k
    random_exact = sum(
        score(pool, [samples[i] for i in combo])
        for combo in itertools.combinations(range(len(samples)), n)
    ) / math.comb(len(samples), n)
    assert random_n_at_k(pool, n, k).mean == pytest.approx(random_exact, abs=1e-12)
    assert best_of_random(pool, n) == pytest.approx(random_exact, abs=1e-12)
    assert oracle_n_at_k(pool, n, k, trials=10**6).mean == pytest.approx(
        brute_oracle(pool, n, k), abs=1e-12
    )


@given(st.integers(1, 12), st.data())
def test_pass_at_k_matches_enumeration(total: int, data: st.DataObject) -> None:
    correct = data.draw(st.integers(0, total))
    k = data.draw(st.integers(0, total))
    hits = sum(any(i < correct for i in combo) for combo in itertools.combinations(range(total), k))
    assert pass_at_k(total, correct, k) == pytest.approx(hits / math.comb(total, k), abs=1e-12)


def test_hand_computed_values() -> None:
    # 4 samples, 1 correct: one draw finds it with 1/4, two with 1 - 3/4 * 2/3 = 1/2
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 2) == pytest.approx(0.5)
    # max of 2 of (0, 5, 10): pairs (0,5) (0,10) (5,10) -> (5 + 10 + 10) / 3
    assert expected_max([0, 5, 10], 2) == pytest.approx(25 / 3)
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)

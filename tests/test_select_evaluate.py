"""Random, oracle and efficiency maths against brute-force enumeration."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.candidates import Outcome, Pool, task_score
from solver.select.evaluate import (
    efficiency,
    oracle_score,
    random_score,
    selection_score,
    strategy_score,
    wrong_attempts,
)
from solver.select.strategy import find_strategy
from tests.test_select_pools import candidate, ioi_pools, pass_fail_pools


def brute_random(pool: Pool, k: int, mode: str) -> float:
    """Average score over every k-subset of sample positions."""
    samples = [c.id for c in pool.candidates for _ in range(c.sample_count)]
    k = min(k, len(samples))
    subsets = list(itertools.combinations(range(len(samples)), k))
    total = 0.0
    for subset in subsets:
        ids = [samples[i] for i in subset]
        if mode == "pass":
            total += float(any(pool.truth[i].points >= pool.max_points for i in ids))
        else:
            total += task_score(pool, ids)
    return total / len(subsets)


def brute_oracle(pool: Pool, k: int, mode: str) -> float:
    """The best score over every set of at most k candidates."""
    ids = [c.id for c in pool.candidates]
    best = 0.0
    for size in range(1, min(k, len(ids)) + 1):
        for subset in itertools.combinations(ids, size):
            best = max(best, selection_score(pool, subset, mode))
    return best


@settings(max_examples=60, deadline=None)
@given(pool=pass_fail_pools(), k=st.integers(1, 4))
def test_random_pass_is_exact(pool: Pool, k: int) -> None:
    assert random_score(pool, k, "pass") == pytest.approx(brute_random(pool, k, "pass"))


@settings(max_examples=60, deadline=None)
@given(pool=ioi_pools(max_candidates=5), k=st.integers(1, 3))
def test_random_ioi_is_exact(pool: Pool, k: int) -> None:
    assert random_score(pool, k, "ioi") == pytest.approx(brute_random(pool, k, "ioi"))


@settings(max_examples=60, deadline=None)
@given(pool=ioi_pools(max_candidates=6), k=st.integers(1, 4))
def test_oracle_ioi_is_the_best_subset(pool: Pool, k: int) -> None:
    assert oracle_score(pool, k, "ioi") == pytest.approx(brute_oracle(pool, k, "ioi"))


@settings(max_examples=40, deadline=None)
@given(pool=pass_fail_pools(), k=st.integers(1, 4))
def test_oracle_pass_and_bounds(pool: Pool, k: int) -> None:
    oracle = oracle_score(pool, k, "pass")
    assert oracle == brute_oracle(pool, k, "pass")
    strategy = find_strategy("alphacode")
    score = strategy_score(pool, strategy, k, "pass")
    assert random_score(pool, k, "pass") <= oracle + 1e-12
    assert score <= oracle


def test_efficiency() -> None:
    assert efficiency(0.5, 0.5, 0.5) is None
    assert efficiency(1.0, 0.25, 1.0) == pytest.approx(1.0)
    assert efficiency(0.25, 0.25, 1.0) == pytest.approx(0.0)
    assert efficiency(0.625, 0.25, 1.0) == pytest.approx(0.5)


def test_wrong_attempts_counts_rejections_before_the_first_accepted() -> None:
    pool = Pool(
        "p",
        (candidate("a", ()), candidate("b", ()), candidate("c", ())),
        truth={
            "a": Outcome({"all": 0.0}),
            "b": Outcome({"all": 1.0}),
            "c": Outcome({"all": 0.0}),
        },
    )
    assert wrong_attempts(pool, ["a", "c", "b", "a"]) == 2
    assert wrong_attempts(pool, ["a", "c"]) == 2
    assert wrong_attempts(pool, ["b"]) == 0

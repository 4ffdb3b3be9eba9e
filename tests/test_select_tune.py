"""Random-search tuning of a strategy's weights."""

from __future__ import annotations

import dataclasses
import random

import pytest

from solver.candidates import Outcome, Pool
from solver.select.strategy import find_strategy
from solver.select.tune import objective, tune, tune_folds
from tests.test_select_pools import candidate


def majority_pool(seed: int) -> Pool:
    """The correct candidates form the largest cluster; the wrong ones are alone."""
    rng = random.Random(seed)
    members, truth = [], {}
    for index in range(rng.randint(3, 5)):
        members.append(candidate(f"ok{index}", ("r", "r")))
        truth[f"ok{index}"] = Outcome({"all": 1.0})
    for index in range(rng.randint(3, 6)):
        members.append(candidate(f"w{index}", (f"x{index}", "r")))
        truth[f"w{index}"] = Outcome({"all": 0.0})
    return Pool(f"p{seed}", tuple(members), generated_inputs=("1", "2"), truth=truth)


def test_tune_recovers_from_bad_weights_and_never_gets_worse() -> None:
    pools = [majority_pool(seed) for seed in range(4)]
    bad = dataclasses.replace(
        find_strategy("cpsolve"), weights={"log_cluster_size": -1.0}, cluster_penalty=0.0
    )
    assert objective(pools, bad, 1, "pass", (0,)) == 0.0
    result = tune(pools, bad, trials=20, limit=1, seed=3)
    assert result.start_score == 0.0
    assert result.score == 1.0 == objective(pools, result.strategy, 1, "pass", (0,))
    assert result.strategy.weights["log_cluster_size"] > 0
    good = tune(pools, result.strategy, trials=5, seed=4)
    assert good.score >= result.score and good.strategy == result.strategy


def test_tune_folds_tunes_each_pool_on_the_others() -> None:
    pools = [majority_pool(seed) for seed in range(4)]
    tuned = tune_folds(pools, find_strategy("cpsolve"), folds=2, trials=3, seed=1)
    assert len(tuned) == 4
    assert tuned[0] == tuned[2] and tuned[1] == tuned[3]
    with pytest.raises(ValueError, match="needs at least"):
        tune_folds(pools[:1], find_strategy("cpsolve"), folds=2)

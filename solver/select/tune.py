"""Random search over a strategy's weights by simulating the submission process on
training pools, as o1-ioi tuned its selection.

Each trial either draws every weight of the strategy uniformly from [-spread, spread]
(and, for the `subtasks` ordering, the cluster penalty from [0, spread]) or perturbs
the best trial so far (`draw_trial`); the objective is
the mean score over the pools of the strategy's first `limit` submissions with full
feedback (`solver.select.evaluate.strategy_score`), averaged over the tie-break seeds.
Trial 0 is the strategy as given, and a trial replaces the best only when strictly
better, so tuning never returns something worse on the training pools.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from solver.candidates import Pool
from solver.scoring.learned import Scorer
from solver.select.evaluate import mean_strategy_score
from solver.select.strategy import Strategy


@dataclass(frozen=True)
class TuneResult:
    """The best strategy found, its objective, the starting objective, trials run."""

    strategy: Strategy
    score: float
    start_score: float
    trials: int


def objective(
    pools: Sequence[Pool],
    strategy: Strategy,
    limit: int,
    mode: str,
    seeds: Sequence[int],
    scorer: Scorer | None = None,
) -> float:
    """Mean over the pools of the strategy's simulated score under the limit."""
    scores = [
        mean_strategy_score(pool, strategy, limit, mode, seeds=seeds, scorer=scorer)
        for pool in pools
    ]
    return sum(scores) / len(scores)


def draw_trial(strategy: Strategy, best: Strategy, rng: random.Random, spread: float) -> Strategy:
    """A random variant: every other trial draws the weights (and, for the `subtasks`
    ordering, the cluster penalty) uniformly, the others perturb the best so far with
    Gaussian noise of deviation spread / 4 (a local random search)."""
    local = rng.random() < 0.5
    if local:
        weights = {k: w + rng.gauss(0.0, spread / 4) for k, w in best.weights.items()}
        penalty = max(0.0, best.cluster_penalty + rng.gauss(0.0, spread / 4))
    else:
        weights = {name: rng.uniform(-spread, spread) for name in strategy.weights}
        penalty = rng.uniform(0.0, spread)
    if strategy.ordering != "subtasks":
        penalty = strategy.cluster_penalty
    return replace(strategy, weights=weights, cluster_penalty=penalty)


def tune(
    pools: Sequence[Pool],
    strategy: Strategy,
    *,
    trials: int = 50,
    limit: int = 1,
    mode: str = "pass",
    spread: float = 3.0,
    seed: int = 0,
    seeds: Sequence[int] = (0,),
    scorer: Scorer | None = None,
) -> TuneResult:
    """The best of `trials` random variants of the strategy (trial 0: as given)."""
    if not pools:
        raise ValueError("tuning needs at least one training pool")
    rng = random.Random(seed)
    start = objective(pools, strategy, limit, mode, seeds, scorer)
    best, best_score = strategy, start
    for _ in range(trials - 1):
        trial = draw_trial(strategy, best, rng, spread)
        score = objective(pools, trial, limit, mode, seeds, scorer)
        if score > best_score + 1e-12:
            best, best_score = trial, score
    return TuneResult(best, best_score, start, trials)


def fold_of(index: int, folds: int) -> int:
    """The cross-validation fold of the pool at this position (round-robin)."""
    return index % folds


def tune_folds(
    pools: Sequence[Pool], strategy: Strategy, *, folds: int = 2, **options: object
) -> list[Strategy]:
    """Cross-validated tuning: for each pool, the strategy tuned on the pools of the
    other folds only, so no pool is scored by weights tuned on it. `options` go to
    `tune` (trials, limit, mode, spread, seed, seeds, scorer)."""
    if folds < 2 or len(pools) < folds:
        raise ValueError(f"{folds}-fold tuning needs at least {max(folds, 2)} pools")
    tuned = [
        tune(
            [p for i, p in enumerate(pools) if fold_of(i, folds) != fold],
            strategy,
            **options,  # type: ignore[arg-type]
        ).strategy
        for fold in range(folds)
    ]
    return [tuned[fold_of(index, folds)] for index in range(len(pools))]

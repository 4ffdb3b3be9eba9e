"""`cpsolve select RUN --strategy NAME --limit K [--json]`: the chosen submissions of
a judged pool (a run folder's pool.json, or a pool file), in order, with why."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solver.scoring.learned import Scorer


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `select` parser."""
    parser = sub.add_parser("select", help="choose the submissions of a judged pool")
    parser.add_argument("run", help="run folder (its judged pool.json) or a pool file")
    parser.add_argument("--strategy", default="cpsolve", help="strategy name or YAML file")
    parser.add_argument("--limit", type=int, default=None, help="most submissions")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random tie-breaks")
    parser.add_argument("--scorer", default=None, help="learned scorer file (scoring: learned)")
    parser.add_argument(
        "--simulate",
        action="store_true",
        help="use the pool's hidden verdicts as contest feedback and print them",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def user_errors() -> tuple[type[Exception], ...]:
    """Errors that are the user's input: pool, strategy and scorer files."""
    from solver.poolfile import PoolFileError
    from solver.scoring.learned import ScorerFileError
    from solver.select.strategy import StrategyError

    return (PoolFileError, StrategyError, ScorerFileError)


def load_scorer_for(strategy_scorer: str | None, given: str | None) -> Scorer | None:
    """The learned scorer named on the command line, else by the strategy, else None."""
    from solver.scoring.learned import load_scorer

    path = given or strategy_scorer
    return load_scorer(Path(path)) if path else None


def run(args: argparse.Namespace) -> int:
    """Print the strategy's submissions for the pool, in order, with why each."""
    from solver.poolfile import load_pool_or_run
    from solver.select.evaluate import selection_score, wrong_attempts
    from solver.select.policies import select
    from solver.select.strategy import find_strategy

    pool = load_pool_or_run(Path(args.run))
    strategy = find_strategy(args.strategy)
    scorer = load_scorer_for(strategy.scorer, args.scorer)
    feedback = pool.submit if args.simulate else None
    selection = select(
        pool, strategy, limit=args.limit, seed=args.seed, feedback=feedback, scorer=scorer
    )
    rows = [
        {
            "order": index + 1,
            "candidate": s.candidate_id,
            "cluster": s.cluster_rank,
            "cluster_size": s.cluster_size,
            "score": s.score,
            "subtask": s.subtask,
            "why": s.why(),
            **({"points": s.outcome.points} if s.outcome else {}),
        }
        for index, s in enumerate(selection.submissions)
    ]
    summary = {
        "problem": pool.problem,
        "strategy": strategy.name,
        "candidates": len(pool.candidates),
        "survivors": selection.survivors,
        "clusters": selection.clusters,
        "submissions": rows,
    }
    if args.simulate:
        summary["task_score"] = selection_score(pool, selection.ids, "ioi")
        summary["accepted"] = bool(selection_score(pool, selection.ids, "pass"))
        summary["wrong_attempts"] = wrong_attempts(pool, selection.ids)
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(
        f"{pool.problem}: strategy {strategy.name}, {len(pool.candidates)} candidates, "
        f"{selection.survivors} after the filter, {selection.clusters} clusters"
    )
    for row in rows:
        points = f"  -> {row['points']:g} points" if "points" in row else ""
        print(f"{row['order']:3d}. {row['candidate']}  {row['why']}{points}")
    if args.simulate:
        print(
            f"task score {summary['task_score']:g} of {pool.max_points:g}; "
            f"accepted: {'yes' if summary['accepted'] else 'no'}; "
            f"wrong attempts: {summary['wrong_attempts']}"
        )
    return 0

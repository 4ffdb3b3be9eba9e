"""`cpsolve tune RUN... --strategy NAME --out FILE`: random search over a strategy's
weights, simulating the submission process on judged training pools (o1-ioi)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `tune` parser."""
    parser = sub.add_parser("tune", help="tune a strategy's weights on training pools")
    parser.add_argument("runs", nargs="+", help="run folders or pool files, with hidden verdicts")
    parser.add_argument("--strategy", default="cpsolve", help="strategy name or YAML file")
    parser.add_argument("--out", required=True, help="tuned strategy file to write")
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--limit", type=int, default=1, help="submissions simulated")
    parser.add_argument("--mode", choices=("pass", "ioi"), default="pass")
    parser.add_argument("--spread", type=float, default=3.0, help="weights drawn in +-spread")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scorer", default=None, help="learned scorer file (scoring: learned)")
    parser.set_defaults(handler=run)


def user_errors() -> tuple[type[Exception], ...]:
    """Errors that are the user's input: pool, strategy and scorer files."""
    from solver.cli.select import user_errors as select_errors

    return select_errors()


def run(args: argparse.Namespace) -> int:
    """Tune and write the best strategy found as a strategy file."""
    from dataclasses import replace

    from solver.cli.select import load_scorer_for
    from solver.poolfile import load_pool_or_run
    from solver.select.strategy import find_strategy, strategy_to_yaml
    from solver.select.tune import tune

    pools = [load_pool_or_run(Path(name)) for name in args.runs]
    strategy = find_strategy(args.strategy)
    result = tune(
        pools,
        strategy,
        trials=args.trials,
        limit=args.limit,
        mode=args.mode,
        spread=args.spread,
        seed=args.seed,
        scorer=load_scorer_for(strategy.scorer, args.scorer),
    )
    tuned = replace(result.strategy, name=Path(args.out).stem)
    Path(args.out).write_text(strategy_to_yaml(tuned), encoding="utf-8")
    print(
        f"{strategy.name}: mean score {result.start_score:.4f} -> {result.score:.4f} over "
        f"{len(pools)} pools ({result.trials} trials, limit {args.limit}, {args.mode}); "
        f"wrote {args.out}"
    )
    return 0

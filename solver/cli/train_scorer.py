"""`cpsolve train-scorer RUN... --out FILE`: train the learned candidate scorer on
judged pools (run folders or pool files; label: full points on the hidden tests)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `train-scorer` parser."""
    parser = sub.add_parser("train-scorer", help="train the learned scorer on judged pools")
    parser.add_argument("runs", nargs="+", help="run folders or pool files, with hidden verdicts")
    parser.add_argument("--out", required=True, help="scorer file to write")
    parser.add_argument("--hidden", type=int, default=16, help="hidden units (0: logistic)")
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(handler=run)


def user_errors() -> tuple[type[Exception], ...]:
    """Errors that are the user's input: pool files."""
    from solver.poolfile import PoolFileError

    return (PoolFileError,)


def run(args: argparse.Namespace) -> int:
    """Train on every pool's candidates and write the scorer file."""
    from solver.poolfile import PoolFileError, load_pool_or_run
    from solver.scoring.learned import pool_examples, save_scorer, train_scorer

    examples = []
    for name in args.runs:
        pool = load_pool_or_run(Path(name))
        missing = [c.id for c in pool.candidates if c.id not in pool.truth]
        if missing:
            raise PoolFileError(name, f"no hidden verdict for {len(missing)} candidates")
        examples.extend(pool_examples(pool))
    scorer = train_scorer(examples, hidden=args.hidden, epochs=args.epochs, seed=args.seed)
    save_scorer(scorer, Path(args.out))
    positives = sum(example.label for example in examples)
    print(
        f"trained on {len(examples)} candidates ({positives} correct) from "
        f"{len(args.runs)} pools; wrote {args.out}"
    )
    return 0

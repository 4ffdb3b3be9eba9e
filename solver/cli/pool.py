"""`cpsolve pool RUN`: summarise a run's candidate pool."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `pool` parser."""
    parser = sub.add_parser("pool", help="summarise the candidate pool of a run")
    parser.add_argument("run", help="run directory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Summarise a run's pool: distinct programs, languages, extraction failures."""
    from problems.errors import ProblemError
    from solver.pool_summary import describe_pool

    folder = Path(args.run)
    if not (folder / "run.sqlite").exists():
        raise ProblemError(folder, "no run here (run.sqlite is missing)")
    print(describe_pool(folder))
    return 0

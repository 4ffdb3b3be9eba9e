"""`cpsolve contest CONTEST.yaml`: solve every problem, simulate the contest under its
rules, and write the report (JSON, table, plots) into the run folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from solver.cli.solve import add_engine_arguments, solve_options


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `contest` parser."""
    parser = sub.add_parser(
        "contest", help="simulate a contest: standings, baselines, rating, plots"
    )
    parser.add_argument("contest", help="contest file (YAML)")
    add_engine_arguments(parser, "the default model, 2 samples, plus mutants, 50")
    parser.add_argument(
        "--run", default=None, help="run directory, resumed if it exists (default runs/NAME)"
    )
    parser.add_argument(
        "--curve-trials", type=int, default=20, help="resamples per point of the n@k curve"
    )
    parser.set_defaults(handler=run)


def user_errors() -> tuple[type[Exception], ...]:
    """Errors that are the user's input (contest, standings, strategy, run folders)."""
    from solver.cli.solve import user_errors as solve_errors
    from solver.contest.contestfile import ContestFileError

    return (*solve_errors(), ContestFileError)


def run(args: argparse.Namespace) -> int:
    """Simulate the contest and print the readable report and where the files are."""
    from solver.contest.contestfile import load_contest
    from solver.solve.contest import CONTEST_ENGINES, solve_contest

    contest = load_contest(Path(args.contest))
    options = solve_options(args, CONTEST_ENGINES)
    run_dir = Path(args.run) if args.run else Path("runs") / Path(args.contest).stem
    outcome = solve_contest(contest, run_dir, options, curve_trials=args.curve_trials)
    print(outcome.text)
    print()
    for name, path in outcome.files.items():
        print(f"{name}: {path}")
    print(f"report written under {run_dir.resolve()}")
    return 0

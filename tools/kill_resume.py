"""Sample one problem into a run directory with the `mutants` engine - the
process that tests/test_sample_resume.py kills with SIGKILL and starts again.

    python tools/kill_resume.py PROBLEM_DIR RUN_DIR --n 2000 --chunk-size 50 --seed 1

Prints the SampleReport as one JSON line when it finishes."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from problems.load import load_problem
from solver.sample import sample_problem
from solver.sampling.engine import SamplingParams
from solver.sampling.mutants import MutantsEngine
from solver.store import RunStore


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments of the sampling run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("problem", type=Path, help="problem package folder")
    parser.add_argument("run_dir", type=Path, help="run directory (holds run.sqlite)")
    parser.add_argument("--n", type=int, default=2000, help="samples per prompt")
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--languages", default="cpp,python", help="comma-separated")
    parser.add_argument("--progress", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run (or resume) the sampling run the arguments describe."""
    args = parse_args(argv)
    problem = load_problem(args.problem)
    languages = tuple(args.languages.split(","))
    engine = MutantsEngine(problem, languages)
    params = SamplingParams(seed=args.seed)
    with RunStore.open(args.run_dir) as store:
        report = sample_problem(
            problem,
            engine,
            store,
            n=args.n,
            params=params,
            languages=languages,
            chunk_size=args.chunk_size,
            progress=args.progress,
        )
    print(json.dumps(dataclasses.asdict(report)), flush=True)


if __name__ == "__main__":
    main()

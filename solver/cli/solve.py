"""`cpsolve solve PROBLEM`: sample, judge, generate tests, cluster, score and select;
print the submissions in order (and, with hidden tests, their verdicts and score)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from solver.prompts.templates import LANGUAGE_TEMPLATES


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """--language: a language a prompt can ask for (the prompt templates' keys),
    repeatable; shared by `sample`, `solve` and `contest`."""
    parser.add_argument(
        "--language",
        action="append",
        choices=tuple(LANGUAGE_TEMPLATES),
        help="language to ask for (repeatable; default cpp)",
    )


def add_engine_arguments(parser: argparse.ArgumentParser, default_help: str) -> None:
    """The candidate-source options shared by `solve` and `contest`."""
    parser.add_argument(
        "--engine",
        action="append",
        help=f"candidate source, repeatable (default = the default model, llamacpp, hf, vllm, "
        f"openai, mutants, replay; "
        f"default: {default_help})",
    )
    parser.add_argument(
        "--model",
        action="append",
        help="model of each --engine in order (one per engine, '-' for the default)",
    )
    parser.add_argument(
        "-n",
        type=int,
        action="append",
        help="samples per prompt of each --engine in order (one value: for all)",
    )
    parser.add_argument("--strategy", default=None, help="selection strategy (default: cpsolve)")
    add_language_option(parser)
    parser.add_argument("--generated-inputs", type=int, default=None, help="generated inputs")
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None, help="judge workers")
    parser.add_argument(
        "--cache",
        default=None,
        help="judge cache folder (default $CPSOLVE_CACHE or ~/.cache/cpsolve)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `solve` parser."""
    parser = sub.add_parser("solve", help="solve one problem: sample, judge, select, submit")
    parser.add_argument("problem", help="problem package folder")
    add_engine_arguments(parser, "the default model, 100 samples")
    parser.add_argument("--limit", type=int, default=None, help="most submissions")
    parser.add_argument(
        "--run", default=None, help="run directory, resumed if it exists (default runs/NAME)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def user_errors() -> tuple[type[Exception], ...]:
    """Errors that are the user's input (bad options, files, run folders)."""
    from solver.cli.sample import user_errors as sampling_errors
    from solver.poolfile import PoolFileError
    from solver.select.strategy import StrategyError
    from solver.solve.problem import SolveError

    return (*sampling_errors(), StrategyError, SolveError, PoolFileError)


def solve_options(args: argparse.Namespace, default_engines: Any) -> Any:
    """`SolveOptions` from the shared command-line options."""
    from solver.solve.problem import EngineSpec, SolveError, SolveOptions

    engines = args.engine or [spec.engine for spec in default_engines]
    counts = args.n or (
        [spec.n for spec in default_engines] if not args.engine else [SolveOptions().engines[0].n]
    )
    if len(counts) == 1:
        counts = counts * len(engines)
    models = args.model or ["-"] * len(engines)
    if len(counts) != len(engines) or len(models) != len(engines):
        raise SolveError(
            f"{len(engines)} engines but {len(counts)} -n values and {len(models)} --model "
            "values: give one of each per engine (or one -n for all)"
        )
    defaults = SolveOptions()
    options = SolveOptions(
        engines=tuple(
            EngineSpec(engine, count, None if model == "-" else model)
            for engine, count, model in zip(engines, counts, models, strict=True)
        ),
        strategy=args.strategy or defaults.strategy,
        languages=tuple(args.language or ["cpp"]),
        generated_inputs=(
            defaults.generated_inputs if args.generated_inputs is None else args.generated_inputs
        ),
        seed=args.seed,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        workers=args.workers,
        cache_dir=None if args.cache is None else Path(args.cache),
        progress=not args.quiet,
    )
    return options


def verdict_text(points: float, max_points: float) -> str:
    """A submission's hidden result in words."""
    if points >= max_points - 1e-9:
        return "AC"
    if points > 0:
        return f"partial {points:g}/{max_points:g}"
    return "rejected"


def run(args: argparse.Namespace) -> int:
    """Solve one problem and print its submissions."""
    import dataclasses

    from problems.load import load_problem
    from solver.solve.problem import DEFAULT_ENGINES, solve_problem

    problem = load_problem(Path(args.problem))
    options = dataclasses.replace(solve_options(args, DEFAULT_ENGINES), limit=args.limit)
    run_dir = Path(args.run) if args.run else Path("runs") / problem.name
    result = solve_problem(problem, run_dir, options)
    submissions = result.selection.submissions
    if args.json:
        rows = []
        for index, submission in enumerate(submissions):
            row: dict[str, Any] = {
                "candidate": submission.candidate_id,
                "why": submission.why(),
            }
            if result.has_hidden:
                outcome = result.outcomes[index]
                row["points"] = outcome.points
                row["subtask_points"] = dict(outcome.subtask_points)
                row["verdict"] = verdict_text(outcome.points, result.max_score)
            rows.append(row)
        print(
            json.dumps(
                {
                    "problem": problem.name,
                    "run": str(run_dir),
                    "strategy": result.strategy.name,
                    "samples": result.samples,
                    "candidates": len(result.pool.candidates),
                    "survivors": result.selection.survivors,
                    "clusters": result.selection.clusters,
                    "submissions": rows,
                    "score": result.score,
                    "max_score": result.max_score if result.has_hidden else None,
                    "seconds": result.seconds,
                },
                indent=1,
            )
        )
        return 0
    print(
        f"{problem.name}: {result.samples} samples, {len(result.pool.candidates)} distinct "
        f"programs, {result.selection.survivors} pass the public tests, "
        f"{result.selection.clusters} clusters; strategy {result.strategy.name}; run {run_dir}"
    )
    for index, submission in enumerate(submissions, start=1):
        verdict = ""
        if result.has_hidden:
            outcome = result.outcomes[index - 1]
            verdict = f"  hidden: {verdict_text(outcome.points, result.max_score)}"
        print(f"{index:3d}. candidate {submission.candidate_id}: {submission.why()}{verdict}")
    if result.has_hidden and result.score is not None:
        print(f"score: {result.score:g} / {result.max_score:g} (per subtask the best submission)")
    else:
        print("no hidden tests: no verdicts or score")
    return 0

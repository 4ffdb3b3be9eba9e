"""The `cpsolve` command line: parses arguments and calls the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from judge.labelcheck import LabelCheck, check_problem
from judge.programs import SourceError, program_from_paths
from judge.session import Judge, JudgeOptions
from problems.errors import ProblemError
from problems.load import find_problems, load_problem
from solver import report


def _judge_options(args: argparse.Namespace) -> JudgeOptions:
    options = JudgeOptions(
        workers=args.workers,
        progress=sys.stderr.isatty() and not args.quiet,
        lazy=not args.all_tests,
        reuse_results=not args.rejudge,
    )
    if args.cache:
        options.cache_dir = Path(args.cache)
    return options


def cmd_judge(args: argparse.Namespace) -> int:
    """Judge source files on one problem and print per-test and per-group results."""
    problem = load_problem(Path(args.problem))
    programs = [
        program_from_paths([Path(source)], language=args.language) for source in args.sources
    ]
    with Judge(_judge_options(args)) as judge:
        results = judge.judge_programs(problem, programs)
    if args.json:
        print(report.dumps([report.submission_json(result) for result in results]))
    else:
        print("\n\n".join(report.submission_report(result) for result in results))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Judge every labelled submission of each problem and compare with its label."""
    paths = [path for root in args.problems for path in find_problems(Path(root))]
    if not paths:
        raise ProblemError(Path(args.problems[0]), "no problem package found here")
    rows: list[LabelCheck] = []
    with Judge(_judge_options(args)) as judge:
        for path in paths:
            problem = load_problem(path)
            rows += check_problem(judge, problem)
            if not args.quiet:
                print(f"checked {problem.name}", file=sys.stderr)
    print(report.check_report(rows))
    return 1 if any(row.agrees is False for row in rows) else 0


def cmd_sample(args: argparse.Namespace) -> int:
    """Sample candidate programs for a problem into a run directory (resumable)."""
    from solver.sample import sample_problem
    from solver.sampling.engine import SamplingParams
    from solver.sampling.registry import make_engine
    from solver.store import RunStore

    problem = load_problem(Path(args.problem))
    languages = tuple(args.language or ["cpp"])
    engine = make_engine(args.engine, args.model, problem=problem, languages=languages)
    params = SamplingParams(
        n=args.n,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
    )
    with RunStore.open(Path(args.run)) as store:
        report = sample_problem(
            problem,
            engine,
            store,
            args.n,
            params,
            languages=languages,
            per_subtask=args.per_subtask,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
        )
    print(
        f"{report.samples} samples drawn ({report.skipped_samples} already in the run), "
        f"{report.distinct_programs} distinct programs, "
        f"{report.extraction_failures} extraction failures, {report.tokens} tokens, "
        f"{report.seconds:.1f} s"
    )
    return 0


def cmd_pool(args: argparse.Namespace) -> int:
    """Summarise a run's pool: distinct programs, languages, extraction failures."""
    from solver.pool_summary import describe_pool

    run = Path(args.run)
    if not (run / "run.sqlite").exists():
        raise ProblemError(run, "no run here (run.sqlite is missing)")
    print(describe_pool(run))
    return 0


def _add_judge_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: one per core; 0 = in this process)",
    )
    parser.add_argument(
        "--cache", help="cache folder (default: $CPSOLVE_CACHE or ~/.cache/cpsolve)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--all-tests",
        action="store_true",
        help="run every test (default: stop where the grade cannot change)",
    )
    parser.add_argument("--rejudge", action="store_true", help="do not reuse cached results")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "judge": cmd_judge,
    "check": cmd_check,
    "sample": cmd_sample,
    "pool": cmd_pool,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="cpsolve", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    judge = sub.add_parser("judge", help="judge source files on a problem")
    judge.add_argument("problem", help="problem package folder")
    judge.add_argument("sources", nargs="+", help="source files, one program each")
    judge.add_argument("--language", help="language of the sources (default: from the extension)")
    judge.add_argument("--json", action="store_true", help="print JSON instead of tables")
    _add_judge_flags(judge)
    check = sub.add_parser("check", help="judge labelled submissions and compare with labels")
    check.add_argument("problems", nargs="+", help="problem folders, or folders holding problems")
    _add_judge_flags(check)
    sample = sub.add_parser("sample", help="sample candidate programs into a run directory")
    sample.add_argument("problem", help="problem package folder")
    sample.add_argument(
        "--engine", default="hf", help="hf, vllm, openai, mutants or replay (default: hf)"
    )
    sample.add_argument(
        "--model",
        default=None,
        help="model folder, server URL or recorded pool (default: SmolLM2-135M)",
    )
    sample.add_argument("-n", type=int, default=100, help="samples per prompt")
    sample.add_argument("--run", required=True, help="run directory (resumed if it exists)")
    sample.add_argument(
        "--language",
        action="append",
        choices=("cpp", "python"),
        help="language to ask for (repeatable; default cpp)",
    )
    sample.add_argument("--per-subtask", action="store_true", help="one prompt per subtask")
    sample.add_argument("--temperature", type=float, default=1.0)
    sample.add_argument("--top-p", type=float, default=0.95)
    sample.add_argument("--max-tokens", type=int, default=1024)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--chunk-size", type=int, default=50, help="samples per transaction")
    sample.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    pool = sub.add_parser("pool", help="summarise the candidate pool of a run")
    pool.add_argument("run", help="run directory")
    return parser


def _sampling_errors() -> tuple[type[Exception], ...]:
    """Errors of the sampling stage that are the user's input, not a bug."""
    from solver.sample import SampleError
    from solver.sampling.openai_engine import ServerError
    from solver.sampling.registry import EngineError
    from solver.sampling.replay import ReplayError
    from solver.store import StoreError

    return (EngineError, ServerError, ReplayError, StoreError, SampleError)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cpsolve` console script."""
    args = build_parser().parse_args(argv)
    expected: tuple[type[Exception], ...] = (ProblemError, SourceError, *_sampling_errors())
    try:
        return COMMANDS[args.command](args)
    except expected as error:
        print(f"cpsolve: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

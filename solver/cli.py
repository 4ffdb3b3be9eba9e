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
    options = JudgeOptions(workers=args.workers, progress=sys.stderr.isatty() and not args.quiet)
    if args.cache:
        options.cache_dir = Path(args.cache)
    return options


def cmd_judge(args: argparse.Namespace) -> int:
    """Judge source files on one problem and print per-test and per-group results."""
    problem = load_problem(Path(args.problem))
    programs = [program_from_paths([Path(source)], language=args.language) for source in args.sources]
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


def _add_judge_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: one per core; 0 = in this process)")
    parser.add_argument("--cache", help="cache folder (default: $CPSOLVE_CACHE or ~/.cache/cpsolve)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "judge": cmd_judge,
    "check": cmd_check,
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cpsolve` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ProblemError, SourceError) as error:
        print(f"cpsolve: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""`cpsolve judge PROBLEM SOURCE...`: judge source files on one problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from solver.cli.judgeflags import add_judge_flags, judge_options


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `judge` parser."""
    parser = sub.add_parser("judge", help="judge source files on a problem")
    parser.add_argument("problem", help="problem package folder")
    parser.add_argument("sources", nargs="+", help="source files, one program each")
    parser.add_argument("--language", help="language of the sources (default: from the extension)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    add_judge_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Judge source files on one problem and print per-test and per-group results."""
    from judge.programs import program_from_paths
    from judge.session import Judge
    from problems.load import load_problem
    from solver import report

    problem = load_problem(Path(args.problem))
    programs = [
        program_from_paths([Path(source)], language=args.language) for source in args.sources
    ]
    with Judge(judge_options(args)) as judge:
        results = judge.judge_programs(problem, programs)
    if args.json:
        print(report.dumps([report.submission_json(result) for result in results]))
    else:
        print("\n\n".join(report.submission_report(result) for result in results))
    return 0

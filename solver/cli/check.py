"""`cpsolve check PROBLEM_OR_FOLDER...`: judge labelled submissions against their labels."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from solver.cli.judgeflags import add_judge_flags, judge_options


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `check` parser."""
    parser = sub.add_parser("check", help="judge labelled submissions and compare with labels")
    parser.add_argument("problems", nargs="+", help="problem folders, or folders holding problems")
    add_judge_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Judge every labelled submission of each problem and compare with its label."""
    from judge.labelcheck import LabelCheck, check_problem
    from judge.session import Judge
    from problems.errors import ProblemError
    from problems.load import find_problems, load_problem
    from solver import report

    paths = [path for root in args.problems for path in find_problems(Path(root))]
    if not paths:
        raise ProblemError(Path(args.problems[0]), "no problem package found here")
    rows: list[LabelCheck] = []
    with Judge(judge_options(args)) as judge:
        for path in paths:
            problem = load_problem(path)
            rows += check_problem(judge, problem)
            if not args.quiet:
                print(f"checked {problem.name}", file=sys.stderr)
    print(report.check_report(rows))
    return 1 if any(row.agrees is False for row in rows) else 0

"""`cpsolve generate PROBLEM...`: make a package's test data from its
generators/generators.yaml (format 2023-07, as BAPCtools' `bt generate`), running
its generators and solution in the sandbox; see judge.generate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from solver.cli.judgeflags import add_judge_flags, judge_options


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `generate` parser."""
    parser = sub.add_parser(
        "generate",
        help="make test data from generators/generators.yaml (sandboxed, resumable)",
        description=__doc__,
    )
    parser.add_argument("problems", nargs="+", help="problem folders")
    add_judge_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate each problem's data; exit code 1 when a case could not be made."""
    from judge.generate import generate_data
    from judge.session import Judge

    failed = False
    with Judge(judge_options(args)) as judge:
        for name in args.problems:
            root = Path(name)
            result = generate_data(judge, root)
            skipped = f", skipped {', '.join(result.skipped)}" if result.skipped else ""
            print(
                f"{root.name}: {result.cases} case(s): {len(result.written)} file(s) written, "
                f"{result.unchanged} unchanged, {result.runs} program run(s){skipped}"
            )
            if not args.quiet:
                for written in result.written:
                    print(f"  data/{written}", file=sys.stderr)
            for failure in result.failures:
                print(f"{root.name}: FAILED {failure}", file=sys.stderr)
            failed = failed or bool(result.failures)
    return 1 if failed else 0

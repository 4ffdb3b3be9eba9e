"""`cpsolve check PROBLEM_OR_FOLDER...`: judge labelled submissions against their labels."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from solver.cli.judgeflags import add_judge_flags, judge_options

if TYPE_CHECKING:
    from judge.labelcheck import LabelCheck


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `check` parser."""
    parser = sub.add_parser("check", help="judge labelled submissions and compare with labels")
    parser.add_argument("problems", nargs="+", help="problem folders, or folders holding problems")
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="also write every row and the summary line to FILE as JSON "
        "(tools/compare_checks.py compares two such files, or two text outputs)",
    )
    add_judge_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Judge every labelled submission of each problem and compare with its label.

    A package that cannot be judged is one ERROR row and the others go on. Exit
    code 1 on any disagreement or ERROR row; on Ctrl-C or SIGTERM the judging
    stops cleanly (see `judge.interrupt`) and says what was kept."""
    from judge.interrupt import Interrupted, interruptible
    from judge.labelcheck import check_packages
    from judge.session import Judge
    from problems.errors import ProblemError
    from problems.load import find_problems
    from solver import report

    paths = [path for root in args.problems for path in find_problems(Path(root))]
    if not paths:
        raise ProblemError(Path(args.problems[0]), "no problem package found here")
    rows: list[LabelCheck] = []

    def checked(path: Path, found: list[LabelCheck]) -> None:
        rows.extend(found)
        if not args.quiet:
            error = next((row.error for row in found if row.error), "")
            line = f"{path.name}: ERROR: {error}" if error else f"checked {path.name}"
            print(line, file=sys.stderr)

    options = judge_options(args)
    try:
        with interruptible() as stopper, Judge(options) as judge:
            stopper.arm()
            check_packages(judge, paths, on_checked=checked)
    except Interrupted as stop:
        done = len({row.problem for row in rows})
        print(
            f"cpsolve: stopped by {stop.signal_name}: {done} of {len(paths)} package(s) "
            f"checked; every test result judged so far is kept in "
            f"{options.cache_dir / 'results.sqlite'} and reused by the next run",
            file=sys.stderr,
        )
        if rows:
            print(report.check_report(rows))
            write_json(args.json, rows)
        return 128 + stop.signal_number
    print(report.check_report(rows))
    write_json(args.json, rows)
    failed = any(row.agrees is False or row.error for row in rows)
    return 1 if failed else 0


def write_json(path: str | None, rows: list[LabelCheck]) -> None:
    """Write the rows (the table's cells, by column) and the summary line to `path`."""
    if path is None:
        return
    from solver import report

    cells = [report.check_cells(row) for row in rows]
    data = {
        "rows": [dict(zip(report.CHECK_COLUMNS, row, strict=True)) for row in cells],
        "summary": report.check_summary(rows),
    }
    Path(path).write_text(json.dumps(data, indent=1) + "\n")

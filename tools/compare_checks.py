"""Compare two full `cpsolve check` outputs row by row (e.g. two sandbox backends).

Each file is either the text `cpsolve check` prints (its table and its closing
`N agree, M disagree` line) or the JSON `cpsolve check --json FILE` writes. Rows
are matched by (problem, submission); a row agrees when its label, language,
`got` (verdict, score, failing verdicts) and status are the same in both. Prints
every row that differs or is in one file only, then each file's agree line and,
last, the verdict of the comparison. Exit code 0 when every row and the agree
lines are the same, 1 otherwise, 2 when a file cannot be read.

`--ignore lang` leaves a column out of the comparison (e.g. against an older
version that judged Kattis Python on CPython, not PyPy).

    python tools/compare_checks.py A.txt B.txt [--names root docker] [--ignore lang]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("problem", "submission", "label", "lang", "got", "status", "note")
COMPARED = ("label", "lang", "got", "status")
SUMMARY = re.compile(r"^(\d+) agree, (\d+) disagree$")
CELL_GAP = re.compile(r"  +")
STATUSES = ("agree", "DISAGREE", "ERROR", "skipped")


class CheckFileError(Exception):
    """A file that is not a `cpsolve check` output (names the file and line)."""


@dataclass(frozen=True)
class CheckOutput:
    """One check output: its rows by (problem, submission) and its agree line."""

    rows: dict[tuple[str, str], dict[str, str]]
    summary: str


def parse_text(path: Path, text: str) -> CheckOutput:
    """The rows and agree line of `cpsolve check`'s printed table (columns are
    separated by two or more spaces; a cell never holds two spaces in a row)."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    summary = ""
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("problem ") and "submission" in line:
            in_table = True
            continue
        match = SUMMARY.match(line.strip())
        if match:
            summary = line.strip()
            in_table = False
            continue
        if not in_table or not line.strip():
            continue
        cells = CELL_GAP.split(line.rstrip(), maxsplit=len(COLUMNS) - 1)
        if len(cells) < len(COLUMNS) - 1 or cells[5] not in STATUSES:
            continue  # a multi-line ERROR note's next line, or the counts after the table
        cells += [""] * (len(COLUMNS) - len(cells))
        row = dict(zip(COLUMNS, cells, strict=True))
        key = (row["problem"], row["submission"])
        if key in rows and row["submission"] != "-":
            raise CheckFileError(f"{path}:{number}: row {key} appears twice")
        rows[key] = row
    if not summary:
        raise CheckFileError(f"{path}: no `N agree, M disagree` line (not a full check output)")
    return CheckOutput(rows, summary)


def parse_json(path: Path, text: str) -> CheckOutput:
    """The rows and agree line of `cpsolve check --json`'s file."""
    try:
        data = json.loads(text)
        rows = {(row["problem"], row["submission"]): row for row in data["rows"]}
        return CheckOutput(rows, str(data["summary"]))
    except (ValueError, KeyError, TypeError) as error:
        raise CheckFileError(f"{path}: not a `cpsolve check --json` file: {error!r}") from error


def read_check(path: Path) -> CheckOutput:
    """A check output from `path`, text or JSON (by its first character)."""
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        raise CheckFileError(f"{path}: {error.strerror}") from error
    if text.lstrip().startswith("{"):
        return parse_json(path, text)
    return parse_text(path, text)


def describe(row: dict[str, str] | None, columns: tuple[str, ...] = COMPARED) -> str:
    """A row's compared cells, or that it is absent."""
    if row is None:
        return "(absent)"
    return "  ".join(row.get(column, "") for column in columns)


def differences(
    first: CheckOutput, second: CheckOutput, columns: tuple[str, ...] = COMPARED
) -> list[tuple[str, str, str]]:
    """(problem/submission, first's cells, second's cells) of every row whose
    `columns` are not the same in both (absent from one counts), in the order of
    the first file."""
    keys = list(first.rows) + [key for key in second.rows if key not in first.rows]
    found = []
    for key in keys:
        a, b = first.rows.get(key), second.rows.get(key)
        same = a is not None and b is not None
        same = same and all(a.get(c) == b.get(c) for c in columns)  # type: ignore[union-attr]
        if not same:
            found.append(("/".join(key), describe(a, columns), describe(b, columns)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--names", nargs=2, metavar=("A", "B"), help="labels of the two files")
    parser.add_argument(
        "--ignore", action="append", default=[], choices=COMPARED, help="a column not compared"
    )
    args = parser.parse_args()
    columns = tuple(column for column in COMPARED if column not in args.ignore)
    names = args.names or [str(args.first), str(args.second)]
    try:
        first, second = read_check(args.first), read_check(args.second)
    except CheckFileError as error:
        print(f"compare_checks: error: {error}", file=sys.stderr)
        return 2
    found = differences(first, second, columns)
    for where, a, b in found:
        print(f"DIFFERS {where}\n  {names[0]}: {a}\n  {names[1]}: {b}")
    print(f"{names[0]}: {len(first.rows)} rows, {first.summary}")
    print(f"{names[1]}: {len(second.rows)} rows, {second.summary}")
    same_summary = first.summary == second.summary
    if not found and same_summary:
        print(f"IDENTICAL: all {len(first.rows)} rows and the agree lines are the same")
        return 0
    print(
        f"DIFFERENT: {len(found)} row(s) differ; agree lines "
        + ("the same" if same_summary else "differ")
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())

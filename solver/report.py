"""Plain-text tables for what the CLI prints: judged tests, graded groups, label
checks. Pure functions from results to strings."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

from judge.labelcheck import LabelCheck
from judge.languages import languages
from judge.session import SubmissionResult
from judge.verdicts import GroupResult, Verdict


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right: Collection[int] = ()
) -> str:
    """Columns separated by two spaces, left-aligned except the column numbers in
    `right` (header included); the one table renderer of the CLI's output."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), *(line(row) for row in cells)])


def _score(value: float) -> str:
    return f"{value:g}"


def _group_lines(group: GroupResult, depth: int = 0) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            "  " * depth + group.name,
            group.verdict.value,
            f"{_score(group.score)}/{_score(group.max_score)}",
            len(group.tests),
        ]
    ]
    for child in group.children:
        rows += _group_lines(child, depth + 1)
    return rows


def submission_report(result: SubmissionResult) -> str:
    """Per-test results, per-group scores and the final score of one program."""
    parts = [f"== {result.name} ({result.language})"]
    if result.compile_message and result.result.verdict is Verdict.CE:
        parts.append("compile error:\n" + result.compile_message[-2000:])
    tests = [
        [
            t.test,
            t.verdict.value,
            "" if t.score is None else _score(t.score),
            f"{t.cpu_time_s:.3f}",
            f"{t.memory_bytes / 2**20:.1f}",
            t.message[:60].replace("\n", " "),
        ]
        for t in result.tests
    ]
    parts.append(table(["test", "verdict", "score", "cpu s", "mem MiB", "message"], tests))
    groups: list[list[object]] = []
    for group in result.result.groups:
        groups += _group_lines(group)
    parts.append(table(["group", "verdict", "score", "tests"], groups))
    parts.append(
        f"score {_score(result.result.score)}/{_score(result.result.max_score)}  "
        f"verdict {result.result.verdict.value}"
        + (f"  judge errors {result.result.judge_errors}" if result.result.judge_errors else "")
    )
    return "\n".join(parts)


def submission_json(result: SubmissionResult) -> dict[str, object]:
    """The same as `submission_report`, as JSON-ready data."""

    def group(g: GroupResult) -> dict[str, object]:
        return {
            "name": g.name,
            "verdict": g.verdict.value,
            "score": g.score,
            "max_score": g.max_score,
            "groups": [group(c) for c in g.children],
        }

    return {
        "name": result.name,
        "language": result.language,
        "verdict": result.result.verdict.value,
        "score": result.result.score,
        "max_score": result.result.max_score,
        "judge_errors": result.result.judge_errors,
        "compile_message": result.compile_message,
        "tests": [
            {
                "test": t.test,
                "verdict": t.verdict.value,
                "score": t.score,
                "cpu_time_s": t.cpu_time_s,
                "wall_time_s": t.wall_time_s,
                "memory_bytes": t.memory_bytes,
                "message": t.message,
            }
            for t in result.tests
        ],
        "groups": [group(g) for g in result.result.groups],
    }


CHECK_COLUMNS = ("problem", "submission", "label", "lang", "got", "status", "note")
"""The fields of one label-check row (the table's status column has no header)."""


def check_cells(row: LabelCheck) -> list[str]:
    """One label-check row as the table's cells (see CHECK_COLUMNS); `cpsolve check
    --json` writes the same cells, so the text and the JSON rows always agree."""
    if row.error:
        got, status = "-", "ERROR"
    elif row.result is None:
        got, status = "-", "skipped"
    else:
        r = row.result.result
        got = f"{r.verdict.value} {_score(r.score)}/{_score(r.max_score)}"
        verdicts = sorted(v.value for v in r.verdicts() if v is not Verdict.AC)
        if verdicts:
            got += " (" + ",".join(verdicts) + ")"
        status = "agree" if row.agrees else "DISAGREE"
    note = row.error or (row.skipped or ("" if row.agrees else row.reason))[:70]
    return [row.problem, row.submission, row.label, row.language, got, status, note]


def check_summary(rows: Sequence[LabelCheck]) -> str:
    """The closing `N agree, M disagree` line of a label check."""
    agree = sum(1 for row in rows if row.agrees)
    disagree = sum(1 for row in rows if row.agrees is False)
    return f"{agree} agree, {disagree} disagree"


def check_report(rows: Sequence[LabelCheck]) -> str:
    """The label-check table and its closing `N agree, M disagree` line."""
    body = [check_cells(row) for row in rows]
    errors = sum(1 for row in rows if row.error)
    skipped = sum(1 for row in rows if row.agrees is None and not row.error)
    text = table(["problem", "submission", "label", "lang", "got", "", "note"], body)
    lines = [text]
    interpreters = _interpreters(rows)
    if interpreters:
        lines.append("interpreters: " + "; ".join(interpreters))
    if skipped:
        lines.append(f"{skipped} skipped (cannot be judged here, see note)")
    if errors:
        lines.append(f"{errors} package(s) could not be judged (ERROR rows)")
    lines.append(check_summary(rows))
    return "\n".join(lines)


def _interpreters(rows: Sequence[LabelCheck]) -> list[str]:
    """What ran the interpreted languages of the judged rows, e.g. "pypy: PyPy 3"."""
    table_ = languages()
    used = sorted({row.language for row in rows if row.result is not None})
    return [
        f"{key}: {table_[key].interpreter_text()}"
        for key in used
        if key in table_ and table_[key].interpreter
    ]


def dumps(data: object) -> str:
    """Indented JSON."""
    return json.dumps(data, indent=2)

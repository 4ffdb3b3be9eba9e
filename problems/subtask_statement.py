"""The statement as seen by one subtask: LaTeX/Markdown surgery that removes the
other subtasks' sections, scoring-table rows and paragraphs (best effort), as
o1-ioi prompted IOI problems one subtask at a time. Pure text functions."""

from __future__ import annotations

import re


def last_component(name: str) -> str:
    """The last `/`-separated part of a test-group name ("secret/group3" -> "group3")."""
    return name.rstrip("/").rsplit("/", 1)[-1]


def _subtask_number(name: str, index: int) -> int:
    """The number a statement uses for a subtask: the first integer in the last
    component of its group name ("group3", "03-full", "secret/subtask2"), else its
    1-based position."""
    match = re.search(r"\d+", last_component(name))
    return int(match.group()) if match else index + 1


_LATEX_HEADING = re.compile(r"^\s*\\(?:sub)*section\*?\{(?P<title>[^}]*)\}")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.*?)\s*#*\s*$")
_SUBTASK_TITLE = re.compile(
    r"\b(?:subtask|sub-task|group|grupp|delpo[äa]ng|deluppgift)\s*#?\s*(?P<num>\d+)\b",
    re.IGNORECASE,
)
_TABLE_HEADER_WORDS = re.compile(r"points|po[äa]ng|group|grupp|subtask|score", re.IGNORECASE)
_CELL_NOISE = re.compile(r"\\textbf|\\textit|\\hline|[${}\s*_]")


def _heading_title(line: str) -> str | None:
    match = _LATEX_HEADING.match(line) or _MD_HEADING.match(line)
    return match.group("title") if match else None


def _drop_other_sections(lines: list[str], others: set[int]) -> list[str]:
    """Remove sections whose heading names another subtask ("Subtask 2", "Group 3")."""
    kept: list[str] = []
    dropping = False
    for line in lines:
        title = _heading_title(line)
        if title is not None:
            match = _SUBTASK_TITLE.search(title)
            dropping = match is not None and int(match.group("num")) in others
        if not dropping:
            kept.append(line)
    return kept


def _first_cell_number(line: str) -> int | None:
    """The integer in the first cell of a LaTeX (`a & b \\\\`) or Markdown (`| a | b |`)
    table row, or None when the line is not such a row."""
    stripped = line.strip()
    if stripped.startswith("|"):
        cells = stripped.strip("|").split("|")
    elif "&" in stripped:
        cells = stripped.split("&")
    else:
        return None
    first = _CELL_NOISE.sub("", cells[0])
    return int(first) if first.isdigit() else None


def _is_table_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") or "&" in stripped


def _drop_other_rows(lines: list[str], others: set[int]) -> list[str]:
    """Remove rows of other subtasks from tables whose header row talks about
    groups, subtasks or points; other tables are left alone."""
    kept: list[str] = []
    in_scoring_table = False
    for line in lines:
        if not _is_table_row(line):
            if not line.strip() or "\\end{" in line:
                in_scoring_table = False
            kept.append(line)
            continue
        number = _first_cell_number(line)
        if number is None:
            in_scoring_table = in_scoring_table or bool(_TABLE_HEADER_WORDS.search(line))
            kept.append(line)
            continue
        if not (in_scoring_table and number in others):
            kept.append(line)
    return kept


def _drop_other_paragraphs(text: str, others: set[int]) -> str:
    """Remove blank-line separated paragraphs that start with another subtask's name."""
    paragraphs = re.split(r"\n\s*\n", text)
    kept = []
    for paragraph in paragraphs:
        head = paragraph.lstrip(" \t-*>#").lstrip()
        match = _SUBTASK_TITLE.match(head)
        if match and int(match.group("num")) in others:
            continue
        kept.append(paragraph)
    return "\n\n".join(kept)


def _format_points(points: float) -> str:
    return f"{points:g} points" if points != 1 else "1 point"


def statement_for_subtask(
    statement: str,
    subtask_index: int,
    subtask_names: list[str],
    *,
    points: float | None = None,
) -> str:
    """The statement as seen by a prompt that targets one subtask (best effort).

    Subtask k is numbered by the first integer of its name ("group3" -> 3,
    "01-smallAB" -> 1), else by position. Removed for every *other* subtask:
    sections whose LaTeX (\\section*{Subtask 2}) or Markdown (## Subtask 2) heading
    names it (up to the next heading), its row in a scoring table (a LaTeX tabular
    or Markdown table whose header mentions groups/subtasks/points), and paragraphs
    that start with "Subtask N"/"Group N". Text that names no subtask is kept as
    is. A final line "Target subtask: N (P points)" is always appended, so the
    target is explicit even when nothing was recognised."""
    target = _subtask_number(subtask_names[subtask_index], subtask_index)
    others = {
        _subtask_number(name, i) for i, name in enumerate(subtask_names) if i != subtask_index
    } - {target}
    lines = statement.splitlines()
    lines = _drop_other_sections(lines, others)
    lines = _drop_other_rows(lines, others)
    text = _drop_other_paragraphs("\n".join(lines), others).rstrip()
    suffix = f" ({_format_points(points)})" if points is not None else ""
    return f"{text}\n\nTarget subtask: {target}{suffix}\n"

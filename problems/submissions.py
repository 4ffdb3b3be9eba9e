"""Labelled reference submissions: Kattis `submissions/<verdict>/` and CMS
`solutions/<class>/`.

Each file in a label folder is one submission; a folder inside a label folder is
one multi-file submission (all its files, e.g. a Prolog program with its kattio
library). Files directly in the top folder carry no label and are skipped.

An expected score is read from a header comment in the first lines of the source:
`@EXPECTED_SCORE@: 40` gives it directly; `@EXPECTED_GRADES@ AC WA AC` (the
Swedish olympiad's convention: one verdict per secret group, in order) gives the
sum of the points of the groups marked AC, when the number of verdicts matches
the number of groups."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from problems.fileio import has_ignored_part, is_ignored_name, read_text
from problems.languages import language_of, language_of_files
from problems.model import Label, Submission

HEADER_LINES = 20
_EXPECTED_SCORE = re.compile(r"@EXPECTED_SCORE@\s*:?\s*([-+]?\d+(?:\.\d+)?)")
_EXPECTED_GRADES = re.compile(r"@EXPECTED_GRADES@\s*:?\s*((?:[A-Z]+[ \t]*)+)")


def expected_score_from_header(text: str, group_points: Sequence[float]) -> float | None:
    """The expected score declared in a source's header comments, or None.

    `group_points` are the maximum scores of the secret groups in order, used to
    turn an @EXPECTED_GRADES@ line into a score."""
    header = "\n".join(text.splitlines()[:HEADER_LINES])
    score = _EXPECTED_SCORE.search(header)
    if score:
        return float(score.group(1))
    grades = _EXPECTED_GRADES.search(header)
    if grades:
        verdicts = grades.group(1).split()
        if verdicts and len(verdicts) == len(group_points):
            return sum(
                points
                for points, verdict in zip(group_points, verdicts, strict=True)
                if verdict == "AC"
            )
    return None


def _visible_files(folder: Path) -> list[Path]:
    """All files below `folder` whose path has no hidden component, sorted."""
    return sorted(
        path for path in folder.rglob("*") if path.is_file() and not has_ignored_part(path, folder)
    )


def label_of(folder_name: str) -> Label | str:
    """The Label a submission folder's name stands for; an unknown name as it is."""
    return Label(folder_name) if folder_name in _LABEL_NAMES else folder_name


_LABEL_NAMES = frozenset(label.value for label in Label)


def _submission(
    entry: Path, label: Label | str, group_points: Sequence[float]
) -> Submission | None:
    """The submission stored at `entry` (a file or a folder), None for an empty folder."""
    if entry.is_dir():
        paths = tuple(_visible_files(entry))
        language = language_of_files(paths)
    else:
        paths = (entry,)
        language = language_of(entry)
    if not paths:
        return None
    expected = None
    for path in paths:
        expected = expected_score_from_header(read_text(path), group_points)
        if expected is not None:
            break
    return Submission(
        name=f"{label}/{entry.name}",
        label=label,
        paths=paths,
        language=language,
        expected_score=expected,
    )


def read_labelled_submissions(
    folder: Path, group_points: Sequence[float] = ()
) -> tuple[Submission, ...]:
    """Every labelled submission below `folder`, ordered by label then name;
    empty when the folder does not exist."""
    if not folder.is_dir():
        return ()
    submissions: list[Submission] = []
    for label_dir in sorted(folder.iterdir(), key=lambda path: path.name):
        if not label_dir.is_dir() or is_ignored_name(label_dir.name):
            continue
        for entry in sorted(label_dir.iterdir(), key=lambda path: path.name):
            if is_ignored_name(entry.name):
                continue
            submission = _submission(entry, label_of(label_dir.name), group_points)
            if submission is not None:
                submissions.append(submission)
    return tuple(submissions)

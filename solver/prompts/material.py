"""What a prompt shows of a problem package besides its statement: the sample tests
and grader headers read from disk (cut to a size a prompt can hold), and the
subtasks a prompt may target. The only I/O of prompt building."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from problems.languages import HEADER_SUFFIXES
from problems.model import Problem, ProblemType, TestGroup
from problems.subtask_statement import last_component

MAX_SAMPLE_CHARS = 2000


@dataclass(frozen=True)
class Sample:
    """One sample test as text (answer None when the package has no answer file)."""

    name: str
    input: str
    answer: str | None


@dataclass(frozen=True)
class GraderFile:
    """A grader header shown to the model: its file name and content."""

    name: str
    content: str


@dataclass(frozen=True)
class Subtask:
    """A scored part of an IOI-style problem: its test-group name and points."""

    name: str
    points: float | None


def _read_text(path: Path, limit: int) -> str:
    """The first `limit` characters of a text file, marked when cut."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        text = handle.read(limit + 1)
    if len(text) > limit:
        return text[:limit] + "\n... (truncated)\n"
    return text


def load_samples(problem: Problem, max_chars: int = MAX_SAMPLE_CHARS) -> tuple[Sample, ...]:
    """Read the problem's sample tests (kind "sample") from disk, each file cut to
    `max_chars` characters so that a huge sample cannot swamp the prompt."""
    samples = []
    for case in problem.tests:
        if case.kind != "sample":
            continue
        answer = None if case.answer_path is None else _read_text(case.answer_path, max_chars)
        samples.append(Sample(case.name, _read_text(case.input_path, max_chars), answer))
    return tuple(samples)


def load_grader_files(problem: Problem) -> tuple[GraderFile, ...]:
    """The grader headers a function-call task shows: header files among the grader
    sources and in its include directories, sorted by name per directory."""
    grader = problem.grader
    paths = [p for p in grader.sources if p.suffix in HEADER_SUFFIXES]
    for directory in grader.include_dirs:
        if directory.is_dir():
            paths.extend(sorted(p for p in directory.iterdir() if p.suffix in HEADER_SUFFIXES))
    unique = list(dict.fromkeys(paths))
    return tuple(
        GraderFile(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in unique
    )


def _all_groups(group: TestGroup) -> list[TestGroup]:
    """`group` and every group below it, depth first."""
    found = [group]
    for item in group.items:
        if isinstance(item, TestGroup):
            found.extend(_all_groups(item))
    return found


def subtasks_of(problem: Problem) -> list[Subtask]:
    """The subtasks to prompt for separately: groups that carry positive `points`
    (IOI/CMS); else, for scoring problems, the groups directly under the "secret"
    group (Kattis scoring groups), with points from their score range or accept
    score. Empty for pass/fail problems and scoring problems without groups."""
    groups = _all_groups(problem.root_group)
    pointed = [g for g in groups if g.points is not None and g.points > 0]
    if pointed:
        return [Subtask(g.name, g.points) for g in pointed]
    if problem.type is not ProblemType.SCORING:
        return []
    secret = next((g for g in groups if last_component(g.name) == "secret"), None)
    if secret is None:
        return []
    subtasks = []
    for item in secret.items:
        if isinstance(item, TestGroup):
            score_range = item.scoring.score_range
            points = score_range[1] if score_range is not None else item.scoring.accept_score
            subtasks.append(Subtask(item.name, points))
    return subtasks

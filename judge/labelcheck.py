"""Judge every labelled submission of a problem and compare each result with its
label (the folder it sits in): the judge's agreement with the official verdicts.

Over many packages (`check_packages`) a package that cannot be read or judged
(malformed, an unsupported feature, no test data, a checker that does not
compile) becomes one error row naming it and the reason; the others go on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from judge.grading import MissingResultsError
from judge.labels import label_agrees
from judge.programs import SourceError
from judge.session import Judge, SubmissionResult
from problems.errors import ProblemError
from problems.load import load_problem
from problems.model import Problem, Submission

# What makes one package unjudgeable without saying anything about the others:
# a malformed or unsupported package, an unreadable or uncompilable program of
# the package's own, or a file that vanished while it was read.
PACKAGE_ERRORS: tuple[type[Exception], ...] = (
    ProblemError,
    SourceError,
    MissingResultsError,
    OSError,
)


@dataclass(frozen=True)
class LabelCheck:
    """One labelled submission: what it got, and whether that matches its label.
    `skipped` holds the reason when it could not be judged here (then `agrees` is
    None). A row with `error` set stands for a whole package that could not be
    judged (`submission` and `label` are "-"; `agrees` is None)."""

    problem: str
    submission: str
    label: str
    language: str
    result: SubmissionResult | None
    agrees: bool | None
    reason: str
    skipped: str = ""
    error: str = ""


def package_error_row(path: Path, error: Exception) -> LabelCheck:
    """The one row standing for a package that could not be judged, with the reason."""
    message = getattr(error, "message", None) or str(error)
    where = getattr(error, "path", None)
    reason = f"{where}: {message}" if where is not None and Path(where) != path else message
    return LabelCheck(path.name, "-", "-", "-", None, None, "", error=reason)


def check_problem(judge: Judge, problem: Problem) -> list[LabelCheck]:
    """Judge all labelled submissions of `problem` and compare with their labels."""
    rows: list[LabelCheck] = []

    def skip(submission: Submission, why: str) -> None:
        rows.append(
            LabelCheck(
                problem.name,
                submission.name,
                submission.label,
                submission.language or "?",
                None,
                None,
                "",
                skipped=why,
            )
        )

    judged = judge.judge_submissions(problem, list(problem.submissions), on_skip=skip)
    for submission, result in judged:
        agrees, reason = label_agrees(
            submission.label, result.result, problem, target_subtasks=submission.target_subtasks
        )
        rows.append(
            LabelCheck(
                problem.name,
                submission.name,
                submission.label,
                result.language,
                result,
                agrees,
                reason,
            )
        )
    order = {sub.name: index for index, sub in enumerate(problem.submissions)}
    return sorted(rows, key=lambda row: order.get(row.submission, 0))


def check_packages(
    judge: Judge,
    paths: Iterable[Path],
    on_checked: Callable[[Path, list[LabelCheck]], None] | None = None,
) -> list[LabelCheck]:
    """`check_problem` over many packages; a package that cannot be read or judged
    becomes one error row (`package_error_row`) and the rest go on. `on_checked`
    is told each package's rows as soon as they are known."""
    rows: list[LabelCheck] = []
    for path in paths:
        try:
            found = check_problem(judge, load_problem(path))
        except PACKAGE_ERRORS as error:
            found = [package_error_row(path, error)]
        rows += found
        if on_checked is not None:
            on_checked(path, found)
    return rows

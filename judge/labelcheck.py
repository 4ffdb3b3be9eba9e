"""Judge every labelled submission of a problem and compare each result with its
label (the folder it sits in): the judge's agreement with the official verdicts."""

from __future__ import annotations

from dataclasses import dataclass

from judge.labels import label_agrees
from judge.session import Judge, SubmissionResult
from problems.model import Problem, Submission


@dataclass(frozen=True)
class LabelCheck:
    """One labelled submission: what it got, and whether that matches its label.
    `skipped` holds the reason when it could not be judged here (then `agrees` is
    None)."""

    problem: str
    submission: str
    label: str
    language: str
    result: SubmissionResult | None
    agrees: bool | None
    reason: str
    skipped: str = ""


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
        agrees, reason = label_agrees(submission.label, result.result, problem)
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

"""Problem model and readers for problem package formats (Kattis, CMS/IOI)."""

from problems.errors import ProblemError
from problems.model import (
    Checker,
    CheckerKind,
    Grader,
    GraderKind,
    Limits,
    Problem,
    ProblemType,
    Scoring,
    Submission,
    TestCase,
    TestGroup,
)

__all__ = [
    "Checker",
    "CheckerKind",
    "Grader",
    "GraderKind",
    "Limits",
    "Problem",
    "ProblemError",
    "ProblemType",
    "Scoring",
    "Submission",
    "TestCase",
    "TestGroup",
]

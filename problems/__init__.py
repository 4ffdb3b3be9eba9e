"""Problem model and readers for problem package formats (Kattis, CMS/IOI)."""

from problems.errors import ProblemError
from problems.flags import FlagError, GraderFlags, TokenOptions
from problems.model import (
    Checker,
    CheckerKind,
    Grader,
    GraderKind,
    Label,
    Limits,
    OnReject,
    Problem,
    ProblemFormat,
    ProblemType,
    Scoring,
    Submission,
    TestCase,
    TestGroup,
    TestKind,
)

__all__ = [
    "Checker",
    "CheckerKind",
    "FlagError",
    "Grader",
    "GraderFlags",
    "GraderKind",
    "Label",
    "Limits",
    "OnReject",
    "Problem",
    "ProblemError",
    "ProblemFormat",
    "ProblemType",
    "Scoring",
    "Submission",
    "TestCase",
    "TestGroup",
    "TestKind",
    "TokenOptions",
]

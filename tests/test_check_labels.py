"""`check` agrees with the official labels: every labelled submission of the
example problems and of a spread of real contest packages gets its label."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.labelcheck import check_problem
from judge.session import Judge, JudgeOptions
from problems.load import find_problems, load_problem

REAL = [
    "kattis-examples/hello",
    "kattis-examples/different",
    "kattis-examples/guess",
    "kattis-examples/oddecho",
    "ioi2024/aplusb",
    "swedish-olympiad-2025/skol/virus3",
]


@pytest.fixture(scope="module")
def judge(tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("cache")
    with Judge(JudgeOptions(cache_dir=cache)) as session:
        yield session


def _disagreements(judge: Judge, package: Path) -> list[str]:
    rows = check_problem(judge, load_problem(package))
    judged = [row for row in rows if row.agrees is not None]
    assert judged, f"{package}: nothing was judged"
    return [f"{row.submission}: {row.reason}" for row in judged if not row.agrees]


@pytest.mark.slow
def test_example_problems_agree_with_their_labels(judge: Judge, examples_dir: Path) -> None:
    packages = find_problems(examples_dir)
    assert len(packages) >= 5
    for package in packages:
        assert _disagreements(judge, package) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL)
def test_real_packages_agree_with_their_labels(
    judge: Judge, shared_problems: Path, name: str
) -> None:
    assert _disagreements(judge, shared_problems / name) == []

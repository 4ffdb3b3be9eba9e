"""Behaviour labels: equal exactly when outputs agree (token-normalised for exact
answers, by the checker where many answers are right)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.compile import Build
from judge.programs import program_from_text
from judge.session import Judge, JudgeOptions
from problems.load import load_problem
from solver.behaviour import behaviour_labels, checker_aware, group_outputs, token_digest


@given(st.lists(st.integers(0, 30), max_size=40), st.integers(1, 7))
def test_group_outputs_partitions_by_the_agreement(values: list[int], modulus: int) -> None:
    digests = [str(v) for v in values]

    def agree(rep: str, others: list[str]) -> list[bool]:
        return [int(rep) % modulus == int(o) % modulus for o in others]

    reps = group_outputs(digests, agree)
    assert set(reps) == set(digests)
    for digest, rep in reps.items():
        assert int(digest) % modulus == int(rep) % modulus
        assert reps[rep] == rep
    assert len(set(reps.values())) == len({int(d) % modulus for d in digests})


def test_token_digest_ignores_whitespace_and_case() -> None:
    assert token_digest(b"1  2\nYES\n", False) == token_digest(b"1 2 yes", False)
    assert token_digest(b"YES", True) != token_digest(b"yes", True)
    assert token_digest(b"1 2", False) != token_digest(b"12", False)


@pytest.fixture()
def judge(tmp_path: Path) -> Iterator[Judge]:
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as session:
        yield session


def _builds(*sources: str) -> list[Build | str]:
    return [Build(program_from_text(s, "python", f"p{i}")) for i, s in enumerate(sources)]


def test_exact_answers_label_by_tokens(judge: Judge, examples_dir: Path, tmp_path: Path) -> None:
    problem = load_problem(examples_dir / "pairsum")
    assert not checker_aware(problem)
    one = tmp_path / "1.in"
    one.write_text("1 5\n5\n")
    two = tmp_path / "2.in"
    two.write_text("2 4\n1 3\n")
    labels = behaviour_labels(
        judge,
        problem,
        _builds("print(0)", "print(' 0 ')", "print(1)", "while True: pass"),
        [one, two],
    )
    assert labels[0] == labels[1]
    assert labels[2] != labels[0]
    assert labels[3] == ("!TLE", "!TLE")


def test_float_tolerance_labels_by_the_checker(
    judge: Judge, examples_dir: Path, tmp_path: Path
) -> None:
    problem = load_problem(examples_dir / "meandistance")
    assert checker_aware(problem)
    path = tmp_path / "1.in"
    path.write_text("2\n0 1\n")
    labels = behaviour_labels(
        judge,
        problem,
        _builds("print('0.5')", "print('0.5000000001')", "print('0.6')", "print('0.50')"),
        [path],
    )
    assert labels[0] == labels[1] == labels[3]
    assert labels[2] != labels[0]


def test_custom_validator_groups_routes(judge: Judge, examples_dir: Path, tmp_path: Path) -> None:
    problem = load_problem(examples_dir / "mazepath")
    path = tmp_path / "maze.in"
    path.write_text("2 2\nS.\n.E\n")
    labels = behaviour_labels(
        judge,
        problem,
        _builds("print('RD')", "print('DR')", "print('RD')", "print('RDLR')", "print('DD')"),
        [path],
    )
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] != labels[0] and labels[4] != labels[0]

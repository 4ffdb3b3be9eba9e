"""Runs on input-only tests: output digests, bytes, failures, caching, and the
checker agreement of two outputs (judge/outputs.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from judge.compile import Build
from judge.outputs import OutputRunner, read_output
from judge.programs import program_from_text
from judge.session import Judge, JudgeOptions
from judge.verdicts import Verdict
from problems.load import load_problem

ECHO_SUM = "a, b = map(int, input().split()); print(a + b)\n"
SPACED_SUM = "a, b = map(int, input().split()); print('  ', a + b, '  ')\n"
WRONG = "a, b = map(int, input().split()); print(a - b)\n"
SPIN = "while True:\n    pass\n"
CRASH = "raise SystemExit(3)\n"


@pytest.fixture()
def judge(tmp_path: Path) -> Iterator[Judge]:
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as session:
        yield session


def _builds(*sources: str) -> list[Build | str]:
    return [Build(program_from_text(s, "python", f"p{i}")) for i, s in enumerate(sources)]


def test_digests_bytes_failures_and_cache(judge: Judge, examples_dir: Path, tmp_path: Path) -> None:
    problem = load_problem(examples_dir / "pairsum")
    first = tmp_path / "a.in"
    first.write_text("2 3\n")
    second = tmp_path / "b.in"
    second.write_text("10 -4\n")
    with OutputRunner(judge) as runner:
        rows = runner.run(
            problem, _builds(ECHO_SUM, SPACED_SUM, WRONG, SPIN, CRASH), [first, second], True
        )
        echo, spaced, wrong, spin, crash = rows
        assert echo[0].verdict is None and read_output(judge.cache_dir, echo[0].digest) == b"5\n"
        assert spaced[0].digest != echo[0].digest  # bytes differ, tokens do not
        assert wrong[1].digest != echo[1].digest
        assert spin[0].verdict is Verdict.TLE and spin[0].digest == ""
        assert crash[1].verdict is Verdict.RE
        again = runner.run(problem, _builds(ECHO_SUM, SPIN), [first, second])
        assert again == [echo, spin]
        not_built = runner.run(problem, ["no grader for this language"], [first])
        assert not_built[0][0].verdict is Verdict.CE


def test_custom_validator_decides_agreement(
    judge: Judge, examples_dir: Path, tmp_path: Path
) -> None:
    problem = load_problem(examples_dir / "mazepath")
    maze = tmp_path / "maze.in"
    maze.write_text("2 2\nS.\n.E\n")
    right_down = "print('RD')\n"
    down_right = "print('DR')\n"
    long_way = "print('RDLR')\n"
    with OutputRunner(judge) as runner:
        rows = runner.run(problem, _builds(right_down, down_right, long_way), [maze], True)
        digests = [row[0].digest for row in rows]
        if rows[0][0].verdict is not None:
            pytest.fail(f"reference run failed: {rows[0][0]}")
        agree = runner.agree(
            problem, [(maze, digests[0], digests[1]), (maze, digests[0], digests[2])]
        )
    assert len(set(digests)) == 3
    assert agree == [True, False]

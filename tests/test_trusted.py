"""The problem's own programs as trusted programs (judge/trusted.py) and a build
that failed in the sandbox being the judge's error, not the candidate's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from judge.compile import Compiled
from judge.execute import Setup, run_test
from judge.pool import _sandbox
from judge.session import Judge, JudgeOptions
from judge.trusted import (
    InputValidator,
    compile_trusted,
    run_trusted,
    runnable_program,
    validator_flag_sets,
)
from judge.verdicts import Verdict
from problems.load import load_problem


@pytest.fixture()
def judge(tmp_path: Path) -> Iterator[Judge]:
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as session:
        yield session


def test_flag_sets_of_exactsum(examples_dir: Path) -> None:
    problem = load_problem(examples_dir / "exactsum")
    flag_sets = validator_flag_sets(problem)
    assert ("maxn=20000", "mina=1") in flag_sets
    assert len(set(flag_sets)) == len(flag_sets)


def test_validator_accepts_tests_and_rejects_broken_inputs(
    judge: Judge, examples_dir: Path, tmp_path: Path
) -> None:
    problem = load_problem(examples_dir / "exactsum")
    validator = InputValidator(judge, problem)
    assert validator.available
    broken = tmp_path / "broken.in"
    broken.write_text("3 1\n1 2\n")  # n says 3, two values follow
    negative = tmp_path / "negative.in"
    negative.write_text("2 0\n-1 1\n")  # valid only where negative values are allowed
    tests = [test.input_path for test in problem.tests[:3]]
    accepting = validator.accepting([*tests, broken, negative])
    assert all(accepting[: len(tests)])
    assert accepting[len(tests)] == ()
    assert ("maxn=1000", "mina=-10000") in accepting[-1]
    assert ("maxn=20000", "mina=1") not in accepting[-1]


def test_generator_runs_deterministically(judge: Judge, examples_dir: Path) -> None:
    problem = load_problem(examples_dir / "pairsum")
    [generator] = [e for e in problem.generators if e.name == "gen.py"]
    sources = runnable_program(generator)
    assert sources is not None
    [compiled] = compile_trusted(judge, [sources])
    args = ("7", "random", "5", "-3", "3")
    first, second, other = run_trusted(
        judge, [(compiled, args, None), (compiled, args, None), (compiled, ("8", *args[1:]), None)]
    )
    assert first.ok and first.output == second.output
    assert first.output.split()[0] == b"5"
    assert other.output != first.output


def test_sandbox_failure_while_compiling_is_judge_error(
    judge: Judge, examples_dir: Path, tmp_path: Path
) -> None:
    problem = load_problem(examples_dir / "pairsum")
    failed = Compiled(
        key="x",
        language="cpp",
        ok=False,
        message="sandbox error while compiling: runner died",
        directory=tmp_path,
        run_argv=("./prog",),
        artifact="prog",
        zygote=False,
        processes=1,
        judge_error=True,
    )
    setup = Setup(problem, 1.0)
    result = run_test(failed, setup, problem.tests[0], _sandbox())
    assert result.verdict is Verdict.JE
    plain = run_test(
        Compiled(**{**failed.__dict__, "judge_error": False}), setup, problem.tests[0], _sandbox()
    )
    assert plain.verdict is Verdict.CE

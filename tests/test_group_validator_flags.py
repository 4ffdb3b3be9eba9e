"""A test group's `output_validator_flags` (testdata.yaml) reach the checker."""

from __future__ import annotations

from pathlib import Path

from judge.programs import program_from_text
from judge.session import Judge, JudgeOptions
from judge.verdicts import Verdict
from problems.load import load_problem


def _package(root: Path, group_flags: str | None) -> Path:
    root.mkdir()
    (root / "problem.yaml").write_text(
        "name: Half\nlimits:\n  time_limit: 1\nproblem_format_version: 2023-07-draft\n"
    )
    group = root / "data" / "secret" / "group1"
    group.mkdir(parents=True)
    (group / "1.in").write_text("1\n")
    (group / "1.ans").write_text("0.5\n")
    if group_flags is not None:
        (group / "testdata.yaml").write_text(f"output_validator_flags: {group_flags}\n")
    return root


def test_group_flags_loosen_the_token_checker(tmp_path: Path) -> None:
    program = program_from_text("print(0.55)\n", "python", "close")
    verdicts = []
    for flags in (None, "float_tolerance 0.1"):
        problem = load_problem(_package(tmp_path / str(flags).replace(" ", "_"), flags))
        assert problem.test("secret/group1/1").validator_flags == (
            () if flags is None else tuple(flags.split())
        )
        with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as judge:
            [result] = judge.judge_programs(problem, [program])
        verdicts.append(result.tests[0].verdict)
    assert verdicts == [Verdict.WA, Verdict.AC]

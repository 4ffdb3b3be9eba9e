"""Runs judged while a time limit is derived are kept for the derived limit
(judge.timelimit.carry_over) only where the derived limit could not have
changed them, and the verdicts are those of judging again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from judge.execute import NEAR_LIMIT_LOW, Setup, candidate_limits
from judge.session import Judge, JudgeOptions
from judge.timelimit import carries_over, reference_programs
from judge.verdicts import TestResult, Verdict
from problems.load import load_problem

EXAMPLES = Path(__file__).resolve().parents[1] / "problems" / "examples"


@settings(deadline=None)  # loads a package each time: slow on a busy machine
@given(
    verdict=st.sampled_from(list(Verdict)),
    cpu=st.floats(min_value=0, max_value=20),
    wall=st.floats(min_value=0, max_value=40),
    time_s=st.sampled_from([1.0, 2.0, 3.0, 10.0]),
)
def test_only_runs_no_limit_could_have_touched_carry_over(
    verdict: Verdict, cpu: float, wall: float, time_s: float
) -> None:
    problem = load_problem(EXAMPLES / "taller")
    setup = Setup(problem, time_s)
    run = TestResult(test="t", verdict=verdict, cpu_time_s=cpu, wall_time_s=wall)
    wall_limit = candidate_limits(problem.limits, time_s, 1).wall_time_s
    carried = carries_over(run, setup)
    if verdict in (Verdict.TLE, Verdict.JE) or cpu >= NEAR_LIMIT_LOW * time_s:
        assert not carried
    elif wall >= wall_limit:
        assert not carried
    else:
        assert carried


def test_reference_programs_are_not_judged_twice(tmp_path: Path) -> None:
    """taller gives no time limit: its accepted program is judged under the
    provisional limit to derive it, and those runs serve the derived limit (no
    new run); judging again from scratch gives the same verdicts."""
    problem = load_problem(EXAMPLES / "taller")
    assert problem.limits.time_s is None
    options = JudgeOptions(workers=0, cache_dir=tmp_path / "cache")
    programs = reference_programs(problem)
    assert programs
    with Judge(options) as judge:
        setup = judge.setup(problem)
        provisional_runs = judge.stored_results
        assert provisional_runs >= len(problem.tests)
        carried = judge.judge_tests(setup, programs)
        assert judge.stored_results == provisional_runs, "no reference run was repeated"
    with Judge(replace(options, reuse_results=False)) as judge:
        again = judge.judge_tests(judge.setup(problem), programs)
    assert [[t.verdict for t in r.tests] for r in carried] == [
        [t.verdict for t in r.tests] for r in again
    ]
    assert [(r.result.verdict, r.result.score) for r in carried] == [
        (r.result.verdict, r.result.score) for r in again
    ]

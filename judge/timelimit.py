"""A problem's time limit where its package gives none (Kattis): the slowest
accepted submission's CPU time times the problem's time_multiplier, rounded up
to whole seconds. Derived once and remembered in the cache folder, keyed by the
problem, its accepted programs and its tests."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path

from judge.builds import grader_build, submission_program
from judge.cache import ResultCache, checker_key, limits_key, result_key, time_limit_key
from judge.compile import Build
from judge.execute import NEAR_LIMIT_LOW, Setup, candidate_limits
from judge.labels import TIME_LIMIT_LABELS
from judge.programs import Program, SourceError
from judge.schedule import SubmissionResult
from judge.verdicts import TestResult, Verdict
from problems.model import Problem, TestCase

PROVISIONAL_TIME_S = 10.0
"""The limit the accepted submissions are judged under while the real one is derived."""


def reference_programs(problem: Problem) -> list[Program]:
    """The programs the limit is derived from: the submissions whose label
    promises they pass in time (those this judge cannot build are left out)."""
    programs = []
    for submission in problem.submissions:
        if submission.label not in TIME_LIMIT_LABELS:
            continue
        try:
            programs.append(submission_program(submission))
        except SourceError:
            continue
    return programs


def limit_from(runs: Iterable[TestResult], time_multiplier: float) -> tuple[float, float]:
    """(time limit, slowest accepted CPU time): the slowest accepted run of `runs`
    times `time_multiplier`, rounded up to whole seconds, at least 1."""
    slowest = max((run.cpu_time_s for run in runs if run.verdict is Verdict.AC), default=0.0)
    return float(max(1, math.ceil(slowest * time_multiplier))), slowest


def derive_time_limit(
    setup: Setup,
    cache_dir: Path,
    test_digest: Callable[[TestCase], str],
    judge: Callable[[Setup, list[Program]], list[SubmissionResult]],
) -> float:
    """The problem's time limit: read from the cache folder, or found by judging
    its reference programs with `judge` under `setup` (a provisional limit) and
    written there."""
    problem = setup.problem
    programs = reference_programs(problem)
    key = time_limit_key(
        problem.name,
        (program.key() for program in programs),
        (test_digest(test) for test in problem.tests),
    )
    record = cache_dir / "timelimits" / f"{key}.json"
    if record.exists():
        return float(json.loads(record.read_text())["time_s"])
    results = judge(setup, programs)
    runs = (run for result in results for run in result.tests)
    time_s, slowest = limit_from(runs, problem.limits.time_multiplier)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(
        json.dumps({"problem": problem.name, "time_s": time_s, "slowest_accepted_s": slowest})
    )
    return time_s


def carries_over(run: TestResult, setup: Setup) -> bool:
    """Whether a run judged under the provisional limit is what a run under
    `setup`'s (derived) limit gives: it ended by itself, below the band where
    runs near a limit are repeated and within the wall-clock kill, so no limit
    of `setup` could have stopped it or changed its verdict."""
    wall_s = candidate_limits(setup.problem.limits, setup.time_s, 1).wall_time_s
    return (
        run.verdict not in (Verdict.TLE, Verdict.JE)
        and run.cpu_time_s < NEAR_LIMIT_LOW * setup.time_s
        and run.wall_time_s < wall_s
    )


def carry_over(
    results: ResultCache,
    provisional: Setup,
    final: Setup,
    test_digest: Callable[[TestCase], str],
) -> int:
    """Store, under the derived limit of `final`, the reference programs' runs
    judged under `provisional` that `carries_over` (the limit was derived from
    them: judging them again would repeat the same runs); returns how many."""
    problem = final.problem
    checking = checker_key(final)
    before, after = limits_key(provisional), limits_key(final)
    carried = 0
    for program in reference_programs(problem):
        build = grader_build(problem, program)
        if not isinstance(build, Build):
            continue
        for test in problem.tests:
            digest = test_digest(test)
            if results.get(result_key(build.key(), digest, after, checking)) is not None:
                continue
            run = results.get(result_key(build.key(), digest, before, checking))
            if run is not None and carries_over(run, final):
                results.put(result_key(build.key(), digest, after, checking), run)
                carried += 1
    return carried

"""The schedule of a judging call (judge/schedule.py): which tests it runs and in
what order never changes a grade; tests after an untried one of a breaking
group wait (no run after a rejection that cannot count); longest jobs first.

The pool here runs the schedule's own job loop (`run_segments`) on a table of
results, finishing jobs in an order hypothesis draws: the sandbox is not what
these tests are about (tests/test_judge_session.py judges real programs)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judge import schedule
from judge.cache import ResultCache
from judge.execute import Setup
from judge.grading import grade
from judge.verdicts import TestResult, Verdict
from problems.model import OnReject, Problem, Scoring, TestCase
from problems.model import TestGroup as Group
from tests.test_grading import _random_tree, synthetic_problem


@dataclass(frozen=True)
class _Program:
    """What the schedule reads of a compiled program: its key."""

    key: str


@dataclass
class TablePool:
    """A pool whose jobs read results from `table[key][test]` and finish in the
    order `pick` chooses (an index into the unfinished jobs); records each run."""

    table: dict[str, dict[str, TestResult]]
    workers: int
    pick: Callable[[int], int] = lambda count: 0
    job_scale: int = 1
    runs: list[tuple[str, str]] = field(default_factory=list)
    submitted: list[tuple[str, tuple[tuple[str, ...], ...]]] = field(default_factory=list)
    pending: list[tuple[Future[list[TestResult]], Callable[[], list[TestResult]]]] = field(
        default_factory=list
    )

    def submit(self, function: Any, compiled: Any, setup: Setup, segments: Any, stop: bool) -> Any:
        assert function is schedule.segments_job
        names = tuple(tuple(test.name for test in segment) for segment in segments)
        self.submitted.append((compiled.key, names))

        def run(test: TestCase) -> TestResult:
            self.runs.append((compiled.key, test.name))
            return self.table[compiled.key][test.name]

        future: Future[list[TestResult]] = Future()
        self.pending.append((future, lambda: schedule.run_segments(segments, stop, run)))
        return future

    def wait(self, futures: Any, return_when: Any = None) -> tuple[set[Any], set[Any]]:
        future, job = self.pending.pop(self.pick(len(self.pending)))
        future.set_result(job())
        return {future}, set(futures) - {future}


def run_schedule(
    problem: Problem,
    keys: list[str],
    table: dict[str, dict[str, TestResult]],
    workers: int,
    pick: Callable[[int], int] = lambda count: 0,
    lazy: bool = True,
    job_scale: int = 1,
) -> tuple[dict[int, dict[str, TestResult]], TablePool]:
    """Judge programs with `keys` (equal keys: identical programs) through a
    Schedule on `table` (jobs sized for a pool of `job_scale`); returns its
    results and the pool."""
    pool = TablePool(table, workers, pick, job_scale)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        patch.setattr(schedule, "wait", pool.wait)
        cache = ResultCache(Path(tmp) / "results.sqlite")
        try:
            found = schedule.Schedule(
                pool,  # type: ignore[arg-type]
                cache,
                Setup(problem, 1.0),
                list(problem.tests),
                {index: _Program(key) for index, key in enumerate(keys)},  # type: ignore[misc]
                lambda test: test.name,
                lazy=lazy,
            ).run()
        finally:
            cache.close()
    return found, pool


VERDICTS = [Verdict.AC, Verdict.AC, Verdict.AC, Verdict.WA, Verdict.TLE, Verdict.RE]


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_schedule_never_changes_a_grade(data: st.DataObject) -> None:
    """Whatever the tree, the results, the number of workers and the order jobs
    finish in: every program's grade is its grade on all tests, and no program
    runs a test twice."""
    tree = data.draw(st.composite(lambda draw: _random_tree(draw, 2, ""))())
    problem = synthetic_problem(tree)
    keys = data.draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4))
    table = {
        key: {
            case.name: TestResult(
                case.name,
                data.draw(st.sampled_from(VERDICTS)),
                cpu_time_s=data.draw(st.sampled_from([0.001, 0.05, 0.5, 1.25])),
            )
            for case in problem.tests
        }
        for key in set(keys)
    }
    workers = data.draw(st.integers(min_value=1, max_value=3))
    order = data.draw(st.randoms(use_true_random=False))
    lazy = data.draw(st.booleans())
    job_scale = data.draw(st.sampled_from([1, 4]))  # the local pool's jobs, the Ray pool's
    found, pool = run_schedule(
        problem, keys, table, workers, lambda count: order.randrange(count), lazy, job_scale
    )
    for index, key in enumerate(keys):
        assert grade(problem, found[index]) == grade(problem, table[key])
    assert len(pool.runs) == len(set(pool.runs))
    if not lazy:
        assert len(pool.runs) == len(problem.tests) * len(set(keys))


def _breaking_groups(count: int, size: int) -> Problem:
    groups = tuple(
        Group(
            f"secret/group{g}",
            tuple(f"secret/group{g}/{t}" for t in range(size)),
            Scoring(accept_score=10.0, on_reject=OnReject.BREAK, grader_flags=("min",)),
        )
        for g in range(count)
    )
    root = Group(
        "secret",
        groups,
        Scoring(
            on_reject=OnReject.CONTINUE, grader_flags=("first_error", "accept_if_any_accepted")
        ),
    )
    return synthetic_problem(Group("data", (root,)))


def _table(problem: Problem, verdict: Callable[[str], Verdict], cpu_s: float) -> dict[str, Any]:
    return {
        case.name: TestResult(case.name, verdict(case.name), cpu_time_s=cpu_s)
        for case in problem.tests
    }


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_a_program_too_slow_everywhere_runs_one_test_per_group(workers: int) -> None:
    """A program rejected on every test (the too-slow submission of a scoring
    problem) runs the first test of each on_reject: break group and nothing
    after it, however many workers are free."""
    problem = _breaking_groups(count=5, size=6)
    table = {"slow": _table(problem, lambda name: Verdict.TLE, 1.25)}
    found, pool = run_schedule(problem, ["slow"], table, workers)
    assert sorted(name for _, name in pool.runs) == [f"secret/group{g}/0" for g in range(5)]
    assert grade(problem, found[0]) == grade(problem, table["slow"])


def test_a_slow_program_after_a_rejection_waits_for_each_result() -> None:
    """A program slow on every test and rejected on the third test of each group
    runs three tests per group: the tests after a rejection are never started."""
    problem = _breaking_groups(count=3, size=6)
    table = {
        "p": _table(problem, lambda name: Verdict.WA if name.endswith("/2") else Verdict.AC, 1.0)
    }
    _, pool = run_schedule(problem, ["p"], table, workers=2)
    assert sorted(name for _, name in pool.runs) == sorted(
        f"secret/group{g}/{t}" for g in range(3) for t in range(3)
    )


def test_a_fast_program_takes_its_group_in_one_job() -> None:
    """A fast program's tests after its first result go in jobs of a whole
    group's chain (fewer hand-offs): at most one job per group after the first."""
    problem = _breaking_groups(count=2, size=6)
    table = {"fast": _table(problem, lambda name: Verdict.AC, 0.001)}
    _, pool = run_schedule(problem, ["fast"], table, workers=1)
    assert len(pool.runs) == 12
    assert len(pool.submitted) <= 4


@pytest.mark.parametrize("job_scale", [1, 4])
def test_a_pool_with_a_larger_job_scale_gets_fewer_larger_jobs(job_scale: int) -> None:
    """Every test of a fast program, judged eagerly: once its speed is known
    (after the first window of two jobs, sized by the time limit), every job but
    the last holds MAX_BATCH tests times the pool's `job_scale` (a Ray task costs
    more to send)."""
    problem = _breaking_groups(count=8, size=8)
    table = {"fast": _table(problem, lambda name: Verdict.AC, 0.001)}
    _, pool = run_schedule(problem, ["fast"], table, workers=1, lazy=False, job_scale=job_scale)
    sizes = [sum(len(segment) for segment in segments) for _, segments in pool.submitted]
    assert sum(sizes) == len(pool.runs) == 64
    full = schedule.MAX_BATCH * job_scale
    assert sizes[:2] == [job_scale, job_scale]
    assert all(size == full for size in sizes[2:-1]) and 0 < sizes[-1] <= full


def test_slowest_programs_go_first() -> None:
    """Once each program has a result, the jobs of the slowest go to the pool first."""
    problem = _breaking_groups(count=4, size=3)
    table = {
        "fast": _table(problem, lambda name: Verdict.AC, 0.01),
        "slow": _table(problem, lambda name: Verdict.AC, 0.9),
    }
    _, pool = run_schedule(problem, ["fast", "slow"], table, workers=1)
    later = [key for key, _ in pool.submitted[2:]]
    first_fast = later.index("fast") if "fast" in later else len(later)
    assert "slow" in later[:first_fast]


def test_certain_tests() -> None:
    """The first untried test of a breaking group counts whatever happens; the
    tests after it do not until it is known; a continuing group's all do."""
    problem = _breaking_groups(count=2, size=3)
    needed = [case.name for case in problem.tests]
    assert schedule.certain_tests(problem, {}, needed) == {
        "secret/group0/0",
        "secret/group1/0",
    }
    known = {"secret/group0/0": TestResult("secret/group0/0", Verdict.AC)}
    assert schedule.certain_tests(problem, known, needed[1:]) == {
        "secret/group0/1",
        "secret/group1/0",
    }
    flat = synthetic_problem(Group("data", ("a", "b", "c"), Scoring(on_reject=OnReject.CONTINUE)))
    assert schedule.certain_tests(flat, {}, ["a", "b", "c"]) == {"a", "b", "c"}

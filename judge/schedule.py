"""Running the tests of one judging call through the worker pool: which tests each
program still needs, cached results first, identical programs sharing their
runs, the pool kept busy across programs; then the per-test results of each
program gathered and graded into a `SubmissionResult`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, replace

from tqdm import tqdm

from judge.cache import ResultCache, checker_key, limits_key, result_key
from judge.compile import Compiled
from judge.execute import Setup
from judge.grading import GroupGrader, grade, tests_needed
from judge.pool import WorkerPool, test_batch_job
from judge.programs import Program
from judge.verdicts import ProblemResult, TestResult, Verdict
from problems.model import TestCase, TestGroup

MAX_BATCH = 8


@dataclass(frozen=True)
class SubmissionResult:
    """One program judged on one problem: per-test results and the graded score."""

    name: str
    language: str
    tests: tuple[TestResult, ...]
    result: ProblemResult
    compile_message: str = ""


def job_setup(setup: Setup) -> Setup:
    """The setup a job carries to a worker process: without what running a test
    never reads (the test list, submissions, statement), so each job pickles small."""
    problem = setup.problem
    return replace(
        setup,
        problem=replace(
            problem,
            tests=(),
            submissions=(),
            statement="",
            root_group=TestGroup(problem.root_group.name, ()),
        ),
    )


class Schedule:
    """Runs the test jobs of one judging call. With `lazy` judging (Kattis
    `on_reject: break`, IOI subtasks already at zero) only tests that can still
    change a program's grade are run; cached results are used first (unless
    `reuse_results` is off); identical programs share their runs; the pool is
    kept busy across programs. `stored` counts the results it saved."""

    def __init__(
        self,
        pool: WorkerPool,
        results: ResultCache,
        setup: Setup,
        tests: list[TestCase],
        programs: dict[int, Compiled],
        test_digest: Callable[[TestCase], str],
        *,
        lazy: bool = True,
        reuse_results: bool = True,
        progress: bool = False,
    ) -> None:
        self.pool = pool
        self.cache = results
        self.setup = setup
        self.tests = {test.name: test for test in tests}
        self.programs = programs
        self.test_digest = test_digest
        self.lazy = lazy
        self.reuse_results = reuse_results
        self.progress = progress
        self.results: dict[int, dict[str, TestResult]] = {index: {} for index in programs}
        self.stored = 0
        self.checker_key = checker_key(setup)
        self.limits_key = limits_key(setup)
        self.window = max(1, pool.workers) * 2
        self.job_setup = job_setup(setup)

    def _key(self, compiled: Compiled, test: TestCase) -> str:
        return result_key(compiled.key, self.test_digest(test), self.limits_key, self.checker_key)

    def _needed(self, index: int) -> list[str]:
        known = self.results[index]
        if not self.lazy:
            return [name for name in self.tests if name not in known]
        return [
            name
            for name in tests_needed(self.setup.problem, known)
            if name in self.tests and name not in known
        ]

    def _batch_size(self, count: int) -> int:
        """Tests per job: enough to amortise the hand-off to a worker, few enough
        to keep every worker busy."""
        return max(1, min(MAX_BATCH, -(-count // self.window)))

    def run(self) -> dict[int, dict[str, TestResult]]:
        """Judge until no program needs another test; returns results per program."""
        in_flight: dict[Future[list[TestResult]], tuple[str, tuple[str, ...]]] = {}
        waiting: dict[tuple[str, str], list[int]] = {}
        bar = tqdm(
            desc=f"judging {self.setup.problem.name}",
            unit="run",
            leave=False,
            disable=not self.progress,
        )
        while True:
            for index, compiled in self.programs.items():
                batch: list[str] = []
                for name in self._needed(index):
                    job = (compiled.key, name)
                    if job in waiting:
                        if index not in waiting[job]:
                            waiting[job].append(index)
                        continue
                    cached = (
                        self.cache.get(self._key(compiled, self.tests[name]))
                        if self.reuse_results
                        else None
                    )
                    if cached is not None:
                        self.results[index][name] = replace(cached, test=name)
                        continue
                    batch.append(name)
                size = self._batch_size(len(batch))
                while batch and len(in_flight) < self.window:
                    chunk, batch = tuple(batch[:size]), batch[size:]
                    for name in chunk:
                        waiting[(compiled.key, name)] = [index]
                    future = self.pool.submit(
                        test_batch_job,
                        compiled,
                        self.job_setup,
                        tuple(self.tests[name] for name in chunk),
                        self.lazy,
                    )
                    in_flight[future] = (compiled.key, chunk)
            if not in_flight:
                if all(not self._needed(index) for index in self.programs):
                    break
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                build_key, chunk = in_flight.pop(future)
                results = {result.test: result for result in future.result()}
                for name in chunk:
                    indices = waiting.pop((build_key, name))
                    if name not in results:  # skipped after a failure: asked again if needed
                        continue
                    compiled = self.programs[indices[0]]
                    self.cache.put(self._key(compiled, self.tests[name]), results[name])
                    self.stored += 1
                    for index in indices:
                        self.results[index][name] = results[name]
                    bar.update(1)
        bar.close()
        return self.results


def submission_results(
    setup: Setup,
    programs: Sequence[Program],
    compiled: Sequence[Compiled | str],
    found: Mapping[int, dict[str, TestResult]],
    tests: Sequence[TestCase],
    group_grader: GroupGrader | None,
) -> list[SubmissionResult]:
    """Each program's results on `tests`, graded: a program that could not be
    built (a str: the reason) or did not compile gets CE on every test, one whose
    build failed in the sandbox JE; the others what the schedule `found`.
    `programs` are as the problem's platform runs them."""
    outcome: list[SubmissionResult] = []
    for index, program in enumerate(programs):
        build = compiled[index]
        if isinstance(build, str) or not build.ok:
            message = build if isinstance(build, str) else build.message
            failed = _judge_error if isinstance(build, Compiled) and build.judge_error else _ce
            results = {test.name: failed(test, message) for test in tests}
        else:
            message = ""
            results = found[index]
        judged = tuple(results[test.name] for test in tests if test.name in results)
        outcome.append(
            SubmissionResult(
                name=program.name,
                language=program.language,
                tests=judged,
                result=grade(setup.problem, results, group_grader),
                compile_message=message,
            )
        )
    return outcome


def _ce(test: TestCase, message: str) -> TestResult:
    """A program that cannot be built or does not compile: CE."""
    return TestResult(test=test.name, verdict=Verdict.CE, message=message[-2000:])


def _judge_error(test: TestCase, message: str) -> TestResult:
    """A build that failed in the sandbox (not the candidate's fault): JE."""
    return TestResult(test=test.name, verdict=Verdict.JE, message=message[-2000:])

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
from judge.execute import Setup, run_test
from judge.grading import GroupGrader, MissingResultsError, grade, tests_needed
from judge.pool import WorkerPool, worker_sandbox
from judge.programs import Program
from judge.verdicts import ProblemResult, TestResult, Verdict
from problems.model import Problem, TestCase, TestGroup
from problems.testdata import has_custom_grading

MAX_BATCH = 8
SPECULATION_S = 0.1
"""How many CPU seconds of tests after a test that may still fail (on_reject:
break, an IOI subtask) a job may carry, by the program's slowest run so far: a
fast program's chain goes in one job; a slow one's waits for each result."""
JOB_S = 1.0
"""How many estimated CPU seconds of tests one job may carry (at least one test);
both this and MAX_BATCH are multiplied by the pool's `job_scale`."""


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


def segments_job(
    compiled: Compiled, setup: Setup, segments: tuple[tuple[TestCase, ...], ...], stop: bool
) -> list[TestResult]:
    """Run each segment's tests in order in this worker's sandbox (see
    judge.execute); with `stop`, a segment's tests after its first rejected one
    are left out (the caller asks for them again if they can still change the
    grade). Segments are independent: a rejection in one does not stop the next."""
    return run_segments(
        segments, stop, lambda test: run_test(compiled, setup, test, worker_sandbox())
    )


def run_segments(
    segments: Sequence[Sequence[TestCase]], stop: bool, run: Callable[[TestCase], TestResult]
) -> list[TestResult]:
    """`segments_job`'s loop with `run` judging one test."""
    results = []
    for segment in segments:
        for test in segment:
            result = run(test)
            results.append(result)
            if stop and not result.verdict.accepted:
                break
    return results


def certain_tests(
    problem: Problem, known: Mapping[str, TestResult], needed: Sequence[str]
) -> set[str]:
    """The `needed` tests whose results count whatever the other needed tests
    give: those still counted when every needed test is assumed rejected (the
    first untried test of an on_reject: break group or IOI subtask, every test
    of a group that does not break). With a custom grader every needed test."""
    if has_custom_grading(problem.root_group):
        return set(needed)
    assumed = dict(known)
    for name in needed:
        assumed[name] = TestResult(test=name, verdict=Verdict.WA)
    try:
        counted = grade(problem, assumed).tests
    except MissingResultsError:
        return set(needed)
    return {result.test for result in counted} & set(needed)


def leaf_groups(group: TestGroup) -> dict[str, str]:
    """Test name -> the name of the innermost group holding it (its first one)."""
    found: dict[str, str] = {}
    for item in group.items:
        if isinstance(item, TestGroup):
            for name, leaf in leaf_groups(item).items():
                found.setdefault(name, leaf)
        else:
            found.setdefault(item, group.name)
    return found


@dataclass
class _Program:
    """What the schedule knows of one program between events: the tests its
    grade still needs (in judging order), those of them that count whatever
    happens (`certain`), and whether its results changed since (`stale`)."""

    needed: tuple[str, ...] = ()
    certain: frozenset[str] = frozenset()
    stale: bool = True


@dataclass(frozen=True)
class _Job:
    """Tests of one program for one worker: segments run in order, each stopping
    at its first rejection; `estimate_s` orders jobs (longest first)."""

    index: int
    segments: tuple[tuple[str, ...], ...]
    estimate_s: float


class Schedule:
    """Runs the test jobs of one judging call. With `lazy` judging (Kattis
    `on_reject: break`, IOI subtasks already at zero) only tests that can still
    change a program's grade are run, and of those first the tests that count
    whatever other results are (`certain_tests`): the tests after an untried one
    of a breaking group are run only when a worker would otherwise idle (and only
    for programs with no rejected test yet), or in the same job as it when the
    program is fast (`SPECULATION_S`). Jobs go to the pool longest first, by each
    program's slowest run so far (a program not yet run counts as slow).
    Cached results are used first (unless `reuse_results` is off); identical
    programs share their runs. `stored` counts the results it saved."""

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
        self.lazy = lazy
        self.reuse_results = reuse_results
        self.progress = progress
        self.results: dict[int, dict[str, TestResult]] = {index: {} for index in programs}
        self.stored = 0
        self.checker_key = checker_key(setup)
        self.limits_key = limits_key(setup)
        self.workers = max(1, pool.workers)
        self.window = self.workers * 2
        self.job_setup = job_setup(setup)
        self.leaf = leaf_groups(setup.problem.root_group)
        self._state = {index: _Program() for index in programs}
        # A run is one (build key, test digest): tests of several groups that hold
        # the same files (symlinked copies) share one run and one cache entry.
        self._digests = {test.name: test_digest(test) for test in tests}
        self._same_files: dict[str, list[str]] = {}
        for name, digest in self._digests.items():
            self._same_files.setdefault(digest, []).append(name)
        self._waiting: set[tuple[str, str]] = set()  # (build key, test digest) in flight
        self._missed: set[tuple[str, str]] = set()
        self._identical: dict[str, list[int]] = {}
        for index, compiled in programs.items():
            self._identical.setdefault(compiled.key, []).append(index)
        # Each program's jobs and spare job, kept until its results or the runs in
        # flight for its build change (`_changed`): computing them for every program
        # after every finished job made a schedule's own CPU grow with the square
        # of its programs (10,000 candidates: the judge process was the bottleneck).
        self._jobs_of: dict[int, list[_Job]] = {}
        self._spare_of: dict[int, _Job | None] = {}

    def _changed(self, build_key: str) -> None:
        """Forget the jobs of every program of this build (their results or the
        runs in flight for them changed)."""
        for index in self._identical[build_key]:
            self._jobs_of.pop(index, None)
            self._spare_of.pop(index, None)

    def _current_jobs(self, index: int) -> list[_Job]:
        """`_jobs(index)`, computed again only after `_changed`."""
        jobs = self._jobs_of.get(index)
        if jobs is None:
            jobs = self._jobs_of[index] = self._jobs(index)
        return jobs

    def _current_spare(self, index: int) -> _Job | None:
        """`_speculative(index)`, computed again only after `_changed`."""
        if index not in self._spare_of:
            self._spare_of[index] = self._speculative(index)
        return self._spare_of[index]

    def _run_of(self, build_key: str, name: str) -> tuple[str, str]:
        """The run that gives program `build_key` its result on test `name`."""
        return build_key, self._digests[name]

    def _key(self, compiled: Compiled, test: TestCase) -> str:
        return result_key(compiled.key, self._digests[test.name], self.limits_key, self.checker_key)

    def _needed(self, index: int) -> list[str]:
        known = self.results[index]
        if not self.lazy:
            return [name for name in self.tests if name not in known]
        return [
            name
            for name in tests_needed(self.setup.problem, known)
            if name in self.tests and name not in known
        ]

    def _from_cache(self, index: int, names: Sequence[str]) -> bool:
        """Take the cached results of `names` for program `index`; whether any was found."""
        if not self.reuse_results:
            return False
        compiled = self.programs[index]
        found = False
        for name in names:
            job = self._run_of(compiled.key, name)
            if job in self._waiting or job in self._missed:
                continue
            cached = self.cache.get(self._key(compiled, self.tests[name]))
            if cached is None:
                self._missed.add(job)
                continue
            self.results[index][name] = replace(cached, test=name)
            found = True
        return found

    def _refresh(self, index: int) -> _Program:
        """The program's needed and certain tests, recomputed when its results changed."""
        state = self._state[index]
        if not state.stale:
            return state
        needed = self._needed(index)
        while self._from_cache(index, needed):
            needed = self._needed(index)
        certain = (
            set(needed)
            if not self.lazy
            else certain_tests(self.setup.problem, self.results[index], needed)
        )
        state.needed, state.certain, state.stale = tuple(needed), frozenset(certain), False
        return state

    def _slowest(self, index: int) -> float | None:
        """The program's slowest CPU time so far (None before its first result)."""
        known = self.results[index]
        return max((result.cpu_time_s for result in known.values()), default=None)

    def _open(self, index: int, state: _Program) -> list[str]:
        """Needed tests of the program that no job runs yet (for it or for an
        identical program: a run's result goes to every program of its build)."""
        key = self.programs[index].key
        return [name for name in state.needed if self._run_of(key, name) not in self._waiting]

    def _jobs(self, index: int) -> list[_Job]:
        """The program's jobs of certain tests, each with the fast tail of its group."""
        state = self._refresh(index)
        names = self._open(index, state)
        slowest = self._slowest(index)
        per_test = self.setup.time_s if slowest is None else max(slowest, 0.001)
        tail = 0 if slowest is None else min(MAX_BATCH - 1, int(SPECULATION_S / per_test))
        segments: list[tuple[str, ...]] = []
        for position, name in enumerate(names):
            if name not in state.certain:
                continue
            segment = [name]
            for follower in names[position + 1 : position + 1 + tail]:
                if follower in state.certain or self.leaf.get(follower) != self.leaf.get(name):
                    break
                segment.append(follower)
            segments.append(tuple(segment))
        jobs: list[_Job] = []
        scale = self.pool.job_scale
        per_job = max(1, min(MAX_BATCH * scale, int(JOB_S * scale / per_test)))
        current: list[tuple[str, ...]] = []
        count = 0
        for chain in segments:
            if current and count + len(chain) > per_job:
                jobs.append(_Job(index, tuple(current), count * per_test))
                current, count = [], 0
            current.append(chain)
            count += len(chain)
        if current:
            jobs.append(_Job(index, tuple(current), count * per_test))
        return jobs

    def _speculative(self, index: int) -> _Job | None:
        """One test of the program that may turn out not to count, to run on a
        worker that would otherwise idle: the first untried one, for a program
        that has not been rejected on any test (one likely to pass them)."""
        state = self._refresh(index)
        if any(not result.verdict.accepted for result in self.results[index].values()):
            return None
        names = [name for name in self._open(index, state) if name not in state.certain]
        if not names:
            return None
        slowest = self._slowest(index)
        return _Job(index, ((names[0],),), self.setup.time_s if slowest is None else slowest)

    def _submit(self, job: _Job, in_flight: dict[Future[list[TestResult]], _Job]) -> None:
        """Send a job to the pool; a test an identical program's job already runs
        is left to it (and a segment cut there, since its order matters)."""
        compiled = self.programs[job.index]
        segments = []
        for segment in job.segments:
            kept: list[str] = []
            for name in segment:
                if self._run_of(compiled.key, name) in self._waiting:
                    break
                kept.append(name)
                self._waiting.add(self._run_of(compiled.key, name))
            if kept:
                segments.append(tuple(kept))
        if not segments:
            return
        self._changed(compiled.key)
        future = self.pool.submit(
            segments_job,
            compiled,
            self.job_setup,
            tuple(tuple(self.tests[name] for name in segment) for segment in segments),
            self.lazy,
        )
        in_flight[future] = replace(job, segments=tuple(segments))

    def _record(self, job: _Job, results: list[TestResult]) -> int:
        """Store a finished job's results for every program of its build."""
        compiled = self.programs[job.index]
        self._changed(compiled.key)
        by_name = {result.test: result for result in results}
        stored = 0
        for segment in job.segments:
            for name in segment:
                run = self._run_of(compiled.key, name)
                self._waiting.discard(run)
                if name not in by_name:  # skipped after a failure: asked again if needed
                    continue
                self.cache.put(self._key(compiled, self.tests[name]), by_name[name])
                self._missed.discard(run)
                self.stored += 1
                stored += 1
                for index in self._identical[compiled.key]:
                    for same in self._same_files[run[1]]:
                        self.results[index][same] = replace(by_name[name], test=same)
                    self._state[index].stale = True
        return stored

    def run(self) -> dict[int, dict[str, TestResult]]:
        """Judge until no program needs another test; returns results per program."""
        in_flight: dict[Future[list[TestResult]], _Job] = {}
        bar = tqdm(
            desc=f"judging {self.setup.problem.name}",
            unit="run",
            leave=False,
            disable=not self.progress,
        )
        while True:
            if len(in_flight) < self.window:
                jobs = [job for index in self.programs for job in self._current_jobs(index)]
                jobs.sort(key=lambda job: -job.estimate_s)
                for job in jobs[: self.window - len(in_flight)]:
                    self._submit(job, in_flight)
            if len(in_flight) < self.workers:
                spare = [self._current_spare(index) for index in self.programs]
                chosen = sorted((job for job in spare if job), key=lambda job: job.estimate_s)
                for job in chosen[: self.workers - len(in_flight)]:
                    self._submit(job, in_flight)
            if not in_flight:
                if all(not self._refresh(index).needed for index in self.programs):
                    break
                # Only tests after untried ones of rejected programs are left:
                # run them (nothing else can make progress).
                for index in self.programs:
                    names = self._open(index, self._refresh(index))
                    if names:
                        self._submit(_Job(index, ((names[0],),), 0.0), in_flight)
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                bar.update(self._record(in_flight.pop(future), future.result()))
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

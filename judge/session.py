"""Judging sessions, the judge's public entry point: a `Judge` holds a worker pool
and the result cache, sets a problem up once (its checker, manager and custom
grader compiled, its time limit resolved) and judges many programs on its tests,
with every run cached.

The work is done by `judge.builds` (what to compile), `judge.timelimit` (a
limit the package does not give), `judge.schedule` (running the tests) and
`judge.cache` (the keys of every cache)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from judge.builds import admit, grader_build, helper_builds, on_platform
from judge.cache import ResultCache, case_digest, checker_key
from judge.compile import Build, Compiled, compiled_in_cache
from judge.execute import Setup
from judge.group_grader import GroupGraderRuns
from judge.paths import cache_root
from judge.pool import WorkerPool, compile_job
from judge.programs import Program, SourceError
from judge.schedule import Schedule, SubmissionResult, submission_results
from judge.timelimit import PROVISIONAL_TIME_S, carry_over, derive_time_limit
from problems.errors import ProblemError
from problems.model import Problem, Submission, TestCase

__all__ = ["Judge", "JudgeOptions", "SubmissionResult"]


@dataclass
class JudgeOptions:
    """How a session runs: worker processes (0 = in this process), cache folder,
    whether to show progress bars, whether to skip tests that cannot change a
    grade (`lazy`, as Kattis' on_reject: break and IOI subtasks do), and whether to
    reuse cached results (`reuse_results=False` re-judges; results are still saved)."""

    workers: int | None = None
    cache_dir: Path = field(default_factory=cache_root)
    progress: bool = False
    lazy: bool = True
    reuse_results: bool = True
    sandbox: str = "local"  # "local" (namespaces) or "docker" (judge.sandbox.docker_backend)
    backend: str = "local"  # "local" (a process pool) or "ray" (judge.ray_pool: a Ray cluster)
    address: str | None = None  # backend "ray": HOST:PORT of the cluster (None: start one here)


class Judge:
    """Judges programs on problems. One instance holds a worker pool and the result
    cache; use it as a context manager."""

    def __init__(self, options: JudgeOptions | None = None) -> None:
        self.options = options or JudgeOptions()
        self.cache_dir = self.options.cache_dir
        self.pool = _make_pool(self.options)
        self.results = ResultCache(self.cache_dir / "results.sqlite")
        self._setups: dict[str, Setup] = {}
        self._test_digests: dict[tuple[Path, Path | None, tuple[str, ...]], str] = {}
        self._group_graders: dict[str, Compiled] = {}
        self._grader_runs = GroupGraderRuns(self.pool)
        self.stored_results = 0
        # Start the workers now: they inherit this process's signal dispositions
        # (see judge.interrupt) and start their sandboxes while the caller sets up.
        self.pool.submit(os.getpid)

    def __enter__(self) -> Judge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers and close the cache."""
        self.pool.close()
        self.results.close()

    # -- set-up --------------------------------------------------------------------------

    def compile(self, builds: Sequence[Build]) -> list[Compiled]:
        """Compile builds in the worker pool (each distinct one once, ever: the
        artifact is kept in the cache folder, and a build found there is not sent
        to a worker); results in the order of `builds`."""
        keys = [build.key() for build in builds]
        done: dict[str, Compiled] = {}
        for key in keys:
            known = compiled_in_cache(key, self.cache_dir)
            if known is not None:
                done[key] = known
        missing = {key: build for key, build in zip(keys, builds, strict=True) if key not in done}
        jobs = [(build, self.cache_dir) for build in missing.values()]
        for _, compiled in self.pool.map_unordered(compile_job, jobs):
            done[compiled.key] = compiled
        return [done[key] for key in keys]

    def compile_each(self, items: Sequence[Build | str]) -> list[Compiled | str]:
        """`compile` for a list in which a str stands for a program that cannot be
        built (the reason, from `grader_build`): kept as it is, in its place."""
        done = iter(self.compile([item for item in items if isinstance(item, Build)]))
        return [item if isinstance(item, str) else next(done) for item in items]

    def setup(self, problem: Problem) -> Setup:
        """Compile the problem's checker and manager and resolve its time limit (once)."""
        key = str(problem.root)
        if key in self._setups:
            return self._setups[key]
        _require_secret_tests(problem)
        helpers = helper_builds(problem)
        wanted = (helpers.checker, helpers.manager, helpers.group_grader)
        done = iter(self.compile([build for build in wanted if build is not None]))
        checker, manager, group_grader = (None if build is None else next(done) for build in wanted)
        for helper in (checker, manager, group_grader):
            if helper is not None and not helper.ok:
                raise SourceError(
                    problem.root,
                    "the problem's checker/manager/grader does not compile:\n"
                    + helper.message[-3000:],
                )
        if group_grader is not None:
            self._group_graders[key] = group_grader
        time_s = problem.limits.time_s
        setup = Setup(
            problem, time_s if time_s is not None else PROVISIONAL_TIME_S, checker, manager
        )
        if time_s is None:
            derived = derive_time_limit(setup, self.cache_dir, self.test_digest, self.judge_tests)
            provisional, setup = setup, replace(setup, time_s=derived)
            carry_over(self.results, provisional, setup, self.test_digest)
        self._setups[key] = setup
        return setup

    # -- judging -------------------------------------------------------------------------

    def test_digest(self, test: TestCase) -> str:
        """What identifies a test in cache keys (see `judge.cache.case_digest`),
        computed once per session."""
        files = (test.input_path, test.answer_path, tuple(test.validator_flags))
        if files not in self._test_digests:
            self._test_digests[files] = case_digest(test)
        return self._test_digests[files]

    def checker_key(self, setup: Setup) -> str:
        """What identifies the checking of a run: checker, flags, grader, manager."""
        return checker_key(setup)

    def judge_programs(
        self, problem: Problem, programs: list[Program], tests: Iterable[TestCase] | None = None
    ) -> list[SubmissionResult]:
        """Judge each program on the problem's tests (all by default)."""
        return self.judge_tests(self.setup(problem), programs, tests)

    def judge_tests(
        self,
        setup: Setup,
        programs: Sequence[Program],
        tests: Iterable[TestCase] | None = None,
        *,
        lazy: bool | None = None,
    ) -> list[SubmissionResult]:
        """Judge each program under `setup` (from `setup(problem)`, or one derived
        from it: a caller may judge a problem's own set-up on other tests, graded
        as another problem) on `tests` (all of the setup's problem by default).
        `lazy` overrides the session's option for this call (False: run every
        test, even those that cannot change a grade)."""
        problem = setup.problem
        test_list = list(tests) if tests is not None else list(problem.tests)
        on_platform_programs = [on_platform(program, problem.platform) for program in programs]
        compiled = self.compile_each([grader_build(problem, program) for program in programs])
        runnable = {
            index: build
            for index, build in enumerate(compiled)
            if isinstance(build, Compiled) and build.ok
        }
        schedule = Schedule(
            self.pool,
            self.results,
            setup,
            test_list,
            runnable,
            self.test_digest,
            lazy=self.options.lazy if lazy is None else lazy,
            reuse_results=self.options.reuse_results,
            progress=self.options.progress,
        )
        found = schedule.run()
        self.stored_results += schedule.stored
        group_grader = self._group_graders.get(str(problem.root))
        grader = (
            None if group_grader is None else self._grader_runs.grader(group_grader, setup.time_s)
        )
        return submission_results(setup, on_platform_programs, compiled, found, test_list, grader)

    def judge_submissions(
        self,
        problem: Problem,
        submissions: list[Submission],
        on_skip: Callable[[Submission, str], None] | None = None,
    ) -> list[tuple[Submission, SubmissionResult]]:
        """Judge labelled submissions; ones that cannot be judged here (unsupported
        language, a language the problem's grader lacks, unreadable file) are
        reported through `on_skip`."""
        admitted = admit(problem, submissions, on_skip)
        results = self.judge_programs(problem, [program for _, program in admitted])
        return [
            (submission, result) for (submission, _), result in zip(admitted, results, strict=True)
        ]


def _make_pool(options: JudgeOptions) -> WorkerPool:
    """The session's workers: a local process pool, or Ray tasks (imported only then)."""
    if options.backend == "ray":
        from judge.ray_pool import RayPool

        return RayPool(options.workers, options.sandbox, options.address)
    return WorkerPool(options.workers, options.sandbox)


def _require_secret_tests(problem: Problem) -> None:
    """A package without secret test data cannot be judged (it would pass with no
    test run): ProblemError naming what is missing and, where the package can
    generate its data (2023-07 generators.yaml), how."""
    if any(test.kind == "secret" for test in problem.tests):
        return
    message = "no secret test data: nothing to judge a submission on"
    generators = problem.root / "generators" / "generators.yaml"
    if generators.is_file():
        message += (
            f"; the data is made by {generators.relative_to(problem.root)}: run "
            f"`cpsolve generate {problem.root}` (or BAPCtools' `bt generate`), then check again"
        )
    raise ProblemError(problem.root / "data" / "secret", message)

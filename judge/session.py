"""Judging sessions: compile a problem's checker and manager, resolve its time
limit, and judge many programs on all its tests through the worker pool, with
every run cached. This is the judge's public entry point."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from judge.cache import ResultCache, file_digest, result_key
from judge.compile import Build, Compiled
from judge.execute import Setup
from judge.grading import GroupGrader, grade, grader_input, parse_grader_output, tests_needed
from judge.labels import TIME_LIMIT_LABELS
from judge.languages import get_language, language_for_path, languages, platform_language
from judge.paths import cache_root
from judge.pool import WorkerPool, compile_job, test_batch_job
from judge.programs import Program, SourceError, program_from_paths
from judge.verdicts import ProblemResult, TestResult, Verdict
from problems.errors import ProblemError
from problems.model import (
    CheckerKind,
    Grader,
    GraderKind,
    IncludeFiles,
    Problem,
    Submission,
    TestCase,
    TestGroup,
)

PROVISIONAL_TIME_S = 10.0
HEADER_SUFFIXES = (".h", ".hpp", ".hh")
MAX_BATCH = 8
GradedGroup = tuple[Verdict, float, str]
# Languages whose grader files are compiled and linked with the candidate into
# one program; in the others a grader's `main` file is the program's entry point.
LINKING_LANGUAGES = ("c", "cpp")


@dataclass(frozen=True)
class SubmissionResult:
    """One program judged on one problem: per-test results and the graded score."""

    name: str
    language: str
    tests: tuple[TestResult, ...]
    result: ProblemResult
    compile_message: str = ""


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


def _helper_build(sources: tuple[Path, ...], include_dirs: tuple[Path, ...] = ()) -> Build:
    """A build of the problem's own C++/Python program (checker, validator, manager):
    the first source is the main file; headers next to it are copied along."""
    main, *others = sources
    program = program_from_paths([main], name=main.stem)
    extra_files = _headers({main.parent, *include_dirs})
    extra_sources = tuple((path.name, path.read_bytes()) for path in others)
    return Build(program, extra_sources=extra_sources, extra_files=extra_files)


def _headers(folders: Iterable[Path]) -> tuple[tuple[str, bytes], ...]:
    """The C/C++ headers in `folders`, as (box name, content), to copy next to a build."""
    return tuple(
        (path.name, path.read_bytes())
        for folder in sorted(folders)
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix in HEADER_SUFFIXES
    )


@functools.lru_cache(maxsize=64)
def _grader_files(
    grader: Grader,
) -> tuple[tuple[tuple[str, bytes], ...], tuple[tuple[str, bytes], ...]]:
    """The grader's sources and headers, read once (every candidate is built with them)."""
    sources = tuple((path.name, path.read_bytes()) for path in grader.sources)
    return sources, _headers(grader.include_dirs)


def on_platform(program: Program, platform: str) -> Program:
    """`program` as the package's platform runs it: the language standing for its
    own on that platform (Python on Kattis: PyPy, see languages.yaml)."""
    language = platform_language(program.language, platform)
    return program if language.key == program.language else replace(program, language=language.key)


def grader_build(problem: Problem, program: Program) -> Build | str:
    """The build of a candidate for this problem (grader/stub linked in where the
    problem has one, run as the problem's platform runs its language), or the
    reason it cannot be built."""
    program = on_platform(program, problem.platform)
    grader = problem.grader
    if grader.kind not in (GraderKind.LINKED, GraderKind.COMMUNICATION):
        return Build(program, compile_time_s=problem.limits.compile_time_s)
    language = get_language(program.language)
    written_in = language.source_language
    family = "cpp" if written_in.startswith("cpp") else written_in
    if grader.includes:
        include = grader.include_for(family)
        if include is None:
            return f"this problem's grader supports {', '.join(grader.languages)}, not {written_in}"
        return _include_build(problem, program, include)
    if grader.languages and family not in grader.languages:
        return f"this problem's grader supports {', '.join(grader.languages)}, not {written_in}"
    sources, headers = _grader_files(grader)
    return Build(
        program,
        extra_sources=sources,
        extra_files=headers,
        compile_time_s=problem.limits.compile_time_s,
    )


@functools.lru_cache(maxsize=64)
def _include_contents(include: IncludeFiles) -> tuple[tuple[str, bytes], ...]:
    """The files of an include folder as (box name, content), read once."""
    return tuple(
        (path.relative_to(include.folder).as_posix(), path.read_bytes()) for path in include.files
    )


def _include_build(problem: Problem, program: Program, include: IncludeFiles) -> Build | str:
    """A candidate built with a Kattis include/<language>/ folder: every file of the
    folder goes in; the ones in the candidate's language are compiled with it, the
    rest (headers, data) are copied next to it. C and C++ link everything into one
    program; in other languages a `main` file of the folder is the entry point and
    the candidate is the module it imports (`<problem name>.py` for Python). A
    language run from one file by the pre-started interpreter (CPython) cannot
    take several: the reason is returned instead."""
    extensions = get_language(include.language).extensions
    sources = [
        (name, data) for name, data in _include_contents(include) if Path(name).suffix in extensions
    ]
    others = tuple(
        (name, data)
        for name, data in _include_contents(include)
        if Path(name).suffix not in extensions
    )
    entry = next(
        (item for item in sources if "/" not in item[0] and Path(item[0]).stem.lower() == "main"),
        None,
    )
    if get_language(program.language).zygote and len(sources) + len(program.files) > 1:
        return (
            f"{get_language(program.language).name} runs a single file here: it cannot be "
            f"built with the files of include/{include.folder.name}/"
        )
    if entry is not None and include.language not in LINKING_LANGUAGES:
        sources.remove(entry)
        files = list(program.files)
        if include.language == "python":
            files[0] = (f"{problem.name}{Path(files[0][0]).suffix}", files[0][1])
        program = Program(program.language, (entry, *files), program.name)
    return Build(
        program,
        extra_sources=tuple(sources),
        extra_files=others,
        compile_time_s=problem.limits.compile_time_s,
    )


def submission_program(submission: Submission) -> Program:
    """The Program of a labelled submission (SourceError if it cannot be judged)."""
    known = {ext for language in languages().values() for ext in language.extensions}
    paths = [path for path in submission.paths if path.suffix in known] or list(submission.paths)
    language = submission.language
    if language is not None and language_for_path(paths[0]) is None:
        raise SourceError(paths[0], f"language {language!r} is not supported by this judge")
    if language == "python2":
        raise SourceError(paths[0], "Python 2 is not supported by this judge")
    return program_from_paths(paths, name=submission.name)


class Judge:
    """Judges programs on problems. One instance holds a worker pool and the result
    cache; use it as a context manager."""

    def __init__(self, options: JudgeOptions | None = None) -> None:
        self.options = options or JudgeOptions()
        self.cache_dir = self.options.cache_dir
        self.pool = WorkerPool(self.options.workers)
        self.results = ResultCache(self.cache_dir / "results.sqlite")
        self._setups: dict[str, Setup] = {}
        self._test_digests: dict[tuple[Path, Path | None], str] = {}
        self._group_graders: dict[str, Compiled] = {}
        self._graded_groups: dict[tuple[str, tuple[str, ...], str], GradedGroup] = {}
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

    def _compile_all(self, builds: list[Build]) -> list[Compiled]:
        jobs = [(build, self.cache_dir) for build in builds]
        done = {
            job[0].key(): compiled for job, compiled in self.pool.map_unordered(compile_job, jobs)
        }
        return [done[build.key()] for build in builds]

    def setup(self, problem: Problem) -> Setup:
        """Compile the problem's checker and manager and resolve its time limit (once)."""
        key = str(problem.root)
        if key in self._setups:
            return self._setups[key]
        _require_secret_tests(problem)
        checker: Compiled | None = None
        manager: Compiled | None = None
        needs_checker = problem.checker.kind is not CheckerKind.TOKENS or (
            problem.grader.kind is GraderKind.INTERACTIVE
        )
        builds: list[Build] = []
        if needs_checker:
            if not problem.checker.sources:
                raise SourceError(problem.root, "the problem needs a checker but has no sources")
            builds.append(_helper_build(problem.checker.sources))
        if problem.grader.kind is GraderKind.COMMUNICATION:
            builds.append(
                _helper_build(problem.grader.manager_sources, problem.grader.include_dirs)
            )
        if problem.group_grader:
            builds.append(_helper_build(problem.group_grader))
        compiled = self._compile_all(builds)
        if needs_checker:
            checker = compiled.pop(0)
        if problem.grader.kind is GraderKind.COMMUNICATION:
            manager = compiled.pop(0)
        group_grader = compiled.pop(0) if problem.group_grader else None
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
            setup = replace(setup, time_s=self._derive_time_limit(setup))
        self._setups[key] = setup
        return setup

    def _derive_time_limit(self, setup: Setup) -> float:
        """Kattis: the slowest accepted submission's CPU time times time_multiplier,
        rounded up to whole seconds (remembered in the cache folder)."""
        problem = setup.problem
        accepted = [sub for sub in problem.submissions if sub.label in TIME_LIMIT_LABELS]
        programs = []
        for submission in accepted:
            try:
                programs.append(submission_program(submission))
            except SourceError:
                continue
        digest = hashlib.sha256(problem.name.encode())
        for program in programs:
            digest.update(program.key().encode())
        for test in problem.tests:
            digest.update(self.test_digest(test).encode())
        record = self.cache_dir / "timelimits" / f"{digest.hexdigest()}.json"
        if record.exists():
            return float(json.loads(record.read_text())["time_s"])
        results = self._judge_with(setup, programs)
        slowest = max(
            (
                test.cpu_time_s
                for result in results
                for test in result.tests
                if test.verdict is Verdict.AC
            ),
            default=0.0,
        )
        time_s = float(max(1, math.ceil(slowest * problem.limits.time_multiplier)))
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(
            json.dumps({"problem": problem.name, "time_s": time_s, "slowest_accepted_s": slowest})
        )
        return time_s

    # -- judging -------------------------------------------------------------------------

    def test_digest(self, test: TestCase) -> str:
        """Content hash of a test's input and answer (computed once per session),
        with the group's validator flags, which change how the answer is checked."""
        files = (test.input_path, test.answer_path)
        if files not in self._test_digests:
            self._test_digests[files] = file_digest(*files)
        return self._test_digests[files] + "|" + " ".join(test.validator_flags)

    def checker_key(self, setup: Setup) -> str:
        """What identifies the checking of a run: checker, flags, grader, manager."""
        parts = [
            setup.problem.checker.kind.value,
            *setup.problem.checker.flags,
            setup.problem.grader.kind.value,
        ]
        for helper in (setup.checker, setup.manager):
            parts.append(helper.key if helper else "-")
        return "|".join(parts)

    def judge_programs(
        self, problem: Problem, programs: list[Program], tests: Iterable[TestCase] | None = None
    ) -> list[SubmissionResult]:
        """Judge each program on the problem's tests (all by default)."""
        return self._judge_with(self.setup(problem), programs, tests)

    def _judge_with(
        self, setup: Setup, programs: list[Program], tests: Iterable[TestCase] | None = None
    ) -> list[SubmissionResult]:
        problem = setup.problem
        test_list = list(tests) if tests is not None else list(problem.tests)
        builds: list[Build | str] = [grader_build(problem, program) for program in programs]
        group_grader = self._group_grader(setup)
        compiled_list = iter(self._compile_all([b for b in builds if isinstance(b, Build)]))
        compiled_all = [
            build if isinstance(build, str) else next(compiled_list) for build in builds
        ]
        runnable = {
            index: compiled
            for index, compiled in enumerate(compiled_all)
            if isinstance(compiled, Compiled) and compiled.ok
        }
        found = _Schedule(self, setup, test_list, runnable).run()
        outcome: list[SubmissionResult] = []
        for index, program in enumerate(programs):
            compiled = compiled_all[index]
            if isinstance(compiled, str) or not compiled.ok:
                message = compiled if isinstance(compiled, str) else compiled.message
                failed = (
                    _judge_error
                    if isinstance(compiled, Compiled) and compiled.judge_error
                    else _compile_error
                )
                results = {test.name: failed(test, message) for test in test_list}
            else:
                message = ""
                results = found[index]
            judged = tuple(results[test.name] for test in test_list if test.name in results)
            outcome.append(
                SubmissionResult(
                    name=program.name,
                    language=on_platform(program, problem.platform).language,
                    tests=judged,
                    result=grade(problem, results, group_grader),
                    compile_message=message,
                )
            )
        return outcome

    def _group_grader(self, setup: Setup) -> GroupGrader | None:
        """The package's custom grader as a `GroupGrader` (None when it has none):
        run as a trusted program in a worker's sandbox, fed "VERDICT SCORE" lines
        on stdin with the group's grader_flags as arguments (problemtools'
        protocol); equal inputs are graded once per session."""
        compiled = self._group_graders.get(str(setup.problem.root))
        if compiled is None:
            return None

        def run(group: TestGroup, outcomes: Sequence[tuple[Verdict, float]]) -> GradedGroup:
            text = grader_input(outcomes)
            key = (compiled.key, group.scoring.grader_flags, text)
            if key not in self._graded_groups:
                self._graded_groups[key] = self._run_group_grader(
                    compiled, group.scoring.grader_flags, text, setup.time_s
                )
            return self._graded_groups[key]

        return run

    def _run_group_grader(
        self, compiled: Compiled, flags: tuple[str, ...], text: str, time_s: float
    ) -> GradedGroup:
        # judge.trusted builds on this module, so it is imported here, not above.
        from judge.trusted import trusted_run_job

        with tempfile.NamedTemporaryFile("w", prefix="cpsolve-grader-", suffix=".in") as handle:
            handle.write(text)
            handle.flush()
            os.chmod(handle.name, 0o644)
            run = self.pool.submit(trusted_run_job, compiled, flags, handle.name, time_s).result()
        if not run.ok:
            why = "was killed" if run.exit_code is None else f"exited with {run.exit_code}"
            return Verdict.JE, 0.0, f"custom grader {why}: {run.message[-300:]}"
        output = run.output.decode(errors="replace")
        parsed = parse_grader_output(output)
        if parsed is None:
            return Verdict.JE, 0.0, f"custom grader wrote {output[:100]!r}, not 'VERDICT SCORE'"
        return parsed[0], parsed[1], ""

    def judge_submissions(
        self,
        problem: Problem,
        submissions: list[Submission],
        on_skip: Callable[[Submission, str], None] | None = None,
    ) -> list[tuple[Submission, SubmissionResult]]:
        """Judge labelled submissions; ones that cannot be judged here (unsupported
        language, a language the problem's grader lacks, unreadable file) are
        reported through `on_skip`."""
        programs: list[Program] = []
        kept: list[Submission] = []
        for submission in submissions:
            try:
                program = submission_program(submission)
            except SourceError as error:
                if on_skip is not None:
                    on_skip(submission, error.message)
                continue
            build = grader_build(problem, program)
            if isinstance(build, str):
                if on_skip is not None:
                    on_skip(submission, build)
                continue
            programs.append(program)
            kept.append(submission)
        results = self.judge_programs(problem, programs)
        return list(zip(kept, results, strict=True))


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
            f"; the data is generated by {generators.relative_to(problem.root)}: generate it "
            f"first (BAPCtools: `cd {problem.root} && bt generate`), then check again"
        )
    raise ProblemError(problem.root / "data" / "secret", message)


def _compile_error(test: TestCase, message: str) -> TestResult:
    return TestResult(test=test.name, verdict=Verdict.CE, message=message[-2000:])


def _judge_error(test: TestCase, message: str) -> TestResult:
    """A build that failed in the sandbox (not the candidate's fault): JE."""
    return TestResult(test=test.name, verdict=Verdict.JE, message=message[-2000:])


class _Schedule:
    """Runs the test jobs of one judging call. With `lazy` judging (Kattis
    `on_reject: break`, IOI subtasks already at zero) only tests that can still
    change a program's grade are run; cached results are used first; identical
    programs share their runs; the pool is kept busy across programs."""

    def __init__(
        self, judge: Judge, setup: Setup, tests: list[TestCase], programs: dict[int, Compiled]
    ) -> None:
        self.judge = judge
        self.setup = setup
        self.tests = {test.name: test for test in tests}
        self.programs = programs
        self.results: dict[int, dict[str, TestResult]] = {index: {} for index in programs}
        self.checker_key = judge.checker_key(setup)
        problem = setup.problem
        self.limits_key = (setup.time_s, problem.limits.memory_bytes, problem.limits.output_bytes)
        self.window = max(1, self.judge.pool.workers) * 2
        # Jobs carry the setup to worker processes: leave out what running a test
        # never reads (the test list, submissions, statement), so each job pickles small.
        self.job_setup = replace(
            setup,
            problem=replace(
                problem,
                tests=(),
                submissions=(),
                statement="",
                root_group=TestGroup(problem.root_group.name, ()),
            ),
        )

    def _key(self, compiled: Compiled, test: TestCase) -> str:
        return result_key(
            compiled.key, self.judge.test_digest(test), self.limits_key, self.checker_key
        )

    def _needed(self, index: int) -> list[str]:
        known = self.results[index]
        if not self.judge.options.lazy:
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
            disable=not self.judge.options.progress,
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
                        self.judge.results.get(self._key(compiled, self.tests[name]))
                        if self.judge.options.reuse_results
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
                    future = self.judge.pool.submit(
                        test_batch_job,
                        compiled,
                        self.job_setup,
                        tuple(self.tests[name] for name in chunk),
                        self.judge.options.lazy,
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
                    self.judge.results.put(self._key(compiled, self.tests[name]), results[name])
                    self.judge.stored_results += 1
                    for index in indices:
                        self.results[index][name] = results[name]
                    bar.update(1)
        bar.close()
        return self.results

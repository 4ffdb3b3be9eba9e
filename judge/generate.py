"""Make a package's test data from its generators/generators.yaml (format 2023-07),
as BAPCtools' `bt generate` does: each generator and the answer-making solution
is the package's own program, compiled once and run as a trusted program in the
sandbox, in the judge's worker pool. See problems.generators for what is read.

For each case: the input (generator run, `copy:` or literal `in:`), checked by
the package's input validators under the case's group flags, then the answer
(literal `ans:`, a `.ans` the generator wrote, a copied one, else the solution
run on the input). Files go to data/<path>.in/.ans/...; a file already holding
the same bytes is left alone, so a second run changes nothing.

Resumable: every program run's result is kept in the cache folder
(`generated/`, keyed by the program's build, its arguments and, for answers and
validation, the input's digest), so a run stopped half-way, or repeated, runs
only what is missing. Files in data/ that generators.yaml does not name are
left as they are (BAPCtools moves them away).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from judge.compile import Compiled
from judge.pool import worker_sandbox
from judge.sandbox import RunRequest
from judge.trusted import (
    VALIDATOR_VALID_EXIT,
    compile_trusted,
    exit_code_of,
    run_trusted,
    runnable_program,
    trusted_process,
)
from problems.errors import ProblemError
from problems.generators import Command, GeneratorPlan, PlannedCase, read_generators
from problems.programs import program_entries

if TYPE_CHECKING:
    from judge.session import Judge

GENERATE_TIME_S = 30.0
"""CPU seconds a generator or the solution may take on one case (BAPCtools' default
generator timeout); trusted_limits gives helpers at least this much."""
WRITTEN_FILES = ("in", "ans", "desc", "hint")
VALIDATOR_FOLDERS = ("input_validators", "input_format_validators")  # 2023-07, legacy
"""Where the input validators are (read here, not through problems.load: the
package cannot be loaded while its data is half made)."""


@dataclass(frozen=True)
class ProgramRun:
    """How a generator or solution run ended: exit code (None: killed, or the
    sandbox failed) and a message (stderr tail, status or sandbox error)."""

    exit_code: int | None
    message: str


def program_job(
    compiled: Compiled, args: tuple[str, ...], stdin_path: str | None, out_dir: str
) -> ProgramRun:
    """Run a trusted program in this worker's sandbox: stdin from a host file (or
    none), its stdout and any `testcase.in` / `testcase.ans` it writes in its
    folder copied to `out_dir` (file to file: nothing is held in memory)."""
    process, files_in = trusted_process(compiled, args, stdin_path, GENERATE_TIME_S)
    out = Path(out_dir)
    files_out = tuple((name, str(out / name)) for name in ("stdout", "testcase.in", "testcase.ans"))
    result = worker_sandbox().run(
        RunRequest(processes=(process,), files_in=files_in, files_out=files_out)
    )
    if result.error is not None:
        return ProgramRun(None, f"sandbox error: {result.error}")
    outcome = result.processes[0]
    return ProgramRun(
        exit_code_of(outcome), outcome.stderr_tail[-1000:].strip() or outcome.status.name
    )


@dataclass
class GenerateResult:
    """What a generate run did: the cases in generators.yaml, the data files it
    wrote (new or changed, relative to data/), how many it found already right,
    the program runs it made (0 when everything came from the cache), the
    top-level folders it skipped, and the failures (case: reason)."""

    cases: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    runs: int = 0
    skipped: tuple[str, ...] = ()
    failures: list[str] = field(default_factory=list)


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class _Generator:
    def __init__(self, judge: Judge, root: Path) -> None:
        self.judge = judge
        self.root = root
        self.data = root / "data"
        self.cache = judge.cache_dir / "generated"
        self.plan: GeneratorPlan = read_generators(root)
        self.result = GenerateResult(cases=len(self.plan.cases), skipped=self.plan.skipped)
        self.programs: dict[Path, Compiled] = {}
        self.failed: set[str] = set()

    # -- programs ----------------------------------------------------------------------

    def compile(self) -> None:
        wanted: list[Path] = []
        for case in self.plan.cases:
            for command in (case.generate, case.solution):
                if command is not None and command.program not in wanted:
                    wanted.append(command.program)
        sources = []
        for program in wanted:
            found = runnable_program(self.root / program)
            if found is None:
                raise ProblemError(self.root / program, "not a program this judge can compile")
            sources.append(found)
        self.programs = dict(zip(wanted, compile_trusted(self.judge, sources), strict=True))

    def run_programs(
        self, jobs: Sequence[tuple[Command, tuple[str, ...], Path | None]]
    ) -> list[tuple[ProgramRun, Path]]:
        """Run (command, arguments, stdin) jobs in the pool, each into a fresh
        folder under the cache (the caller moves or removes it)."""
        scratch = self.cache / "tmp"
        scratch.mkdir(parents=True, exist_ok=True)
        futures: list[tuple[Future[ProgramRun], Path]] = []
        for command, args, stdin in jobs:
            out = Path(tempfile.mkdtemp(dir=scratch))
            stdin_path = None if stdin is None else str(stdin.resolve())
            future = self.judge.pool.submit(
                program_job, self.programs[command.program], args, stdin_path, str(out)
            )
            futures.append((future, out))
        self.result.runs += len(futures)
        return [(future.result(), out) for future, out in futures]

    def fail(self, case: PlannedCase, reason: str) -> None:
        self.failed.add(case.path)
        self.result.failures.append(f"{case.path}: {reason}")

    # -- inputs ------------------------------------------------------------------------

    def input_folder(self, case: PlannedCase, attempt: int) -> Path:
        assert case.generate is not None
        compiled = self.programs[case.generate.program]
        args = case.generate.argv((case.seed + attempt) % 2**31)
        return self.cache / "in" / _key("in", compiled.key, args)

    def generate_inputs(self) -> dict[str, Path]:
        """Per generated case, the cache folder holding its testcase.in (and the
        testcase.ans its generator wrote, if any)."""
        found: dict[str, Path] = {}
        pending = [case for case in self.plan.cases if case.generate is not None]
        for attempt in range(max((case.retries for case in pending), default=0)):
            todo = []
            for case in pending:
                folder = self.input_folder(case, attempt)
                if (folder / "testcase.in").is_file():
                    found[case.path] = folder
                elif attempt < case.retries:
                    todo.append(case)
            runs = self.run_programs(
                [
                    (_generator(c), _generator(c).argv((c.seed + attempt) % 2**31), None)
                    for c in todo
                ]
            )
            pending = []
            for case, (run, out) in zip(todo, runs, strict=True):
                if run.exit_code == 0:
                    if not (out / "testcase.in").is_file():
                        os.replace(out / "stdout", out / "testcase.in")
                    found[case.path] = self.keep(out, self.input_folder(case, attempt))
                    continue
                shutil.rmtree(out, ignore_errors=True)
                if attempt + 1 < case.retries:
                    pending.append(case)
                else:
                    assert case.generate is not None
                    self.fail(
                        case,
                        f"generator `{case.generate.text}` failed "
                        f"({_ended(run)}, {case.retries} attempt(s)): {run.message}",
                    )
        return found

    @staticmethod
    def keep(out: Path, folder: Path) -> Path:
        """Move a finished run's folder to its place in the cache."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        (out / "stdout").unlink(missing_ok=True)
        try:
            os.replace(out, folder)
        except OSError:  # another run put it there first: same program, same result
            shutil.rmtree(out, ignore_errors=True)
        return folder

    # -- data files --------------------------------------------------------------------

    def put(self, relative: str, source: Path | str) -> None:
        """Make data/<relative> hold `source` (a file, or text), unless it does."""
        target = self.data / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, str):
            data = source.encode()
            if target.is_file() and target.read_bytes() == data:
                self.result.unchanged += 1
                return
            tmp = target.with_name(f".{target.name}.{os.getpid()}")
            tmp.write_bytes(data)
        else:
            if target.is_file() and _file_digest(target) == _file_digest(source):
                self.result.unchanged += 1
                return
            tmp = target.with_name(f".{target.name}.{os.getpid()}")
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        self.result.written.append(relative)

    def case_files(self, case: PlannedCase, generated: dict[str, Path]) -> dict[str, Path | str]:
        """The files of a case that come without running the solution."""
        files: dict[str, Path | str] = {}
        if case.copy is not None:
            for extension in WRITTEN_FILES:
                source = case.copy.with_suffix(f".{extension}")
                if source.is_file():
                    files[extension] = source
        if case.path in generated:
            folder = generated[case.path]
            files["in"] = folder / "testcase.in"
            if (folder / "testcase.ans").is_file():
                files["ans"] = folder / "testcase.ans"
        files.update(dict(case.files))
        return files

    def write_groups(self) -> None:
        for group in self.plan.groups:
            (self.data / group.path).mkdir(parents=True, exist_ok=True)
            if group.testdata is not None:
                text = yaml.safe_dump(group.testdata, sort_keys=False)
                self.put(f"{group.path}/testdata.yaml", text)

    # -- validation and answers --------------------------------------------------------

    def validate(self, cases: list[PlannedCase]) -> None:
        """Check each case's input with the package's input validators under its
        group's flags; a rejected case's files are removed from data/."""
        validators = [
            sources
            for folder in VALIDATOR_FOLDERS
            for entry in program_entries(self.root / folder)
            if (sources := runnable_program(entry)) is not None
        ]
        if not validators:
            return
        compiled = compile_trusted(self.judge, validators)
        marks = self.cache / "valid"
        jobs: list[tuple[Compiled, tuple[str, ...], Path | None]] = []
        checked: list[tuple[PlannedCase, Path]] = []
        for case in cases:
            flags = self.plan.input_validator_flags(case)
            path = self.data / f"{case.path}.in"
            mark = marks / _key("valid", [c.key for c in compiled], flags, _file_digest(path))
            if not mark.exists():
                checked.append((case, mark))
                jobs.extend((program, flags, path) for program in compiled)
        runs = iter(run_trusted(self.judge, jobs))
        self.result.runs += len(jobs)
        for case, mark in checked:
            results = [next(runs) for _ in compiled]
            rejected = [
                (sources[0].name, run)
                for sources, run in zip(validators, results, strict=True)
                if run.exit_code != VALIDATOR_VALID_EXIT
            ]
            if not rejected:
                mark.parent.mkdir(parents=True, exist_ok=True)
                mark.touch()
                continue
            name, run = rejected[0]
            self.fail(case, f"input rejected by input validator {name}: {run.message.strip()}")
            for extension in WRITTEN_FILES:
                (self.data / f"{case.path}.{extension}").unlink(missing_ok=True)

    def answer(self, cases: list[PlannedCase]) -> None:
        """Make the .ans of each case that has none, by running its solution."""
        todo: list[tuple[PlannedCase, Path]] = []
        for case in cases:
            assert case.solution is not None
            compiled = self.programs[case.solution.program]
            path = self.data / f"{case.path}.in"
            cached = (
                self.cache
                / "ans"
                / _key("ans", compiled.key, case.solution.args, _file_digest(path))
            )
            if not cached.is_file():
                todo.append((case, cached))
            else:
                self.put(f"{case.path}.ans", cached)
        runs = self.run_programs(
            [(_solution(c), _solution(c).argv(0), self.data / f"{c.path}.in") for c, _ in todo]
        )
        for (case, cached), (run, out) in zip(todo, runs, strict=True):
            if run.exit_code == 0:
                cached.parent.mkdir(parents=True, exist_ok=True)
                os.replace(out / "stdout", cached)
                self.put(f"{case.path}.ans", cached)
            else:
                assert case.solution is not None
                self.fail(
                    case,
                    f"solution {case.solution.program} failed ({_ended(run)}): {run.message}",
                )
            shutil.rmtree(out, ignore_errors=True)

    # -- the whole run -----------------------------------------------------------------

    def run(self) -> GenerateResult:
        self.data.mkdir(exist_ok=True)
        self.compile()
        generated = self.generate_inputs()
        self.write_groups()
        made: list[PlannedCase] = []
        needs_answer: list[PlannedCase] = []
        for case in self.plan.cases:
            if case.path in self.failed:
                continue
            files = self.case_files(case, generated)
            for extension in WRITTEN_FILES:
                if extension in files:
                    self.put(f"{case.path}.{extension}", files[extension])
            made.append(case)
            if "ans" not in files and case.solution is not None:
                needs_answer.append(case)
        self.validate(made)
        self.answer([case for case in needs_answer if case.path not in self.failed])
        return self.result


def generate_data(judge: Judge, root: Path) -> GenerateResult:
    """Make the test data of the package at `root` from its generators.yaml (see
    the module docstring). Failures of single cases are listed in the result
    (the other cases are made); a malformed or unsupported generators.yaml, or a
    program that does not compile, raises ProblemError / SourceError."""
    return _Generator(judge, root).run()


def _generator(case: PlannedCase) -> Command:
    assert case.generate is not None
    return case.generate


def _solution(case: PlannedCase) -> Command:
    assert case.solution is not None
    return case.solution


def _ended(run: ProgramRun) -> str:
    return "killed" if run.exit_code is None else f"exit code {run.exit_code}"

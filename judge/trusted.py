"""The problem's own programs run as trusted programs: input validators and test
generators. They are compiled once (like a checker), run in the sandbox under the
trusted uid, in the judge's worker pool, with the generous limits of helpers.

Kattis conventions: an input validator reads the input on stdin, gets the test
group's `input_validator_flags` as arguments and exits 42 when the input is valid
(anything else: invalid). A generator prints one input on stdout for its
arguments (`gen.py SEED ...`). Validators in languages this judge cannot run
(checktestdata `.ctd`, VIVA `.viva`) are left out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from judge.builds import helper_build
from judge.compile import Compiled
from judge.execute import _placed, scratch_root, trusted_limits
from judge.languages import language_for_path
from judge.pool import worker_sandbox
from judge.programs import SourceError
from judge.sandbox import Process, ProcessResult, RunRequest, RunStatus
from problems.model import Problem, TestGroup
from problems.programs import program_sources

if TYPE_CHECKING:  # judge.session runs custom graders with trusted_run_job
    from judge.session import Judge

VALIDATOR_VALID_EXIT = 42
TRUSTED_RUN_TIME_S = 10.0


@dataclass(frozen=True)
class TrustedRun:
    """How one run of a trusted program ended: its exit code (None when it was
    killed or the sandbox failed), its stdout bytes and a message (stderr tail or
    the sandbox error)."""

    exit_code: int | None
    output: bytes
    message: str
    sandbox_error: bool = False

    @property
    def ok(self) -> bool:
        """True when the program exited with status 0."""
        return self.exit_code == 0


def trusted_process(
    compiled: Compiled,
    args: tuple[str, ...],
    stdin_path: str | None,
    time_s: float,
    trusted: bool = True,
) -> tuple[Process, tuple[tuple[str, str], ...]]:
    """The Process that runs `compiled` with `args` and a helper's limits (stdin
    from a host file, or none), and the files it needs in the box: its artifact in
    a folder of its own, and its stdin. `trusted=False` for programs a model wrote
    (they get no trusted uid)."""
    argv, files = _placed(compiled, "trusted")
    files_in = files + ((("stdin", stdin_path),) if stdin_path is not None else ())
    process = Process(
        argv=argv + args,
        limits=trusted_limits(time_s),
        stdin="stdin" if stdin_path is not None else None,
        stdout="stdout",
        stderr="stderr",
        python=compiled.zygote,
        trusted=trusted,
    )
    return process, files_in


def exit_code_of(outcome: ProcessResult) -> int | None:
    """A finished process's exit code; None when it was killed (limits, signal)."""
    return outcome.exit_code if outcome.status in (RunStatus.OK, RunStatus.NONZERO_EXIT) else None


def trusted_run_job(
    compiled: Compiled,
    args: tuple[str, ...],
    stdin_path: str | None,
    time_s: float,
    trusted: bool = True,
) -> TrustedRun:
    """Run `compiled` with `args` (stdin from a host file, or none) in this
    worker's sandbox with a helper's limits; returns its exit code and stdout.
    `trusted=False` for programs a model wrote (they get no trusted uid)."""
    process, files_in = trusted_process(compiled, args, stdin_path, time_s, trusted)
    with tempfile.TemporaryDirectory(prefix="cpsolve-trusted-", dir=scratch_root()) as tmp:
        out = Path(tmp) / "stdout"
        result = worker_sandbox().run(
            RunRequest(processes=(process,), files_in=files_in, files_out=(("stdout", str(out)),))
        )
        output = out.read_bytes() if out.exists() else b""
    if result.error is not None:
        return TrustedRun(None, b"", f"sandbox error: {result.error}", sandbox_error=True)
    outcome = result.processes[0]
    return TrustedRun(exit_code_of(outcome), output, outcome.stderr_tail[-1000:])


def runnable_program(entry: Path) -> tuple[Path, ...] | None:
    """The sources of a package program (a file or folder) when this judge can
    compile it, else None (checktestdata, VIVA, unknown languages)."""
    sources = program_sources(entry)
    if not sources or language_for_path(sources[0]) is None:
        return None
    return sources


def compile_trusted(judge: Judge, programs: list[tuple[Path, ...]]) -> list[Compiled]:
    """Compile the problem's own programs (each a source tuple, main file first) in
    the judge's pool; a program that does not compile raises SourceError naming it."""
    compiled = judge.compile([helper_build(sources) for sources in programs])
    for sources, result in zip(programs, compiled, strict=True):
        if not result.ok:
            raise SourceError(sources[0], f"does not compile:\n{result.message[-2000:]}")
    return compiled


def run_trusted(
    judge: Judge,
    jobs: Sequence[tuple[Compiled, tuple[str, ...], Path | None]],
    time_s: float = TRUSTED_RUN_TIME_S,
    trusted: bool = True,
) -> list[TrustedRun]:
    """Run (program, arguments, stdin file) jobs in the judge's worker pool, in
    order of the jobs (`trusted=False`: programs a model wrote)."""
    futures = [
        judge.pool.submit(
            trusted_run_job,
            compiled,
            args,
            None if stdin is None else str(stdin),
            time_s,
            trusted,
        )
        for compiled, args, stdin in jobs
    ]
    return [future.result() for future in futures]


def validator_flag_sets(problem: Problem) -> tuple[tuple[str, ...], ...]:
    """The distinct `input_validator_flags` of the problem's test groups that hold
    tests, in order of first appearance: an input is valid for the problem when
    the validators accept it under one of them."""
    found: list[tuple[str, ...]] = []

    def walk(group: TestGroup) -> None:
        if any(isinstance(item, str) for item in group.items):
            flags = group.scoring.input_validator_flags
            if flags not in found:
                found.append(flags)
        for item in group.items:
            if isinstance(item, TestGroup):
                walk(item)

    walk(problem.root_group)
    return tuple(found) or ((),)


class InputValidator:
    """The problem's own input validators, compiled once. `check(paths)` says for
    each input file whether every validator accepts it under one flag set."""

    def __init__(self, judge: Judge, problem: Problem) -> None:
        self.judge = judge
        self.problem = problem
        programs = [
            sources
            for entry in problem.input_validators
            if (sources := runnable_program(entry)) is not None
        ]
        self.compiled = compile_trusted(judge, programs) if programs else []
        self.flag_sets = validator_flag_sets(problem)

    @property
    def available(self) -> bool:
        """True when the package has at least one validator this judge can run."""
        return bool(self.compiled)

    def check(self, inputs: list[Path]) -> list[bool]:
        """Per input: valid under some flag set for every validator (Kattis exit 42)."""
        return [bool(accepted) for accepted in self.accepting(inputs)]

    def accepting(self, inputs: list[Path]) -> list[tuple[tuple[str, ...], ...]]:
        """Per input: the flag sets (of `flag_sets`) under which every validator
        accepts it. A sandbox failure raises RuntimeError (never read as 'invalid')."""
        jobs = [
            (compiled, flags, path)
            for path in inputs
            for flags in self.flag_sets
            for compiled in self.compiled
        ]
        runs = iter(run_trusted(self.judge, jobs))
        verdicts = []
        for _path in inputs:
            accepted = []
            for flags in self.flag_sets:
                results = [next(runs) for _ in self.compiled]
                for run in results:
                    if run.sandbox_error:
                        raise RuntimeError(f"input validator: {run.message}")
                if all(run.exit_code == VALIDATOR_VALID_EXIT for run in results):
                    accepted.append(flags)
            verdicts.append(tuple(accepted))
        return verdicts

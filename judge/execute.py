"""Run one compiled program on one test inside the sandbox and turn what happened
into a TestResult: the candidate's run, the peer it talks to (interactive
validator, CMS manager), and the output check."""

from __future__ import annotations

import functools
import os
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from judge import checkers
from judge.compile import Compiled
from judge.sandbox import Process, ProcessResult, ResourceLimits, RunRequest, RunStatus, Sandbox
from judge.verdicts import TestResult, Verdict
from problems.model import CheckerKind, GraderKind, Limits, Problem, TestCase

# Candidates may run to CPU_HEADROOM times the limit before they are killed, so
# that a clear TLE (killed at the headroom) is told apart from a close call; a run
# whose CPU time lands in the band [NEAR_LIMIT_LOW, NEAR_LIMIT_HIGH] times the
# limit is re-run and the fastest attempt counts. The verdict depends on the limit
# only (TLE when the CPU time exceeds it); the headroom decides how long a run may
# go on and so how much is known about it. It is the judge's policy, the same for
# every format: Kattis' time_safety_margin / time_limit_to_tle are package
# verification settings and are not read (see problems.kattis).
CPU_HEADROOM = 1.25
NEAR_LIMIT_LOW = 0.9
NEAR_LIMIT_HIGH = 1.2
RERUNS = 2
TRUSTED_TIME_S = 30.0
GRADER_PROCESSES = 8
TRUSTED_MEMORY = 2 * 1024**3

STATUS_VERDICTS: dict[RunStatus, Verdict] = {
    RunStatus.TIME_LIMIT: Verdict.TLE,
    RunStatus.WALL_LIMIT: Verdict.TLE,
    RunStatus.MEMORY_LIMIT: Verdict.MLE,
    RunStatus.OUTPUT_LIMIT: Verdict.OLE,
    RunStatus.SIGNALED: Verdict.RE,
    RunStatus.NONZERO_EXIT: Verdict.RE,
}


@dataclass(frozen=True)
class Setup:
    """What is fixed for a problem during a judging session: the resolved limits and
    the compiled checker / manager (None where the problem has none)."""

    problem: Problem
    time_s: float
    checker: Compiled | None = None
    manager: Compiled | None = None


def candidate_limits(limits: Limits, time_s: float, processes: int) -> ResourceLimits:
    """Sandbox limits of a candidate run: CPU at the time limit, a wall-clock kill at
    a multiple of it (sleeping programs), memory and output as the problem says."""
    return ResourceLimits(
        cpu_time_s=time_s * CPU_HEADROOM,
        wall_time_s=time_s * 3 + 1.0,
        memory_bytes=limits.memory_bytes,
        output_bytes=limits.output_bytes,
        processes=processes,
    )


def trusted_limits(time_s: float) -> ResourceLimits:
    """Limits for the problem's own programs (validators, managers, checkers)."""
    return ResourceLimits(
        cpu_time_s=max(TRUSTED_TIME_S, time_s * 3),
        wall_time_s=max(TRUSTED_TIME_S, time_s * 3) * 2,
        memory_bytes=TRUSTED_MEMORY,
        output_bytes=256 * 1024**2,
        processes=1,
    )


def candidate_verdict(outcome: ProcessResult, time_s: float) -> Verdict | None:
    """The verdict a candidate's own run decides (None when it ran cleanly)."""
    if outcome.cpu_time_s > time_s and outcome.status in (
        RunStatus.OK,
        RunStatus.NONZERO_EXIT,
        RunStatus.SIGNALED,
    ):
        return Verdict.TLE
    return STATUS_VERDICTS.get(outcome.status)


def _result(
    test: TestCase,
    verdict: Verdict,
    outcome: ProcessResult | None,
    message: str,
    score: float | None = None,
) -> TestResult:
    return TestResult(
        test=test.name,
        verdict=verdict,
        score=score,
        cpu_time_s=outcome.cpu_time_s if outcome else 0.0,
        wall_time_s=outcome.wall_time_s if outcome else 0.0,
        memory_bytes=outcome.memory_bytes if outcome else 0,
        message=message,
    )


def _judge_error(test: TestCase, message: str, outcome: ProcessResult | None = None) -> TestResult:
    return _result(test, Verdict.JE, outcome, message)


def _program_files(compiled: Compiled) -> tuple[tuple[str, str], ...]:
    return ((compiled.artifact, str(compiled.artifact_path)),)


def _placed(compiled: Compiled, folder: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Argv and files of a helper program (validator, manager, checker) put in its own
    box folder, so that its artifact never collides with the candidate's."""
    placed = f"{folder}/{compiled.artifact}"
    argv = tuple(
        ("./" + placed if arg.startswith("./") else placed)
        if arg in (compiled.artifact, "./" + compiled.artifact)
        else arg
        for arg in compiled.run_argv
    )
    return argv, ((placed, str(compiled.artifact_path)),)


def _candidate_process(
    compiled: Compiled, setup: Setup, stdin: str, stdout: str, extra_args: tuple[str, ...] = ()
) -> Process:
    processes = compiled.processes
    if setup.problem.grader.kind is GraderKind.LINKED:
        # Graders linked into the program may fork it, e.g. to run the encoder and
        # decoder halves of a task in separate processes (Kattis include/ graders).
        processes = max(processes, GRADER_PROCESSES)
    return Process(
        argv=compiled.run_argv + extra_args,
        limits=candidate_limits(setup.problem.limits, setup.time_s, processes),
        stdin=stdin,
        stdout=stdout,
        stderr="candidate.err",
        python=compiled.zygote,
    )


def _check_output(
    setup: Setup, test: TestCase, output_path: Path, sandbox: Sandbox, work: Path
) -> checkers.CheckResult:
    """Compare a finished run's output with the answer, by the problem's checker
    (the token checker with the problem's options and the test group's on top)."""
    spec = setup.problem.checker
    if spec.kind is CheckerKind.TOKENS:
        options = spec.token_options.then(test.token_options)
        return checkers.check_token_files(output_path, test.answer_path, options)
    if setup.checker is None or not setup.checker.ok:
        return checkers.CheckResult(Verdict.JE, 0.0, "checker is not compiled")
    return CHECKER_RUNNERS[spec.kind](setup, test, output_path, sandbox, work)


def _input_file(test: TestCase) -> str:
    """Host path of the test input; symlinked tests (Kattis allows them) are resolved
    because the sandbox copies regular files only."""
    return str(test.input_path.resolve())


def _answer_file(test: TestCase, work: Path) -> str:
    if test.answer_path is not None:
        return str(test.answer_path.resolve())
    empty = work / "empty.ans"
    empty.touch()
    return str(empty)


FEEDBACK_FILES = (
    ("feedback/judgemessage.txt", "judgemessage.txt"),
    ("feedback/score.txt", "score.txt"),
)


def _exit_code(outcome: ProcessResult) -> int | None:
    """The exit code of a helper that ended by itself (None: killed or failed)."""
    return outcome.exit_code if outcome.status in (RunStatus.OK, RunStatus.NONZERO_EXIT) else None


def _validator(
    setup: Setup, test: TestCase, stdin: str, stdout: str
) -> tuple[Process, tuple[tuple[str, str], ...]]:
    """The Kattis output validator process (`validator input answer feedback/ flags`)
    and the files that place it in the box."""
    assert setup.checker is not None
    argv, files = _placed(setup.checker, "validator")
    process = Process(
        argv=argv
        + ("input", "answer", "feedback/")
        + setup.problem.checker.flags
        + test.validator_flags,
        limits=trusted_limits(setup.time_s),
        stdin=stdin,
        stdout=stdout,
        stderr="validator.err",
        trusted=True,
    )
    return process, files


def _feedback_out(work: Path) -> tuple[tuple[str, str], ...]:
    return tuple((box, str(work / host)) for box, host in FEEDBACK_FILES)


def _validator_verdict(outcome: ProcessResult, work: Path) -> checkers.CheckResult:
    """What a Kattis validator decided, from its exit code and feedback files."""
    return checkers.interpret_kattis_validator(
        _exit_code(outcome),
        _read_text(work / "judgemessage.txt") or outcome.stderr_tail,
        _read_text(work / "score.txt") or None,
    )


def _run_kattis_validator(
    setup: Setup, test: TestCase, output_path: Path, sandbox: Sandbox, work: Path
) -> checkers.CheckResult:
    process, files = _validator(setup, test, "output", "validator.out")
    request = RunRequest(
        processes=(process,),
        files_in=files + _checked_files(test, output_path, work),
        dirs=("feedback",),
        files_out=_feedback_out(work),
    )
    result = sandbox.run(request)
    if result.error is not None:
        return checkers.CheckResult(Verdict.JE, 0.0, f"sandbox error in validator: {result.error}")
    return _validator_verdict(result.processes[0], work)


def _checked_files(test: TestCase, output_path: Path, work: Path) -> tuple[tuple[str, str], ...]:
    """What a checker reads: the test's input and answer and the candidate's output."""
    return (
        ("input", _input_file(test)),
        ("answer", _answer_file(test, work)),
        ("output", str(output_path)),
    )


FEEDBACK_BYTES = 1 << 16
"""How much of a helper's message or score file the judge reads (the head): a
checker that quotes a whole output costs the judge no more than this."""


def _read_text(path: Path) -> str:
    if not path.exists():
        return ""
    with open(path, "rb") as handle:
        return handle.read(FEEDBACK_BYTES).decode(errors="replace")


def _run_file_checker(
    order: tuple[str, str, str],
    interpret: Callable[..., checkers.CheckResult],
) -> Callable[[Setup, TestCase, Path, Sandbox, Path], checkers.CheckResult]:
    """A runner for checkers invoked as `checker A B C` with the files in `order`."""

    def run(
        setup: Setup, test: TestCase, output_path: Path, sandbox: Sandbox, work: Path
    ) -> checkers.CheckResult:
        assert setup.checker is not None
        argv, files = _placed(setup.checker, "checker")
        process = Process(
            argv=argv + order,
            limits=trusted_limits(setup.time_s),
            stdout="checker.out",
            stderr="checker.err",
            trusted=True,
        )
        request = RunRequest(
            processes=(process,),
            files_in=files + _checked_files(test, output_path, work),
            files_out=(
                ("checker.out", str(work / "checker.out")),
                ("checker.err", str(work / "checker.err")),
            ),
        )
        result = sandbox.run(request)
        if result.error is not None:
            return checkers.CheckResult(
                Verdict.JE, 0.0, f"sandbox error in checker: {result.error}"
            )
        return interpret(
            _exit_code(result.processes[0]),
            _read_text(work / "checker.out"),
            _read_text(work / "checker.err"),
        )

    return run


CHECKER_RUNNERS: dict[
    CheckerKind, Callable[[Setup, TestCase, Path, Sandbox, Path], checkers.CheckResult]
] = {
    CheckerKind.KATTIS_VALIDATOR: _run_kattis_validator,
    CheckerKind.TESTLIB: _run_file_checker(
        ("input", "output", "answer"),
        lambda code, out, err: checkers.interpret_testlib(code, out + err),
    ),
    CheckerKind.CMS: _run_file_checker(("input", "answer", "output"), checkers.interpret_cms),
}


def _run_batch(
    compiled: Compiled, setup: Setup, test: TestCase, sandbox: Sandbox, work: Path
) -> TestResult:
    output_path = work / "output"
    request = RunRequest(
        processes=(_candidate_process(compiled, setup, "input", "output"),),
        files_in=_program_files(compiled) + (("input", _input_file(test)),),
        files_out=(("output", str(output_path)),),
    )
    result = sandbox.run(request)
    if result.error is not None:
        return _judge_error(test, f"sandbox error: {result.error}")
    outcome = result.processes[0]
    verdict = candidate_verdict(outcome, setup.time_s)
    if verdict is not None:
        return _result(test, verdict, outcome, outcome.stderr_tail[-500:])
    if not output_path.exists():
        output_path.touch()
    check = _check_output(setup, test, output_path, sandbox, work)
    return _result(test, check.verdict, outcome, check.message, check.score)


def _run_interactive(
    compiled: Compiled, setup: Setup, test: TestCase, sandbox: Sandbox, work: Path
) -> TestResult:
    """Kattis interactive: the output validator and the candidate talk through pipes."""
    if setup.checker is None or not setup.checker.ok:
        return _judge_error(test, "interactive validator is not compiled")
    validator, files = _validator(setup, test, "pipe:to_validator", "pipe:to_candidate")
    candidate = _candidate_process(compiled, setup, "pipe:to_candidate", "pipe:to_validator")
    request = RunRequest(
        processes=(candidate, validator),
        files_in=_program_files(compiled) + files,
        trusted_files_in=(("input", _input_file(test)), ("answer", _answer_file(test, work))),
        dirs=("feedback",),
        files_out=_feedback_out(work),
    )
    result = sandbox.run(request)
    if result.error is not None:
        return _judge_error(test, f"sandbox error: {result.error}")
    cand, val = result.processes
    verdict = candidate_verdict(cand, setup.time_s)
    check = _validator_verdict(val, work)
    # As problemtools: whoever stopped first decides. A validator that rejected
    # first gives WA whatever the candidate did next (e.g. spin until killed); a
    # candidate that crashed or ran out of time first gets that verdict. A tie
    # (the candidate already exiting when the validator's end was seen: its
    # crash closed the pipe the validator read EOF from) is the candidate's.
    # A candidate killed by SIGPIPE wrote to a validator that had already gone.
    validator_first = val.ended_s < cand.ended_s or cand.signal == signal.SIGPIPE
    if check.verdict is Verdict.JE or (validator_first and not check.verdict.accepted):
        return _result(test, check.verdict, cand, check.message, check.score)
    if verdict is not None:
        return _result(test, verdict, cand, cand.stderr_tail[-500:])
    return _result(test, check.verdict, cand, check.message, check.score)


def _run_communication(
    compiled: Compiled, setup: Setup, test: TestCase, sandbox: Sandbox, work: Path
) -> TestResult:
    """CMS Communication: a manager and N candidate processes joined by FIFOs; the
    manager reads the test input and prints the score (stdout) and message (stderr)."""
    if setup.manager is None or not setup.manager.ok:
        return _judge_error(test, "manager is not compiled")
    count = setup.problem.grader.num_processes
    fifos: list[str] = []
    manager_args: list[str] = []
    candidates: list[Process] = []
    for index in range(count):
        to_manager, to_user = f"u{index}_to_m.fifo", f"m_to_u{index}.fifo"
        fifos += [to_manager, to_user]
        manager_args += [to_manager, to_user]
        extra = (str(index),) if count > 1 else ()
        candidates.append(_candidate_process(compiled, setup, to_user, to_manager, extra))
    argv, files = _placed(setup.manager, "manager")
    manager = Process(
        argv=argv + tuple(manager_args),
        limits=replace(
            trusted_limits(setup.time_s), wall_time_s=candidates[0].limits.wall_time_s * count + 5
        ),
        stdin="input",
        stdout="manager.out",
        stderr="manager.err",
        trusted=True,
    )
    request = RunRequest(
        processes=(manager, *candidates),
        files_in=_program_files(compiled) + files,
        trusted_files_in=(("input", _input_file(test)),),
        fifos=tuple(fifos),
        files_out=(
            ("manager.out", str(work / "manager.out")),
            ("manager.err", str(work / "manager.err")),
        ),
    )
    result = sandbox.run(request)
    if result.error is not None:
        return _judge_error(test, f"sandbox error: {result.error}")
    mgr, *users = result.processes
    slowest = max(users, key=lambda user: user.cpu_time_s)
    for user in users:
        verdict = candidate_verdict(user, setup.time_s)
        if verdict is not None:
            return _result(test, verdict, user, user.stderr_tail[-500:])
    check = checkers.interpret_cms(
        _exit_code(mgr), _read_text(work / "manager.out"), _read_text(work / "manager.err")
    )
    return _result(test, check.verdict, slowest, check.message, check.score)


RUNNERS: dict[GraderKind, Callable[[Compiled, Setup, TestCase, Sandbox, Path], TestResult]] = {
    GraderKind.NONE: _run_batch,
    GraderKind.LINKED: _run_batch,
    GraderKind.INTERACTIVE: _run_interactive,
    GraderKind.COMMUNICATION: _run_communication,
}


def run_test(compiled: Compiled, setup: Setup, test: TestCase, sandbox: Sandbox) -> TestResult:
    """Judge `compiled` on `test`; runs near the time limit are repeated and the
    fastest counts, so that machine noise does not turn AC into TLE."""
    if not compiled.ok:
        failed = Verdict.JE if compiled.judge_error else Verdict.CE
        return _result(test, failed, None, compiled.message[-2000:])
    runner = RUNNERS[setup.problem.grader.kind]
    best: TestResult | None = None
    for _attempt in range(1 + RERUNS):
        with tempfile.TemporaryDirectory(prefix="cpsolve-test-", dir=scratch_root()) as tmp:
            result = runner(compiled, setup, test, sandbox, Path(tmp))
        if best is None or result.cpu_time_s < best.cpu_time_s:
            best = result
        if not _near_limit(result, setup.time_s):
            break
    assert best is not None
    return best


@functools.cache
def scratch_root() -> str | None:
    """Where per-test scratch folders go: /dev/shm (memory) when writable, since
    each test makes and removes one; else the default temp folder."""
    shm = "/dev/shm"
    return shm if os.access(shm, os.W_OK) else None


def _near_limit(result: TestResult, time_s: float) -> bool:
    if result.verdict not in (Verdict.TLE, Verdict.AC):
        return False
    return NEAR_LIMIT_LOW * time_s <= result.cpu_time_s <= NEAR_LIMIT_HIGH * time_s

"""How a process ended -> RunStatus. A pure function, so the priorities are
testable without running anything."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

from judge.sandbox.api import ResourceLimits, RunStatus


@dataclass(frozen=True)
class Ending:
    """The facts the runner collected about one finished process."""

    exit_code: int | None
    signal: int | None
    cpu_time_s: float
    oom_killed: bool
    wall_killed: bool
    setup_error: str | None


def classify(limits: ResourceLimits, ending: Ending) -> RunStatus:
    """The status of a process, most specific cause first: a sandbox failure, the
    memory limit (an OOM kill), CPU time (measured, or SIGXCPU), the wall clock,
    the output limit (SIGXFSZ), another signal, a nonzero exit, else OK."""
    if ending.setup_error is not None:
        return RunStatus.SANDBOX_ERROR
    if ending.oom_killed:
        return RunStatus.MEMORY_LIMIT
    if ending.cpu_time_s > limits.cpu_time_s or ending.signal == signal.SIGXCPU:
        return RunStatus.TIME_LIMIT
    if ending.wall_killed:
        return RunStatus.WALL_LIMIT
    if ending.signal == signal.SIGXFSZ:
        return RunStatus.OUTPUT_LIMIT
    if ending.signal is not None:
        return RunStatus.SIGNALED
    if ending.exit_code:
        return RunStatus.NONZERO_EXIT
    return RunStatus.OK


OUT_OF_MEMORY = re.compile(
    r"std::bad_alloc|MemoryError|OutOfMemoryError|heap out of memory|Cannot allocate memory"
)
"""What language runtimes print when an allocation fails (C++, CPython/PyPy, the
JVM, Node.js, glibc's strerror(ENOMEM))."""


def failed_for_memory(
    exit_code: int | None, signal_number: int | None, wall_killed: bool, stderr_tail: str
) -> bool:
    """Rootless mode: did a failed run fail because an allocation was refused (the
    RLIMIT_DATA backstop, see judge.sandbox.modes)? Yes when it failed by itself
    (a nonzero exit or a signal other than the CPU, file-size and kill ones, not
    killed by the judge) and its stderr ends in a runtime's out-of-memory
    message. A program that handles a refused allocation itself and exits 1
    stays a runtime error: from outside it is like any other failure."""
    if wall_killed or signal_number in (signal.SIGXCPU, signal.SIGXFSZ, signal.SIGKILL):
        return False
    if not exit_code and signal_number is None:
        return False
    return OUT_OF_MEMORY.search(stderr_tail[-1024:]) is not None

"""How a process ended -> RunStatus. A pure function, so the priorities are
testable without running anything."""

from __future__ import annotations

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

"""A compile killed at its wall-clock limit with little CPU used was starved by a
busy machine: JE (judged again next time), never the candidate's CE."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from judge.compile import machine_fault_while_compiling, stopped_by_machine
from judge.sandbox import ProcessResult, ResourceLimits, RunStatus

LIMITS = ResourceLimits(cpu_time_s=60.0, wall_time_s=120.0, memory_bytes=2**31, output_bytes=2**28)


@given(status=st.sampled_from(list(RunStatus)), cpu=st.floats(min_value=0, max_value=80))
def test_only_a_starved_compile_is_the_machines_fault(status: RunStatus, cpu: float) -> None:
    outcome = ProcessResult(
        status=status,
        exit_code=None,
        signal=9,
        cpu_time_s=cpu,
        wall_time_s=120.0,
        memory_bytes=0,
        stderr_tail="",
    )
    expected = status is RunStatus.WALL_LIMIT and cpu < LIMITS.cpu_time_s / 2
    assert stopped_by_machine(outcome, LIMITS) is expected


@given(
    status=st.sampled_from(list(RunStatus)),
    cpu=st.floats(min_value=0, max_value=80),
    signal=st.sampled_from([None, 9, 15]),
)
def test_a_compiler_killed_from_outside_is_a_judge_error(
    status: RunStatus, cpu: float, signal: int | None
) -> None:
    """Only the sandbox's own limits and the compiler's exit make a CE; a compiler
    killed by a signal (a Ray node going away) or a sandbox error is the judge's."""
    outcome = ProcessResult(
        status=status,
        exit_code=None if signal else 1,
        signal=signal,
        cpu_time_s=cpu,
        wall_time_s=120.0,
        memory_bytes=0,
        stderr_tail="",
    )
    fault = machine_fault_while_compiling(outcome, LIMITS)
    machine = status in (RunStatus.SIGNALED, RunStatus.SANDBOX_ERROR) or stopped_by_machine(
        outcome, LIMITS
    )
    assert (fault is not None) is machine
    if status is RunStatus.SIGNALED:
        assert fault is not None and str(signal) in fault

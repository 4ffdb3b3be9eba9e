"""Benchmark: runs per second of the naive harness vs LocalSandbox.

(a) naive: `subprocess.run` of a compiled C++ binary / `python3 file.py` (the
base interpreter, not the venv's, so no site-packages scan) with a timeout, per
test; (b) LocalSandbox: the same echo programs in the sandbox, inputs copied in
and outputs copied out, the Python one through the pre-forked interpreter.

The two harnesses are timed interleaved and rates are 1 / median time per run,
because this machine is shared and its load swings; the CPU time per run of the
C++ case (this process, its children, the runner and the runner's children) is
printed too, as a figure load does not inflate, and so is the C++ overhead of a
run that follows 100 ms of idleness (as after any longer test). Both harnesses
unlink their output file before writing it (truncating a file costs milliseconds
on ext4 with `discard`). Prints the ratios and the C++ per-run overhead last.

    .venv/bin/python tools/bench_sandbox.py [--runs 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from judge.sandbox import LocalSandbox, Process, ResourceLimits, RunRequest, RunStatus

ECHO_PY = "import sys\nsys.stdout.write(sys.stdin.read())\n"
ECHO_CPP = (
    "#include <cstdio>\nint main(){char b[4096];size_t n;"
    "while((n=fread(b,1,sizeof b,stdin))>0)fwrite(b,1,n,stdout);}\n"
)
PAUSE_S = 0.1
LIMITS = ResourceLimits(
    cpu_time_s=2.0, wall_time_s=5.0, memory_bytes=256 << 20, output_bytes=1 << 20
)


def compare(
    label: str, runs: int, naive_once: Callable[[], None], sandbox_once: Callable[[], None]
) -> tuple[float, float]:
    """Time `runs` calls of each harness, interleaved (one naive, one sandboxed) so
    that both see the same machine load. Rates are 1 / median time per run, which
    a busy shared machine disturbs less than the mean; returns (naive, sandbox)."""
    for _ in range(min(10, runs)):
        naive_once()
        sandbox_once()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for once, samples in zip((naive_once, sandbox_once), times, strict=True):
            start = time.perf_counter()
            once()
            samples.append(time.perf_counter() - start)
    naive_rate, sandbox_rate = (1 / statistics.median(samples) for samples in times)
    for name, per_second in (("naive", naive_rate), ("sandboxed", sandbox_rate)):
        print(
            f"{label}: {name:<9} {per_second:8.1f} runs/s ({1000 / per_second:6.2f} ms/run, median)"
        )
    return naive_rate, sandbox_rate


def after_pauses(
    runs: int, pause_s: float, naive_once: Callable[[], None], sandbox_once: Callable[[], None]
) -> float:
    """Median extra milliseconds of a sandboxed run over a naive one when each
    follows `pause_s` of idleness, as the next test does after any test that runs
    longer than a few milliseconds (a cost that back-to-back runs hide)."""
    extra = []
    for _ in range(runs):
        times = []
        for once in (naive_once, sandbox_once):
            time.sleep(pause_s)
            start = time.perf_counter()
            once()
            times.append(time.perf_counter() - start)
        extra.append((times[1] - times[0]) * 1000)
    return statistics.median(extra)


def cpu_seconds(pids: list[int]) -> float:
    """User+system CPU of `pids` and of their reaped children, from /proc."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_run(runs: int, once: Callable[[], None], pids: list[int]) -> float:
    """CPU seconds per call of `once`, counting this process, its children and
    `pids` (the sandbox runner): a figure that machine load does not inflate."""
    before_self = os.times()
    before_pids = cpu_seconds(pids)
    for _ in range(runs):
        once()
    after_self = os.times()
    spent = sum(after_self[:4]) - sum(before_self[:4]) + cpu_seconds(pids) - before_pids
    return spent / runs


def naive(argv: list[str], input_path: Path, workdir: Path) -> Callable[[], None]:
    """The naive harness: one subprocess.run per test, output to a file."""

    def once() -> None:
        (workdir / "out.txt").unlink(
            missing_ok=True
        )  # as the sandbox's copy-out does (cheaper on ext4)
        with open(input_path, "rb") as stdin, open(workdir / "out.txt", "wb") as stdout:
            subprocess.run(argv, stdin=stdin, stdout=stdout, timeout=5, check=True)

    return once


def sandbox_runner_pids(sandbox: LocalSandbox) -> list[int]:
    """The runner's `unshare` process and its child, the runner itself."""
    pid = sandbox.runner_pid
    assert pid is not None
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *map(int, children)]


def sandboxed(sandbox: LocalSandbox, request: RunRequest) -> Callable[[], None]:
    """One sandboxed run per call; fails loudly if the run is not OK."""

    def once() -> None:
        result = sandbox.run(request)
        if result.error or result.processes[0].status is not RunStatus.OK:
            raise RuntimeError(f"sandboxed run failed: {result}")

    return once


def main() -> None:
    """Compile the echo program, measure both harnesses, print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        (work / "echo.py").write_text(ECHO_PY)
        (work / "echo.cpp").write_text(ECHO_CPP)
        (work / "in.txt").write_text("hello sandbox\n" * 10)
        subprocess.run(["g++", "-O2", "-o", str(work / "echo"), str(work / "echo.cpp")], check=True)
        files_in = (("in.txt", str(work / "in.txt")),)
        files_out = (("out.txt", str(work / "sandbox_out.txt")),)
        cpp_request = RunRequest(
            processes=(Process(argv=("./echo",), limits=LIMITS, stdin="in.txt", stdout="out.txt"),),
            files_in=(*files_in, ("echo", str(work / "echo"))),
            files_out=files_out,
        )
        py_request = RunRequest(
            processes=(
                Process(
                    argv=("python3", "echo.py"),
                    limits=LIMITS,
                    stdin="in.txt",
                    stdout="out.txt",
                    python=True,
                ),
            ),
            files_in=(*files_in, ("echo.py", str(work / "echo.py"))),
            files_out=files_out,
        )
        naive_cpp_once = naive([str(work / "echo")], work / "in.txt", work)
        with LocalSandbox(worker=0) as sandbox:
            sandbox_cpp_once = sandboxed(sandbox, cpp_request)
            naive_cpp, sandbox_cpp = compare(
                "C++ echo", args.runs, naive_cpp_once, sandbox_cpp_once
            )
            runner = sandbox_runner_pids(sandbox)
            naive_cpu = cpu_per_run(args.runs, naive_cpp_once, [])
            sandbox_cpu = cpu_per_run(args.runs, sandbox_cpp_once, runner)
            print(f"C++ echo: CPU per run: naive {naive_cpu * 1000:.2f} ms,", end=" ")
            print(f"sandboxed {sandbox_cpu * 1000:.2f} ms")
            paused = after_pauses(
                max(10, args.runs // 10), PAUSE_S, naive_cpp_once, sandbox_cpp_once
            )
            naive_py, sandbox_py = compare(
                "Python echo",
                args.runs,
                naive(
                    [str(Path(sys.base_prefix) / "bin" / "python3"), str(work / "echo.py")],
                    work / "in.txt",
                    work,
                ),
                sandboxed(sandbox, py_request),
            )
        print(f"Python: sandbox/naive rate ratio = {sandbox_py / naive_py:.2f}x (target >= 3x)")
        print(f"C++: sandbox/naive rate ratio = {sandbox_cpp / naive_cpp:.2f}x")
        overhead_ms = 1000 / sandbox_cpp - 1000 / naive_cpp
        print(f"C++: sandbox overhead per run = {overhead_ms:.2f} ms wall, median (target <= 2 ms)")
        print(f"C++: sandbox overhead per run = {(sandbox_cpu - naive_cpu) * 1000:.2f} ms CPU")
        print(
            f"C++: sandbox overhead per run after {PAUSE_S * 1000:.0f} ms idle"
            f" = {paused:.2f} ms wall, median"
        )


if __name__ == "__main__":
    main()

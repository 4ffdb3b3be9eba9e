"""Benchmark: runs per second of the naive harness vs LocalSandbox.

(a) naive: `subprocess.run` of a compiled C++ binary / `python3 file.py` with a
timeout, per test; (b) LocalSandbox: the same programs in the sandbox (the Python
one through the pre-forked interpreter). Prints rates, then the ratios and the
per-run overhead of the sandbox for C++ in milliseconds.

    .venv/bin/python tools/bench_sandbox.py [--runs 300]
"""

from __future__ import annotations

import argparse
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
LIMITS = ResourceLimits(
    cpu_time_s=2.0, wall_time_s=5.0, memory_bytes=256 << 20, output_bytes=1 << 20
)


def rate(label: str, runs: int, once: Callable[[], None]) -> float:
    """Call `once` `runs` times (after a warm-up) and print/return runs per second."""
    for _ in range(min(10, runs)):
        once()
    start = time.perf_counter()
    for _ in range(runs):
        once()
    per_second = runs / (time.perf_counter() - start)
    print(f"{label:<34} {per_second:8.1f} runs/s  ({1000 / per_second:.2f} ms/run)")
    return per_second


def naive(argv: list[str], input_path: Path, workdir: Path) -> Callable[[], None]:
    """The naive harness: one subprocess.run per test, output to a file."""

    def once() -> None:
        with open(input_path, "rb") as stdin, open(workdir / "out.txt", "wb") as stdout:
            subprocess.run(argv, stdin=stdin, stdout=stdout, timeout=5, check=True)

    return once


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
        with LocalSandbox(worker=0) as sandbox:
            naive_cpp = rate(
                "naive subprocess.run C++",
                args.runs,
                naive([str(work / "echo")], work / "in.txt", work),
            )
            sandbox_cpp = rate("LocalSandbox C++", args.runs, sandboxed(sandbox, cpp_request))
            naive_py = rate(
                "naive python3 file.py",
                args.runs,
                naive([sys.executable, str(work / "echo.py")], work / "in.txt", work),
            )
            sandbox_py = rate(
                "LocalSandbox Python (zygote)", args.runs, sandboxed(sandbox, py_request)
            )
        print(f"Python: sandbox/naive rate ratio = {sandbox_py / naive_py:.2f}x (target >= 3x)")
        print(f"C++: sandbox/naive rate ratio = {sandbox_cpp / naive_cpp:.2f}x")
        overhead_ms = 1000 / sandbox_cpp - 1000 / naive_cpp
        print(f"C++: sandbox overhead per run = {overhead_ms:.2f} ms (target <= 2 ms)")


if __name__ == "__main__":
    main()

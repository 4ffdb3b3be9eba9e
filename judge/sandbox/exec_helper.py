"""Building the static exec helper (exec_helper.cpp) and exporting the seccomp
filter it loads. Both happen once per runner, into its private directory."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyseccomp

SOURCE = Path(__file__).with_name("exec_helper.cpp")
COMPILE_TIMEOUT_S = 120


def build(directory: Path) -> Path:
    """Compile the helper into `directory` (static if libc.a is there, else
    dynamic); OSError with the compiler's message if g++ is missing or fails."""
    compiler = shutil.which("g++")
    if compiler is None:
        raise OSError("g++ is needed to build the sandbox exec helper")
    binary = directory / "exec-helper"
    errors = ""
    for link in (["-static"], []):
        command = [compiler, "-O2", "-std=c++17", *link, "-o", str(binary), str(SOURCE)]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
        )
        if done.returncode == 0:
            return binary
        errors = done.stderr
    raise OSError(f"{SOURCE}: cannot build the sandbox exec helper: {errors[-2000:]}")


def export_filter(syscall_filter: pyseccomp.SyscallFilter, directory: Path) -> Path:
    """Write the compiled BPF program of `syscall_filter` for the helper to load."""
    path = directory / "seccomp.bpf"
    with open(path, "wb") as target:
        syscall_filter.export_bpf(target)
    return path

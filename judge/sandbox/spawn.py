"""The runner's binding to spawn.c: built once per runner into its private
directory, loaded with ctypes, and called once per sandboxed program."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyseccomp

SOURCE = Path(__file__).with_name("spawn.c")
COMPILE_TIMEOUT_S = 120
BPF_INSTRUCTION_BYTES = 8


def _strings(values: Sequence[str]) -> ctypes.Array[ctypes.c_char_p]:
    """A NULL-terminated char* array (the caller keeps it alive over the call)."""
    array = (ctypes.c_char_p * (len(values) + 1))()
    array[:-1] = [value.encode() for value in values]
    return array


def build(directory: Path) -> Path:
    """Compile spawn.c into a shared library in `directory`; OSError with the
    compiler's message if gcc is missing or fails."""
    compiler = shutil.which("gcc")
    if compiler is None:
        raise OSError("gcc is needed to build the sandbox spawn library")
    library = directory / "libcpsolve-spawn.so"
    command = [compiler, "-O2", "-shared", "-fPIC", "-o", str(library), str(SOURCE)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise OSError(f"{SOURCE}: cannot build the sandbox spawn library: {done.stderr[-2000:]}")
    return library


class Spawner:
    """Starts sandboxed programs (see spawn.c) with one seccomp filter."""

    def __init__(self, directory: Path, syscall_filter: pyseccomp.SyscallFilter) -> None:
        self._library = ctypes.CDLL(str(build(directory)), use_errno=True)
        self._spawn = self._library.cpsolve_spawn
        self._spawn.restype = ctypes.c_int
        exported = directory / "seccomp.bpf"
        with open(exported, "wb") as target:
            syscall_filter.export_bpf(target)  # needs a real file descriptor
        program = exported.read_bytes()
        self._filter = ctypes.create_string_buffer(program, len(program))
        self._filter_length = len(program) // BPF_INSTRUCTION_BYTES

    def spawn(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        fds: tuple[int, int, int],
        error_fd: int,
        root: Path,
        uid: int,
        join_files: Sequence[Path],
        limits: Mapping[int, tuple[int, int]],
        keep_sigpipe_ignored: bool,
    ) -> int:
        """Start `argv` sandboxed as `uid` in `root` with `fds` on 0/1/2; its pid.
        OSError if the process cannot be created; later failures (a missing
        program, a refused chroot) are written to `error_fd` and end it with 127."""
        triples = [number for kind, pair in limits.items() for number in (kind, *pair)]
        pid = self._spawn(
            _strings(argv),
            _strings([f"{name}={value}" for name, value in env.items()]),
            (ctypes.c_int * 3)(*fds),
            ctypes.c_int(error_fd),
            str(root).encode(),
            ctypes.c_uint(uid),
            _strings([str(path) for path in join_files]),
            (ctypes.c_ulonglong * len(triples))(*triples),
            ctypes.c_int(len(limits)),
            self._filter,
            ctypes.c_int(self._filter_length),
            ctypes.c_int(int(keep_sigpipe_ignored)),
        )
        if pid < 0:
            raise OSError(-pid, f"cannot start {argv[0]}")
        return int(pid)

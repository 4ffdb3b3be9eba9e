"""The runner's side of slot_server.c: build the server once per runner, start one
per cgroup slot (it joins the slot's cgroups once), and ask it to start programs.

Each program is born inside its slot's cgroups, so no run pays for moving a
process into a cgroup (about 9 ms after any pause, see slot_server.c), and its
parent is the runner (CLONE_PARENT), which waits for it as for any child."""

from __future__ import annotations

import select
import shutil
import socket
import struct
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyseccomp

SOURCE = Path(__file__).with_name("slot_server.c")
COMPILE_TIMEOUT_S = 120
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
HEADER = struct.Struct("<6I")
REPLY = struct.Struct("<i")


def build(directory: Path) -> Path:
    """Compile slot_server.c into `directory`; OSError with the compiler's message
    if gcc is missing or fails."""
    compiler = shutil.which("gcc")
    if compiler is None:
        raise OSError("gcc is needed to build the sandbox slot server")
    binary = directory / "slot-server"
    command = [compiler, "-O2", "-o", str(binary), str(SOURCE)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise OSError(f"{SOURCE}: cannot build the sandbox slot server: {done.stderr[-2000:]}")
    return binary


def export_filter(syscall_filter: pyseccomp.SyscallFilter, directory: Path) -> Path:
    """Write the compiled BPF program of `syscall_filter` for the servers to load."""
    path = directory / "seccomp.bpf"
    with open(path, "wb") as target:
        syscall_filter.export_bpf(target)
    return path


def encode_request(
    argv: Sequence[str],
    env: Mapping[str, str],
    uid: int,
    limits: Mapping[int, tuple[int, int]],
    keep_sigpipe_ignored: bool,
    hidden: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One request message (see struct request in slot_server.c); `hidden` are
    ("F" or "D", path) pairs (userns mode)."""
    if not argv:
        raise ValueError("a program needs an argv")
    if any(kind not in ("F", "D") for kind, _path in hidden):
        raise ValueError(f"hidden paths are F or D: {hidden!r}")
    strings = [
        *argv,
        *(f"{name}={value}" for name, value in env.items()),
        *(kind + path for kind, path in hidden),
    ]
    if any("\0" in text for text in strings):
        raise ValueError("argv, environment and hidden paths may not contain NUL")
    triples = [number for kind, pair in limits.items() for number in (kind, *pair)]
    header = HEADER.pack(
        uid, int(keep_sigpipe_ignored), len(limits), len(argv), len(env), len(hidden)
    )
    packed_limits = struct.pack(f"<{len(triples)}Q", *triples)
    return header + packed_limits + b"".join(text.encode() + b"\0" for text in strings)


class SlotServer:
    """A running slot server (see module doc)."""

    def __init__(
        self,
        binary: Path,
        root: Path,
        filter_file: Path,
        join_files: Sequence[Path],
        empty_file: Path | None = None,
    ):
        """Start the server; with `empty_file` (userns mode: rootless, see
        modes.py; no cgroups) each program gets a user namespace of its own and
        signals only to itself, and hidden paths are covered with that file."""
        mode = ("userns", str(empty_file)) if empty_file else ("root", *map(str, join_files))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._socket = ours
        try:
            self._process = subprocess.Popen(
                [
                    str(binary),
                    str(theirs.fileno()),
                    str(root),
                    str(filter_file),
                    *mode,
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        ready, _, _ = select.select([ours], [], [], START_TIMEOUT_S)
        if not ready or len(ours.recv(REPLY.size)) != REPLY.size:
            self.close()
            raise OSError(f"slot server ({binary}, {root}) did not start")

    @property
    def pid(self) -> int:
        """The server's pid (spared when its slot is cleared)."""
        return self._process.pid

    def alive(self) -> bool:
        """Whether the server is still running."""
        return self._process.poll() is None

    def spawn(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        fds: tuple[int, int, int],
        error_fd: int,
        uid: int,
        limits: Mapping[int, tuple[int, int]],
        keep_sigpipe_ignored: bool,
        hidden: Sequence[tuple[str, str]] = (),
    ) -> int:
        """Start `argv` sandboxed as `uid` with `fds` on 0/1/2; its pid. OSError if
        no process could be made; later failures (a missing program, a refused
        chroot) are written to `error_fd` and end the process with status 127.
        `hidden` paths are covered in the program's view (userns mode)."""
        message = encode_request(argv, env, uid, limits, keep_sigpipe_ignored, hidden)
        socket.send_fds(self._socket, [message], [*fds, error_fd])
        reply = self._socket.recv(REPLY.size)
        if len(reply) != REPLY.size:
            raise OSError(f"slot server {self.pid} stopped")
        (pid,) = REPLY.unpack(reply)
        if pid < 0:
            raise OSError(-pid, f"cannot start {argv[0]}")
        return int(pid)

    def close(self) -> None:
        """Stop the server (end of stream, then SIGKILL by pid after a grace period)."""
        self._socket.close()
        try:
            self._process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

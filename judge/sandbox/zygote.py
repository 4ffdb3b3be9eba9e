"""The Python zygote: a clean, warm interpreter that starts Python candidates.

A fresh `python3 -I -S` process (see `ZygoteClient`), started by the runner with
an empty environment and no arguments but a one-line bootstrap. It imports the
modules candidates use most, chroots into the sandbox root (given as a
descriptor: no host path ever enters its memory), and then serves spawn
requests on a SOCK_SEQPACKET socket. Each candidate is a fork of this process,
so it starts with a warm interpreter (about 14 ms less than a fresh `python3`)
and with nothing of the judge in its memory: no request, no host path of a test
file, no output of an earlier run. Only the box-relative argv and the
environment of its own request are there.

The fork is a raw clone(CLONE_PARENT | CLONE_NEWIPC) around CPython's own fork
hooks, so that the runner is the candidate's parent (it waits for it like for
any program) and the candidate has an IPC namespace of its own. The child then
follows child.py's order: new session, join the slot's cgroups (descriptors
sent with the request), the run's fds on 0/1/2 with every other fd closed,
chdir /box, rlimits, the unprivileged uid with no groups, no_new_privs, seccomp,
and runs the script as `__main__`. A failure before the script runs is written
to the error descriptor and the child exits with status 127.

Rootless (see modes.py) the zygote is not dumpable and does not chroot itself
(the kernel refuses a user namespace to a chrooted process): each child first
enters a user namespace of its own (the request's uid there, the runner's
outside), then chroots through the root descriptor the zygote kept, drops every
capability instead of setgroups, and after the main filter loads a second one
that refuses signals to any process but itself.

This file imports nothing from the judge: its source is what the zygote runs.
Known difference from a fresh interpreter: the hash seed is shared by all runs
of one zygote (set iteration order is stable)."""

from __future__ import annotations

import builtins
import ctypes
import gc
import importlib
import io
import json
import os
import platform
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import traceback
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

PRELOADED_MODULES = (
    "array", "bisect", "collections", "copy", "dataclasses", "decimal", "fractions",
    "functools", "heapq", "itertools", "math", "operator", "random", "re",
    "statistics", "string", "typing",
)  # fmt: skip
CHILD_FAILED = 127
MESSAGE_BYTES = 1 << 20
MAX_FDS = 16
RUN_FDS = 4  # stdin, stdout, stderr, error pipe; the cgroup join files follow
REPLY = struct.Struct("<i")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
CLONE_NEWIPC = 0x08000000
CLONE_PARENT = 0x00008000
CLONE_CHILD_SETTID = 0x01000000
PR_SET_DUMPABLE = 4
CLONE_NEWUSER = 0x10000000
CAPABILITY_VERSION_3 = 0x20080522
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
# clone's number, and where its child_tid argument goes, per architecture
SYS_CLONE = {"x86_64": (56, 3), "aarch64": (220, 4)}
BOOTSTRAP = "import sys;exec(sys.stdin.read())"
# The rootless signal filter: audit arch and the numbers of kill, tkill, tgkill,
# rt_sigqueueinfo, rt_tgsigqueueinfo and pidfd_open, per architecture.
SIGNAL_CALLS = {
    "x86_64": (0xC000003E, (62, 200, 234, 129, 297, 434)),
    "aarch64": (0xC00000B7, (129, 130, 131, 138, 240, 434)),
}
BPF_LOAD, BPF_JUMP_IF_EQUAL, BPF_RETURN = 0x20, 0x15, 0x06
SECCOMP_ALLOW, SECCOMP_EPERM = 0x7FFF0000, 0x00050000 | 1


# --- the candidate's side: run one script as a fresh interpreter would ----------------


def _exit_code(exit_request: SystemExit) -> int:
    code = exit_request.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _new_std_streams() -> None:
    streams = {
        "stdin": io.TextIOWrapper(
            io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8"
        ),
        "stdout": io.TextIOWrapper(
            io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8"
        ),
        "stderr": io.TextIOWrapper(
            io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
            encoding="utf-8",
            errors="backslashreplace",
            line_buffering=True,
        ),
    }
    for name, stream in streams.items():
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _run_as_main(path: str) -> None:
    """Execute the file at `path` as a fresh __main__ module, as `python3 path`
    does (runpy.run_path costs several ms more per run)."""
    with open(path, "rb") as source_file:
        source = source_file.read()
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    exec(compile(source, path, "exec"), main.__dict__)


def _finalize() -> None:
    """What interpreter shutdown does that matters to a script's output: wait for
    non-daemon threads, then drop __main__'s globals so that open files the
    script never closed are flushed and closed."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    main = sys.modules.pop("__main__", None)
    if main is not None:
        main.__dict__.clear()
    gc.collect()


def run_script(argv: Sequence[str], env: Mapping[str, str], stdlib_path: list[str]) -> NoReturn:
    """Run argv[0] (a .py file) as __main__ with sys.argv = argv, then _exit with
    the code a fresh interpreter would return (1 for an uncaught exception)."""
    os.environ.clear()
    os.environ.update(env)
    sys.argv = list(argv)
    sys.path[:] = [os.path.dirname(os.path.abspath(argv[0])), *stdlib_path]
    _new_std_streams()
    code = 0
    try:
        _run_as_main(argv[0])
    except SystemExit as exit_request:
        code = _exit_code(exit_request)
    except BaseException:  # noqa: BLE001 - the interpreter's top level: report any error, exit 1
        traceback.print_exc()
        code = 1
    try:
        _finalize()
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = 120
    os._exit(code & 0xFF)


# --- the zygote process ---------------------------------------------------------------


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def signal_filter(arch: int, numbers: Sequence[int], pid: int) -> bytes:
    """The rootless second filter (as slot_server.c's): kill only to 0, `pid` or
    its group; tkill, tgkill, rt_(tg)sigqueueinfo and pidfd_open only to `pid`."""
    kill, *others = numbers
    group = (-pid) & 0xFFFFFFFF
    code = [
        (BPF_LOAD, 0, 0, 4),  # arch
        (BPF_JUMP_IF_EQUAL, 1, 0, arch),
        (BPF_RETURN, 0, 0, SECCOMP_ALLOW),  # the main filter kills these
        (BPF_LOAD, 0, 0, 0),  # nr
        (BPF_JUMP_IF_EQUAL, 0, 5, kill),
        (BPF_LOAD, 0, 0, 16),  # 5: kill's first argument
        (BPF_JUMP_IF_EQUAL, 12, 0, 0),
        (BPF_JUMP_IF_EQUAL, 11, 0, pid),
        (BPF_JUMP_IF_EQUAL, 10, 0, group),
        (BPF_RETURN, 0, 0, SECCOMP_EPERM),
        *((BPF_JUMP_IF_EQUAL, 5 - index, 0, number) for index, number in enumerate(others)),
        (BPF_RETURN, 0, 0, SECCOMP_ALLOW),
        (BPF_LOAD, 0, 0, 16),  # 16: our pid only
        (BPF_JUMP_IF_EQUAL, 1, 0, pid),
        (BPF_RETURN, 0, 0, SECCOMP_EPERM),
        (BPF_RETURN, 0, 0, SECCOMP_ALLOW),  # 19
    ]
    return b"".join(struct.pack("<HBBI", *instruction) for instruction in code)


class _Zygote:
    """The serving loop and the per-candidate set-up (runs in the zygote)."""

    def __init__(self, control_fd: int, root_fd: int, rootless: bool = False) -> None:
        self.control = socket.socket(fileno=control_fd)
        self.rootless = rootless
        # PyDLL keeps the GIL across the call, as os.fork does around fork().
        self.libc = ctypes.PyDLL(None, use_errno=True)
        self.libc.syscall.restype = ctypes.c_long
        self.libc.prctl.argtypes = (ctypes.c_int, *(ctypes.c_ulong,) * 4)
        self.clone_number, self.child_tid_position = SYS_CLONE[platform.machine()]
        for name in PRELOADED_MODULES:
            importlib.import_module(name)
        self.stdlib_path = list(sys.path)
        self.tid_offset = _thread_id_offset(self.libc)
        filter_bytes = self.control.recv(MESSAGE_BYTES)
        count = len(filter_bytes) // ctypes.sizeof(_SockFilter)
        self.filter_array = (_SockFilter * count).from_buffer_copy(filter_bytes)
        self.program = _SockFprog(count, self.filter_array)
        self.root_fd = root_fd
        if rootless:
            self._prctl(PR_SET_DUMPABLE, 0, "not dumpable")
        else:
            os.fchdir(root_fd)
            os.chroot(".")
            os.close(root_fd)
        gc.collect()
        gc.freeze()

    def _clone(self) -> int:
        """fork() as CPython does it, but with the runner as the parent and a new
        IPC namespace; glibc's cached thread id is set by the kernel."""
        flags = CLONE_PARENT | CLONE_NEWIPC | signal.SIGCHLD
        child_tid = 0
        if self.tid_offset is not None:
            flags |= CLONE_CHILD_SETTID
            child_tid = self.libc.pthread_self() + self.tid_offset
        arguments = [ctypes.c_ulong(flags), *(ctypes.c_ulong(0) for _ in range(4))]
        arguments[self.child_tid_position] = ctypes.c_ulong(child_tid)
        api = ctypes.pythonapi
        api.PyOS_BeforeFork()
        pid = self.libc.syscall(ctypes.c_long(self.clone_number), *arguments)
        if pid == 0:
            api.PyOS_AfterFork_Child()
        else:
            api.PyOS_AfterFork_Parent()
        if pid < 0:
            raise OSError(ctypes.get_errno(), "clone")
        return int(pid)

    def _enter_userns(self, uid: int) -> None:
        """Rootless: a user namespace of our own in which we are `uid`, then the
        chroot that the zygote left to its children."""
        if self.libc.unshare(CLONE_NEWUSER) != 0:
            raise OSError(ctypes.get_errno(), "unshare user namespace")
        mapping = f"{uid} 0 1"
        for name, text in (("uid_map", mapping), ("setgroups", "deny"), ("gid_map", mapping)):
            fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
            try:
                os.write(fd, text.encode())
            finally:
                os.close(fd)
        os.fchdir(self.root_fd)
        os.chroot(".")

    def _drop_capabilities(self) -> None:
        header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
        data = (ctypes.c_uint32 * 6)()
        if self.libc.capset(header, data) != 0:
            raise OSError(ctypes.get_errno(), "capset")

    def _enter(self, plan: dict[str, object], fds: list[int]) -> None:
        os.setsid()
        for join_fd in fds[RUN_FDS:]:
            os.write(join_fd, b"0")
        uid = int(plan["uid"])  # type: ignore[call-overload]
        if self.rootless:
            self._enter_userns(uid)
        for target in range(3):
            os.dup2(fds[target], target)
        if fds[3] != 3:  # the error pipe goes to 3 (no exec follows: no cloexec needed)
            os.dup2(fds[3], 3)
            fds[3] = 3
        os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        os.chdir("/box")
        for kind, soft, hard in plan["limits"]:  # type: ignore[attr-defined]
            resource.setrlimit(kind, (soft, hard))
        if not self.rootless:
            os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if self.rootless:
            self._drop_capabilities()
        os.umask(0o022)
        for number in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(number, signal.SIG_DFL)
        self._prctl(PR_SET_DUMPABLE, 1, "dumpable")  # as after an exec
        self._prctl(PR_SET_NO_NEW_PRIVS, 1, "no_new_privs")
        self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, "seccomp", ctypes.addressof(self.program))
        if self.rootless:
            arch, numbers = SIGNAL_CALLS[platform.machine()]
            code = signal_filter(arch, numbers, os.getpid())
            count = len(code) // ctypes.sizeof(_SockFilter)
            array = (_SockFilter * count).from_buffer_copy(code)
            program = _SockFprog(count, array)
            self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, "seccomp", ctypes.addressof(program))

    def _prctl(self, option: int, value: int, what: str, pointer: int = 0) -> None:
        if self.libc.prctl(option, value, pointer, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), what)

    def _child(self, plan: dict[str, object], fds: list[int]) -> NoReturn:
        try:
            self._enter(plan, fds)
        except OSError as error:
            os.write(fds[3], f"python zygote: {error}".encode())
            os._exit(CHILD_FAILED)
        os.close(3)
        argv = [str(a) for a in plan["argv"]]  # type: ignore[attr-defined]
        run_script(argv, dict(plan["env"]), self.stdlib_path)  # type: ignore[call-overload]

    def serve(self) -> None:
        """Answer each spawn request with the new pid (or -errno) until EOF."""
        self.control.send(REPLY.pack(0))
        while True:
            message, fds, _flags, _address = socket.recv_fds(self.control, MESSAGE_BYTES, MAX_FDS)
            if not message:
                return
            try:
                plan = json.loads(message)
                pid = self._clone() if len(fds) >= RUN_FDS else -22
            except (OSError, ValueError) as error:
                pid = -(getattr(error, "errno", None) or 22)
            if pid == 0:
                try:
                    self._child(plan, fds)
                finally:
                    os._exit(CHILD_FAILED)
            for fd in fds:
                os.close(fd)
            self.control.send(REPLY.pack(pid))


def _thread_id_offset(libc: ctypes.PyDLL) -> int | None:
    """Where glibc keeps a thread's kernel id inside its thread descriptor, found
    as the one offset that holds the id for two threads; None if not unique.
    glibc's fork() has the kernel write the child's id there (CLONE_CHILD_SETTID);
    a raw clone must do the same or raise() would signal the wrong thread."""
    libc.pthread_self.restype = ctypes.c_ulong

    def offsets() -> set[int]:
        base = libc.pthread_self()
        tid = threading.get_native_id()
        words = (ctypes.c_int * 256).from_address(base)
        return {4 * index for index in range(256) if words[index] == tid}

    found: list[set[int]] = []
    thread = threading.Thread(target=lambda: found.append(offsets()))
    thread.start()
    thread.join()
    common = offsets() & found[0]
    return common.pop() if len(common) == 1 else None


def main(control_fd: int, root_fd: int, rootless: bool = False) -> None:
    """The zygote's entry point (see the module doc)."""
    _Zygote(control_fd, root_fd, rootless).serve()


# --- the runner's side ------------------------------------------------------------------


class ZygoteClient:
    """A running zygote, started by the runner (see the module doc)."""

    def __init__(self, python: str, root: Path, bpf: bytes, rootless: bool = False) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._socket = ours
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        source = Path(__file__).read_text(encoding="utf-8")
        launch = f"{source}\nmain({theirs.fileno()}, {root_fd}, {rootless})\n"
        try:
            self._process = subprocess.Popen(
                [python, "-I", "-S", "-c", BOOTSTRAP],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(), root_fd),
                env={"LANG": "C.UTF-8"},
                cwd="/",
            )
            assert self._process.stdin is not None
            self._process.stdin.write(launch.encode())
            self._process.stdin.close()
        finally:
            theirs.close()
            os.close(root_fd)
        ours.send(bpf)
        ready, _, _ = select.select([ours], [], [], START_TIMEOUT_S)
        if not ready or len(ours.recv(REPLY.size)) != REPLY.size:
            self.close()
            raise OSError(f"the Python zygote ({python}) did not start")

    @property
    def pid(self) -> int:
        """The zygote's pid (one of the runner's children)."""
        return self._process.pid

    def alive(self) -> bool:
        """Whether the zygote is still running."""
        return self._process.poll() is None

    def spawn(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        fds: tuple[int, int, int],
        error_fd: int,
        uid: int,
        limits: Mapping[int, tuple[int, int]],
        join_files: Sequence[Path],
    ) -> int:
        """Start Python script argv[0] sandboxed as `uid` with `fds` on 0/1/2 in the
        cgroups of `join_files`; its pid (a child of the runner). OSError if no
        process could be made; later failures go to `error_fd`, status 127."""
        plan = {
            "argv": list(argv),
            "env": dict(env),
            "uid": uid,
            "limits": [[kind, soft, hard] for kind, (soft, hard) in limits.items()],
        }
        joins = [os.open(path, os.O_WRONLY | os.O_CLOEXEC) for path in join_files]
        try:
            socket.send_fds(self._socket, [json.dumps(plan).encode()], [*fds, error_fd, *joins])
        finally:
            for fd in joins:
                os.close(fd)
        reply = self._socket.recv(REPLY.size)
        if len(reply) != REPLY.size:
            raise OSError(f"python zygote {self.pid} stopped")
        (pid,) = REPLY.unpack(reply)
        if pid < 0:
            raise OSError(-pid, f"cannot start {argv[0]}")
        return int(pid)

    def close(self) -> None:
        """Stop the zygote (end of stream, then SIGKILL after a grace period)."""
        self._socket.close()
        try:
            self._process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

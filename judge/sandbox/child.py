"""Starting one sandboxed process, by either of two launchers.

Programs (binaries, compilers) are started by their slot's server
(slot_server.c), a small process that already sits in the slot's cgroups and
clones without copying memory, so it costs far less than forking the Python
runner and no cgroup migration. Python candidates fork the runner itself (the
zygote), join the slot's cgroups and run the script in the already initialised
interpreter.

Both follow the same order: be in the slot's cgroups while still root, put the
run's fds on 0/1/2 with every other fd closed, chroot into the sandbox root, set
the rlimits, drop to the unprivileged uid (no supplementary groups), load
seccomp last (it forbids chroot), then exec or run. Any failure before that is
written to `error_fd` (close-on-exec) and the process exits with status 127."""

from __future__ import annotations

import math
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pyseccomp

from judge.sandbox.api import Process
from judge.sandbox.slot_server import SlotServer
from judge.sandbox.zygote import run_script

CHILD_FAILED = 127
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/box",
    "TMPDIR": "/tmp",
}


@dataclass(frozen=True)
class ChildPlan:
    """Everything one child needs, prepared by the runner before the fork."""

    process: Process
    fds: tuple[int, int, int]
    join_files: tuple[Path, ...]
    root: Path
    uid: int
    error_fd: int
    stdlib_path: tuple[str, ...]


def rlimits(process: Process) -> dict[int, tuple[int, int]]:
    """The rlimits of a process: (soft, hard) per resource. The CPU soft limit is
    rounded up with a second of slack; the runner kills precisely at the limit."""
    limits = process.limits
    cpu = math.ceil(limits.cpu_time_s) + 1
    stack = limits.stack_bytes if limits.stack_bytes is not None else limits.memory_bytes
    return {
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_FSIZE: (limits.output_bytes, limits.output_bytes),
        resource.RLIMIT_NOFILE: (limits.open_files, limits.open_files),
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_STACK: (stack, stack),
    }


def environment(process: Process) -> dict[str, str]:
    """The clean environment of a process: BASE_ENV plus the request's extras."""
    return {**BASE_ENV, **dict(process.env)}


def _enter(plan: ChildPlan, syscall_filter: pyseccomp.SyscallFilter) -> None:
    os.setsid()
    for join_file in plan.join_files:
        fd = os.open(join_file, os.O_WRONLY)
        os.write(fd, b"0")
        os.close(fd)
    for target, fd in enumerate(plan.fds):
        os.dup2(fd, target)
    os.closerange(3, plan.error_fd)
    os.closerange(plan.error_fd + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    os.chroot(plan.root)
    os.chdir("/box")
    for kind, value in rlimits(plan.process).items():
        resource.setrlimit(kind, value)
    os.setgroups([])
    os.setgid(plan.uid)
    os.setuid(plan.uid)
    os.umask(0o022)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    syscall_filter.load()


def _run_python(plan: ChildPlan, syscall_filter: pyseccomp.SyscallFilter) -> NoReturn:
    try:
        _enter(plan, syscall_filter)
    except OSError as error:
        os.write(plan.error_fd, f"{plan.process.argv[1]}: {error}".encode())
        os._exit(CHILD_FAILED)
    os.close(plan.error_fd)
    run_script(plan.process.argv[1:], environment(plan.process), list(plan.stdlib_path))


def fork_python(plan: ChildPlan, syscall_filter: pyseccomp.SyscallFilter) -> int:
    """Fork the zygote into the sandboxed Python process of `plan`; its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            _run_python(plan, syscall_filter)
        finally:
            os._exit(CHILD_FAILED)
    return pid


def spawn_program(plan: ChildPlan, server: SlotServer) -> int:
    """Start the sandboxed program of `plan` through its slot's server (see
    slot_server.c); its pid. Trusted programs (validators, managers) keep SIGPIPE
    ignored, as the runner has it: a validator that answers a candidate which
    already exited must see EPIPE, not die (problemtools runs them this way)."""
    return server.spawn(
        argv=plan.process.argv,
        env=environment(plan.process),
        fds=plan.fds,
        error_fd=plan.error_fd,
        uid=plan.uid,
        limits=rlimits(plan.process),
        keep_sigpipe_ignored=plan.process.trusted,
    )

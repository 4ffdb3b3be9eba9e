"""Starting one sandboxed process, by either of two launchers.

Programs (binaries, compilers) are started by their slot's server
(slot_server.c), a small process that already sits in the slot's cgroups and
clones without copying memory, so it costs far less than forking the Python
runner and no cgroup migration. Python candidates are forked by the zygote
(zygote.py), a separate clean interpreter that holds nothing of the judge, and
join the slot's cgroups themselves.

Both follow the same order: be in the slot's cgroups while still root, put the
run's fds on 0/1/2 with every other fd closed, be inside the sandbox root, set
the rlimits, drop to the unprivileged uid (no supplementary groups), load
seccomp last (it forbids chroot), then exec or run. Both give each process an
IPC namespace of its own. Any failure before that is written to `error_fd`
(close-on-exec) and the process exits with status 127.

Rootless (see modes.py) the uid switch is a user namespace of the process's own
(same host uid, no capabilities), and two more rlimits stand in for cgroups:
RLIMIT_NPROC (the process limit, counted in that user namespace only) and
RLIMIT_DATA as a backstop for the machine (the limit plus half the RAM: the
memory limit itself is the runner's RSS polling, which, like a cgroup, counts
touched memory, not address space that the JVM or V8 only reserve)."""

from __future__ import annotations

import math
import os
import resource
from dataclasses import dataclass
from pathlib import Path

from judge.sandbox.api import Process
from judge.sandbox.slot_server import SlotServer
from judge.sandbox.zygote import ZygoteClient

MACHINE_BYTES = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/box",
    "TMPDIR": "/tmp",
}


@dataclass(frozen=True)
class ChildPlan:
    """Everything one child needs, prepared by the runner before it starts."""

    process: Process
    fds: tuple[int, int, int]
    join_files: tuple[Path, ...]
    uid: int
    error_fd: int
    rootless: bool = False
    hidden: tuple[tuple[str, str], ...] = ()


def rlimits(process: Process, rootless: bool = False) -> dict[int, tuple[int, int]]:
    """The rlimits of a process: (soft, hard) per resource. The CPU soft limit is
    rounded up with a second of slack; the runner kills precisely at the limit.
    Rootless adds RLIMIT_DATA and RLIMIT_NPROC (see the module doc)."""
    limits = process.limits
    cpu = math.ceil(limits.cpu_time_s) + 1
    stack = limits.stack_bytes if limits.stack_bytes is not None else limits.memory_bytes
    chosen = {
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_FSIZE: (limits.output_bytes, limits.output_bytes),
        resource.RLIMIT_NOFILE: (limits.open_files, limits.open_files),
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_STACK: (stack, stack),
    }
    if rootless:
        backstop = limits.memory_bytes + MACHINE_BYTES // 2
        chosen[resource.RLIMIT_DATA] = (backstop, backstop)
        chosen[resource.RLIMIT_NPROC] = (limits.processes, limits.processes)
    return chosen


def environment(process: Process) -> dict[str, str]:
    """The clean environment of a process: BASE_ENV plus the request's extras."""
    return {**BASE_ENV, **dict(process.env)}


def spawn_python(plan: ChildPlan, zygote: ZygoteClient) -> int:
    """Start the Python script of `plan` (argv[1], argv[0] being the interpreter)
    from the zygote; its pid."""
    return zygote.spawn(
        argv=plan.process.argv[1:],
        env=environment(plan.process),
        fds=plan.fds,
        error_fd=plan.error_fd,
        uid=plan.uid,
        limits=rlimits(plan.process, plan.rootless),
        join_files=plan.join_files,
    )


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
        limits=rlimits(plan.process, plan.rootless),
        keep_sigpipe_ignored=plan.process.trusted,
        hidden=plan.hidden,
    )

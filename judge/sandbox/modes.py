"""Which way the local sandbox isolates programs on this machine, for this user.

Two modes, one runner (see runner.py):

- `root`: the runner is real root in fresh net/mount/ipc/uts/pid namespaces;
  every process joins cgroups (memory, pids, CPU accounting), runs under an
  unprivileged uid per worker (a second one for trusted programs), rlimits and
  a seccomp allow-list. Needs root and usable cgroups.
- `rootless`: for an ordinary user (as bubblewrap and nsjail do). The runner is
  root only inside a user namespace of its own (`unshare --user
  --map-root-user`) with the same other namespaces, chroot, rlimits and
  seccomp; each program gets a nested user namespace of its own with no
  capabilities. Cgroups cannot be had without root, so the runner measures
  memory itself: the resident set (RSS) of the program and its descendants,
  polled every 10 ms (killed above the limit) and wait4's peak at the end;
  over the limit is MEMORY_LIMIT, as a cgroup's OOM kill would be. Like a
  cgroup it counts touched memory, not address space (the JVM and V8 reserve
  gigabytes they never touch). RLIMIT_DATA at the limit plus half the RAM is a
  backstop for the machine. Processes are bounded by RLIMIT_NPROC (counted per
  nested user namespace, so only the program's own), CPU time by RLIMIT_CPU
  plus the runner's polling; the wall-clock kill is the same. There is one
  host uid, so what the uids separate as root is done otherwise: the judge's files in the
  box (a validator's logs and answer files, the feedback dir) are covered,
  unreadable and read-only, in each candidate's own mount namespace; signals
  to any process but the program's own are refused by seccomp; every program
  is in a user namespace of its own without capabilities, so it cannot trace
  or open /proc/PID/mem of another, and the runner and its helpers are not
  dumpable.

Differences from the root mode's verdicts: memory is sampled, so a program
that passes the limit for less than 10 ms and exits may go unseen unless its
wait4 peak shows it (it does for a single process); page cache and files the
program writes to /tmp are not counted (a cgroup counts them). An allocation
refused by the backstop fails inside the program: a failed run whose stderr
ends in a runtime's out-of-memory message (std::bad_alloc, MemoryError,
OutOfMemoryError, "heap out of memory") is MEMORY_LIMIT, any other failure a
runtime error (outcome.failed_for_memory); a C++ malloc of more than the
backstop that the program checks itself is therefore RTE here, MLE as root.

`CPSOLVE_SANDBOX_MODE=root|rootless` forces a mode. Rootless is refused as root:
RLIMIT_NPROC does not bind uid 0, so nothing would bound a candidate's processes
(a fork bomb reaches the host); root fails for an ordinary user."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import warnings

from judge.sandbox import cgroups

ROOT = "root"
ROOTLESS = "rootless"
MODE_ENV = "CPSOLVE_SANDBOX_MODE"
NAMESPACES = ("user", "net", "mount", "pid", "ipc", "uts")
PROBE_TIMEOUT_S = 10.0

LIMITS_IN_FORCE = {
    ROOT: (
        "cpu time: cgroup CPU accounting + RLIMIT_CPU",
        "memory: cgroup memory limit (peak measured)",
        "processes: cgroup pids limit",
        "wall clock: kill at the limit",
        "output: RLIMIT_FSIZE",
        "uids: one unprivileged uid per worker, another for trusted programs",
    ),
    ROOTLESS: (
        "cpu time: RLIMIT_CPU + polling the process's CPU time",
        "memory: peak RSS polled every 10 ms and from wait4 (RLIMIT_DATA backstop)",
        "processes: RLIMIT_NPROC in a user namespace of the program's own",
        "wall clock: kill at the limit",
        "output: RLIMIT_FSIZE",
        "uids: none (one host uid); the judge's files are hidden by mount namespaces",
    ),
}

PROTECTIONS = {
    ROOT: (
        "namespaces: net, mount, ipc, uts, pid for the runner; ipc per program",
        "chroot into a read-only minimal root; fresh tmpfs /box and /tmp per run",
        "seccomp allow-list (EPERM for the rest)",
        "cgroups per program slot: memory, pids, CPU accounting",
        "uid switching: candidates and trusted programs under separate uids",
    ),
    ROOTLESS: (
        "namespaces: user, net, mount, ipc, uts, pid for the runner; user + ipc per program",
        "chroot into a read-only minimal root; fresh tmpfs /box and /tmp per run",
        "seccomp allow-list (EPERM for the rest) + signals only to the program itself",
        "no capabilities in programs; runner and helpers not dumpable",
        "judge's files in the box covered in each candidate's own mount namespace",
        "no cgroups and no uid switching (one host uid for every program)",
    ),
}


def namespace_flags(mode: str) -> tuple[str, ...]:
    """`unshare` flags of the runner's namespaces in `mode`."""
    base = ("--net", "--mount", "--ipc", "--uts", "--pid", "--fork", "--mount-proc")
    if mode == ROOTLESS:
        return ("--user", "--map-root-user", *base)
    return base


@functools.cache
def probe_namespace(name: str) -> bool:
    """Whether this user can create a namespace of kind `name` (one of NAMESPACES);
    an ordinary user needs a user namespace around any other."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return False
    flags = [f"--{name}"]
    if os.geteuid() != 0 and name != "user":
        flags = ["--user", "--map-root-user", *flags]
    if name == "pid":
        flags += ["--fork"]
    try:
        done = subprocess.run(
            [unshare, *flags, "true"], capture_output=True, timeout=PROBE_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@functools.cache
def rootless_works() -> tuple[bool, str]:
    """Whether the rootless runner's namespaces can be made here, and if not, why."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False, "util-linux `unshare` is not installed"
    try:
        done = subprocess.run(
            [unshare, *namespace_flags(ROOTLESS), "true"],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"unshare failed: {error}"
    if done.returncode != 0:
        return False, f"user namespaces are not available: {done.stderr.strip()[-300:]}"
    return True, "ok"


def root_works() -> tuple[bool, str]:
    """Whether the root mode can run here, and if not, why."""
    if os.geteuid() != 0:
        return False, "not root"
    if shutil.which("unshare") is None:
        return False, "util-linux `unshare` is not installed"
    if cgroups.detect() is None:
        return False, "no usable cgroups (v2 with memory+pids, or v1 memory/pids/cpuacct)"
    return True, "ok"


def choose() -> tuple[str | None, str]:
    """(mode, reason): the mode the local sandbox will use, or None and why none
    can. Root mode when possible, else rootless; $CPSOLVE_SANDBOX_MODE forces one."""
    if not sys.platform.startswith("linux"):
        return None, "the local sandbox needs Linux"
    forced = os.environ.get(MODE_ENV, "")
    if forced not in ("", ROOT, ROOTLESS):
        return None, f"${MODE_ENV} is {forced!r}; expected {ROOT!r} or {ROOTLESS!r}"
    if forced != ROOTLESS:
        ok, why_not_root = root_works()
        if ok:
            return ROOT, "root: namespaces, cgroups and uid switching"
        if forced == ROOT:
            return None, f"root sandbox forced by ${MODE_ENV} but unavailable: {why_not_root}"
    elif os.geteuid() == 0:
        return None, (
            f"rootless sandbox forced by ${MODE_ENV} as root: RLIMIT_NPROC does not bind "
            "root's processes, so a candidate's fork bomb would reach the host; run as an "
            f"ordinary user, or unset ${MODE_ENV} for the root sandbox"
        )
    else:
        why_not_root = f"forced by ${MODE_ENV}"
    ok, why_not = rootless_works()
    if ok:
        return ROOTLESS, f"rootless (user namespaces; root mode: {why_not_root})"
    return None, f"no local sandbox: root mode: {why_not_root}; rootless: {why_not}"


_announced: set[str] = set()


def announce() -> tuple[str, ...]:
    """The limits in force for the mode `choose` picks; when that is the rootless
    fallback, say so once per process (a RuntimeWarning naming what is enforced).
    Called by the judge's worker pool, once, in the judging process."""
    mode, reason = choose()
    if mode is None:
        return ()
    if mode == ROOTLESS and reason not in _announced:
        _announced.add(reason)
        limits = "; ".join(LIMITS_IN_FORCE[ROOTLESS])
        warnings.warn(
            f"sandbox: {reason}; no cgroups, limits in force: {limits}",
            RuntimeWarning,
            stacklevel=2,
        )
    return LIMITS_IN_FORCE[mode]

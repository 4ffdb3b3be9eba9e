"""Per-process slots without cgroups (the rootless mode, see modes.py).

The cgroup slots of cgroups.py account for a whole process tree. Without them a
slot follows its one started process: CPU time is polled from /proc/PID/stat
while it runs (its own time plus its waited-for children's) and taken from
wait4's rusage once it ended; memory is the resident set (RSS) of the process
and its descendants, polled (the runner kills above the limit) and, at the end,
the larger of the polled peak and wait4's ru_maxrss. Killing a slot kills that
process and every descendant found through /proc. Processes that escaped the
tree (orphans, reparented to the runner) are killed by the runner's sweep at
the end of the run. The other limits are rlimits (see child.py)."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
from pathlib import Path

from judge.sandbox.cgroups import Usage

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it, parents first (from /proc's child lists)."""
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(OSError):
                    found.extend(int(c) for c in (task / "children").read_text().split())
    return found


def polled_cpu_s(pid: int) -> float:
    """CPU time of a running process and its waited-for children, from
    /proc/PID/stat (clock ticks); 0.0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text.rpartition(")")[2].split()
    utime, stime, cutime, cstime = (int(fields[index]) for index in range(11, 15))
    return (utime + stime + cutime + cstime) / CLOCK_TICKS


def resident_bytes(pids: list[int]) -> int:
    """The summed resident set of `pids` (from /proc/PID/statm; gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    return total


class TrackedSlot:
    """A slot that follows one process (see module doc); same interface as the
    cgroup slots, plus `track` and `finished`."""

    join_files: tuple[Path, ...] = ()

    def __init__(self) -> None:
        self.pid: int | None = None
        self.final: Usage | None = None
        self.memory_bytes = 0
        self.processes = 1
        self.peak_bytes = 0

    def prepare(self, memory_bytes: int, processes: int) -> None:
        """Forget the last run and note its memory and process limits."""
        self.pid = None
        self.final = None
        self.memory_bytes = memory_bytes
        self.processes = processes
        self.peak_bytes = 0

    def track(self, pid: int) -> None:
        """Follow `pid`, the slot's process of this run."""
        self.pid = pid

    def finished(self, rusage: resource.struct_rusage) -> None:
        """Record what the process (and its waited-for children) used, from wait4;
        over the memory limit counts as an OOM kill, as a cgroup's would."""
        peak = max(self.peak_bytes, rusage.ru_maxrss * 1024)
        self.final = Usage(
            cpu_time_s=rusage.ru_utime + rusage.ru_stime,
            peak_memory_bytes=peak,
            oom_killed=peak > self.memory_bytes,
        )

    def poll_memory(self) -> bool:
        """Sample the RSS of the process (and its descendants when it may fork);
        whether it is over the memory limit."""
        if self.pid is None or self.final is not None:
            return False
        pids = descendants(self.pid) if self.processes > 1 else [self.pid]
        self.peak_bytes = max(self.peak_bytes, resident_bytes(pids))
        return self.peak_bytes > self.memory_bytes

    def usage(self) -> Usage:
        """CPU time, peak RSS and whether the memory limit was passed: final once
        the process ended, polled before."""
        if self.final is not None:
            return self.final
        cpu = polled_cpu_s(self.pid) if self.pid is not None else 0.0
        over = self.peak_bytes > self.memory_bytes
        return Usage(cpu_time_s=cpu, peak_memory_bytes=self.peak_bytes, oom_killed=over)

    def kill_all(self, spare: frozenset[int] = frozenset()) -> None:
        """SIGKILL the slot's process and its descendants (not `spare`)."""
        if self.pid is None or self.final is not None:
            return
        for pid in descendants(self.pid):
            if pid not in spare:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        """Nothing to remove."""


class TrackedGroup:
    """All slots of one rootless runner (the counterpart of cgroups.Group)."""

    layout = "none"

    def __init__(self) -> None:
        self.slots: dict[int, TrackedSlot] = {}

    def slot(self, index: int) -> TrackedSlot:
        """The slot for process `index` of a request, created on first use."""
        return self.slots.setdefault(index, TrackedSlot())

    def remove(self) -> None:
        """Kill what is left of every slot."""
        for slot in self.slots.values():
            slot.kill_all()

"""Per-process slots without cgroups (the rootless mode, see modes.py).

The cgroup slots of cgroups.py account for a whole process tree. Without them a
slot follows its one started process: CPU time is polled from /proc/PID/stat
while it runs (its own time plus its waited-for children's) and taken from
wait4's rusage once it ended, with the peak RSS; killing a slot kills that
process and every descendant found through /proc. Processes that escaped the
tree (orphans, reparented to the runner) are killed by the runner's sweep at
the end of the run. Limits themselves are rlimits (see child.py)."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
from pathlib import Path

from judge.sandbox.cgroups import Usage

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


class TrackedSlot:
    """A slot that follows one process (see module doc); same interface as the
    cgroup slots, plus `track` and `finished`."""

    join_files: tuple[Path, ...] = ()

    def __init__(self) -> None:
        self.pid: int | None = None
        self.final: Usage | None = None

    def prepare(self, memory_bytes: int, processes: int) -> None:
        """Forget the last run (the limits are rlimits of the process itself)."""
        del memory_bytes, processes
        self.pid = None
        self.final = None

    def track(self, pid: int) -> None:
        """Follow `pid`, the slot's process of this run."""
        self.pid = pid

    def finished(self, rusage: resource.struct_rusage) -> None:
        """Record what the process (and its waited-for children) used, from wait4."""
        self.final = Usage(
            cpu_time_s=rusage.ru_utime + rusage.ru_stime,
            peak_memory_bytes=rusage.ru_maxrss * 1024,
            oom_killed=False,
        )

    def usage(self) -> Usage:
        """CPU time and peak RSS: final once the process ended, polled before."""
        if self.final is not None:
            return self.final
        cpu = polled_cpu_s(self.pid) if self.pid is not None else 0.0
        return Usage(cpu_time_s=cpu, peak_memory_bytes=0, oom_killed=False)

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

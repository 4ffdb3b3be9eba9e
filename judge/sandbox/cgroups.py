"""Per-process cgroups: memory limit and peak, pids limit, CPU time, leftovers.

Each runner owns one cgroup per process slot (`cpsolve/<token>/p<slot>`); a child
joins its slot before it drops privileges, so everything it forks is accounted
and can be killed even if it was never waited for. Two layouts are supported and
detected at start: cgroup v2 (one unified tree, used when it delegates the memory
and pids controllers) and cgroup v1 (memory, pids and cpuacct hierarchies)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP_PREFIX = "cpsolve"
KILL_ATTEMPTS = 200
STALE_CHARGE_BYTES = 4 << 20


@dataclass(frozen=True)
class Usage:
    """What one slot used during a run."""

    cpu_time_s: float
    peak_memory_bytes: int
    oom_killed: bool


def _read(path: Path) -> str:
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 65536).decode()
    finally:
        os.close(fd)


def _write(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _keyed(text: str, key: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def _kill_listed(procs_file: Path, spare: frozenset[int] = frozenset()) -> None:
    """SIGKILL every process listed in `procs_file` but `spare` until none is left."""
    for _ in range(KILL_ATTEMPTS):
        pids = [int(p) for p in _read(procs_file).split() if int(p) not in spare]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.001)
    raise OSError(f"{procs_file}: processes survive SIGKILL")


class Slot(Protocol):
    """The cgroup of one process slot."""

    join_files: tuple[Path, ...]

    def prepare(self, memory_bytes: int, processes: int) -> None:
        """Set the limits for the next run and reset its counters."""
        ...

    def usage(self) -> Usage:
        """CPU time, peak memory and OOM kills since `prepare`."""
        ...

    def kill_all(self, spare: frozenset[int] = frozenset()) -> None:
        """SIGKILL every process in the slot but `spare` until none is left."""
        ...

    def remove(self) -> None:
        """Delete the slot's cgroup (it must be empty)."""
        ...


class V1Slot:
    """A slot in the cgroup v1 memory, pids and cpuacct hierarchies."""

    def __init__(self, relative: Path) -> None:
        self.memory = CGROUP_ROOT / "memory" / relative
        self.pids = CGROUP_ROOT / "pids" / relative
        self.cpuacct = CGROUP_ROOT / "cpuacct" / relative
        for directory in (self.memory, self.pids, self.cpuacct):
            directory.mkdir(parents=True, exist_ok=True)
        self.join_files: tuple[Path, ...] = tuple(
            d / "cgroup.procs" for d in (self.memory, self.pids, self.cpuacct)
        )
        self.has_memsw = (self.memory / "memory.memsw.limit_in_bytes").exists()
        if not self.has_memsw:
            _write(self.memory / "memory.swappiness", "0")
        self.memory_limit: int | None = None
        self.pids_limit: int | None = None
        self.oom_baseline = 0

    def _set_memory(self, limit: int) -> None:
        files = ["memory.limit_in_bytes"]
        if self.has_memsw:
            files.append("memory.memsw.limit_in_bytes")
        if self.memory_limit is not None and limit > self.memory_limit:
            files.reverse()  # memsw must never be below the plain limit
        for name in files:
            _write(self.memory / name, str(limit))
        self.memory_limit = limit

    def prepare(self, memory_bytes: int, processes: int) -> None:
        """Set the limits for the next run and reset its counters."""
        if memory_bytes != self.memory_limit:
            self._set_memory(memory_bytes)
        if processes != self.pids_limit:
            _write(self.pids / "pids.max", str(processes))
            self.pids_limit = processes
        if int(_read(self.memory / "memory.usage_in_bytes")) > STALE_CHARGE_BYTES:
            _write(self.memory / "memory.force_empty", "0")  # page cache left by the last run
        _write(self.memory / "memory.max_usage_in_bytes", "0")
        if self.has_memsw:
            _write(self.memory / "memory.memsw.max_usage_in_bytes", "0")
        _write(self.cpuacct / "cpuacct.usage", "0")
        self.oom_baseline = _keyed(_read(self.memory / "memory.oom_control"), "oom_kill")

    def usage(self) -> Usage:
        """CPU time, peak memory and OOM kills since `prepare`."""
        oom = _keyed(_read(self.memory / "memory.oom_control"), "oom_kill")
        return Usage(
            cpu_time_s=int(_read(self.cpuacct / "cpuacct.usage")) / 1e9,
            peak_memory_bytes=int(_read(self.memory / "memory.max_usage_in_bytes")),
            oom_killed=oom > self.oom_baseline,
        )

    def kill_all(self, spare: frozenset[int] = frozenset()) -> None:
        """SIGKILL every process in the slot but `spare` until none is left."""
        _kill_listed(self.memory / "cgroup.procs", spare)

    def remove(self) -> None:
        """Delete the slot's cgroup (it must be empty)."""
        for directory in (self.memory, self.pids, self.cpuacct):
            with contextlib.suppress(FileNotFoundError):
                directory.rmdir()


class V2Slot:
    """A slot in the unified cgroup v2 tree (needs memory and pids delegated)."""

    def __init__(self, root: Path, relative: Path) -> None:
        path = root
        for part in relative.parts:
            _write(path / "cgroup.subtree_control", "+memory +pids")
            path = path / part
            path.mkdir(exist_ok=True)
        self.path = path
        self.join_files: tuple[Path, ...] = (path / "cgroup.procs",)
        self.has_peak = (path / "memory.peak").exists()
        self.memory_limit: int | None = None
        self.pids_limit: int | None = None
        self.oom_baseline = 0
        self.cpu_baseline_us = 0

    def prepare(self, memory_bytes: int, processes: int) -> None:
        """Set the limits for the next run and reset its counters."""
        if memory_bytes != self.memory_limit:
            _write(self.path / "memory.max", str(memory_bytes))
            with contextlib.suppress(FileNotFoundError):
                _write(self.path / "memory.swap.max", "0")
            self.memory_limit = memory_bytes
        if processes != self.pids_limit:
            _write(self.path / "pids.max", str(processes))
            self.pids_limit = processes
        if self.has_peak:
            with contextlib.suppress(OSError):
                _write(self.path / "memory.peak", "0")  # resettable since Linux 6.12
        self.cpu_baseline_us = _keyed(_read(self.path / "cpu.stat"), "usage_usec")
        self.oom_baseline = _keyed(_read(self.path / "memory.events"), "oom_kill")

    def usage(self) -> Usage:
        """CPU time, peak memory and OOM kills since `prepare`."""
        peak_file = self.path / ("memory.peak" if self.has_peak else "memory.current")
        cpu_us = _keyed(_read(self.path / "cpu.stat"), "usage_usec") - self.cpu_baseline_us
        oom = _keyed(_read(self.path / "memory.events"), "oom_kill")
        return Usage(
            cpu_time_s=cpu_us / 1e6,
            peak_memory_bytes=int(_read(peak_file)),
            oom_killed=oom > self.oom_baseline,
        )

    def kill_all(self, spare: frozenset[int] = frozenset()) -> None:
        """SIGKILL every process in the slot but `spare` until none is left."""
        if not spare:
            with contextlib.suppress(FileNotFoundError):
                _write(self.path / "cgroup.kill", "1")
        _kill_listed(self.path / "cgroup.procs", spare)

    def remove(self) -> None:
        """Delete the slot's cgroup (it must be empty)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.rmdir()


def v2_root() -> Path | None:
    """The cgroup v2 mount if it delegates memory and pids, else None."""
    for root in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        controllers = root / "cgroup.controllers"
        if controllers.exists() and {"memory", "pids"} <= set(_read(controllers).split()):
            return root
    return None


def v1_usable() -> bool:
    """Whether the cgroup v1 memory, pids and cpuacct hierarchies are mounted."""
    return all((CGROUP_ROOT / c / "cgroup.procs").exists() for c in ("memory", "pids", "cpuacct"))


def detect() -> str | None:
    """ "v2", "v1" or None: which cgroup layout this machine offers."""
    if v2_root() is not None:
        return "v2"
    if v1_usable():
        return "v1"
    return None


class Group:
    """All slots of one runner: `cpsolve/<token>/p<slot>` in the detected layout."""

    def __init__(self, token: str) -> None:
        layout = detect()
        if layout is None:
            raise OSError("no usable cgroup layout (need v2 with memory+pids, or v1)")
        self.layout = layout
        self.relative = Path(GROUP_PREFIX) / token
        self.slots: dict[int, Slot] = {}

    def slot(self, index: int) -> Slot:
        """The slot for process `index` of a request, created on first use."""
        if index not in self.slots:
            relative = self.relative / f"p{index}"
            root = v2_root()
            self.slots[index] = V2Slot(root, relative) if root is not None else V1Slot(relative)
        return self.slots[index]

    def remove(self) -> None:
        """Kill what is left and delete every slot and the group's own directory."""
        for slot in self.slots.values():
            slot.kill_all()
            slot.remove()
        for directory in group_dirs(self.relative):
            with contextlib.suppress(FileNotFoundError, OSError):
                directory.rmdir()


def group_dirs(relative: Path) -> list[Path]:
    """The directories that hold `relative` in every hierarchy of both layouts."""
    roots = [CGROUP_ROOT / c for c in ("memory", "pids", "cpuacct")]
    v2 = v2_root()
    if v2 is not None:
        roots.append(v2)
    return [root / relative for root in roots if (root / relative).exists()]


def owner_pid(token: str) -> int | None:
    """The host pid encoded in a runner token "w<worker>-<pid>-<nonce>", if any."""
    parts = token.split("-")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def remove_stale_groups() -> list[str]:
    """Delete groups left by runners whose owning process is gone (a killed test
    run); returns the tokens removed. Groups that still hold processes are kept."""
    removed: list[str] = []
    for top in group_dirs(Path(GROUP_PREFIX)):
        for token_dir in top.iterdir():
            pid = owner_pid(token_dir.name)
            if not token_dir.is_dir() or pid is None or Path(f"/proc/{pid}").exists():
                continue
            with contextlib.suppress(OSError):
                for slot_dir in token_dir.iterdir():
                    if slot_dir.is_dir():
                        _kill_listed(slot_dir / "cgroup.procs")
                        slot_dir.rmdir()
                token_dir.rmdir()
                removed.append(token_dir.name)
    return removed

"""The sandbox's public data types: what a caller asks to run and what comes back.

Plain frozen dataclasses, shared by every backend (the local namespace runner now,
a Docker backend later) and by the judge code above them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class RunStatus(enum.Enum):
    """How one process ended, from the sandbox's point of view (not a verdict)."""

    OK = "ok"
    TIME_LIMIT = "time-limit"
    WALL_LIMIT = "wall-limit"
    MEMORY_LIMIT = "memory-limit"
    OUTPUT_LIMIT = "output-limit"
    SIGNALED = "signaled"
    NONZERO_EXIT = "nonzero-exit"
    SANDBOX_ERROR = "sandbox-error"


@dataclass(frozen=True)
class ResourceLimits:
    """Limits of one process. Times in seconds, sizes in bytes.

    `cpu_time_s` is enforced by RLIMIT_CPU (rounded up) plus a precise check of the
    measured CPU time; `wall_time_s` is a hard kill; `memory_bytes` is the cgroup
    limit of the process and all its children; `output_bytes` is RLIMIT_FSIZE;
    `processes` is the cgroup pids limit (threads count; 1 = no fork);
    `stack_bytes` None means "as large as the memory limit", as contests do."""

    cpu_time_s: float
    wall_time_s: float
    memory_bytes: int
    output_bytes: int
    processes: int = 1
    stack_bytes: int | None = None
    open_files: int = 64


@dataclass(frozen=True)
class Process:
    """One program to start inside the box.

    `argv[0]` is a path inside the box ("./prog", "/usr/bin/g++"). `stdin`,
    `stdout`, `stderr` are a file name relative to the box dir, "pipe:NAME" (one
    writer and one reader per name, wired between processes of the same request),
    or None (/dev/null; stderr is then still captured for `stderr_tail`). With
    `python`, argv[1] is a .py file in the box run by the pre-forked interpreter.
    `trusted` processes (checkers, managers) run under a second uid that may read
    `RunRequest.trusted_files_in`; they are sandboxed all the same."""

    argv: tuple[str, ...]
    limits: ResourceLimits
    stdin: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    python: bool = False
    env: tuple[tuple[str, str], ...] = ()
    trusted: bool = False


@dataclass(frozen=True)
class RunRequest:
    """Processes started together in one fresh box dir, and the files around them.

    `files_in` (box name, host path) are copied in read-only for everyone (the host
    file's execute bit is kept); `trusted_files_in` likewise but readable only by
    trusted processes (answer files for an interactive validator). `dirs` are
    writable directories created in the box (a Kattis feedback dir); `fifos` are
    named pipes created in the box; `read_only_dirs` (box name, host folder) are
    host folders mounted read-only (a precompiled header shared by every compile,
    never copied). After the run `files_out` and `dirs_out`
    (box name, host path) are copied out if present (regular files only; symlinks
    are never followed)."""

    processes: tuple[Process, ...]
    files_in: tuple[tuple[str, str], ...] = ()
    trusted_files_in: tuple[tuple[str, str], ...] = ()
    dirs: tuple[str, ...] = ()
    fifos: tuple[str, ...] = ()
    files_out: tuple[tuple[str, str], ...] = ()
    dirs_out: tuple[tuple[str, str], ...] = ()
    read_only_dirs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProcessResult:
    """How one process ended and what it used. `memory_bytes` is the peak of its
    cgroup (pages shared with the pre-forked interpreter are not counted).
    `ended_s` is when it ended, in seconds since the run's first process started,
    so callers can tell which of several processes stopped first: processes
    seen ending together, and one that had begun to exit when another's end was
    seen (its pipes already closed, its end not yet reported), share one time."""

    status: RunStatus
    exit_code: int | None
    signal: int | None
    cpu_time_s: float
    wall_time_s: float
    memory_bytes: int
    stderr_tail: str
    ended_s: float = 0.0


@dataclass(frozen=True)
class RunResult:
    """Results in request order; `error` is set when the sandbox itself failed
    (never the candidate's fault), in which case `processes` may be empty."""

    processes: tuple[ProcessResult, ...]
    error: str | None = None


class Sandbox(Protocol):
    """A backend that runs requests in isolation."""

    def run(self, request: RunRequest) -> RunResult:
        """Run every process of `request` together and report how each ended."""
        ...

    def close(self) -> None:
        """Release the backend's processes and files."""
        ...

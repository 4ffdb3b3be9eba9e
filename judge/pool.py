"""Work spread over a process pool sized to the cores: each worker process owns one
sandbox slot for its whole life, and runs compile jobs and test jobs in it."""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from multiprocessing.util import Finalize
from pathlib import Path
from typing import IO, Any, TypeVar

from judge.compile import Build, Compiled, compile_build
from judge.sandbox import LocalSandbox, Sandbox, modes

T = TypeVar("T")
PR_SET_PDEATHSIG = 1
MAX_SLOTS = 64


class _Worker:
    """The sandbox of the current process (one per worker process)."""

    sandbox: Sandbox | None = None
    slot_lock: IO[str] | None = None


def slot_lock_dir() -> Path:
    """Where slot locks live: one place per machine and user (not per cache folder).
    Root's slots own uids and cgroups that two judges must never share: /run. An
    ordinary user's (rootless) slots are its own: a folder of its uid that no
    other user can take or fill (made 0700, refused when someone else owns it)."""
    if os.geteuid() == 0 and os.access("/run", os.W_OK):
        return Path("/run") / "cpsolve-slots"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = Path(runtime) if runtime and os.access(runtime, os.W_OK) else None
    folder = (base or Path(tempfile.gettempdir())) / f"cpsolve-slots-{os.geteuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError as error:
        raise RuntimeError(f"no folder for sandbox slot locks: {folder}: {error}") from error
    if info.st_uid != os.geteuid() or not stat.S_ISDIR(info.st_mode):
        raise RuntimeError(f"sandbox slot lock folder {folder} belongs to another user")
    return folder


def _claim_slot() -> int:
    """A sandbox slot no other process on this machine holds (uids and cgroups are
    per slot), held by an flock for the life of the process."""
    locks = slot_lock_dir()
    locks.mkdir(parents=True, exist_ok=True)
    for slot in range(MAX_SLOTS):
        handle = open(locks / f"{slot}.lock", "a+")  # noqa: SIM115 - held for the process life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _Worker.slot_lock = handle
        return slot
    raise RuntimeError(f"all {MAX_SLOTS} sandbox slots are busy")


def _die_with_parent() -> None:
    """Ask the kernel to end this worker when the judging process dies, so that a
    killed judge leaves no workers (and sandbox runners) behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _make_sandbox(kind: str, slot: int) -> Sandbox:
    """The sandbox of one worker slot: "local" (namespaces) or "docker" (a container)."""
    if kind == "docker":
        from judge.sandbox.docker_backend import DockerSandbox

        return DockerSandbox(worker=slot)
    return LocalSandbox(worker=slot)


def _init_worker(in_pool: bool, kind: str = "local") -> None:
    if in_pool:
        _die_with_parent()
    sandbox = _make_sandbox(kind, _claim_slot())
    _Worker.sandbox = sandbox
    # Pool workers leave through multiprocessing's exit path, which runs finalizers.
    Finalize(None, sandbox.close, exitpriority=10)


def ensure_worker(kind: str = "local") -> None:
    """Make this process a worker with a sandbox of `kind` (a slot of this
    machine) unless it already is one: for job runners other than this module's
    process pool (a Ray worker process)."""
    if _Worker.sandbox is None:
        _init_worker(False, kind)


def limits_in_force(kind: str) -> tuple[str, ...]:
    """What the sandbox of `kind` enforces, checked now so that a missing
    backend is one clear error before any job (Docker: its image built once;
    local: the mode's limits, said once when rootless)."""
    if kind == "docker":
        from judge.sandbox.docker_backend import prepare

        return prepare()
    return modes.announce()


def _sandbox() -> Sandbox:
    assert _Worker.sandbox is not None, "worker not initialised"
    return _Worker.sandbox


def worker_sandbox() -> Sandbox:
    """This worker's sandbox, for jobs submitted to a WorkerPool that build their own
    run requests (e.g. a harness that runs a whole test set in one process)."""
    return _sandbox()


def compile_job(build: Build, cache_dir: Path) -> Compiled:
    """Compile in this worker's sandbox (see judge.compile)."""
    return compile_build(build, _sandbox(), cache_dir)


class WorkerPool:
    """A pool of sandboxed workers; `workers=0` runs jobs in this process.
    `job_scale` multiplies how much work the schedule puts in one job: 1 here,
    where sending a job costs a fraction of a millisecond."""

    job_scale = 1

    def __init__(self, workers: int | None = None, sandbox: str = "local") -> None:
        self.limits_in_force = limits_in_force(sandbox)
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._executor: ProcessPoolExecutor | None = None
        if self.workers > 0:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_init_worker, initargs=(True, sandbox)
            )
        else:
            _init_worker(False, sandbox)

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Start function(*args) on a worker (at once, in this process, with workers=0)."""
        if self._executor is not None:
            return self._executor.submit(function, *args)
        future: Future[T] = Future()
        future.set_result(function(*args))
        return future

    def map_unordered(
        self, function: Callable[..., T], jobs: Iterable[tuple[Any, ...]]
    ) -> Iterator[tuple[tuple[Any, ...], T]]:
        """Run function(*job) for each job; yield (job, result) as they finish."""
        futures = {self.submit(function, *job): job for job in jobs}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self) -> None:
        """Stop the workers (and their sandboxes)."""
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None
        elif _Worker.sandbox is not None:
            _Worker.sandbox.close()
            _Worker.sandbox = None
            if _Worker.slot_lock is not None:
                _Worker.slot_lock.close()
                _Worker.slot_lock = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

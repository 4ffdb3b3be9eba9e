"""LocalSandbox: the client side of one worker's runner process.

Starts the runner (judge/sandbox/runner.py) under `unshare` in new net, mount,
ipc, uts and pid namespaces (and a user namespace when rootless: see modes.py),
and talks to it with one JSON line per request. Which limits are in force is in
`limits_in_force` (the judge's pool says once when it falls back to rootless).
The runner always runs this installed cpsolve: the interpreter is isolated
(`-I`: no current folder, no PYTHONPATH, no user site) and imports `judge` from
this package's own parent folder, never from where the judge was started.
Several instances (worker 0, 1, ...) may run at once, in one process or many:
each has its own uids, cgroups (named after the owning pid) and tmpfs root. A
runner that dies (or stops answering) is replaced and the run it was serving is
run once more on the fresh runner; only a second failure is an error."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import pyseccomp

from judge.sandbox import attempt, cgroups, modes
from judge.sandbox.api import RunRequest, RunResult
from judge.sandbox.stale import orphaned_folders

DEFAULT_TMPFS_BYTES = 2 * 1024**3
STARTUP_TIMEOUT_S = 30.0
CLOSE_TIMEOUT_S = 5.0
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
# The runner needs `judge` (first on its path) and `pyseccomp` (last, after the
# standard library): both folders are named, so an interpreter without them on
# its own path (a user's system python, for the rootless mode) works too.
IMPORT_DIRS = (PACKAGE_PARENT, Path(pyseccomp.__file__).resolve().parent)
RUNNER_BOOTSTRAP = (
    "import sys; first, last = sys.argv.pop(1).split(':'); "
    "sys.path.insert(0, first); sys.path.append(last); "
    "from judge.sandbox.runner import main; sys.exit(main())"
)

_nonces = itertools.count()
MOUNT_DIR_PREFIX = "cpsolve-sandbox-"


def remove_stale_mount_dirs() -> None:
    """Remove the empty mount-point folders of judges that were killed (see
    `stale.orphaned_folders`); a folder that is not empty is left alone."""
    for folder in orphaned_folders(MOUNT_DIR_PREFIX):
        with contextlib.suppress(OSError):  # not empty, or removed meanwhile
            folder.rmdir()


class SandboxUnavailable(RuntimeError):
    """The runner could not be started on this machine; the message says why."""


class LocalSandbox:
    """The namespace/cgroup/seccomp sandbox of one worker slot (see module doc)."""

    def __init__(
        self, worker: int = 0, tmpfs_bytes: int = DEFAULT_TMPFS_BYTES, mode: str | None = None
    ) -> None:
        """The sandbox of worker slot `worker`, in the mode `modes.choose` picks.
        `mode` forces one for tests that compare modes on trusted programs: as
        root, `modes.ROOTLESS` bounds no process count (see modes)."""
        if mode is None:
            mode, reason = modes.choose()
            if mode is None:
                raise SandboxUnavailable(reason)
        elif mode not in modes.LIMITS_IN_FORCE:
            raise ValueError(
                f"sandbox mode {mode!r}: expected one of {list(modes.LIMITS_IN_FORCE)}"
            )
        self.mode = mode
        self.limits_in_force = modes.LIMITS_IN_FORCE[mode]
        self.worker = worker
        self.tmpfs_bytes = tmpfs_bytes
        remove_stale_mount_dirs()
        self._mount_dir = Path(
            tempfile.mkdtemp(prefix=f"{MOUNT_DIR_PREFIX}{os.getpid()}-w{worker}-")
        )
        self._process: subprocess.Popen[bytes] | None = None
        if mode == modes.ROOT:
            cgroups.remove_stale_groups()
        try:
            self._start()
        except BaseException:
            self._mount_dir.rmdir()
            raise

    @staticmethod
    def available() -> tuple[bool, str]:
        """Whether this machine can run the local sandbox, and if not, why."""
        mode, reason = modes.choose()
        return (mode is not None), ("ok" if mode is not None else reason)

    @property
    def runner_pid(self) -> int | None:
        """The pid of the runner's `unshare` process (killing it kills the runner)."""
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        token = f"w{self.worker}-{os.getpid()}-{next(_nonces)}"
        command = [
            shutil.which("unshare") or "unshare",
            *modes.namespace_flags(self.mode),
            "--kill-child",
            "--",
            sys.executable,
            "-I",
            "-c",
            RUNNER_BOOTSTRAP,
            ":".join(map(str, IMPORT_DIRS)),
            f"--mode={self.mode}",
            f"--worker={self.worker}",
            f"--token={token}",
            f"--mount={self._mount_dir}",
            f"--tmpfs-bytes={self.tmpfs_bytes}",
        ]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd="/"
        )
        hello = self._read_line(STARTUP_TIMEOUT_S)
        if hello is None or not hello.get("ready"):
            self._kill()
            reason = hello.get("error") if hello else "no answer"
            raise SandboxUnavailable(
                f"sandbox runner for worker {self.worker} failed to start: {reason}"
            )

    def _read_line(self, timeout_s: float) -> dict[str, Any] | None:
        """One JSON line from the runner, or None on EOF/timeout."""
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        ready, _, _ = select.select([stdout], [], [], timeout_s)
        if not ready:
            return None
        line = stdout.readline()
        if not line:
            return None
        decoded: dict[str, Any] = json.loads(line)
        return decoded

    def _kill(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it may end meanwhile
                os.kill(self._process.pid, signal.SIGKILL)
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._process = None

    def run(self, request: RunRequest) -> RunResult:
        """Run `request` in this worker's sandbox. A runner that died, before or
        during the run, is replaced and the run is made once more on the new one."""
        return attempt.run_with_retry(
            lambda: self._run_once(request), lambda: self._process is not None
        )

    def _run_once(self, request: RunRequest) -> RunResult:
        """One attempt; `self._process` is None afterwards if the runner died."""
        if self._process is None or self._process.poll() is not None:
            self._kill()
            self._start()
        assert self._process is not None and self._process.stdin is not None
        stdin = self._process.stdin

        def send(line: bytes) -> None:
            stdin.write(line)
            stdin.flush()

        runner = f"sandbox runner of worker {self.worker}"
        return attempt.send_and_read(request, send, self._read_line, self._kill, runner)

    def close(self) -> None:
        """Stop the runner (EOF, then SIGKILL by pid after a grace period) and
        remove the mount point."""
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.close()
            deadline = time.monotonic() + CLOSE_TIMEOUT_S
            while self._process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
        self._kill()
        if self._mount_dir.exists():
            self._mount_dir.rmdir()

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

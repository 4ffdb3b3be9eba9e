"""The per-worker runner: started by LocalSandbox inside fresh namespaces
(`unshare --net --mount --ipc --uts --pid`), it builds the sandbox root once and
then serves RunRequests as JSON lines on stdin/stdout until stdin closes.

Per run: an empty tmpfs on /box and /tmp (scratch.py), inputs copied in,
every stdio file opened (judge-side ones 0600) before any process starts, one
process per request entry (programs from the slot server, Python scripts from
the zygote; each in an IPC namespace of its own), a wait loop that kills at the wall-clock
deadline or when a slot's cgroup CPU time passes the limit, then every leftover
process of every slot is killed, orphans reaped, usage read, outputs copied
out, the reply sent, the request's files deleted and a tmpfs left with
anything else detached. Nothing the run made survives it.

Rootless (`--mode=rootless`, see modes.py) the runner is root of a user
namespace only: it is not dumpable (a candidate of the same host uid cannot
read its memory through /proc), slots follow processes instead of cgroups
(tracked.py), programs get rlimits for memory and processes and a nested user
namespace each (slot_server.c, zygote.py), box files keep the runner's owner,
and at the end of a run every process of the namespace but the runner's
helpers is killed. The judge's files in the box (trusted processes' logs,
answer files, the feedback dir) are covered in each candidate's own mount
namespace (slot_server.c), since no uid keeps it from them; a Python candidate
of such a request is started by the slot server, as a fresh interpreter."""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import select
import signal
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyseccomp

from judge.languages import base_python
from judge.sandbox import box, cgroups, child, modes, mounts, outcome, scratch, slot_server, wire
from judge.sandbox.api import Process, ProcessResult, RunRequest, RunResult, RunStatus
from judge.sandbox.seccomp_filter import build_filter
from judge.sandbox.slot_server import SlotServer
from judge.sandbox.tracked import TrackedGroup, TrackedSlot
from judge.sandbox.zygote import ZygoteClient

CANDIDATE_UID_BASE = 60000
TRUSTED_UID_BASE = 61000
CPU_CHECK_INTERVAL_S = 0.05
MEMORY_CHECK_INTERVAL_S = 0.01  # rootless: RSS polling is the memory limit (tracked.py)
REAP_TIMEOUT_S = 5.0
PIPE_PREFIX = "pipe:"
DEFERRED_FIFO = -1  # a stdin FIFO opened right before its process starts
HOST_NAME = "sandbox"
PR_SET_DUMPABLE = 4


def candidate_uid(worker: int) -> int:
    """The uid that candidate processes of `worker` run under."""
    return CANDIDATE_UID_BASE + worker


def trusted_uid(worker: int) -> int:
    """The uid that trusted processes (checkers, managers) of `worker` run under."""
    return TRUSTED_UID_BASE + worker


@dataclass
class Started:
    """A forked process being waited for. `stopped`: when the runner first saw it
    ended, or already exiting when another process of the run ended (which of
    them stopped first: see ProcessResult.ended_s)."""

    index: int
    process: Process
    pid: int
    pidfd: int
    error_fd: int
    tail_fd: int | None
    start: float
    deadline: float
    end: float | None = None
    stopped: float | None = None
    wait_status: int | None = None
    wall_killed: bool = False
    peak_rss_bytes: int = 0


PF_EXITING = 0x4
"""The kernel's flag of a task that has begun to exit (include/linux/sched.h)."""


def exiting(pid: int) -> bool:
    """Whether process `pid` (a child not yet reaped) has begun to exit: its
    pipes may already be closed (a peer reading EOF) while its end is not yet
    reported. /proc/PID/stat: state (Z, X) and flags, the 3rd and 9th fields."""
    try:
        line = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    fields = line[line.rindex(")") + 2 :].split()
    return fields[0] in ("Z", "X") or bool(int(fields[6]) & PF_EXITING)


@dataclass
class OpenFds:
    """Descriptors the parent opened for one run: the children's ends (closed once
    every child has started) and the stderr files kept for their tails."""

    child_ends: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)

    def close_child_ends(self) -> None:
        """Close the parent's copies of the children's stdio descriptors."""
        for fd in self.child_ends:
            os.close(fd)
        self.child_ends.clear()

    def close_all(self) -> None:
        """Close every descriptor of the run."""
        self.close_child_ends()
        for fd in self.kept:
            os.close(fd)
        self.kept.clear()


def pipe_names(request: RunRequest) -> set[str]:
    """The pipe names of a request; ValueError unless each has exactly one reader
    (a stdin) and one writer (a stdout or stderr)."""
    readers = [p.stdin for p in request.processes if p.stdin and p.stdin.startswith(PIPE_PREFIX)]
    writers = [
        stream
        for p in request.processes
        for stream in (p.stdout, p.stderr)
        if stream and stream.startswith(PIPE_PREFIX)
    ]
    if sorted(readers) != sorted(writers) or len(set(readers)) != len(readers):
        raise ValueError(f"pipes need one reader and one writer each: {readers} vs {writers}")
    return {name[len(PIPE_PREFIX) :] for name in readers}


def validate(request: RunRequest) -> None:
    """ValueError naming the problem if the request cannot be run as given."""
    if not request.processes:
        raise ValueError("a request needs at least one process")
    for process in request.processes:
        if not process.argv or (process.python and len(process.argv) < 2):
            raise ValueError(f"bad argv {process.argv!r}")
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream and not stream.startswith(PIPE_PREFIX):
                box.checked_name(stream)
    pipe_names(request)


class Runner:
    """One worker's sandbox: its root, uids, cgroups and seccomp filter."""

    def __init__(
        self, worker: int, token: str, mount_point: Path, tmpfs_bytes: int, mode: str = modes.ROOT
    ) -> None:
        self.rootless = mode == modes.ROOTLESS
        if self.rootless:
            _not_dumpable()
        self.candidate_uid = candidate_uid(worker)
        self.trusted_uid = trusted_uid(worker)
        self.tmpfs_bytes = tmpfs_bytes
        mounts.set_host_name(HOST_NAME)
        users = {"root": 0, "sandbox": self.candidate_uid, "trusted": self.trusted_uid}
        self.python = base_python()
        python_home = Path(self.python).parents[1]
        python_dirs = (python_home, python_home.resolve())
        self.root, self.private = mounts.build_root(mount_point, tmpfs_bytes, python_dirs, users)
        self.box = self.root / "box"
        self.scratch = scratch.Scratch((self.box, self.root / "tmp"), tmpfs_bytes)
        self.box_names: tuple[str, ...] = ()
        self.syscall_filter: pyseccomp.SyscallFilter = build_filter()
        self.server_binary = slot_server.build(self.private)
        self.filter_file = slot_server.export_filter(self.syscall_filter, self.private)
        self.empty_file: Path | None = None
        if self.rootless:
            self.empty_file = self.private / "empty"
            self.empty_file.touch(mode=0o000)  # unreadable: no capability overrides that
        self.hidden: tuple[tuple[str, str], ...] = ()
        self.servers: dict[int, SlotServer] = {}
        self.zygote: ZygoteClient | None = None
        self.group: cgroups.Group | TrackedGroup = (
            TrackedGroup() if self.rootless else cgroups.Group(token)
        )

    def _zygote(self) -> ZygoteClient:
        """The running Python zygote, started (again) if needed."""
        if self.zygote is None or not self.zygote.alive():
            if self.zygote is not None:
                self.zygote.close()
            self.zygote = ZygoteClient(
                self.python, self.root, self.filter_file.read_bytes(), rootless=self.rootless
            )
        return self.zygote

    def _server(self, index: int) -> SlotServer:
        """The running server of slot `index`, started (again) if needed."""
        server = self.servers.get(index)
        if server is None or not server.alive():
            if server is not None:
                server.close()
            slot = self.group.slot(index)
            slot.kill_all()  # a server that died may leave programs behind
            server = SlotServer(
                self.server_binary,
                self.root,
                self.filter_file,
                slot.join_files,
                empty_file=self.empty_file,
            )
            self.servers[index] = server
        return server

    def _spared(self, index: int) -> frozenset[int]:
        server = self.servers.get(index)
        return frozenset((server.pid,)) if server is not None else frozenset()

    def _kill_slot(self, index: int) -> None:
        self.group.slot(index).kill_all(spare=self._spared(index))

    def _stream_fd(
        self,
        stream: str | None,
        writing: bool,
        pipes: dict[str, tuple[int, int]],
        trusted: bool,
    ) -> int:
        if stream is None:
            return os.open("/dev/null", os.O_WRONLY if writing else os.O_RDONLY)
        if stream.startswith(PIPE_PREFIX):
            read_end, write_end = pipes[stream[len(PIPE_PREFIX) :]]
            return os.dup(write_end if writing else read_end)
        if not writing:
            return box.open_in_box(self.box, stream, os.O_RDONLY)
        flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC
        fd = box.open_in_box(self.box, stream, flags, box.JUDGE_FILE_MODE if trusted else 0o644)
        if trusted and stat.S_ISREG(os.fstat(fd).st_mode):
            # a judge-side log: the runner's, unreadable to every sandboxed uid
            os.fchown(fd, 0, 0)
            os.fchmod(fd, box.JUDGE_FILE_MODE)
        return fd

    def _open_streams(
        self,
        index: int,
        process: Process,
        fds: OpenFds,
        pipes: dict[str, tuple[int, int]],
        fifos: frozenset[str],
    ) -> tuple[int, int, int]:
        """The stdin, stdout and stderr descriptors of one process. All are opened
        before any process starts, so no candidate can make one of them first; the
        one exception is a FIFO read as stdin (it exists already, and opening it
        blocks until its writer opens it): DEFERRED_FIFO, see `_open_deferred`."""
        if process.stdin is not None and process.stdin in fifos:
            stdin = DEFERRED_FIFO
        else:
            stdin = self._stream_fd(process.stdin, False, pipes, process.trusted)
            fds.child_ends.append(stdin)
        stdout = self._stream_fd(process.stdout, True, pipes, process.trusted)
        fds.child_ends.append(stdout)
        if process.stderr is None:
            stderr = os.open(
                self.private / f"stderr{index}", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600
            )
        else:
            stderr = self._stream_fd(process.stderr, True, pipes, process.trusted)
        fds.kept.append(stderr)
        return stdin, stdout, stderr

    def _open_deferred(
        self, process: Process, streams: tuple[int, int, int], fds: OpenFds
    ) -> tuple[int, int, int]:
        """Open a deferred FIFO stdin right before its process starts: it blocks until
        the writer (a process started earlier, e.g. a CMS manager) opens the FIFO."""
        stdin, stdout, stderr = streams
        if stdin != DEFERRED_FIFO:
            return streams
        assert process.stdin is not None
        stdin = box.open_in_box(self.box, process.stdin, os.O_RDONLY)
        fds.child_ends.append(stdin)
        return stdin, stdout, stderr

    def _start(
        self, index: int, process: Process, streams: tuple[int, int, int], fds: OpenFds
    ) -> Started:
        stdin, stdout, stderr = streams
        error_read, error_write = os.pipe2(os.O_CLOEXEC)
        fds.kept.append(error_read)
        slot = self.group.slot(index)
        plan = child.ChildPlan(
            process=process,
            fds=(stdin, stdout, stderr),
            join_files=slot.join_files,
            uid=self.trusted_uid if process.trusted else self.candidate_uid,
            error_fd=error_write,
            rootless=self.rootless,
            hidden=() if process.trusted else self.hidden,
        )
        start = time.monotonic()
        try:
            if self._uses_zygote(process):
                pid = child.spawn_python(plan, self._zygote())
            else:
                pid = child.spawn_program(plan, self.servers[index])
        finally:
            os.close(error_write)
        pidfd = os.pidfd_open(pid)
        fds.kept.append(pidfd)
        if isinstance(slot, TrackedSlot):
            slot.track(pid)
        return Started(
            index=index,
            process=process,
            pid=pid,
            pidfd=pidfd,
            error_fd=error_read,
            tail_fd=stderr,
            start=start,
            deadline=start + process.limits.wall_time_s,
        )

    def _judge_files(self, request: RunRequest) -> tuple[tuple[str, str], ...]:
        """Rootless: what candidates of `request` must not see, as ("F" or "D",
        host path) pairs: trusted files, the feedback dirs and the files that
        trusted processes write (FIFOs and pipes are shared on purpose)."""
        if not self.rootless:
            return ()
        fifos = set(request.fifos)
        files = [name for name, _host in request.trusted_files_in]
        for process in request.processes:
            if process.trusted:
                for stream in (process.stdout, process.stderr):
                    if stream and not stream.startswith(PIPE_PREFIX) and stream not in fifos:
                        files.append(stream)
        pairs = [("F", name) for name in files] + [("D", name) for name in request.dirs]
        return tuple((kind, str(self.box / box.checked_name(name))) for kind, name in pairs)

    def _uses_zygote(self, process: Process) -> bool:
        """Whether `process` starts from the Python zygote: Python candidates do,
        except rootless ones that must not see the judge's files (the slot
        server covers those; see the module doc)."""
        return process.python and not (self.hidden and not process.trusted)

    def _wait(self, started: list[Started]) -> None:
        interval = MEMORY_CHECK_INTERVAL_S if self.rootless else CPU_CHECK_INTERVAL_S
        pending = {s.pidfd: s for s in started}
        poller = select.poll()
        for pidfd in pending:
            poller.register(pidfd, select.POLLIN)
        while pending:
            now = time.monotonic()
            nearest = min(s.deadline for s in pending.values())
            timeout = max(0.0, min(nearest - now, interval))
            ready = poller.poll(timeout * 1000)
            seen = time.monotonic()
            for pidfd, _event in ready:
                finished = pending.pop(pidfd)
                poller.unregister(pidfd)
                _pid, finished.wait_status, rusage = os.wait4(finished.pid, 0)
                finished.end = time.monotonic()
                finished.stopped = finished.stopped or seen
                finished.peak_rss_bytes = rusage.ru_maxrss * 1024
                slot = self.group.slot(finished.index)
                if isinstance(slot, TrackedSlot):
                    slot.finished(rusage)
            if ready:
                for running in pending.values():
                    if running.stopped is None and exiting(running.pid):
                        running.stopped = seen
            now = time.monotonic()
            for running in pending.values():
                slot = self.group.slot(running.index)
                if now >= running.deadline:
                    running.wall_killed = True
                    self._kill_slot(running.index)
                elif slot.usage().cpu_time_s > running.process.limits.cpu_time_s:
                    self._kill_slot(running.index)
                elif isinstance(slot, TrackedSlot) and slot.poll_memory():
                    self._kill_slot(running.index)

    def _helpers(self) -> set[int]:
        """The pids of the runner's own helpers: slot servers and the zygote."""
        helpers = {s.pid for s in self.servers.values()}
        if self.zygote is not None:
            helpers.add(self.zygote.pid)
        return helpers

    def _children(self) -> set[int]:
        """The runner's children other than its helpers."""
        listed = Path(f"/proc/self/task/{os.getpid()}/children").read_text().split()
        return {int(pid) for pid in listed} - self._helpers()

    def _sweep(self) -> None:
        """Rootless: SIGKILL every process of the runner's pid namespace but the
        runner and its helpers (what cgroups would have killed), until none is left."""
        spared = self._helpers() | {os.getpid()}
        for _ in range(cgroups.KILL_ATTEMPTS):
            pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
            targets = [pid for pid in pids if pid not in spared]
            if not targets:
                return
            for pid in targets:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
            self._reap_ready()
            time.sleep(0.0005)

    def _reap_ready(self) -> None:
        """Reap every child that has ended, without waiting."""
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    def _reap_orphans(self) -> None:
        """Reap every child but the slot servers (all were killed): the runner is
        pid 1 of its namespace, so orphaned daemons are its children too. A server
        that died is reaped here as well, and restarted when next needed."""
        deadline = time.monotonic() + REAP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                if not self._children():
                    return
                time.sleep(0.0005)

    def _result(self, run: Started, run_start: float) -> ProcessResult:
        usage = self.group.slot(run.index).usage()
        setup_error = os.read(run.error_fd, 4096).decode("utf-8", "replace") or None
        status = run.wait_status if run.wait_status is not None else 0
        signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        tail = setup_error or (box.tail(run.tail_fd) if run.tail_fd is not None else "")
        oom_killed = usage.oom_killed
        memory_bytes = usage.peak_memory_bytes
        if self.rootless and not oom_killed:
            oom_killed = outcome.failed_for_memory(exit_code, signal_number, run.wall_killed, tail)
            if oom_killed:
                memory_bytes = max(memory_bytes, run.process.limits.memory_bytes)
        ending = outcome.Ending(
            exit_code=exit_code,
            signal=signal_number,
            cpu_time_s=usage.cpu_time_s,
            oom_killed=oom_killed,
            wall_killed=run.wall_killed,
            setup_error=setup_error,
        )
        return ProcessResult(
            status=outcome.classify(run.process.limits, ending),
            exit_code=exit_code,
            signal=signal_number,
            cpu_time_s=usage.cpu_time_s,
            wall_time_s=(run.end or time.monotonic()) - run.start,
            memory_bytes=memory_bytes,
            stderr_tail=tail,
            ended_s=(run.stopped or run.end or time.monotonic()) - run_start,
        )

    def _copy_out(self, request: RunRequest) -> None:
        for name, host in request.files_out:
            box.copy_file_out(self.box, name, host)
        for name, host in request.dirs_out:
            box.copy_dir_out(self.box, name, host)

    def execute(self, request: RunRequest) -> RunResult:
        """Run one request; sandbox failures come back in RunResult.error."""
        try:
            validate(request)
        except ValueError as error:
            return RunResult(processes=(), error=f"bad request: {error}")
        fds = OpenFds()
        started: list[Started] = []
        try:
            self.finish_run()  # when the caller did not
            self.box_names = scratch.request_names(request)
            self.scratch.fresh()
            box.populate(
                self.box,
                request,
                self.candidate_uid,
                self.trusted_uid,
                owned=not self.rootless,
                store=self.private / "read-only",
            )
            self.hidden = self._judge_files(request)
            for index, process in enumerate(request.processes):
                if self._uses_zygote(process):
                    self._zygote()
                else:
                    self._server(index)
                limits = process.limits
                servers = len(self._spared(index))
                self.group.slot(index).prepare(limits.memory_bytes, limits.processes + servers)
            pipes = {name: os.pipe() for name in pipe_names(request)}
            fds.child_ends.extend(fd for pair in pipes.values() for fd in pair)
            fifos = frozenset(request.fifos)
            streams = [
                self._open_streams(index, process, fds, pipes, fifos)
                for index, process in enumerate(request.processes)
            ]
            for index, process in enumerate(request.processes):
                opened = self._open_deferred(process, streams[index], fds)
                started.append(self._start(index, process, opened, fds))
            fds.close_child_ends()
            self._wait(started)
            for index in range(len(request.processes)):
                self._kill_slot(index)
            if self.rootless:
                self._sweep()
            self._reap_orphans()
            run_start = min(run.start for run in started)
            results = tuple(self._result(run, run_start) for run in started)
            self._copy_out(request)
        except (OSError, ValueError) as error:
            for index in range(len(request.processes)):
                self._kill_slot(index)
            if self.rootless:
                self._sweep()
            self._reap_orphans()
            return RunResult(processes=(), error=f"sandbox: {error}")
        finally:
            fds.close_all()
        # before the reply (its fds closed): an emptied box is kept for the next run (scratch.py)
        self.scratch.release(self.box_names, dirty_too=False)
        errors = [r.stderr_tail for r in results if r.status is RunStatus.SANDBOX_ERROR]
        return RunResult(processes=results, error="; ".join(errors) or None)

    def finish_run(self) -> None:
        """Settle the last run's /box and /tmp (every process of it is dead and
        its outputs are copied out). Called after the reply is sent: a tmpfs
        left with nothing but the request's own files (deleted) is kept for the
        next run, any other is detached (scratch.py)."""
        self.scratch.release(self.box_names)

    def close(self) -> None:
        """Stop the slot servers, kill what is left and remove the cgroups."""
        for server in self.servers.values():
            server.close()
        self.servers.clear()
        self.finish_run()
        self.scratch.close()
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        self.group.remove()


def _not_dumpable() -> None:
    """prctl(PR_SET_DUMPABLE, 0) for the runner (its children inherit it until
    they exec): a process of the same uid then cannot open its /proc/PID/mem."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")


def serve(runner: Runner) -> None:
    """Answer one JSON request per stdin line with one JSON result line."""
    for line in sys.stdin.buffer:
        try:
            request = wire.request_from_dict(json.loads(line))
        except (KeyError, TypeError, ValueError) as error:
            result = RunResult(processes=(), error=f"bad request: {error!r}")
        else:
            result = runner.execute(request)
        sys.stdout.write(json.dumps(wire.result_to_dict(result)) + "\n")
        sys.stdout.flush()
        runner.finish_run()


def main(argv: list[str] | None = None) -> int:
    """Entry point: build the sandbox, say "ready" (or why not), serve, clean up."""
    parser = argparse.ArgumentParser(description="cpsolve sandbox runner (started by LocalSandbox)")
    parser.add_argument("--worker", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--mount", type=Path, required=True)
    parser.add_argument("--tmpfs-bytes", type=int, required=True)
    parser.add_argument("--mode", choices=(modes.ROOT, modes.ROOTLESS), default=modes.ROOT)
    args = parser.parse_args(argv)
    os.chdir("/")
    try:
        runner = Runner(args.worker, args.token, args.mount, args.tmpfs_bytes, args.mode)
    except (OSError, ValueError) as error:
        sys.stdout.write(json.dumps({"ready": False, "error": str(error)}) + "\n")
        sys.stdout.flush()
        return 1
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    try:
        serve(runner)
    finally:
        runner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Hostile programs (tests/hostile/, in C++ and Python) against each sandbox backend.

Each must end with the right status, leave no process of the worker's uid behind,
change nothing on the host, and leave the sandbox as it was: the runner and its
helpers alive, an empty box and /tmp, no IPC object, the slot's memory free
(an honest program using most of the limit is not MLE) and honest C++ and
Python programs right after it giving the right output.

Every test runs once per backend (the `sandbox` fixture's parameters):
- `local`: LocalSandbox in whichever mode it picks (judge.sandbox.modes): as root
  the root mode; as an ordinary user the rootless one (tests/test_rootless.py
  runs this file as `nobody`, the real rootless path);
- `docker`: DockerSandbox (judge.sandbox.docker_backend), which runs the
  rootless runner inside its container; a private dockerd is started when none
  answers (judge.sandbox.dockerd), and the backend is skipped, with the reason,
  only where Docker cannot run at all (not installed, not root).
Rootless (and in Docker) there is one host uid, so "the worker's processes" are
those in a user namespace other than the runner's, and where a case's right
status differs by design its Case says so (`rootless_cpp_status`, see
judge.sandbox.modes: a C++ program that handles a malloc refused by the memory
backstop itself is a runtime error there)."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from judge.languages import base_python
from judge.sandbox import (
    LocalSandbox,
    Process,
    ProcessResult,
    ResourceLimits,
    RunRequest,
    RunStatus,
    modes,
)
from judge.sandbox.docker_backend import DockerSandbox
from judge.sandbox.dockerd import DockerCannotRun, private_daemon
from judge.sandbox.runner import HOST_NAME, candidate_uid

HOSTILE = Path(__file__).resolve().parent / "hostile"
REPO = Path(__file__).resolve().parents[1]
WORKER = 1
LIMITS = ResourceLimits(
    cpu_time_s=1.0, wall_time_s=3.0, memory_bytes=256 << 20, output_bytes=16 << 20
)
COMPILE_LIMITS = ResourceLimits(
    cpu_time_s=60.0,
    wall_time_s=120.0,
    memory_bytes=1 << 30,
    output_bytes=64 << 20,
    processes=32,
    open_files=256,
)
CPU_BOUND = ResourceLimits(
    cpu_time_s=1.0, wall_time_s=10.0, memory_bytes=256 << 20, output_bytes=16 << 20
)
"""Generous wall clock for CPU-bound cases: a loaded CI machine must still show TIME_LIMIT."""
HONEST_LIMITS = replace(LIMITS, wall_time_s=20.0)
"""The honest programs after each case: a loaded machine (a container's slower start)
must not turn them into WALL_LIMIT; they are about memory, files and processes."""
LANGUAGES = ("cpp", "py")

AVAILABLE, WHY_NOT = LocalSandbox.available()
pytestmark = pytest.mark.skipif(not AVAILABLE, reason=WHY_NOT)
BACKENDS = ("local", "docker")
Box = LocalSandbox | DockerSandbox


@pytest.fixture(scope="module", params=BACKENDS)
def sandbox(request: pytest.FixtureRequest) -> Iterator[Box]:
    """The sandbox of one worker in each backend (see the module doc)."""
    if request.param == "local":
        with LocalSandbox(worker=WORKER) as box:
            yield box
        return
    folder = Path(tempfile.mkdtemp(prefix="cpsolve-hostile-dockerd-"))
    try:
        with private_daemon(folder), DockerSandbox(worker=WORKER) as docker_box:
            yield docker_box
    except DockerCannotRun as error:
        pytest.skip(f"Docker cannot run here: {error}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def rootless(sandbox: Box) -> bool:
    """Whether `sandbox` runs the rootless runner (one host uid, no cgroups)."""
    return isinstance(sandbox, DockerSandbox) or sandbox.mode == modes.ROOTLESS


def runner_pid(sandbox: Box) -> int:
    """The host pid of the sandbox's `unshare` (the runner is its child); in Docker,
    the one process of the container's pid namespace that runs /usr/bin/unshare."""
    if isinstance(sandbox, LocalSandbox):
        assert sandbox.runner_pid is not None
        return sandbox.runner_pid
    sandbox.container.reload()
    init = sandbox.container.attrs["State"]["Pid"]
    namespace = os.readlink(f"/proc/{init}/ns/pid")
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(entry / "ns" / "pid") != namespace:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[0] == b"/usr/bin/unshare":
            found.append(int(entry.name))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def binaries(sandbox: Box, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every hostile C++ program, compiled with g++ -O2 inside the sandbox."""
    out = tmp_path_factory.mktemp("hostile-bin")
    built: dict[str, Path] = {}
    for source in sorted(HOSTILE.glob("*.cpp")):
        compile_gpp = Process(
            argv=("/usr/bin/g++", "-O2", "-o", "prog", "prog.cpp"),
            limits=COMPILE_LIMITS,
            stderr="err.txt",
        )
        result = sandbox.run(
            RunRequest(
                processes=(compile_gpp,),
                files_in=(("prog.cpp", str(source)),),
                files_out=(("prog", str(out / source.stem)),),
            )
        )
        assert result.error is None and result.processes[0].status is RunStatus.OK, result
        built[source.stem] = out / source.stem
    return built


def runner_pid_namespace(sandbox: Box) -> str:
    """The pid namespace of the sandbox's runner (the child of its `unshare`)."""
    pid = runner_pid(sandbox)
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return os.readlink(f"/proc/{children[0]}/ns/pid")


def runner_user_namespace(sandbox: Box) -> str:
    """The user namespace of the sandbox's runner."""
    pid = runner_pid(sandbox)
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return os.readlink(f"/proc/{children[0]}/ns/user")


def rootless_worker_processes(sandbox: Box) -> list[int]:
    """Rootless: host pids of the sandbox's pid namespace outside the runner's user
    namespace (every program gets a user namespace of its own)."""
    namespace = runner_pid_namespace(sandbox)
    runner_users = runner_user_namespace(sandbox)
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (
                os.readlink(entry / "ns" / "pid") == namespace
                and os.readlink(entry / "ns" / "user") != runner_users
            ):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def worker_processes(sandbox: Box) -> list[int]:
    """Host pids of processes of this sandbox (its pid namespace) that run as the
    worker's candidate uid. Other sandboxes on the machine may use the same uid."""
    if rootless(sandbox):
        return rootless_worker_processes(sandbox)
    namespace = runner_pid_namespace(sandbox)
    uid = str(candidate_uid(WORKER))
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid_line = next(
                line for line in status.read_text().splitlines() if line.startswith("Uid:")
            )
            if (
                uid_line.split()[1] == uid
                and os.readlink(status.parent / "ns" / "pid") == namespace
            ):
                pids.append(int(status.parent.name))
        except (OSError, StopIteration):
            continue
    return pids


def run_program(
    sandbox: Box,
    binaries: dict[str, Path],
    tmp_path: Path,
    name: str,
    language: str,
    args: tuple[str, ...] = (),
    limits: ResourceLimits = LIMITS,
) -> tuple[ProcessResult, str]:
    """Run hostile program `name` in `language` with stdout to a file; return the
    result and the stdout that was copied out ("" if none)."""
    stdout_host = tmp_path / f"{name}-{language}.out"
    if language == "cpp":
        process = Process(argv=("./prog", *args), limits=limits, stdout="out.txt")
        files_in = (("prog", str(binaries[name])),)
    else:
        process = Process(
            argv=("python3", "prog.py", *args), limits=limits, stdout="out.txt", python=True
        )
        files_in = (("prog.py", str(HOSTILE / f"{name}.py")),)
    result = sandbox.run(
        RunRequest(
            processes=(process,), files_in=files_in, files_out=(("out.txt", str(stdout_host)),)
        )
    )
    assert result.error is None, result.error
    output = stdout_host.read_text(errors="replace") if stdout_host.exists() else ""
    return result.processes[0], output


def judge_processes(sandbox: Box) -> set[int]:
    """Host pids of the sandbox's own processes: `unshare`, the runner and its
    slot servers (the runner's children that run as root; rootless, those in the
    runner's user namespace)."""

    def children(pid: int) -> list[int]:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    unshare = runner_pid(sandbox)
    found = {unshare}
    for runner in children(unshare):
        found.add(runner)
        if rootless(sandbox):
            users = os.readlink(f"/proc/{runner}/ns/user")
            found.update(c for c in children(runner) if os.readlink(f"/proc/{c}/ns/user") == users)
        else:
            found.update(c for c in children(runner) if Path(f"/proc/{c}").stat().st_uid == 0)
    return found


HONEST_MIB = 180
"""An honest program touches this much of LIMITS' 256 MiB: MLE if a run before it
left memory charged to the slot."""
HONEST_PYTHON = (
    "import os\n"
    "rows = sum(len(open('/proc/sysvipc/' + t).read().splitlines()) - 1"
    " for t in ('shm', 'msg', 'sem'))\n"
    "print(sorted(os.listdir('/box')), os.listdir('/tmp'), rows)\n"
)


@pytest.fixture(autouse=True)
def still_contained(sandbox: Box, binaries: dict[str, Path], tmp_path: Path) -> Iterator[None]:
    """After each test: the sandbox's own processes all live (none was replaced),
    no worker process is left, honest C++ and Python programs get the right
    output and status, the box and /tmp are empty, no IPC object is visible and
    the slot's memory is free."""
    before = judge_processes(sandbox)
    yield
    assert before <= judge_processes(sandbox)
    assert worker_processes(sandbox) == []
    result, output = run_program(
        sandbox, binaries, tmp_path, "touch_memory", "cpp", (str(HONEST_MIB),), HONEST_LIMITS
    )
    assert result.status is RunStatus.OK and output == "touched 7\n", (result, output)
    script = tmp_path / "honest.py"
    script.write_text(HONEST_PYTHON)
    honest = Process(
        argv=("python3", "honest.py"), limits=HONEST_LIMITS, stdout="out.txt", python=True
    )
    sane = sandbox.run(
        RunRequest(
            processes=(honest,),
            files_in=(("honest.py", str(script)),),
            files_out=(("out.txt", str(tmp_path / "sane.txt")),),
        )
    )
    assert sane.error is None and sane.processes[0].status is RunStatus.OK, sane
    assert (tmp_path / "sane.txt").read_text() == "['honest.py', 'out.txt'] [] 0\n"
    assert before <= judge_processes(sandbox)


@dataclass(frozen=True)
class Case:
    """A hostile program whose containment shows in its status and stdout."""

    program: str
    status: frozenset[RunStatus]
    args: tuple[str, ...] = ()
    limits: ResourceLimits = LIMITS
    stdout_has: tuple[str, ...] = ()
    stdout_lacks: tuple[str, ...] = ()
    stderr_lacks: tuple[str, ...] = ()
    rootless_cpp_status: frozenset[RunStatus] | None = None
    """Rootless and in Docker (the rootless runner), the C++ program's status when
    it differs by design (see the module doc); None: the same as `status`."""


CASES = (
    Case(
        "fork_bomb",
        frozenset({RunStatus.TIME_LIMIT, RunStatus.WALL_LIMIT}),
        limits=replace(CPU_BOUND, processes=8),
    ),
    Case("print_1gb", frozenset({RunStatus.OUTPUT_LIMIT})),
    Case(
        "alloc_8gb",
        frozenset({RunStatus.MEMORY_LIMIT}),
        stdout_lacks=("TOUCHED",),
        # malloc(8 GiB) fails past the RLIMIT_DATA backstop on a machine with
        # less than 16 GiB, and the program exits 1 (see judge.sandbox.modes)
        rootless_cpp_status=frozenset({RunStatus.MEMORY_LIMIT, RunStatus.NONZERO_EXIT}),
    ),
    Case("infinite_loop", frozenset({RunStatus.TIME_LIMIT}), limits=CPU_BOUND),
    Case("sleep_forever", frozenset({RunStatus.WALL_LIMIT})),
    # kill(-1) reports success whenever another process shares the namespace, even
    # if every signal was refused; `still_contained` checks that nothing died.
    Case(
        "kill_parent",
        frozenset({RunStatus.OK}),
        stdout_has=("survived",),
        stdout_lacks=("kill parent: SENT", "kill pid 1: SENT"),
    ),
    Case(
        "ptrace_attach",
        frozenset({RunStatus.OK}),
        stdout_has=("traceme: Operation not permitted", "attach: Operation not permitted"),
        stdout_lacks=("ALLOWED",),
    ),
    Case(
        "raise_rlimits",
        frozenset({RunStatus.TIME_LIMIT}),
        args=("cpu",),
        limits=CPU_BOUND,
        stderr_lacks=("RAISED",),
    ),
    Case(
        "raise_rlimits",
        frozenset({RunStatus.OUTPUT_LIMIT}),
        args=("fsize",),
        stderr_lacks=("RAISED",),
    ),
)


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join((c.program, *c.args)))
def test_contained_with_status(
    case: Case, language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    started = time.monotonic()
    result, output = run_program(
        sandbox, binaries, tmp_path, case.program, language, case.args, case.limits
    )
    expected = case.status
    if rootless(sandbox) and language == "cpp" and case.rootless_cpp_status is not None:
        expected = case.rootless_cpp_status
    assert result.status in expected, (result, output[:200])
    assert time.monotonic() - started < case.limits.wall_time_s + 5
    assert all(text in output for text in case.stdout_has), output
    assert not any(text in output for text in case.stdout_lacks), output
    assert not any(text in result.stderr_tail for text in case.stderr_lacks), result.stderr_tail
    if result.status is RunStatus.TIME_LIMIT:
        assert case.limits.cpu_time_s <= result.cpu_time_s < case.limits.cpu_time_s + 1.0
    if result.status is RunStatus.MEMORY_LIMIT:
        assert result.memory_bytes >= case.limits.memory_bytes * 0.9


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_network_to_host_server(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        result, output = run_program(
            sandbox, binaries, tmp_path, "socket_connect", language, (str(port),)
        )
        assert result.status is RunStatus.OK
        assert "denied" in output and "CONNECTED" not in output, output
        server.settimeout(0.3)
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_cannot_read_host_secrets(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    token = uuid.uuid4().hex
    secrets = [
        Path.home() / f".cpsolve-secret-{token}",
        REPO / "tests" / f".cpsolve-secret-{token}",
    ]
    try:
        for secret in secrets:
            secret.write_text(f"secret {token}\n")
        paths = ("/etc/shadow", *map(str, secrets))
        result, output = run_program(sandbox, binaries, tmp_path, "read_secrets", language, paths)
    finally:
        for secret in secrets:
            secret.unlink(missing_ok=True)
    assert result.status is RunStatus.OK
    assert output.splitlines() == [f"{path} denied" for path in paths]


@pytest.mark.parametrize("language", LANGUAGES)
def test_cannot_write_outside_the_box(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    name = f"cpsolve-pwned-{uuid.uuid4().hex}"
    targets = [
        Path("/tmp") / name,
        REPO / name,
        Path("/usr") / name,
        Path("/etc") / name,
        Path("/") / name,
    ]
    targets.append(Path.home() / name)
    try:
        result, output = run_program(
            sandbox, binaries, tmp_path, "write_outside", language, tuple(map(str, targets))
        )
        assert result.status is RunStatus.OK
        wrote = {line.split()[0] for line in output.splitlines() if line.endswith("WROTE")}
        assert wrote <= {str(Path("/tmp") / name)}, output  # only the sandbox's own /tmp
        assert [t for t in targets if t.exists()] == []
    finally:
        for target in targets:
            if target.is_file():
                target.unlink()


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_background_child_does_not_outlive_the_run(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    limits = ResourceLimits(1.0, 3.0, 256 << 20, 16 << 20, processes=4)
    result, output = run_program(
        sandbox, binaries, tmp_path, "background_child", language, limits=limits
    )
    assert result.status is RunStatus.OK and output == "parent done\n"
    assert worker_processes(sandbox) == []
    time.sleep(1.5)  # the daemon would have written by now
    listing = tmp_path / "listing.txt"
    ls = Process(argv=("/bin/ls", "-a", "/box", "/tmp"), limits=LIMITS, stdout="ls.txt")
    after = sandbox.run(RunRequest(processes=(ls,), files_out=(("ls.txt", str(listing)),)))
    assert after.processes[0].status is RunStatus.OK
    assert "late.txt" not in listing.read_text()


# --- nothing a run makes survives it -----------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_ipc_objects_do_not_survive_the_run(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    """SysV shared memory (charged to the slot), message queues, semaphores and
    POSIX message queues made by one run are gone in the next run of the same
    worker, and their memory is no longer charged (still_contained runs an
    honest program using most of the limit)."""
    made, output = run_program(
        sandbox, binaries, tmp_path, "ipc_objects", language, ("make", "160")
    )
    assert made.status is RunStatus.OK, (made, output)
    assert output.split() == ["shm", "MADE", "msg", "MADE", "sem", "MADE", "mq", "MADE"], output
    seen, output = run_program(sandbox, binaries, tmp_path, "ipc_objects", language, ("find",))
    assert seen.status is RunStatus.OK, (seen, output)
    assert output.splitlines() == [
        f"{kind} absent" for kind in ("shm", "msg", "sem", "mq", "sysvipc")
    ], output


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_clean_up_survives_any_tree(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    """A chain of 100 000 directories in the box and in /tmp, 20 000 files with
    odd names, mode-000 directories and a symlink loop: the run is judged (no
    sandbox error), the runner survives the clean-up (still_contained: same
    processes) and the next box and /tmp are empty."""
    limits = ResourceLimits(
        cpu_time_s=20.0, wall_time_s=60.0, memory_bytes=1 << 30, output_bytes=16 << 20
    )
    result, output = run_program(
        sandbox, binaries, tmp_path, "deep_tree", language, ("100000", "20000"), limits
    )
    assert result.status is RunStatus.OK and output == "built\n", (result, output)


# --- what a candidate can see ------------------------------------------------------------


def test_python_candidate_memory_holds_nothing_of_the_judge(sandbox: Box, tmp_path: Path) -> None:
    """A Python candidate reads its whole memory. Neither the host path of a file
    of its own request nor the stderr of an earlier run (where a checker may
    quote the expected answer) is there; a marker from its own source is (the
    scan works)."""
    path_marker = uuid.uuid4().hex
    answer_marker = uuid.uuid4().hex
    folder = tmp_path / f"hostpath{path_marker}"
    folder.mkdir()
    (folder / "input.txt").write_text("1 2\n")
    quoting = Process(
        argv=("/bin/sh", "-c", f"echo expectedanswer{answer_marker} >&2; exit 1"),
        limits=replace(LIMITS, processes=4),
        trusted=True,
    )
    earlier = sandbox.run(
        RunRequest(processes=(quoting,), files_in=(("input.txt", str(folder / "input.txt")),))
    )
    assert answer_marker in earlier.processes[0].stderr_tail
    scanner = Process(
        argv=(
            "python3",
            "prog.py",
            "hostpath",
            path_marker,
            "expectedanswer",
            answer_marker,
            "Read this process",
            "'s whole memory",
        ),
        limits=replace(LIMITS, cpu_time_s=10.0, wall_time_s=20.0),
        stdin="input.txt",
        stdout="out.txt",
        python=True,
    )
    out = tmp_path / "scan.txt"
    result = sandbox.run(
        RunRequest(
            processes=(scanner,),
            files_in=(
                ("prog.py", str(HOSTILE / "scan_memory.py")),
                ("input.txt", str(folder / "input.txt")),
            ),
            files_out=(("out.txt", str(out)),),
        )
    )
    assert result.processes[0].status is RunStatus.OK, result
    assert out.read_text().splitlines() == ["clean 0", "clean 1", "FOUND 2"]


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x86_64 system call numbers")
@pytest.mark.parametrize("language", LANGUAGES)
def test_syscalls_missing_from_the_allow_list_are_refused(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    """cachestat (451) and mseal (462), newer than the list, io_uring_setup (425),
    bpf (321), and numbers no kernel has (600, 1000) all fail with EPERM."""
    numbers = ("451", "462", "425", "321", "600", "1000")
    result, output = run_program(sandbox, binaries, tmp_path, "raw_syscall", language, numbers)
    assert result.status is RunStatus.OK, (result, output)
    assert output.splitlines() == [f"{number} EPERM" for number in numbers]


def test_judge_files_are_out_of_the_candidates_reach(sandbox: Box, tmp_path: Path) -> None:
    """While a trusted process (a validator) writes its logs and feedback, the
    candidate beside it can neither read nor write them nor list the feedback
    dir, and the FIFOs between them are not open to everyone."""
    validator = Process(
        argv=(
            "/bin/sh",
            "-c",
            "echo JUDGESECRET; echo JUDGESECRET >&2; "
            "echo JUDGESECRET > feedback/judgemessage.txt; sleep 1.5",
        ),
        limits=replace(LIMITS, processes=4),
        stdout="validator.out",
        stderr="validator.err",
        trusted=True,
    )
    spy = Process(
        argv=("python3", "prog.py", "m_to_u.fifo", "u_to_m.fifo"),
        limits=LIMITS,
        stdout="out.txt",
        python=True,
    )
    result = sandbox.run(
        RunRequest(
            processes=(validator, spy),
            files_in=(("prog.py", str(HOSTILE / "spy_judge_files.py")),),
            dirs=("feedback",),
            fifos=("m_to_u.fifo", "u_to_m.fifo"),
            files_out=(
                ("out.txt", str(tmp_path / "spy.txt")),
                ("validator.err", str(tmp_path / "validator.err")),
                ("validator.out", str(tmp_path / "validator.out")),
            ),
            dirs_out=(("feedback", str(tmp_path / "feedback")),),
        )
    )
    assert result.error is None and all(p.status is RunStatus.OK for p in result.processes)
    assert (tmp_path / "spy.txt").read_text().splitlines() == [
        "m_to_u.fifo 0o660",
        "u_to_m.fifo 0o660",
        "done",
    ]
    for name in ("validator.err", "validator.out", "feedback/judgemessage.txt"):
        assert (tmp_path / name).read_text() == "JUDGESECRET\n"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_host_name_mount_paths_or_runner_arguments(
    language: str, sandbox: Box, binaries: dict[str, Path], tmp_path: Path
) -> None:
    """The host name is neutral; the mount table names no host folder of the
    judge; pid 1 (the runner) and the parent are unreadable, and the program's
    own command line and environment are its own."""
    result, output = run_program(sandbox, binaries, tmp_path, "leaks", language)
    assert result.status is RunStatus.OK, (result, output)
    lines = output.splitlines()
    assert lines[0] == f"hostname {HOST_NAME}"
    assert lines[1] == "cmdline1 " and lines[2] == "cmdlineparent ", output
    hidden = [str(REPO), "cpsolve-sandbox", "--token", "--mount", "judge.sandbox", "/tmp/"]
    if base_python().startswith("/usr/"):
        hidden += ["/root", "/home", str(Path.home())]
    assert not [word for word in hidden if word in output], output

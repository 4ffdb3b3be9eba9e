"""LocalSandbox doing ordinary work: outputs, exit codes, signals, measured time
and memory, pipes and FIFOs between processes, compiling with g++ inside, trusted
files, a killed runner, and two workers in parallel processes. The pure pieces
(status priorities, the wire format) are tested without a sandbox."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from judge.sandbox import (
    LocalSandbox,
    Process,
    ProcessResult,
    ResourceLimits,
    RunRequest,
    RunResult,
    RunStatus,
    modes,
)
from judge.sandbox.local import MOUNT_DIR_PREFIX
from judge.sandbox.outcome import Ending, classify
from judge.sandbox.runner import candidate_uid, trusted_uid
from judge.sandbox.slot_server import encode_request
from judge.sandbox.wire import request_from_dict, request_to_dict, result_from_dict, result_to_dict

WORKER = 0
LIMITS = ResourceLimits(
    cpu_time_s=2.0, wall_time_s=10.0, memory_bytes=256 << 20, output_bytes=16 << 20
)
COMPILE_LIMITS = ResourceLimits(
    cpu_time_s=60.0,
    wall_time_s=120.0,
    memory_bytes=1 << 30,
    output_bytes=64 << 20,
    processes=32,
    open_files=256,
)
CPP_SOURCES = {
    "sum": '#include <cstdio>\nint main(){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);}\n',
    "exit3": "int main(){return 3;}\n",
    "segfault": "int main(){volatile int* p=nullptr; *p=1;}\n",
    "burn": (
        "#include <ctime>\n#include <cstdio>\nint main(){volatile long x=0;"
        'while(clock()<0.3*CLOCKS_PER_SEC)x=x+1;puts("burnt");}\n'
    ),
    # Closes its stdout and begins to exit (the main thread leaves), while a
    # second thread keeps the process alive 2 s more before exit code 3: a
    # crash whose pipe is closed before its end is reported.
    "close_then_linger": (
        "#include <pthread.h>\n#include <unistd.h>\n"
        "static void* linger(void*){usleep(2000000);_exit(3);}\n"
        "int main(){pthread_t t;pthread_create(&t,nullptr,linger,nullptr);"
        "close(1);pthread_exit(nullptr);}\n"
    ),
    "touch100mb": (
        "#include <cstdlib>\n#include <cstdio>\n"
        "int main(){size_t n=100u<<20;char*p=(char*)malloc(n);"
        'for(size_t i=0;i<n;i+=4096)p[i]=1;puts("ok");}\n'
    ),
}

AVAILABLE, WHY_NOT = LocalSandbox.available()
needs_sandbox = pytest.mark.skipif(not AVAILABLE, reason=WHY_NOT)
ROOTLESS = modes.choose()[0] == modes.ROOTLESS  # as an ordinary user (tests/test_rootless.py)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[LocalSandbox]:
    if not AVAILABLE:
        pytest.skip(WHY_NOT)
    with LocalSandbox(worker=WORKER) as box:
        yield box


def compile_cpp(sandbox: LocalSandbox, source: Path, binary: Path) -> RunResult:
    """g++ -O2 inside the sandbox; the binary is copied out to `binary`."""
    gpp = Process(
        argv=("/usr/bin/g++", "-O2", "-o", "prog", "prog.cpp"),
        limits=COMPILE_LIMITS,
        stderr="err.txt",
    )
    return sandbox.run(
        RunRequest(
            processes=(gpp,),
            files_in=(("prog.cpp", str(source)),),
            files_out=(("prog", str(binary)),),
        )
    )


@pytest.fixture(scope="module")
def binaries(sandbox: LocalSandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("sandbox-bin")
    built = {}
    for name, text in CPP_SOURCES.items():
        (out / f"{name}.cpp").write_text(text)
        result = compile_cpp(sandbox, out / f"{name}.cpp", out / name)
        assert result.error is None and result.processes[0].status is RunStatus.OK, result
        built[name] = out / name
    return built


def run_one(
    sandbox: LocalSandbox,
    tmp_path: Path,
    process: Process,
    files_in: tuple[tuple[str, str], ...] = (),
    stdin_text: str | None = None,
) -> tuple[RunResult, str]:
    """Run one process with stdout to out.txt; return the result and the stdout."""
    if stdin_text is not None:
        (tmp_path / "in.txt").write_text(stdin_text)
        files_in = (*files_in, ("in.txt", str(tmp_path / "in.txt")))
    out = tmp_path / "out.txt"
    out.unlink(missing_ok=True)
    result = sandbox.run(
        RunRequest(processes=(process,), files_in=files_in, files_out=(("out.txt", str(out)),))
    )
    return result, out.read_text() if out.exists() else ""


def python_process(
    tmp_path: Path,
    source: str,
    *args: str,
    stdin: str | None = None,
    stdout: str | None = None,
    env: tuple[tuple[str, str], ...] = (),
) -> tuple[Process, tuple[tuple[str, str], ...]]:
    """A zygote Python process for `source`, and the files_in that carry it."""
    script = tmp_path / "prog.py"
    script.write_text(source)
    argv = ("python3", "prog.py", *args)
    process = Process(argv=argv, limits=LIMITS, python=True, stdin=stdin, stdout=stdout, env=env)
    return process, (("prog.py", str(script)),)


@needs_sandbox
def test_cpp_program_ok_and_output_copied_out(
    sandbox: LocalSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    process = Process(argv=("./prog",), limits=LIMITS, stdin="in.txt", stdout="out.txt")
    result, output = run_one(
        sandbox, tmp_path, process, (("prog", str(binaries["sum"])),), "40 2\n"
    )
    assert result.error is None
    assert result.processes[0].status is RunStatus.OK and result.processes[0].exit_code == 0
    assert output == "42\n"


@needs_sandbox
def test_python_program_gets_stdin_argv_and_a_clean_environment(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    source = (
        "import os, sys\n"
        "print(sum(map(int, sys.stdin.read().split())), sys.argv[1:], os.getcwd(), os.getuid())\n"
        "print(sorted(os.environ))\n"
    )
    process, files = python_process(
        tmp_path, source, "a", "b", stdin="in.txt", stdout="out.txt", env=(("X", "1"),)
    )
    result, output = run_one(sandbox, tmp_path, process, files, "1 2 3\n")
    assert result.processes[0].status is RunStatus.OK, result
    first, second = output.splitlines()
    assert first == f"6 ['a', 'b'] /box {candidate_uid(WORKER)}"
    assert second == str(sorted(["HOME", "LANG", "PATH", "TMPDIR", "X"]))


@needs_sandbox
@pytest.mark.parametrize("language", ["cpp", "py"])
def test_exit_code_3_is_nonzero_exit(
    sandbox: LocalSandbox, binaries: dict[str, Path], tmp_path: Path, language: str
) -> None:
    if language == "cpp":
        process, files = (
            Process(argv=("./prog",), limits=LIMITS),
            (("prog", str(binaries["exit3"])),),
        )
    else:
        process, files = python_process(tmp_path, "import sys\nsys.exit(3)\n")
    result, _ = run_one(sandbox, tmp_path, process, files)
    assert result.processes[0].status is RunStatus.NONZERO_EXIT
    assert result.processes[0].exit_code == 3


@needs_sandbox
@pytest.mark.parametrize("language", ["cpp", "py"])
def test_segfault_is_signaled(
    sandbox: LocalSandbox, binaries: dict[str, Path], tmp_path: Path, language: str
) -> None:
    if language == "cpp":
        process, files = (
            Process(argv=("./prog",), limits=LIMITS),
            (("prog", str(binaries["segfault"])),),
        )
    else:
        process, files = python_process(
            tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n"
        )
    result, _ = run_one(sandbox, tmp_path, process, files)
    assert result.processes[0].status is RunStatus.SIGNALED
    assert result.processes[0].signal == signal.SIGSEGV


@needs_sandbox
@pytest.mark.parametrize("language", ["exec", "py"])
def test_only_stdio_descriptors_are_inherited(
    sandbox: LocalSandbox, tmp_path: Path, language: str
) -> None:
    if language == "exec":
        process, files = (
            Process(argv=("/bin/ls", "/proc/self/fd"), limits=LIMITS, stdout="out.txt"),
            (),
        )
    else:
        source = (
            "import os\nfor fd in sorted(os.listdir('/proc/self/fd'), key=int):\n    print(fd)\n"
        )
        process, files = python_process(tmp_path, source, stdout="out.txt")
    result, output = run_one(sandbox, tmp_path, process, files)
    assert result.processes[0].status is RunStatus.OK
    assert output.split() == ["0", "1", "2", "3"]  # 3: the listing's own directory fd


STATUS_PROBE = "echo $PATH; grep -E '^(Uid|SigBlk|SigIgn|NoNewPrivs|Seccomp):' /proc/self/status"
SIGPIPE_BIT = 1 << (signal.SIGPIPE - 1)


def status_fields(output: str) -> dict[str, str]:
    """The `Name:\tvalue` lines of /proc/self/status in `output`, by name."""
    fields = {}
    for line in output.splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = value.split()[0]
    return fields


@needs_sandbox
@pytest.mark.parametrize("trusted", [False, True])
def test_program_starts_clean_and_confined(
    sandbox: LocalSandbox, tmp_path: Path, trusted: bool
) -> None:
    """A bare name is looked up on the process's own PATH (not the runner's), and
    the program runs as its uid with no blocked signals, seccomp on, and SIGPIPE
    ignored only for trusted programs."""
    process = Process(
        argv=("sh", "-c", STATUS_PROBE),
        limits=dataclasses.replace(LIMITS, processes=4),
        stdout="out.txt",
        env=(("PATH", "/nowhere:/usr/bin:/bin"),),
        trusted=trusted,
    )
    result, output = run_one(sandbox, tmp_path, process)
    assert result.error is None and result.processes[0].status is RunStatus.OK, result
    assert output.splitlines()[0] == "/nowhere:/usr/bin:/bin"
    fields = status_fields(output)
    uid = trusted_uid(WORKER) if trusted else candidate_uid(WORKER)
    assert fields["Uid"] == str(uid)
    assert int(fields["SigBlk"], 16) == 0
    assert int(fields["SigIgn"], 16) == (SIGPIPE_BIT if trusted else 0)
    assert fields["NoNewPrivs"] == "1" and fields["Seccomp"] == "2"


@needs_sandbox
def test_program_missing_from_path_is_a_sandbox_error(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    process = Process(argv=("no-such-tool",), limits=LIMITS, env=(("PATH", "/usr/bin:/bin"),))
    result, _output = run_one(sandbox, tmp_path, process)
    assert result.processes[0].status is RunStatus.SANDBOX_ERROR
    assert "no-such-tool: No such file or directory" in result.processes[0].stderr_tail


@needs_sandbox
def test_python_waits_for_threads_and_flushes_unclosed_files(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    source = (
        "import threading, time\n"
        "log = open('log.txt', 'w')\n"
        "def late():\n    time.sleep(0.2)\n    print('from thread')\n    log.write('unclosed')\n"
        "threading.Thread(target=late).start()\n"
    )
    process, files = python_process(tmp_path, source, stdout="out.txt")
    threads_allowed = ResourceLimits(2.0, 10.0, 256 << 20, 1 << 20, processes=4)
    process = dataclasses.replace(process, limits=threads_allowed)
    result = sandbox.run(
        RunRequest(
            processes=(process,),
            files_in=files,
            files_out=(
                ("out.txt", str(tmp_path / "out.txt")),
                ("log.txt", str(tmp_path / "log.txt")),
            ),
        )
    )
    assert result.processes[0].status is RunStatus.OK, result
    assert (tmp_path / "out.txt").read_text() == "from thread\n"
    assert (tmp_path / "log.txt").read_text() == "unclosed"


@needs_sandbox
def test_python_exception_exits_1_with_traceback_tail(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    source = "import sys\nsys.stderr.write('e' * 10000)\nraise ValueError('boom')\n"
    process, files = python_process(tmp_path, source)
    result, _ = run_one(sandbox, tmp_path, process, files)
    ended = result.processes[0]
    assert ended.status is RunStatus.NONZERO_EXIT and ended.exit_code == 1
    assert ended.stderr_tail.endswith("ValueError: boom\n")
    assert len(ended.stderr_tail) <= 4096


@needs_sandbox
def test_cpu_time_is_measured(
    sandbox: LocalSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    process = Process(argv=("./prog",), limits=LIMITS, stdout="out.txt")
    result, output = run_one(sandbox, tmp_path, process, (("prog", str(binaries["burn"])),))
    ended = result.processes[0]
    assert ended.status is RunStatus.OK and output == "burnt\n"
    assert 0.29 <= ended.cpu_time_s <= 0.6
    assert ended.wall_time_s >= ended.cpu_time_s * 0.9


@needs_sandbox
def test_memory_peak_is_measured(
    sandbox: LocalSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    process = Process(argv=("./prog",), limits=LIMITS, stdout="out.txt")
    result, output = run_one(sandbox, tmp_path, process, (("prog", str(binaries["touch100mb"])),))
    ended = result.processes[0]
    assert ended.status is RunStatus.OK and output == "ok\n"
    assert 100 << 20 <= ended.memory_bytes <= 140 << 20


INTERACTOR = """
import sys
for i in range(1, 6):
    print(i, flush=True)
    reply = sys.stdin.readline()
    if reply.strip() != str(2 * i):
        open("feedback/verdict.txt", "w").write(f"wrong reply {reply!r} to {i}")
        sys.exit(43)
print(0, flush=True)
open("feedback/verdict.txt", "w").write("ok")
sys.exit(42)
"""
DOUBLER = """
import sys
for line in sys.stdin:
    if int(line) == 0:
        break
    print(2 * int(line), flush=True)
"""


@needs_sandbox
def test_two_processes_wired_by_pipes(sandbox: LocalSandbox, tmp_path: Path) -> None:
    (tmp_path / "interactor.py").write_text(INTERACTOR)
    (tmp_path / "doubler.py").write_text(DOUBLER)
    interactor = Process(
        argv=("python3", "interactor.py"),
        limits=LIMITS,
        python=True,
        trusted=True,
        stdin="pipe:up",
        stdout="pipe:down",
    )
    candidate = Process(
        argv=("python3", "doubler.py"),
        limits=LIMITS,
        python=True,
        stdin="pipe:down",
        stdout="pipe:up",
    )
    result = sandbox.run(
        RunRequest(
            processes=(interactor, candidate),
            files_in=(
                ("interactor.py", str(tmp_path / "interactor.py")),
                ("doubler.py", str(tmp_path / "doubler.py")),
            ),
            dirs=("feedback",),
            dirs_out=(("feedback", str(tmp_path / "feedback")),),
        )
    )
    assert result.error is None
    assert [p.exit_code for p in result.processes] == [42, 0]
    assert (tmp_path / "feedback" / "verdict.txt").read_text() == "ok"


@needs_sandbox
def test_a_process_already_exiting_when_its_peer_ends_ties_with_it(
    sandbox: LocalSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    """Which of two piped processes stopped first (an interactive verdict): one
    that had begun to exit when the other's end was seen (its pipe closed, the
    peer read EOF and left) shares the peer's end time, though its own end is
    reported 2 s later."""
    (tmp_path / "reader.py").write_text("import sys\nsys.stdin.read()\nsys.exit(43)\n")
    reader = Process(
        argv=("python3", "reader.py"),
        limits=LIMITS,
        python=True,
        trusted=True,
        stdin="pipe:out",
    )
    closer = Process(
        argv=("./prog",), limits=dataclasses.replace(LIMITS, processes=4), stdout="pipe:out"
    )
    result = sandbox.run(
        RunRequest(
            processes=(closer, reader),
            files_in=(
                ("prog", str(binaries["close_then_linger"])),
                ("reader.py", str(tmp_path / "reader.py")),
            ),
        )
    )
    assert result.error is None, result.error
    ended, read = result.processes
    assert (ended.exit_code, read.exit_code) == (3, 43)
    assert ended.wall_time_s >= 2.0 > read.wall_time_s
    assert ended.ended_s == read.ended_s


MANAGER = """
import sys
to_candidate = open(sys.argv[1], "w")
from_candidate = open(sys.argv[2])
to_candidate.write("7 5\\n")
to_candidate.flush()
print("sum", from_candidate.readline().strip())
"""
STUB = """
import sys
from_manager = open(sys.argv[1])
to_manager = open(sys.argv[2], "w")
a, b = map(int, from_manager.readline().split())
to_manager.write(f"{a + b}\\n")
"""


@needs_sandbox
def test_fifos_connect_a_manager_and_a_candidate(sandbox: LocalSandbox, tmp_path: Path) -> None:
    (tmp_path / "manager.py").write_text(MANAGER)
    (tmp_path / "stub.py").write_text(STUB)
    manager = Process(
        argv=("python3", "manager.py", "m2c", "c2m"),
        limits=LIMITS,
        python=True,
        trusted=True,
        stdout="out.txt",
    )
    stub = Process(argv=("python3", "stub.py", "m2c", "c2m"), limits=LIMITS, python=True)
    result = sandbox.run(
        RunRequest(
            processes=(manager, stub),
            files_in=(
                ("manager.py", str(tmp_path / "manager.py")),
                ("stub.py", str(tmp_path / "stub.py")),
            ),
            fifos=("m2c", "c2m"),
            files_out=(("out.txt", str(tmp_path / "out.txt")),),
        )
    )
    assert result.error is None
    assert [p.status for p in result.processes] == [RunStatus.OK, RunStatus.OK]
    assert (tmp_path / "out.txt").read_text() == "sum 12\n"


STDIO_STUB = """\
import sys
a, b = map(int, sys.stdin.readline().split())
print(a + b, flush=True)
"""


@needs_sandbox
def test_fifos_as_a_candidates_stdin_and_stdout(sandbox: LocalSandbox, tmp_path: Path) -> None:
    """CMS Communication wiring: the candidate reads and writes the FIFOs as its stdio
    while the manager opens them by name after it starts (this once deadlocked)."""
    (tmp_path / "manager.py").write_text(MANAGER)
    (tmp_path / "stub.py").write_text(STDIO_STUB)
    manager = Process(
        argv=("python3", "manager.py", "m2c", "c2m"),
        limits=LIMITS,
        python=True,
        trusted=True,
        stdout="out.txt",
    )
    stub = Process(
        argv=("python3", "stub.py"), limits=LIMITS, python=True, stdin="m2c", stdout="c2m"
    )
    result = sandbox.run(
        RunRequest(
            processes=(manager, stub),
            files_in=(
                ("manager.py", str(tmp_path / "manager.py")),
                ("stub.py", str(tmp_path / "stub.py")),
            ),
            fifos=("m2c", "c2m"),
            files_out=(("out.txt", str(tmp_path / "out.txt")),),
        )
    )
    assert result.error is None
    assert [p.status for p in result.processes] == [RunStatus.OK, RunStatus.OK]
    assert (tmp_path / "out.txt").read_text() == "sum 12\n"


@needs_sandbox
def test_trusted_files_are_hidden_from_candidates(sandbox: LocalSandbox, tmp_path: Path) -> None:
    (tmp_path / "answer.txt").write_text("the answer\n")
    for trusted, status, expected in (
        (False, RunStatus.NONZERO_EXIT, ""),
        (True, RunStatus.OK, "the answer\n"),
    ):
        cat = Process(
            argv=("/bin/cat", "answer.txt"), limits=LIMITS, stdout="out.txt", trusted=trusted
        )
        result = sandbox.run(
            RunRequest(
                processes=(cat,),
                trusted_files_in=(("answer.txt", str(tmp_path / "answer.txt")),),
                files_out=(("out.txt", str(tmp_path / f"out-{trusted}.txt")),),
            )
        )
        assert result.processes[0].status is status
        assert (tmp_path / f"out-{trusted}.txt").read_text() == expected


@needs_sandbox
def test_compile_error_reports_compiler_message(sandbox: LocalSandbox, tmp_path: Path) -> None:
    (tmp_path / "bad.cpp").write_text("int main() { return undefined_name; }\n")
    result = compile_cpp(sandbox, tmp_path / "bad.cpp", tmp_path / "bad")
    assert result.processes[0].status is RunStatus.NONZERO_EXIT
    assert "undefined_name" in result.processes[0].stderr_tail
    assert not (tmp_path / "bad").exists()


@needs_sandbox
def test_each_run_gets_a_fresh_box(sandbox: LocalSandbox, tmp_path: Path) -> None:
    touch = Process(argv=("/usr/bin/touch", "left.txt", "/tmp/left.txt"), limits=LIMITS)
    assert sandbox.run(RunRequest(processes=(touch,))).processes[0].status is RunStatus.OK
    ls = Process(argv=("/bin/ls", "-a", "/box", "/tmp"), limits=LIMITS, stdout="out.txt")
    result, output = run_one(sandbox, tmp_path, ls)
    assert result.processes[0].status is RunStatus.OK
    assert "left.txt" not in output and "out.txt" in output


@needs_sandbox
def test_a_box_root_a_run_changed_is_not_the_next_runs(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    """The box and /tmp of one run are the next run's only if it left them
    empty and unchanged (scratch.py): a root whose mode, times or flags a run
    changed (rootless, candidates own it) comes back as a fresh tmpfs would."""
    look = "stat -c '%a %Y' /box /tmp; lsattr -d /box /tmp 2>&1 | cut -c1-22; date +%s"
    limits = dataclasses.replace(LIMITS, processes=8)
    shell = Process(argv=("/bin/sh", "-c", look), limits=limits, stdout="out.txt")
    result, fresh = run_one(sandbox, tmp_path, shell)
    assert result.processes[0].status is RunStatus.OK, result
    change = "chmod 700 /box /tmp; touch -d 2001-01-01 /box /tmp; chattr +d /box /tmp"
    changer = Process(argv=("/bin/sh", "-c", change), limits=limits)
    assert sandbox.run(RunRequest(processes=(changer,))).error is None
    result, after = run_one(sandbox, tmp_path, shell)
    assert result.processes[0].status is RunStatus.OK, result
    modes_times, now = after.splitlines()[:2], int(after.splitlines()[-1])
    assert [line.split()[0] for line in modes_times] == ["1777", "1777"], after
    assert all(now - int(line.split()[1]) < 60 for line in modes_times), after
    assert after.splitlines()[2:4] == fresh.splitlines()[2:4], (fresh, after)


@needs_sandbox
def test_symlinks_in_the_box_are_not_followed_on_copy_out(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    secret = tmp_path / "host-secret.txt"
    secret.write_text("host secret\n")
    link = Process(argv=("/bin/ln", "-s", str(secret), "link.txt"), limits=LIMITS)
    result = sandbox.run(
        RunRequest(processes=(link,), files_out=(("link.txt", str(tmp_path / "copied.txt")),))
    )
    assert result.processes[0].status is RunStatus.OK
    assert not (tmp_path / "copied.txt").exists()


@needs_sandbox
def test_bad_requests_are_errors_not_runs(sandbox: LocalSandbox, tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    escaping = RunRequest(
        processes=(Process(argv=("/bin/true",), limits=LIMITS),),
        files_in=(("../x", str(tmp_path / "x")),),
    )
    assert "bad box file name" in (sandbox.run(escaping).error or "")
    unmatched = RunRequest(
        processes=(Process(argv=("/bin/true",), limits=LIMITS, stdout="pipe:nowhere"),)
    )
    assert "pipes" in (sandbox.run(unmatched).error or "")
    missing = RunRequest(processes=(Process(argv=("./absent",), limits=LIMITS),))
    failed = sandbox.run(missing)
    assert failed.processes[0].status is RunStatus.SANDBOX_ERROR and "absent" in (
        failed.error or ""
    )


@needs_sandbox
def test_killed_runner_is_replaced_and_its_run_made_again(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    """A runner that dies mid-run (here: killed from outside) is replaced and the
    run is made again on the new one: a result, not a judge error."""
    sleeper = Process(
        argv=("/bin/sh", "-c", "sleep 1.5; echo slept"),
        limits=ResourceLimits(2.0, 30.0, 64 << 20, 1 << 20, processes=4),
        stdout="out.txt",
    )
    out = tmp_path / "slept.txt"
    request = RunRequest(processes=(sleeper,), files_out=(("out.txt", str(out)),))
    results: list[RunResult] = []
    thread = threading.Thread(target=lambda: results.append(sandbox.run(request)))
    old_pid = sandbox.runner_pid
    assert old_pid is not None
    thread.start()
    time.sleep(0.5)
    os.kill(old_pid, signal.SIGKILL)
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert results[0].error is None and results[0].processes[0].status is RunStatus.OK
    assert out.read_text() == "slept\n"
    assert sandbox.runner_pid not in (None, old_pid)
    result, output = run_one(
        sandbox, tmp_path, Process(argv=("/bin/echo", "back"), limits=LIMITS, stdout="out.txt")
    )
    assert result.processes[0].status is RunStatus.OK and output == "back\n"


def slot_servers(sandbox: LocalSandbox) -> list[int]:
    """Host pids of the sandbox's slot servers: the runner's children run as root
    (rootless: in the runner's user namespace)."""
    unshare = sandbox.runner_pid
    assert unshare is not None
    [runner] = Path(f"/proc/{unshare}/task/{unshare}/children").read_text().split()
    children = Path(f"/proc/{runner}/task/{runner}/children").read_text().split()
    if ROOTLESS:
        users = os.readlink(f"/proc/{runner}/ns/user")
        return [int(pid) for pid in children if os.readlink(f"/proc/{pid}/ns/user") == users]
    return [int(pid) for pid in children if Path(f"/proc/{pid}").stat().st_uid == 0]


@needs_sandbox
@pytest.mark.skipif(ROOTLESS, reason="rootless: no cgroups (judge.sandbox.modes)")
def test_programs_are_born_in_their_slot_cgroups(sandbox: LocalSandbox, tmp_path: Path) -> None:
    """Programs started by the slot server run inside the slot's cgroups and are
    the runner's children (CLONE_PARENT), not the server's."""
    probe = Process(
        argv=("/bin/sh", "-c", "cat /proc/self/cgroup; echo ppid $PPID"),
        limits=dataclasses.replace(LIMITS, processes=4),
        stdout="out.txt",
    )
    result, output = run_one(sandbox, tmp_path, probe)
    assert result.processes[0].status is RunStatus.OK, result
    *cgroup_lines, ppid_line = output.splitlines()
    for controller in ("memory", "pids", "cpuacct"):
        [line] = [x for x in cgroup_lines if controller in x.split(":")[1].split(",")]
        assert "/cpsolve/w0-" in line and line.endswith("/p0"), line
    assert ppid_line == "ppid 1"  # the runner is pid 1 of the sandbox's namespace


def gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie or reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


@needs_sandbox
def test_a_killed_slot_server_is_replaced(sandbox: LocalSandbox, tmp_path: Path) -> None:
    echo = Process(argv=("/bin/echo", "first"), limits=LIMITS, stdout="out.txt")
    assert run_one(sandbox, tmp_path, echo)[1] == "first\n"
    servers = slot_servers(sandbox)
    assert servers
    for server in servers:
        os.kill(server, signal.SIGKILL)
    for server in servers:  # SIGKILL is asynchronous: wait until each is dead
        deadline = time.monotonic() + 10
        while not gone(server) and time.monotonic() < deadline:
            time.sleep(0.01)
    echo = Process(argv=("/bin/echo", "again"), limits=LIMITS, stdout="out.txt")
    result, output = run_one(sandbox, tmp_path, echo)
    assert result.error is None, result.error
    assert result.processes[0].status is RunStatus.OK and output == "again\n", result
    replaced = slot_servers(sandbox)
    assert replaced and not set(replaced) & set(servers)


def test_server_requests_are_checked() -> None:
    message = encode_request(("./prog", "x"), {"PATH": "/bin"}, 60000, {0: (2, 3)}, False)
    header = struct.unpack_from("<6I", message)
    assert header == (60000, 0, 1, 2, 1, 0)
    assert struct.unpack_from("<3Q", message, 24) == (0, 2, 3)
    assert message[48:] == b"./prog\0x\0PATH=/bin\0"
    hiding = encode_request(("./prog",), {}, 1, {}, False, (("F", "/box/a"), ("D", "/box/f")))
    assert struct.unpack_from("<6I", hiding)[5] == 2
    assert hiding.endswith(b"./prog\0F/box/a\0D/box/f\0")
    with pytest.raises(ValueError, match="F or D"):
        encode_request(("./prog",), {}, 1, {}, False, (("X", "/box/a"),))
    with pytest.raises(ValueError, match="NUL"):
        encode_request(("a\0b",), {}, 1, {}, False)
    with pytest.raises(ValueError, match="argv"):
        encode_request((), {}, 1, {}, False)


def run_in_worker(worker: int, script: str) -> tuple[str, float]:
    """In a fresh process: start worker `worker`'s sandbox and run `script` in it;
    returns its stdout and CPU time."""
    with LocalSandbox(worker=worker) as box:
        temp = Path(f"/tmp/cpsolve-test-parallel-{os.getpid()}")
        temp.mkdir()
        try:
            (temp / "prog.py").write_text(script)
            process = Process(
                argv=("python3", "prog.py"), limits=LIMITS, python=True, stdout="out.txt"
            )
            result = box.run(
                RunRequest(
                    processes=(process,),
                    files_in=(("prog.py", str(temp / "prog.py")),),
                    files_out=(("out.txt", str(temp / "out.txt")),),
                )
            )
            return (temp / "out.txt").read_text(), result.processes[0].cpu_time_s
        finally:
            for entry in temp.iterdir():
                entry.unlink()
            temp.rmdir()


@needs_sandbox
@pytest.mark.slow
def test_two_workers_run_in_parallel_processes() -> None:
    script = "import os\nx = 0\nfor i in range(3_000_000):\n    x += i\nprint(os.getuid(), x)\n"
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(run_in_worker, worker, script) for worker in (2, 3)]
        outputs = [future.result(timeout=120) for future in futures]
    expected_sum = sum(range(3_000_000))
    assert [out for out, _ in outputs] == [f"{candidate_uid(w)} {expected_sum}\n" for w in (2, 3)]
    assert all(cpu > 0.05 for _, cpu in outputs)


def test_status_priorities() -> None:
    limits = ResourceLimits(
        cpu_time_s=1.0, wall_time_s=3.0, memory_bytes=1 << 20, output_bytes=1 << 20
    )
    base = Ending(
        exit_code=0,
        signal=None,
        cpu_time_s=0.5,
        oom_killed=False,
        wall_killed=False,
        setup_error=None,
    )
    cases = [
        (base, RunStatus.OK),
        (Ending(1, None, 0.5, False, False, None), RunStatus.NONZERO_EXIT),
        (Ending(None, signal.SIGSEGV, 0.5, False, False, None), RunStatus.SIGNALED),
        (Ending(None, signal.SIGXFSZ, 0.5, False, False, None), RunStatus.OUTPUT_LIMIT),
        (Ending(None, signal.SIGKILL, 0.1, False, True, None), RunStatus.WALL_LIMIT),
        (Ending(None, signal.SIGKILL, 1.2, False, True, None), RunStatus.TIME_LIMIT),
        (Ending(0, None, 1.01, False, False, None), RunStatus.TIME_LIMIT),
        (Ending(None, signal.SIGXCPU, 0.9, False, False, None), RunStatus.TIME_LIMIT),
        (Ending(None, signal.SIGKILL, 1.5, True, True, None), RunStatus.MEMORY_LIMIT),
        (Ending(127, None, 0.0, False, False, "exec failed"), RunStatus.SANDBOX_ERROR),
    ]
    assert [classify(limits, ending) for ending, _ in cases] == [status for _, status in cases]


def test_wire_round_trip() -> None:
    process = Process(
        argv=("python3", "a.py"),
        limits=LIMITS,
        stdin="pipe:x",
        stdout="pipe:y",
        python=True,
        env=(("A", "1"),),
    )
    request = RunRequest(
        processes=(process,), files_in=(("a.py", "/tmp/a.py"),), fifos=("f",), dirs=("d",)
    )
    assert request_from_dict(request_to_dict(request)) == request
    result = RunResult(
        processes=(ProcessResult(RunStatus.TIME_LIMIT, None, 9, 1.5, 2.0, 1024, "tail"),),
        error=None,
    )
    assert result_from_dict(result_to_dict(result)) == result


KILLED_JUDGE = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from judge.sandbox import LocalSandbox
sandbox = LocalSandbox(worker=7)
print(sandbox._mount_dir, sandbox.runner_pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@needs_sandbox
def test_a_killed_judges_mount_folder_is_removed_by_the_next_sandbox(tmp_path: Path) -> None:
    """A judge killed with SIGKILL leaves its empty mount folder in /tmp; the next
    sandbox started removes it, but never a live process's folder or a non-empty one."""
    repo = Path(__file__).resolve().parents[1]
    child = subprocess.run(
        [sys.executable, "-c", KILLED_JUDGE, str(repo)], capture_output=True, text=True
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    folder, runner = child.stdout.split()
    left = Path(folder)
    live = Path(tempfile.mkdtemp(prefix=f"{MOUNT_DIR_PREFIX}{os.getpid()}-w9-"))
    dead_but_full = Path(tempfile.mkdtemp(prefix=f"{MOUNT_DIR_PREFIX}{2**22 + 1}-w9-"))
    (dead_but_full / "kept").write_text("")
    try:
        assert left.is_dir() and "-w7-" in left.name
        with LocalSandbox(worker=8) as fresh:
            assert fresh._mount_dir.is_dir()
        assert not left.exists()
        assert live.is_dir() and dead_but_full.is_dir()
    finally:
        with contextlib.suppress(ProcessLookupError):  # it ends at its stdin's EOF
            os.kill(int(runner), signal.SIGKILL)
        live.rmdir()
        (dead_but_full / "kept").unlink()
        dead_but_full.rmdir()

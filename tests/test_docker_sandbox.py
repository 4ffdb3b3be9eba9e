"""The Docker backend (judge.sandbox.docker_backend) against the local sandbox.

When no Docker daemon answers, the module starts one itself (`dockerd` with a
private socket, data root and no bridge, stopped by pid at the end); it skips,
saying why, only where Docker cannot run at all (no `dockerd`, not root, or the
daemon does not come up). Programs judged in Docker must get the local sandbox's
verdicts, and hostile programs must be contained there too."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from judge.sandbox import (
    LocalSandbox,
    Process,
    ProcessResult,
    ResourceLimits,
    RunRequest,
    RunStatus,
    docker_backend,
    modes,
)
from judge.sandbox.docker_backend import DockerSandbox

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "hostile"
EXAMPLES = REPO / "problems" / "examples"
CPSOLVE = Path(sys.executable).parent / "cpsolve"
WORKER = 5
DAEMON_START_S = 90.0
LIMITS = ResourceLimits(
    cpu_time_s=1.0, wall_time_s=20.0, memory_bytes=256 << 20, output_bytes=16 << 20
)
"""A generous wall clock: a loaded machine must not turn an honest run into WALL_LIMIT."""
CPU_BOUND = LIMITS
COMPILE_LIMITS = ResourceLimits(
    cpu_time_s=60.0,
    wall_time_s=120.0,
    memory_bytes=1 << 30,
    output_bytes=64 << 20,
    processes=32,
    open_files=256,
)
ROW = re.compile(r"^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+ \S+(?: \(\S+\))?)\s+(agree|DISAGREE)")


def _start_dockerd(root: Path) -> tuple[subprocess.Popen[bytes] | None, str]:
    """Start a private dockerd under `root`; (process, "") or (None, why not)."""
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        return None, "no Docker daemon answers and dockerd is not installed (apt: docker.io)"
    if os.geteuid() != 0:
        return None, "no Docker daemon answers and starting dockerd needs root"
    log = open(root / "dockerd.log", "wb")  # noqa: SIM115 - closed with the daemon
    daemon = subprocess.Popen(
        [
            dockerd,
            f"--host=unix://{root / 'docker.sock'}",
            f"--data-root={root / 'data'}",
            f"--exec-root={root / 'exec'}",
            f"--pidfile={root / 'docker.pid'}",
            "--bridge=none",
            "--iptables=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    os.environ["DOCKER_HOST"] = f"unix://{root / 'docker.sock'}"
    deadline = time.monotonic() + DAEMON_START_S
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            break
        if docker_backend.available()[0]:
            return daemon, ""
        time.sleep(0.5)
    _stop(daemon)
    tail = (root / "dockerd.log").read_text(errors="replace")[-500:]
    return None, f"dockerd did not come up: {tail}"


def _stop(daemon: subprocess.Popen[bytes]) -> None:
    """Stop our dockerd by its pid (SIGTERM, then SIGKILL)."""
    if daemon.poll() is None:
        daemon.terminate()
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


@pytest.fixture(scope="module")
def docker_daemon() -> Iterator[None]:
    """A Docker daemon that answers: the user's, or one this module starts."""
    if docker_backend.available()[0]:
        yield
        return
    saved = os.environ.get("DOCKER_HOST")
    root = Path(tempfile.mkdtemp(prefix="cpsolve-dockerd-"))
    daemon, why_not = _start_dockerd(root)
    try:
        if daemon is None:
            pytest.skip(f"Docker cannot run here: {why_not}")
        yield
    finally:
        if daemon is not None:
            _stop(daemon)
        if saved is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = saved
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def docker_box(docker_daemon: None) -> Iterator[DockerSandbox]:
    with DockerSandbox(worker=WORKER) as box:
        yield box


@pytest.fixture(scope="module")
def binaries(
    docker_box: DockerSandbox, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The hostile C++ programs these tests run, compiled with g++ in Docker."""
    out = tmp_path_factory.mktemp("docker-bin")
    built: dict[str, Path] = {}
    for name in ("fork_bomb", "socket_connect", "write_outside", "touch_memory", "alloc_8gb"):
        compile_gpp = Process(
            argv=("/usr/bin/g++", "-O2", "-o", "prog", "prog.cpp"),
            limits=COMPILE_LIMITS,
            stderr="err.txt",
        )
        result = docker_box.run(
            RunRequest(
                processes=(compile_gpp,),
                files_in=(("prog.cpp", str(HOSTILE / f"{name}.cpp")),),
                files_out=(("prog", str(out / name)),),
            )
        )
        assert result.error is None and result.processes[0].status is RunStatus.OK, result
        built[name] = out / name
    return built


def run_program(
    sandbox: DockerSandbox | LocalSandbox,
    binaries: dict[str, Path],
    tmp_path: Path,
    name: str,
    language: str,
    args: tuple[str, ...] = (),
    limits: ResourceLimits = LIMITS,
) -> tuple[ProcessResult, str]:
    """Run hostile program `name`; the result and its stdout ("" if none)."""
    stdout_host = tmp_path / f"{name}-{language}-{uuid.uuid4().hex}.out"
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


def test_no_docker_is_one_clear_error_in_seconds(tmp_path: Path) -> None:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path / 'absent.sock'}"}
    started = time.monotonic()
    done = subprocess.run(
        [str(CPSOLVE), "check", str(EXAMPLES / "pairsum"), "--sandbox", "docker", "-q"]
        + ["--cache", str(tmp_path / "cache"), "--workers", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Docker daemon answers" in lines[0], done.stderr
    assert time.monotonic() - started < 60


def test_the_image_tag_follows_the_judge_code() -> None:
    first = docker_backend.build_context()[1]
    assert first == docker_backend.build_context()[1]
    assert first.startswith(f"{docker_backend.IMAGE_REPOSITORY}:")


@pytest.mark.parametrize("language", ("cpp", "py"))
def test_honest_program_output_and_memory(
    language: str, docker_box: DockerSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    name = "touch_memory"
    result, output = run_program(docker_box, binaries, tmp_path, name, language, ("100",))
    assert result.status is RunStatus.OK, result
    assert "touched" in output
    assert result.memory_bytes >= 100 << 20


@pytest.mark.slow
@pytest.mark.parametrize("language", ("cpp", "py"))
@pytest.mark.parametrize(
    ("name", "args", "limits"),
    [
        ("touch_memory", ("100",), LIMITS),  # AC
        ("touch_memory", ("400",), LIMITS),  # MLE
        ("alloc_8gb", (), LIMITS),  # MLE
    ],
    ids=["ok", "mle-touch", "mle-8gb"],
)
def test_same_status_as_the_local_sandbox(
    name: str,
    args: tuple[str, ...],
    limits: ResourceLimits,
    language: str,
    docker_box: DockerSandbox,
    binaries: dict[str, Path],
    tmp_path: Path,
) -> None:
    """The rootless local runner is the one Docker runs (see docker_backend)."""
    in_docker, _ = run_program(docker_box, binaries, tmp_path, name, language, args, limits)
    with LocalSandbox(worker=WORKER, mode=modes.ROOTLESS) as local:
        here, _ = run_program(local, binaries, tmp_path, name, language, args, limits)
    assert in_docker.status is here.status, (in_docker, here)


@pytest.mark.parametrize("language", ("cpp", "py"))
def test_no_network(
    language: str, docker_box: DockerSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        result, output = run_program(
            docker_box, binaries, tmp_path, "socket_connect", language, (str(port),)
        )
        assert result.status is RunStatus.OK
        assert "denied" in output and "CONNECTED" not in output, output
        server.settimeout(0.3)
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()


@pytest.mark.parametrize("language", ("cpp", "py"))
def test_cannot_write_outside_the_box(
    language: str, docker_box: DockerSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    name = f"cpsolve-pwned-{uuid.uuid4().hex}"
    targets = [Path("/tmp") / name, REPO / name, Path("/usr") / name, Path("/") / name]
    targets += [Path("/xfer") / name, Path("/xfer/out") / name, Path.home() / name]
    try:
        result, output = run_program(
            docker_box, binaries, tmp_path, "write_outside", language, tuple(map(str, targets))
        )
        assert result.status is RunStatus.OK
        wrote = {line.split()[0] for line in output.splitlines() if line.endswith("WROTE")}
        assert wrote <= {str(Path("/tmp") / name)}, output  # only the sandbox's own /tmp
        assert [t for t in targets if t.exists()] == []
        assert not [p for p in docker_box.exchange.root.rglob("*") if p.name == name]
    finally:
        for target in targets:
            if target.is_file():
                target.unlink()


@pytest.mark.slow
@pytest.mark.parametrize("language", ("cpp", "py"))
def test_fork_bomb_is_contained_and_the_box_still_works(
    language: str, docker_box: DockerSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    limits = replace(CPU_BOUND, processes=8)
    result, _ = run_program(docker_box, binaries, tmp_path, "fork_bomb", language, (), limits)
    assert result.status in {RunStatus.TIME_LIMIT, RunStatus.WALL_LIMIT}, result
    after, output = run_program(docker_box, binaries, tmp_path, "touch_memory", language, ("8",))
    assert after.status is RunStatus.OK and "touched" in output


def _verdicts(output: str) -> dict[tuple[str, str], str]:
    """(problem, submission) -> the `got` column of `cpsolve check`'s table."""
    rows = {}
    for line in output.splitlines():
        match = ROW.match(line)
        if match:
            rows[(match.group(1), match.group(2))] = match.group(5)
    return rows


@pytest.mark.slow
def test_check_gives_the_local_verdicts(docker_daemon: None, tmp_path: Path) -> None:
    """`cpsolve check` on example problems (AC, WA, RE, TLE in C++ and Python):
    the same per-submission verdicts and summary line in Docker as locally."""
    problems = [str(EXAMPLES / name) for name in ("pairsum", "taller")]
    outputs = {}
    for sandbox in ("local", "docker"):
        done = subprocess.run(
            [str(CPSOLVE), "check", *problems, "--sandbox", sandbox, "-q"]
            + ["--cache", str(tmp_path / sandbox)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs[sandbox] = done.stdout
    local, docker = (_verdicts(outputs[s]) for s in ("local", "docker"))
    assert len(local) >= 8 and local == docker, (outputs["local"], outputs["docker"])
    summary = [re.findall(r"\d+ agree, \d+ disagree", outputs[s]) for s in ("local", "docker")]
    assert summary[0] and summary[0] == summary[1]


@pytest.mark.parametrize("what", ("runner", "container"))
def test_a_dead_runner_or_container_is_replaced(
    what: str, docker_box: DockerSandbox, binaries: dict[str, Path], tmp_path: Path
) -> None:
    if what == "runner":
        docker_box.container.exec_run(["/usr/bin/kill", "-KILL", "-1"])
    else:
        docker_box.container.remove(force=True)
    result, output = run_program(docker_box, binaries, tmp_path, "touch_memory", "cpp", ("8",))
    assert result.status is RunStatus.OK and "touched" in output
    assert docker_box.container.status in ("created", "running")

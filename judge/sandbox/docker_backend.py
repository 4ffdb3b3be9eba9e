"""DockerSandbox: the sandbox of one worker in a long-lived Docker container.

One container per worker, started once (`--network none --read-only --cap-drop
ALL --pids-limit --memory --security-opt no-new-privileges`, a tmpfs for the box
and /tmp, an unprivileged user) and driven through ONE long-lived `docker exec`
pipe that runs the local runner (judge/sandbox/runner.py) with the same JSON-lines
protocol (judge/sandbox/wire.py): never a `docker run` per test.

The image (`cpsolve-judge:<hash>`) is built from judge/sandbox/docker/Dockerfile
on first use, from a scratch base: nothing is pulled from a registry. It holds an
empty skeleton plus this cpsolve's `judge` and `problems` packages and pyseccomp;
the host's toolchain (/usr, the /bin, /lib... links or dirs, the /etc files the
sandbox root uses, and the Python installation when it is not under /usr) is
bound read-only into the container when it starts, so candidates compile and run
with the local sandbox's very compilers and interpreters.

Inside the container the runner runs in the rootless mode (judge.sandbox.modes):
with every capability dropped it is root only of user namespaces of its own, so
it still gets its net/mount/ipc/uts/pid namespaces, chroot into a minimal root,
fresh tmpfs per run, rlimits and its seccomp allow-list for every program, and
measures memory as the rootless mode does (RSS polling; Docker's cgroup of the
container is not writable from inside). The container's own limits (memory,
pids) are a backstop around it, per worker, since one container serves one run
at a time. Creating user namespaces needs two options besides the ones above:
`seccomp=unconfined` (Docker's default profile refuses unshare/clone of
namespaces without CAP_SYS_ADMIN; the runner's own allow-list, stricter than
Docker's, confines every program it starts) and `systempaths=unconfined` (a
fresh /proc cannot be mounted in a user namespace while Docker masks parts of
the container's). The container never runs as uid 0: the host user's uid, or
nobody (65534) for root (uid 0 without capabilities cannot map itself into a
user namespace).

Files travel through an exchange folder on the host, bound at /xfer: each run's
inputs are linked or copied into it and its outputs copied back out to the host
paths the request names (regular files only), so requests keep using host paths."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import select
import shlex
import shutil
import socket
import stat
import tarfile
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from judge.languages import base_python
from judge.sandbox import attempt, modes
from judge.sandbox.api import RunRequest, RunResult
from judge.sandbox.local import RUNNER_BOOTSTRAP, SandboxUnavailable
from judge.sandbox.mounts import ETC_FILES, ETC_GLOBS, TOP_LEVEL
from judge.sandbox.stale import orphaned_folders

IMAGE_REPOSITORY = "cpsolve-judge"
DOCKERFILE = Path(__file__).resolve().parent / "docker" / "Dockerfile"
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
PACKAGES = ("judge", "problems")
IMAGE_ROOT = "/opt/cpsolve"
IMAGE_LIB = "/opt/cpsolve/lib"
NOBODY = 65534
XFER = "/xfer"
EXCHANGE_PREFIX = "cpsolve-docker-"
RUNNER_MOUNT = "/box/root"
LABEL = "cpsolve.judge"
LABEL_OWNER = "cpsolve.owner"
DEFAULT_TMPFS_BYTES = 2 * 1024**3
DEFAULT_PIDS = 1024
MEMORY_ENV = "CPSOLVE_DOCKER_MEMORY"
PING_TIMEOUT_S = 5
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
API_TIMEOUT_S = 120
STARTUP_TIMEOUT_S = 60.0
CONTAINER_LIMITS = (
    "container: --network none --read-only --cap-drop ALL --security-opt no-new-privileges",
    "container: memory and pids limits per worker (a backstop around the runner's)",
)
STREAM_STDOUT = 1
FRAME_HEADER = 8
STDERR_TAIL = 4096


def _client() -> Any:
    """A Docker API client from the environment ($DOCKER_HOST or the default
    socket); SandboxUnavailable, in seconds, when none answers."""
    try:
        import docker
        import docker.errors
    except ImportError as error:
        raise SandboxUnavailable(f"--sandbox docker needs the Docker SDK: {error}") from error
    try:
        client = docker.from_env(timeout=API_TIMEOUT_S)
        client.api.timeout = PING_TIMEOUT_S
        client.ping()
        client.api.timeout = API_TIMEOUT_S
    except docker.errors.DockerException as error:
        where = os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST
        raise SandboxUnavailable(
            f"--sandbox docker: no Docker daemon answers at {where} (set $DOCKER_HOST, "
            f"or start dockerd): {error}"
        ) from error
    return client


def available() -> tuple[bool, str]:
    """Whether a Docker daemon answers here, and if not, why."""
    try:
        _client().close()
    except SandboxUnavailable as error:
        return False, str(error)
    return True, "ok"


def container_user() -> tuple[int, int]:
    """The (uid, gid) the container runs as: the host user's, or nobody for root."""
    if os.geteuid() == 0:
        return NOBODY, NOBODY
    return os.geteuid(), os.getegid()


def _image_files() -> list[tuple[str, Path]]:
    """(path in the image, host file) of the Python code the runner imports."""
    files: list[tuple[str, Path]] = []
    for package in PACKAGES:
        for source in sorted((PACKAGE_PARENT / package).rglob("*")):
            relative = source.relative_to(PACKAGE_PARENT)
            if "examples" in relative.parts or "__pycache__" in relative.parts:
                continue
            if source.is_file() and source.suffix in (".py", ".c", ".h"):
                files.append((f"{IMAGE_ROOT}/{relative}", source))
    import pyseccomp

    files.append((f"{IMAGE_LIB}/pyseccomp.py", Path(pyseccomp.__file__)))
    return files


def _skeleton() -> list[tuple[str, str]]:
    """(path, symlink target or "") of the image's skeleton: a dir or link per host
    top-level toolchain entry, and the mount points of the container."""
    entries: list[tuple[str, str]] = []
    for name in TOP_LEVEL:
        host = Path("/") / name
        if host.is_symlink():
            entries.append((name, os.readlink(host)))
        elif host.is_dir():
            entries.append((name, ""))
    for name in ("etc", "box", "tmp", "proc", "dev", "sys", "xfer", "run", "opt"):
        entries.append((name, ""))
    return entries


def _tar_rootfs() -> bytes:
    """rootfs.tar: the skeleton, /etc/passwd and /etc/group, and the code."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:

        def add(name: str, data: bytes | None = None, link: str = "", mode: int = 0o755) -> None:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if link:
                info.type, info.linkname = tarfile.SYMTYPE, link
            elif data is None:
                info.type = tarfile.DIRTYPE
            else:
                info.size = len(data)
            info.mode = mode
            tar.addfile(info, io.BytesIO(data) if data is not None else None)

        for name, link in _skeleton():
            # the tmpfs mounted on /box and /tmp takes the mode of the image's dir
            add(name, link=link, mode=0o1777 if name in ("box", "tmp") else 0o755)
        uid, gid = container_user()
        add("etc/passwd", f"root:x:0:0::/:/bin/sh\nsandbox:x:{uid}:{gid}::/:/bin/sh\n".encode())
        add("etc/group", f"root:x:0:\nsandbox:x:{gid}:\n".encode(), mode=0o644)
        made: set[str] = set()
        for target, host in _image_files():
            parts = target.strip("/").split("/")
            for depth in range(1, len(parts)):
                folder = "/".join(parts[:depth])
                if folder not in made and folder != "opt":
                    made.add(folder)
                    add(folder)
            add(target.strip("/"), host.read_bytes(), mode=0o644)
    return buffer.getvalue()


def build_context() -> tuple[bytes, str]:
    """(the build context as a tar, the image tag): the Dockerfile and rootfs.tar;
    the tag is a hash of both, so any change of the judge makes a new image."""
    rootfs = _tar_rootfs()
    dockerfile = DOCKERFILE.read_bytes()
    digest = hashlib.sha256(dockerfile + rootfs).hexdigest()[:16]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("Dockerfile", dockerfile), ("rootfs.tar", rootfs)):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), f"{IMAGE_REPOSITORY}:{digest}"


def ensure_image(client: Any) -> str:
    """The judge image's tag, built now if this daemon lacks it."""
    import docker.errors

    context, tag = build_context()
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        try:
            client.images.build(
                fileobj=io.BytesIO(context), custom_context=True, tag=tag, rm=True, pull=False
            )
        except (docker.errors.BuildError, docker.errors.APIError) as error:
            raise SandboxUnavailable(f"building the judge image {tag} failed: {error}") from error
    return tag


def prepare() -> tuple[str, ...]:
    """Check, in seconds, that a Docker daemon answers (SandboxUnavailable saying why
    not), build the judge image if it is missing (once, before the workers start
    their containers) and return the limits in force inside the containers."""
    client = _client()
    try:
        remove_stale_containers(client)
        remove_stale_exchanges()
        ensure_image(client)
    finally:
        client.close()
    return (*modes.LIMITS_IN_FORCE[modes.ROOTLESS], *CONTAINER_LIMITS)


def toolchain_binds() -> dict[str, dict[str, str]]:
    """The host folders and files bound read-only into the container: the toolchain
    the sandbox root is made of (see judge.sandbox.mounts) and the interpreter."""
    paths: list[Path] = []
    for name in TOP_LEVEL:
        host = Path("/") / name
        if host.is_dir() and not host.is_symlink():
            paths.append(host)
    etc = Path("/etc")
    paths += [etc / name for name in ETC_FILES if (etc / name).exists()]
    for pattern in ETC_GLOBS:
        paths += sorted(etc.glob(pattern))
    python_home = Path(base_python()).parents[1]
    for home in (python_home, python_home.resolve()):
        if not any(home == p or p in home.parents for p in paths):
            paths.append(home)
    return {str(p): {"bind": str(p), "mode": "ro"} for p in paths}


def default_memory_bytes() -> int:
    """The container's memory limit (a backstop per worker): $CPSOLVE_DOCKER_MEMORY
    bytes, or half the machine's memory."""
    configured = os.environ.get(MEMORY_ENV)
    if configured:
        return int(configured)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def remove_stale_containers(client: Any) -> None:
    """Remove judge containers whose owning process (on this host) has ended."""
    import docker.errors

    for container in client.containers.list(all=True, filters={"label": LABEL}):
        owner = container.labels.get(LABEL_OWNER, "")
        host, _, pid = owner.partition(":")
        if host != os.uname().nodename or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True)
        except PermissionError:
            continue


def remove_stale_exchanges() -> None:
    """Delete this user's exchange folders whose owning process has ended."""
    for folder in orphaned_folders(EXCHANGE_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def _link_or_copy(source: Path, target: Path) -> None:
    """Hard-link `source` to `target` when the container user may read it, else copy
    it (world-readable, execute bits kept)."""
    info = source.stat()
    if info.st_mode & stat.S_IROTH:
        with contextlib.suppress(OSError):
            os.link(source, target)
            return
    shutil.copyfile(source, target)
    os.chmod(target, 0o755 if info.st_mode & stat.S_IXUSR else 0o644)


class Exchange:
    """The host folder bound at /xfer: inputs in, outputs out, per run."""

    def __init__(self, worker: int, owner: tuple[int, int]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=f"{EXCHANGE_PREFIX}{os.getpid()}-w{worker}-"))
        self.root.chmod(0o711)
        self.inputs = self.root / "in"
        self.outputs = self.root / "out"
        self.kept = self.root / "ro"
        for folder in (self.inputs, self.kept):
            folder.mkdir(mode=0o755)
            folder.chmod(0o755)
        self.owner = owner
        self._kept_dirs: dict[str, tuple[int, str]] = {}

    def _reset(self) -> None:
        shutil.rmtree(self.inputs)
        self.inputs.mkdir(mode=0o755)
        self.inputs.chmod(0o755)
        if self.outputs.exists():
            shutil.rmtree(self.outputs)
        self.outputs.mkdir(mode=0o700)
        if os.geteuid() == 0:
            os.chown(self.outputs, *self.owner)

    def _kept_dir(self, host: str) -> str:
        """A read-only dir's copy in /xfer, made once (again if the dir changed)."""
        mtime = Path(host).stat().st_mtime_ns
        known = self._kept_dirs.get(host)
        if known is not None and known[0] == mtime:
            return known[1]
        name = hashlib.sha256(f"{host}:{mtime}".encode()).hexdigest()[:16]
        target = self.kept / name
        if not target.exists():
            shutil.copytree(host, target, symlinks=True, copy_function=_copy_readable)
        self._kept_dirs[host] = (mtime, f"{XFER}/ro/{name}")
        return f"{XFER}/ro/{name}"

    def translate(self, request: RunRequest) -> RunRequest:
        """`request` with every host path replaced by its place under /xfer; the
        inputs are linked or copied there now."""
        self._reset()
        counter = iter(range(1 << 30))

        def bring_in(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
            moved = []
            for name, host in pairs:
                index = next(counter)
                _link_or_copy(Path(host), self.inputs / str(index))
                moved.append((name, f"{XFER}/in/{index}"))
            return tuple(moved)

        def send_out(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
            return tuple((name, f"{XFER}/out/{next(counter)}") for name, _host in pairs)

        return replace(
            request,
            files_in=bring_in(request.files_in),
            trusted_files_in=bring_in(request.trusted_files_in),
            read_only_dirs=tuple((n, self._kept_dir(h)) for n, h in request.read_only_dirs),
            files_out=send_out(request.files_out),
            dirs_out=send_out(request.dirs_out),
        )

    def bring_back(self, request: RunRequest, translated: RunRequest) -> None:
        """Copy the run's outputs to the host paths `request` names (regular files
        and folders only; what the run did not make stays absent)."""
        for (_name, host), (_same, inside) in zip(
            request.files_out, translated.files_out, strict=True
        ):
            source = self.outputs / Path(inside).name
            if source.is_file() and not source.is_symlink():
                shutil.copyfile(source, host)
                if source.stat().st_mode & stat.S_IXUSR:
                    os.chmod(host, 0o755)
        for (_name, host), (_same, inside) in zip(
            request.dirs_out, translated.dirs_out, strict=True
        ):
            source = self.outputs / Path(inside).name
            if source.is_dir() and not source.is_symlink():
                shutil.copytree(
                    source, host, symlinks=True, dirs_exist_ok=True, copy_function=shutil.copyfile
                )

    def remove(self) -> None:
        """Delete the exchange folder."""
        shutil.rmtree(self.root, ignore_errors=True)


def _copy_readable(source: str, target: str) -> None:
    shutil.copyfile(source, target)
    os.chmod(target, 0o755 if os.stat(source).st_mode & stat.S_IXUSR else 0o644)


class DockerSandbox:
    """The sandbox of one worker slot in a Docker container (see module doc)."""

    def __init__(
        self,
        worker: int = 0,
        tmpfs_bytes: int = DEFAULT_TMPFS_BYTES,
        memory_bytes: int | None = None,
        pids: int = DEFAULT_PIDS,
    ) -> None:

        self.worker = worker
        self.tmpfs_bytes = tmpfs_bytes
        self.mode = "docker"
        self.limits_in_force = (*modes.LIMITS_IN_FORCE[modes.ROOTLESS], *CONTAINER_LIMITS)
        self._client = _client()
        remove_stale_containers(self._client)
        self.image = ensure_image(self._client)
        self.user = container_user()
        self.exchange = Exchange(worker, self.user)
        self.memory_bytes = memory_bytes if memory_bytes is not None else default_memory_bytes()
        self.pids = pids
        self.container: Any = None
        self._socket: socket.socket | None = None
        self._frames = bytearray()
        self._stdout = bytearray()
        self.stderr_tail = b""
        try:
            self._start_container()
            self._start()
        except SandboxUnavailable:
            self.close()
            raise

    def _start_container(self) -> None:
        """Create and start this worker's container (see the module doc)."""
        import docker.errors

        binds = toolchain_binds()
        binds[str(self.exchange.root)] = {"bind": XFER, "mode": "rw"}
        api = self._client.api
        host_config = api.create_host_config(
            binds=binds,
            network_mode="none",
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges", "seccomp=unconfined"],
            pids_limit=self.pids,
            mem_limit=self.memory_bytes,
            memswap_limit=self.memory_bytes,
            tmpfs={"/box": f"size={self.tmpfs_bytes},exec", "/tmp": "size=64m"},
        )
        # `--security-opt systempaths=unconfined`, which the SDK does not name
        host_config["MaskedPaths"] = []
        host_config["ReadonlyPaths"] = []
        try:
            created = api.create_container(
                self.image,
                command=["/usr/bin/sleep", "infinity"],
                name=f"cpsolve-judge-{os.getpid()}-w{self.worker}-{os.urandom(3).hex()}",
                labels={LABEL: "1", LABEL_OWNER: f"{os.uname().nodename}:{os.getpid()}"},
                user=f"{self.user[0]}:{self.user[1]}",
                environment={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                host_config=host_config,
                network_disabled=True,
            )
            self.container = self._client.containers.get(created["Id"])
            self.container.start()
        except docker.errors.DockerException as error:
            raise SandboxUnavailable(f"starting the judge container failed: {error}") from error

    def _remove_container(self) -> None:
        import docker.errors

        if self.container is not None:
            with contextlib.suppress(docker.errors.DockerException):
                self.container.remove(force=True)
            self.container = None

    @staticmethod
    def available() -> tuple[bool, str]:
        """Whether a Docker daemon answers here, and if not, why."""
        return available()

    def _start(self) -> None:
        """Start the runner through one `docker exec` with stdin attached."""
        api = self._client.api
        python = base_python()
        command = [
            "/usr/bin/unshare",
            *modes.namespace_flags(modes.ROOTLESS),
            "--kill-child",
            "--",
            python,
            "-I",
            "-c",
            RUNNER_BOOTSTRAP,
            f"{IMAGE_ROOT}:{IMAGE_LIB}",
            f"--mode={modes.ROOTLESS}",
            f"--worker={self.worker}",
            f"--token=docker-w{self.worker}",
            f"--mount={RUNNER_MOUNT}",
            f"--tmpfs-bytes={self.tmpfs_bytes}",
        ]
        shell = f"mkdir -p {RUNNER_MOUNT} && exec " + shlex.join(command)
        import docker.errors

        try:
            exec_id = api.exec_create(
                self.container.id,
                ["/bin/sh", "-c", shell],
                stdin=True,
                stdout=True,
                stderr=True,
                environment={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                workdir="/",
            )["Id"]
            attached = api.exec_start(exec_id, socket=True)
        except docker.errors.DockerException as error:
            raise SandboxUnavailable(
                f"docker exec in the judge container failed: {error}"
            ) from error
        self._socket = getattr(attached, "_sock", attached)
        self._frames.clear()
        self._stdout.clear()
        started = time.monotonic()
        hello = self._read_line(STARTUP_TIMEOUT_S)
        if hello is None or not hello.get("ready"):
            reason = str(hello.get("error")) if hello else "no answer"
            with contextlib.suppress(docker.errors.DockerException):
                ended = api.exec_inspect(exec_id)
                reason += f" (exit code {ended.get('ExitCode')}, "
                reason += f"after {time.monotonic() - started:.1f} s)"
            self._drop_runner()
            raise SandboxUnavailable(
                f"docker sandbox runner for worker {self.worker} failed to start: {reason} "
                f"{self.stderr_tail.decode(errors='replace')[-1000:]}"
            )

    def _demux(self) -> None:
        """Move complete frames of the exec stream to stdout (or the stderr tail)."""
        while len(self._frames) >= FRAME_HEADER:
            size = int.from_bytes(self._frames[4:FRAME_HEADER], "big")
            if len(self._frames) < FRAME_HEADER + size:
                return
            kind = self._frames[0]
            payload = bytes(self._frames[FRAME_HEADER : FRAME_HEADER + size])
            del self._frames[: FRAME_HEADER + size]
            if kind == STREAM_STDOUT:
                self._stdout += payload
            else:
                self.stderr_tail = (self.stderr_tail + payload)[-STDERR_TAIL:]

    def _read_line(self, timeout_s: float) -> dict[str, Any] | None:
        """One JSON line from the runner, or None on EOF/timeout."""
        assert self._socket is not None
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._stdout:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._socket], [], [], remaining)
            if not ready:
                return None
            chunk = self._socket.recv(1 << 16)
            if not chunk:
                return None
            self._frames += chunk
            self._demux()
        line, _, rest = bytes(self._stdout).partition(b"\n")
        self._stdout = bytearray(rest)
        decoded: dict[str, Any] = json.loads(line)
        return decoded

    def _drop_runner(self) -> None:
        """Close the pipe and kill whatever the runner left in the container
        (every process but the container's init)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        import docker.errors

        if self.container is not None:
            with contextlib.suppress(docker.errors.DockerException):
                self.container.exec_run(["/usr/bin/kill", "-KILL", "-1"])

    def run(self, request: RunRequest) -> RunResult:
        """Run `request` in this worker's container. A runner (or container) that
        died is replaced and the run is made once more on the new one."""
        try:
            translated = self.exchange.translate(request)
        except OSError as error:
            return RunResult(processes=(), error=f"sandbox: {error}")
        result = attempt.run_with_retry(
            lambda: self._run_once(translated), lambda: self._socket is not None
        )
        if result.processes:
            try:
                self.exchange.bring_back(request, translated)
            except OSError as error:
                return RunResult(processes=result.processes, error=f"sandbox: {error}")
        return result

    def _revive(self) -> str | None:
        """Start the runner again, in a new container if the old one is gone;
        None, or why that failed."""
        try:
            self._start()
            return None
        except SandboxUnavailable:
            self._remove_container()
        try:
            self._start_container()
            self._start()
        except SandboxUnavailable as error:
            return str(error)
        return None

    def _run_once(self, request: RunRequest) -> RunResult:
        if self._socket is None:
            failure = self._revive()
            if failure is not None:
                return RunResult(processes=(), error=failure)
        assert self._socket is not None
        runner = f"docker runner of worker {self.worker}"
        return attempt.send_and_read(
            request, self._socket.sendall, self._read_line, self._drop_runner, runner
        )

    def close(self) -> None:
        """Remove the container (with the runner in it) and the exchange folder."""

        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._remove_container()
        self.exchange.remove()
        self._client.close()

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

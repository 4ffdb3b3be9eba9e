"""A private Docker daemon for tests and benchmarks on a machine where none runs.

`private_daemon(folder)` starts `dockerd` (apt: docker.io) with its own socket,
data root and exec root under `folder` and no bridge or iptables changes, points
$DOCKER_HOST at it while it runs, and stops it by its pid at the end. It needs
root; where Docker cannot run it says why instead of starting anything. The
judge itself never starts a daemon: `--sandbox docker` uses the one that
answers (judge.sandbox.docker_backend)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from judge.sandbox import docker_backend

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


class DockerCannotRun(Exception):
    """No Docker daemon answers and none can be started here (the message says why)."""


def _stop(daemon: subprocess.Popen[bytes]) -> None:
    """Stop our dockerd by its pid (SIGTERM, then SIGKILL)."""
    if daemon.poll() is None:
        daemon.terminate()
        try:
            daemon.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


@contextlib.contextmanager
def private_daemon(folder: Path) -> Iterator[str]:
    """A Docker daemon that answers, as the $DOCKER_HOST value to reach it: the
    user's when one answers, else a private `dockerd` under `folder`, started now
    and stopped on exit ($DOCKER_HOST is set meanwhile and restored after).
    DockerCannotRun, saying why, where neither can be had."""
    if docker_backend.available()[0]:
        yield os.environ.get("DOCKER_HOST") or docker_backend.DEFAULT_DOCKER_HOST
        return
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise DockerCannotRun("no Docker daemon answers and dockerd is not installed (docker.io)")
    if os.geteuid() != 0:
        raise DockerCannotRun("no Docker daemon answers and starting dockerd needs root")
    folder.mkdir(parents=True, exist_ok=True)
    host = f"unix://{folder / 'docker.sock'}"
    with open(folder / "dockerd.log", "wb") as log:
        daemon = subprocess.Popen(
            [dockerd, f"--host={host}", f"--data-root={folder / 'data'}"]
            + [f"--exec-root={folder / 'exec'}", f"--pidfile={folder / 'docker.pid'}"]
            + ["--bridge=none", "--iptables=false", "--ip6tables=false"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    saved = os.environ.get("DOCKER_HOST")
    os.environ["DOCKER_HOST"] = host
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not docker_backend.available()[0]:
            if daemon.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "dockerd.log").read_text(errors="replace")[-500:]
                raise DockerCannotRun(f"dockerd did not come up: {tail}")
            time.sleep(0.5)
        yield host
    finally:
        _stop(daemon)
        if saved is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = saved

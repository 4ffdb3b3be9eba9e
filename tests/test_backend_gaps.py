"""Setup errors around the sandbox backends: one clear error, in seconds.

- the slot lock folder is per user: root's in /run, an ordinary user's a 0700
  folder of its own uid, refused when another user made it first;
- no cache folder (no $CPSOLVE_CACHE and a home where none can be made) is one
  `cpsolve: error:` line naming the folder and $CPSOLVE_CACHE;
- `--sandbox docker` where no Docker daemon answers (a closed 127.0.0.1 port, a
  missing unix socket) is one error line within seconds, not a hang.

The per-user cases run a child as `nobody` (they skip, naming why, where that
cannot be done)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from judge.languages import base_python
from judge.paths import CacheUnavailable, cache_root
from tests.nobody_support import nobody_or_skip

REPO = Path(__file__).resolve().parents[1]
SITE_PACKAGES = Path(pytest.__file__).resolve().parents[1]
EXAMPLE = REPO / "problems" / "examples" / "pairsum"
ERROR_WITHIN_S = 60.0


def _as_nobody(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run Python `code` as nobody with the repository importable; skips where
    that cannot be done here."""
    entry = nobody_or_skip()

    def run(source: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [base_python(), "-c", source],
            env={"PYTHONPATH": f"{REPO}:{SITE_PACKAGES}", "PATH": "/usr/bin:/bin", **extra},
            user=entry.pw_uid,
            group=entry.pw_gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            cwd="/",
            timeout=60,
            check=False,
        )

    probe = run("import judge.paths", {})
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot import the judge from {REPO}: {probe.stderr[-300:]}")
    return run(code, env)


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A sticky, world-writable folder in /tmp (as /tmp is) that nobody can reach."""
    folder = Path(tempfile.mkdtemp(prefix="cpsolve-gaps-", dir="/tmp"))
    folder.chmod(0o1777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_slot_locks_of_an_ordinary_user_are_its_own(open_tmp: Path) -> None:
    tmp_path = open_tmp
    done = _as_nobody(
        "from judge.pool import slot_lock_dir; print(slot_lock_dir())", {"TMPDIR": str(tmp_path)}
    )
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder == tmp_path / f"cpsolve-slots-{pwd.getpwnam('nobody').pw_uid}"
    info = folder.stat()
    assert info.st_uid == pwd.getpwnam("nobody").pw_uid and info.st_mode & 0o777 == 0o700
    if os.geteuid() == 0:
        from judge.pool import slot_lock_dir

        assert slot_lock_dir() == Path("/run/cpsolve-slots")


def test_slot_lock_folder_made_by_another_user_is_refused(open_tmp: Path) -> None:
    tmp_path = open_tmp
    taken = tmp_path / f"cpsolve-slots-{pwd.getpwnam('nobody').pw_uid}"
    taken.mkdir(mode=0o777)  # made by root, open to all: a trap for nobody
    done = _as_nobody(
        "from judge.pool import slot_lock_dir; print(slot_lock_dir())", {"TMPDIR": str(tmp_path)}
    )
    assert done.returncode != 0
    assert "belongs to another user" in done.stderr and str(taken) in done.stderr


def test_no_home_and_no_cache_env_is_a_clear_error() -> None:
    """nobody's home (/nonexistent) cannot hold a cache: CacheUnavailable names
    the folder and $CPSOLVE_CACHE."""
    done = _as_nobody(
        "from judge.paths import cache_root, CacheUnavailable\n"
        "try:\n    cache_root()\nexcept CacheUnavailable as e:\n    print('ERR', e)\n",
        {},
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith("ERR ") and "CPSOLVE_CACHE" in line and ".cache/cpsolve" in line


def test_unusable_cache_folder_is_one_error_line(tmp_path: Path) -> None:
    """A HOME that is a file (nothing can be made under it, even by root): the
    CLI says so in one line and exits 2."""
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    env = {k: v for k, v in os.environ.items() if k != "CPSOLVE_CACHE"}
    env["HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "solver.cli", "check", str(EXAMPLE), "-q", "--workers", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cpsolve: error: cache folder"), done.stderr
    assert str(home) in lines[0] and "CPSOLVE_CACHE" in lines[0]


def test_cache_env_that_cannot_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CPSOLVE_CACHE", str(blocker / "cache"))
    with pytest.raises(CacheUnavailable, match=r"\$CPSOLVE_CACHE"):
        cache_root()
    monkeypatch.setenv("CPSOLVE_CACHE", str(tmp_path / "ok"))
    assert cache_root() == tmp_path / "ok" and (tmp_path / "ok").is_dir()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A 127.0.0.1 port nothing listens on: bound here and never listening, so no
    one else takes it while the test runs, and connecting to it is refused."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()


@pytest.mark.parametrize("where", ("closed-tcp-port", "missing-unix-socket"))
def test_docker_without_a_daemon_is_one_error_in_seconds(
    where: str, closed_port: int, tmp_path: Path
) -> None:
    """The subprocess timeout is the "not a hang" check: the daemon ping gives up
    after docker_backend.PING_TIMEOUT_S."""
    hosts = {
        "closed-tcp-port": f"tcp://127.0.0.1:{closed_port}",
        "missing-unix-socket": f"unix://{tmp_path / 'no.sock'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "solver.cli", "check", str(EXAMPLE), "--sandbox", "docker"]
        + ["-q", "--workers", "1", "--cache", str(tmp_path / "cache")],
        cwd=REPO,
        env={**os.environ, "DOCKER_HOST": hosts[where]},
        capture_output=True,
        text=True,
        timeout=ERROR_WITHIN_S,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Docker daemon answers" in lines[0], done.stderr
    assert f"answers at {hosts[where]} " in lines[0], lines[0]

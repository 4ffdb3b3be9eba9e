"""The same verdicts in every sandbox backend: `cpsolve check` on problems/examples
as root (the root sandbox), as `nobody` (the rootless sandbox, the real path: an
ordinary user, user namespaces, no cgroups) and with `--sandbox docker` gives the
same rows, compared by tools/compare_checks.py: every (problem, submission) row's
label, language, verdict, score, failing verdicts and status, and the same
`N agree, M disagree` line.

Root is the reference; each other backend is compared with it and skips, saying
why, where it cannot run here (not root, no `nobody`, Docker not installed). As
nobody the judge runs from a copy of the packages that nobody owns (the
checkout may be closed to it), with a fresh cache; Docker gets a private dockerd
when none answers (judge.sandbox.dockerd)."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from judge.languages import base_python
from judge.sandbox import modes
from judge.sandbox.dockerd import DockerCannotRun, private_daemon
from tests.nobody_support import copy_owned_by, nobody_or_skip

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "problems" / "examples"
SITE_PACKAGES = Path(pytest.__file__).resolve().parents[1]
COPIED = ("judge", "problems", "solver", "pyproject.toml")
TIMEOUT_S = 1800


def compare_checks() -> ModuleType:
    """tools/compare_checks.py as a module (tools/ is not a package)."""
    path = REPO / "tools" / "compare_checks.py"
    spec = importlib.util.spec_from_file_location("compare_checks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_checks"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def check_command(json_path: Path, *extra: str) -> list[str]:
    """`cpsolve check problems/examples -q --json FILE` plus `extra` (module form:
    the interpreter is the caller's)."""
    return ["-m", "solver.cli", "check", str(EXAMPLES), "-q", "--json", str(json_path), *extra]


def finished(done: subprocess.CompletedProcess[str], json_path: Path) -> Path:
    """`json_path` of a check that ran to its table (exit 0: all agree, 1: some
    disagree; both are results to compare), or the failure."""
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert json_path.is_file(), done.stderr[-3000:]
    return json_path


@pytest.fixture(scope="module")
def root_check(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: the check with the root sandbox, as root."""
    if modes.choose()[0] != modes.ROOT:
        pytest.skip(f"no root sandbox here to compare with: {modes.choose()[1]}")
    folder = tmp_path_factory.mktemp("parity-root")
    out = folder / "check.json"
    done = subprocess.run(
        [sys.executable, *check_command(out, "--cache", str(folder / "cache"))],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    return finished(done, out)


@pytest.fixture(scope="module")
def nobody_home() -> Iterator[Path]:
    """A folder nobody owns with a copy of the packages (skips where nobody
    cannot run the judge here)."""
    entry = nobody_or_skip()
    home = Path(tempfile.mkdtemp(prefix="cpsolve-parity-"))
    try:
        copies = [(REPO / name, home / "repo" / name) for name in COPIED]
        copy_owned_by(entry, home, copies, ("cache", "tmp", "out"))
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_rootless_as_nobody_gives_the_root_rows(root_check: Path, nobody_home: Path) -> None:
    entry = pwd.getpwnam("nobody")
    out = nobody_home / "out" / "check.json"
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(nobody_home / "tmp"),
        "TMPDIR": str(nobody_home / "tmp"),
        "CPSOLVE_CACHE": str(nobody_home / "cache"),
        "PYTHONPATH": f"{nobody_home / 'repo'}:{SITE_PACKAGES}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = check_command(out)
    command[3] = str(nobody_home / "repo" / "problems" / "examples")
    done = subprocess.run(
        [base_python(), *command],
        cwd=nobody_home / "repo",
        env=env,
        user=entry.pw_uid,
        group=entry.pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if "No module named" in done.stderr:
        pytest.skip(f"nobody cannot import the judge here: {done.stderr[-300:]}")
    assert "rootless" in done.stderr  # the judge said which sandbox it fell back to
    assert_same_rows(root_check, finished(done, out))


@pytest.fixture(scope="module")
def docker_host() -> Iterator[str]:
    """A Docker daemon that answers (the user's, or a private one started here)."""
    folder = Path(tempfile.mkdtemp(prefix="cpsolve-parity-dockerd-"))
    try:
        with private_daemon(folder) as host:
            yield host
    except DockerCannotRun as error:
        pytest.skip(f"Docker cannot run here: {error}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_docker_gives_the_root_rows(root_check: Path, docker_host: str, tmp_path: Path) -> None:
    out = tmp_path / "check.json"
    done = subprocess.run(
        [sys.executable, *check_command(out, "--sandbox", "docker")]
        + ["--cache", str(tmp_path / "cache")],
        cwd=REPO,
        env={**os.environ, "DOCKER_HOST": docker_host},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert_same_rows(root_check, finished(done, out))


def assert_same_rows(reference: Path, other: Path) -> None:
    """Every row and the agree line the same (the compare tool's verdict)."""
    tool = compare_checks()
    first, second = tool.read_check(reference), tool.read_check(other)
    assert len(first.rows) >= 20, first.rows  # the examples hold 23 labelled submissions
    assert tool.differences(first, second) == []
    assert first.summary == second.summary


def test_compare_tool_finds_a_changed_verdict_and_a_missing_row(tmp_path: Path) -> None:
    """The comparison itself can fail: a changed `got` cell, a row absent from one
    side, and a different agree line are all reported (the text form is read too)."""
    tool = compare_checks()
    text = (
        "problem  submission     label     lang    got     note\n"
        "p        accepted/a.cpp  accepted  cpp     AC 1/1  agree\n"
        "p        wrong/b.py      wrong     python  WA 0/1 (WA)  agree\n"
        "interpreters: python: CPython\n"
        "2 agree, 0 disagree\n"
    )
    changed = text.replace("AC 1/1  agree", "TLE 0/1 (TLE)  DISAGREE  too slow")
    changed = changed.replace("p        wrong/b.py      wrong     python  WA 0/1 (WA)  agree\n", "")
    changed = changed.replace("2 agree, 0 disagree", "0 agree, 1 disagree")
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(changed)
    first = tool.read_check(tmp_path / "a.txt")
    second = tool.read_check(tmp_path / "b.txt")
    assert set(first.rows) == {("p", "accepted/a.cpp"), ("p", "wrong/b.py")}
    found = {where: (a, b) for where, a, b in tool.differences(first, second)}
    assert found["p/accepted/a.cpp"][1] == "accepted  cpp  TLE 0/1 (TLE)  DISAGREE"
    assert found["p/wrong/b.py"][1] == "(absent)"
    assert first.summary != second.summary
    assert tool.differences(first, first) == []

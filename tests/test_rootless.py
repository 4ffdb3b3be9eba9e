"""The rootless sandbox (judge.sandbox.modes) as an ordinary user: `nobody`.

Run as root, these tests copy the packages they need into a fresh folder that
nobody owns (/work and root's own folders may be closed to it), and run, as
nobody with a cache in that folder (nobody's HOME is /nonexistent): `cpsolve
doctor`, `cpsolve judge` on a small problem with AC, WA, TLE, RTE and MLE
candidates in C++ and Python (the verdicts must be those of the root sandbox,
which judges the same candidates here too), and the sandbox's own tests
(tests/test_hostile.py and tests/test_sandbox.py, which adapt themselves to the
rootless mode). They skip, with the reason, where they cannot run as nobody or
user namespaces are not available to it. `outcome.failed_for_memory` is
checked as a pure function."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyseccomp
import pytest

from judge.languages import base_python
from judge.sandbox import Process, ResourceLimits, modes, outcome
from judge.sandbox.child import MACHINE_BYTES, rlimits
from judge.sandbox.doctor import diagnose, format_text
from tests.nobody_support import copy_owned_by, nobody_or_skip

REPO = Path(__file__).resolve().parents[1]
SITE_PACKAGES = Path(pyseccomp.__file__).resolve().parent
COPIED = ("judge", "problems", "solver", "pyproject.toml")
COPIED_TESTS = ("__init__.py", "conftest.py", "hostile", "test_hostile.py", "test_sandbox.py")
TIMEOUT_S = 900

PROBLEM_YAML = """\
problem_format_version: 2023-07-draft
name: Sum
uuid: 7c1f1c5e-3d7e-4d0a-9a51-1b9d3d2b6a11
rights_owner: cpsolve authors
type: pass-fail
limits:
  time_limit: 1
  memory: 256
"""
TESTS = {
    "sample/1": ("1 2\n", "3\n"),
    "secret/1": ("40 2\n", "42\n"),
    "secret/2": ("-5 5\n", "0\n"),
}
PY_READ = "a, b = map(int, input().split())\n"
CPP_HEAD = (
    '#include <cstdio>\n#include <vector>\nint main() { long a, b; scanf("%ld %ld", &a, &b);\n'
)
CANDIDATES = {
    "ac.py": (PY_READ + "print(a + b)\n", "AC"),
    "ac.cpp": (CPP_HEAD + 'printf("%ld\\n", a + b); }\n', "AC"),
    "wa.py": (PY_READ + "print(a - b)\n", "WA"),
    "wa.cpp": (CPP_HEAD + 'printf("%ld\\n", a * b); }\n', "WA"),
    "tle.py": (PY_READ + "while True:\n    a += 1\n", "TLE"),
    "tle.cpp": (CPP_HEAD + "volatile long x = a; for (;;) x = x + b; }\n", "TLE"),
    "rte.py": (PY_READ + "print(a // (b - b))\n", "RE"),
    "rte.cpp": (CPP_HEAD + "int *p = nullptr; *(volatile int *)p = (int)a; }\n", "RE"),
    "mle.py": (PY_READ + 'block = b"x" * (1 << 30)\nprint(len(block) + a + b)\n', "MLE"),
    "mle.cpp": (
        CPP_HEAD + 'std::vector<char> v(1L << 30, 1); printf("%ld\\n", a + b + v[a & 1]); }\n',
        "MLE",
    ),
}


@dataclass(frozen=True)
class Nobody:
    """Where nobody works: a copy of the repository it owns, and its identity."""

    uid: int
    gid: int
    home: Path

    def run(self, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run `argv` as nobody with the copy first on the import path."""
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.home / "home"),
            "TMPDIR": str(self.home / "tmp"),
            "CPSOLVE_CACHE": str(self.home / "cache"),
            "PYTHONPATH": f"{self.home / 'repo'}:{SITE_PACKAGES}",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        return subprocess.run(
            argv,
            cwd=cwd or self.home / "repo",
            env=env,
            user=self.uid,
            group=self.gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )


def _readable_by_others(path: Path) -> bool:
    """Whether `path` and every folder above it let others in (and read it)."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o004)


@pytest.fixture(scope="module")
def nobody() -> Iterator[Nobody]:
    """A folder nobody owns holding a copy of the packages; skips (with the reason)
    where nobody cannot run the judge here."""
    entry = nobody_or_skip()
    python = base_python()
    for needed in (Path(python).resolve(), SITE_PACKAGES):
        if not _readable_by_others(needed):
            pytest.skip(f"{needed} is not open to other users (nobody cannot run the judge)")
    home = Path(tempfile.mkdtemp(prefix="cpsolve-rootless-"))
    try:
        sources = [(REPO / name, home / "repo" / name) for name in COPIED]
        sources += [
            (REPO / "tests" / name, home / "repo" / "tests" / name) for name in COPIED_TESTS
        ]
        copy_owned_by(entry, home, sources, ("home", "tmp", "cache"))
        user = Nobody(entry.pw_uid, entry.pw_gid, home)
        probe = user.run(python, "-c", "from judge.sandbox import modes; print(modes.choose())")
        if probe.returncode != 0:
            pytest.skip(f"nobody cannot import the judge: {probe.stderr[-500:]}")
        if "'rootless'" not in probe.stdout:
            pytest.skip(f"no rootless sandbox for nobody here: {probe.stdout.strip()}")
        yield user
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_doctor_as_nobody_says_rootless(nobody: Nobody) -> None:
    done = nobody.run(base_python(), "-m", "solver.cli", "doctor", "--json")
    assert done.returncode == 0, done.stderr
    diagnosis = json.loads(done.stdout)
    assert diagnosis["user"] == "nobody" and diagnosis["mode"] == modes.ROOTLESS
    assert diagnosis["uid_switching"] is False and diagnosis["cgroups_usable"] is False
    assert all(diagnosis["namespaces"].values()), diagnosis["namespaces"]
    assert {"RLIMIT_DATA", "RLIMIT_NPROC", "RLIMIT_CPU"} <= set(diagnosis["rlimits"])
    assert diagnosis["limits_in_force"] == list(modes.LIMITS_IN_FORCE[modes.ROOTLESS])
    assert diagnosis["protections"] == list(modes.PROTECTIONS[modes.ROOTLESS])
    assert diagnosis["cache_writable"] is True
    text = nobody.run(base_python(), "-m", "solver.cli", "doctor")
    assert "rootless" in text.stdout and "uid switching: no" in text.stdout


def write_problem(folder: Path) -> tuple[Path, list[Path]]:
    """The small problem and its candidates (see CANDIDATES)."""
    problem = folder / "sum"
    (problem / "data" / "sample").mkdir(parents=True)
    (problem / "data" / "secret").mkdir()
    (problem / "problem.yaml").write_text(PROBLEM_YAML)
    (problem / "submissions" / "accepted").mkdir(parents=True)
    (problem / "submissions" / "accepted" / "ac.py").write_text(CANDIDATES["ac.py"][0])
    for name, (given, answer) in TESTS.items():
        (problem / "data" / f"{name}.in").write_text(given)
        (problem / "data" / f"{name}.ans").write_text(answer)
    sources = folder / "candidates"
    sources.mkdir()
    for name, (text, _verdict) in CANDIDATES.items():
        (sources / name).write_text(text)
    return problem, sorted(sources.iterdir())


EXTENSIONS = {"cpp": "cpp", "python": "py"}


def verdicts(stdout: str) -> dict[str, str]:
    """Candidate file name -> verdict from `cpsolve judge --json`."""
    rows = json.loads(stdout)
    return {f"{row['name']}.{EXTENSIONS[row['language']]}": row["verdict"] for row in rows}


@pytest.mark.slow
def test_judge_as_nobody_gives_the_verdicts_of_root(nobody: Nobody, tmp_path: Path) -> None:
    """AC, WA, TLE, RE and MLE in C++ and Python as nobody (rootless), and the
    same verdicts from the root sandbox on the same candidates."""
    problem, sources = write_problem(nobody.home / "work")
    for path in (nobody.home / "work", *(nobody.home / "work").rglob("*")):
        os.lchown(path, nobody.uid, nobody.gid)
    command = ["-m", "solver.cli", "judge", str(problem), *map(str, sources), "--json", "-q"]
    rootless = nobody.run(base_python(), *command, "--workers", "1")
    assert rootless.returncode == 0, rootless.stderr[-3000:]
    assert "rootless" in rootless.stderr  # said once
    expected = {name: verdict for name, (_text, verdict) in CANDIDATES.items()}
    assert verdicts(rootless.stdout) == expected
    if modes.choose()[0] != modes.ROOT:
        pytest.skip("no root sandbox here to compare with")
    as_root = subprocess.run(
        [sys.executable, *command, "--workers", "1", "--cache", str(tmp_path / "cache")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert as_root.returncode == 0, as_root.stderr[-3000:]
    assert verdicts(as_root.stdout) == expected


@pytest.mark.slow
def test_sandbox_suites_as_nobody(nobody: Nobody) -> None:
    """tests/test_hostile.py and tests/test_sandbox.py as nobody: every hostile
    case contained with its status, the judge's files out of the candidate's
    reach; only the test of cgroup membership is skipped, naming why."""
    done = nobody.run(
        base_python(),
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rs",
        "-W",
        "ignore::RuntimeWarning",
        "tests/test_hostile.py",
        "tests/test_sandbox.py",
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    # test_hostile's Docker backend needs root to start a dockerd: not nobody's to test
    skipped = [line for line in skipped if "Docker cannot run here" not in line]
    assert len(skipped) == 1 and "no cgroups" in skipped[0], skipped


LIMITS = ResourceLimits(cpu_time_s=1.0, wall_time_s=3.0, memory_bytes=256 << 20, output_bytes=1)


@pytest.mark.parametrize(
    ("exit_code", "signal_number", "wall_killed", "tail", "expected"),
    [
        (None, signal.SIGABRT, False, "terminate ... 'std::bad_alloc'\n", True),
        (1, None, False, "MemoryError\n", True),
        (1, None, False, "java.lang.OutOfMemoryError: Java heap space\n", True),
        (1, None, False, "allocation failed\n", False),  # handled by the program: RTE
        (0, None, False, "MemoryError", False),  # it succeeded
        (None, signal.SIGKILL, True, "MemoryError", False),  # the judge's kill
        (None, signal.SIGXCPU, False, "MemoryError", False),
        (None, signal.SIGSEGV, False, "", False),
    ],
)
def test_failed_for_memory(
    exit_code: int | None, signal_number: int | None, wall_killed: bool, tail: str, expected: bool
) -> None:
    assert outcome.failed_for_memory(exit_code, signal_number, wall_killed, tail) is expected


def test_rootless_rlimits_add_address_space_and_processes() -> None:
    process = Process(argv=("./prog",), limits=LIMITS)
    root, rootless = rlimits(process), rlimits(process, rootless=True)
    assert set(rootless) - set(root) == {resource.RLIMIT_DATA, resource.RLIMIT_NPROC}
    backstop = rootless[resource.RLIMIT_DATA][0]
    assert LIMITS.memory_bytes < backstop <= LIMITS.memory_bytes + MACHINE_BYTES
    assert rootless[resource.RLIMIT_NPROC] == (1, 1)


def test_doctor_here_names_the_mode_the_sandbox_takes() -> None:
    """In this process (root in CI): the diagnosis agrees with modes.choose and
    with itself, and the text shows it."""
    diagnosis = diagnose()
    mode, reason = modes.choose()
    assert (diagnosis.mode, diagnosis.reason) == (mode, reason)
    assert diagnosis.uid_switching is (mode == modes.ROOT)
    assert diagnosis.limits_in_force == modes.LIMITS_IN_FORCE.get(mode or "", ())
    if mode == modes.ROOT:
        assert diagnosis.cgroups_usable and "RLIMIT_NPROC" not in diagnosis.rlimits
    text = format_text(diagnosis)
    assert f"backend: {diagnosis.backend}" in text
    assert all(line in text for line in diagnosis.limits_in_force)
    assert json.loads(json.dumps(diagnosis.to_json()))["mode"] == mode


def test_rootless_forced_as_root_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, $CPSOLVE_SANDBOX_MODE=rootless is no sandbox at all (root's
    processes are not bounded by RLIMIT_NPROC), with the reason; as anyone else
    it is the rootless mode when user namespaces work."""
    monkeypatch.setenv(modes.MODE_ENV, modes.ROOTLESS)
    mode, reason = modes.choose()
    if os.geteuid() == 0:
        assert mode is None
        assert "RLIMIT_NPROC" in reason and modes.MODE_ENV in reason
    else:
        assert mode == (modes.ROOTLESS if modes.rootless_works()[0] else None)

"""`cpsolve check` over many packages survives a broken one, and stops cleanly on
Ctrl-C / SIGTERM: no tracebacks, a word on what was kept, no sandbox folders left."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from judge.labelcheck import check_packages, package_error_row
from judge.session import Judge, JudgeOptions
from problems.errors import ProblemError
from solver import report
from solver.cli import main

REPO = Path(__file__).resolve().parents[1]


def _packages_with_one_broken(tmp_path: Path, examples_dir: Path) -> Path:
    """pairsum and meandistance copied, and a package whose problem.yaml names a
    format version nobody knows."""
    root = tmp_path / "packages"
    for name in ("pairsum", "meandistance"):
        shutil.copytree(examples_dir / name, root / name)
    broken = root / "broken"
    shutil.copytree(examples_dir / "pairsum", broken)
    config = broken / "problem.yaml"
    config.write_text(config.read_text().replace("2023-07-draft", "1999-01"))
    return root


@pytest.mark.slow
def test_check_reports_a_broken_package_as_one_row_and_goes_on(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _packages_with_one_broken(tmp_path, examples_dir)
    code = main(["check", str(root), "--workers", "2", "-q", "--cache", str(tmp_path / "c")])
    out = capsys.readouterr().out
    assert code == 1
    rows = [line.split() for line in out.splitlines()]
    errors = [row for row in rows if "ERROR" in row]
    assert len(errors) == 1 and errors[0][0] == "broken"
    assert "1999-01" in " ".join(errors[0])
    judged = [row for row in rows if row and row[0] in ("pairsum", "meandistance")]
    assert {row[0] for row in judged} == {"pairsum", "meandistance"}
    assert all("agree" in row for row in judged), out
    assert "1 package(s) could not be judged" in out
    assert out.rstrip().endswith(f"{len(judged)} agree, 0 disagree")


def test_a_package_error_row_names_the_file_and_reason(tmp_path: Path) -> None:
    error = ProblemError(tmp_path / "pkg" / "problem.yaml", "bad thing")
    row = package_error_row(tmp_path / "pkg", error)
    assert row.problem == "pkg" and row.agrees is None
    assert "problem.yaml" in row.error and "bad thing" in row.error
    text = report.check_report([row])
    assert "ERROR" in text and "1 package(s) could not be judged" in text


def test_check_packages_goes_on_after_a_missing_package(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    seen: list[str] = []
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "c")) as judge:
        rows = check_packages(judge, [missing, missing], lambda p, r: seen.append(p.name))
    assert len(rows) == 2
    assert all(row.problem == "gone" and "no such file" in row.error for row in rows)
    assert seen == ["gone", "gone"]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "to_group"), [("SIGINT", True), ("SIGTERM", False), ("SIGTERM", True)]
)
def test_stopping_a_check_is_clean(
    tmp_path: Path, examples_dir: Path, how: str, to_group: bool
) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it), or
    SIGTERM to the judge alone (`kill PID`) or to its group (`timeout`) mid-run:
    exit 128+signal, no traceback, a note on what was kept, every worker and
    runner gone, no sandbox folder left."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    command = [
        sys.executable,
        "-m",
        "solver.cli",
        "check",
        str(examples_dir),
        "--workers",
        "2",
        "-q",
        "--cache",
        str(tmp_path / "cache"),
    ]
    judge = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    family: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(family) < 6:
            family |= _descendants(judge.pid)
            time.sleep(0.2)
        assert len(family) >= 6, f"the judge never started its workers: {family}"
        time.sleep(3.0)  # mid-run: compiling and judging
        family |= _descendants(judge.pid)
        assert judge.poll() is None, "the check ended before it could be stopped"
        number = signal.Signals[how]
        if to_group:
            os.killpg(judge.pid, number)
        else:
            os.kill(judge.pid, number)
        _out, err = judge.communicate(timeout=120)
        assert judge.returncode == 128 + number, err
        assert "Traceback" not in err, err
        assert f"stopped by {how}" in err and "kept in" in err, err
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(pid) for pid in family):
            time.sleep(0.2)
        assert [pid for pid in family if _alive(pid)] == []
        assert sorted(path.name for path in scratch.iterdir()) == []
    finally:
        if judge.poll() is None:
            os.kill(judge.pid, signal.SIGKILL)
            judge.wait()
        for pid in family:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

"""A judge killed mid-run leaves nothing behind: its pool workers, their sandbox
runners and the candidates they run all end with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _descendants(pid: int) -> set[int]:
    result: set[int] = set()
    stack = [pid]
    while stack:
        for child in _children(stack.pop()):
            if child not in result:
                result.add(child)
                stack.append(child)
    return result


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_killing_the_judge_ends_workers_and_runners(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "solver.cli",
        "check",
        str(REPO / "problems/examples"),
        "--workers",
        "2",
        "-q",
        "--cache",
        str(tmp_path / "cache"),
    ]
    judge = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        family: set[int] = set()
        while time.monotonic() < deadline:
            family = _descendants(judge.pid)
            if len(family) >= 6:  # 2 workers, each with unshare + runner
                break
            time.sleep(0.2)
        assert len(family) >= 6, f"the judge never started its workers: {family}"
        time.sleep(1.0)
        family |= _descendants(judge.pid)
        os.kill(judge.pid, signal.SIGKILL)
        judge.wait(timeout=10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(pid) for pid in family):
            time.sleep(0.2)
        assert [pid for pid in family if _alive(pid)] == []
    finally:
        if judge.poll() is None:
            judge.kill()
            judge.wait()

"""The per-run /box and /tmp (judge/sandbox/scratch.py): a tmpfs that a run leaves
with only its own files (deleted) is the next run's, any other is detached;
either way the next run sees one empty tmpfs on each, and no page a run wrote
stays charged to the slot's memory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from judge.sandbox import LocalSandbox, Process, ResourceLimits, RunRequest, RunStatus
from judge.sandbox.api import ProcessResult
from judge.sandbox.scratch import remove_named, request_names

AVAILABLE, WHY_NOT = LocalSandbox.available()
WORKER = 3
LIMITS = ResourceLimits(
    cpu_time_s=5.0, wall_time_s=20.0, memory_bytes=256 << 20, output_bytes=64 << 20, processes=4
)
BIG = 40_000_000


@pytest.fixture(scope="module")
def sandbox() -> Iterator[LocalSandbox]:
    if not AVAILABLE:
        pytest.skip(WHY_NOT)
    with LocalSandbox(worker=WORKER) as box:
        yield box


def shell(sandbox: LocalSandbox, script: str, out: Path) -> ProcessResult:
    """Run `script` with /bin/sh in the box, stdout to the box file "out", copied to `out`."""
    process = Process(argv=("/bin/sh", "-c", script), limits=LIMITS, stdout="out")
    result = sandbox.run(RunRequest(processes=(process,), files_out=(("out", str(out)),)))
    assert result.error is None, result
    return result.processes[0]


def test_request_names_cover_every_file_a_request_makes() -> None:
    process = Process(argv=("./p",), limits=LIMITS, stdin="in", stdout="pipe:a", stderr="e")
    reader = Process(argv=("./q",), limits=LIMITS, stdin="pipe:a", stdout="d/out")
    request = RunRequest(
        processes=(process, reader),
        files_in=(("p", "/h/p"), ("in", "/h/in")),
        trusted_files_in=(("ans", "/h/ans"),),
        dirs=("feedback",),
        fifos=("f.fifo",),
        files_out=(("d/out", "/h/out"),),
    )
    assert set(request_names(request)) == {"p", "in", "ans", "feedback", "f.fifo", "d/out", "e"}


def test_remove_named_never_leaves_the_folder_nor_follows_links(tmp_path: Path) -> None:
    top = tmp_path / "box"
    outside = tmp_path / "outside"
    (top / "d").mkdir(parents=True)
    outside.mkdir()
    (outside / "x").write_text("keep")
    (top / "d" / "out").write_text("1")
    (top / "link").symlink_to(outside, target_is_directory=True)
    (top / "kept").write_text("not named")
    remove_named(top, ["d/out", "link/x", "../outside/x", "/etc/passwd", "missing"])
    assert (outside / "x").read_text() == "keep"
    assert sorted(p.name for p in top.iterdir()) == ["kept", "link"]


def test_next_run_sees_one_fresh_mount_and_no_charge_of_the_last(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    """A run that fills its (named) stdout file with 40 MB, one that leaves files
    of its own in /box and /tmp, then runs that look: one tmpfs on /box and on
    /tmp, both empty, and a peak memory far below the 40 MB written before."""
    out = tmp_path / "out"
    big = shell(sandbox, f"exec head -c {BIG} /dev/zero", out)
    assert big.status is RunStatus.OK and out.stat().st_size == BIG
    look = "grep -c ' /box \\| /tmp ' /proc/self/mountinfo; ls -A /box /tmp"
    for _ in range(3):
        after = shell(sandbox, look, out)
        assert after.status is RunStatus.OK, after
        assert out.read_text() == "2\n/box:\nout\n\n/tmp:\n", out.read_text()
        assert after.memory_bytes < BIG // 2, after
    left = shell(sandbox, "echo x > /box/mine; mkdir /tmp/d; echo y > /tmp/d/f", out)
    assert left.status is RunStatus.OK, left
    after = shell(sandbox, look, out)
    assert out.read_text() == "2\n/box:\nout\n\n/tmp:\n", out.read_text()


def runner_box(sandbox: LocalSandbox) -> Path:
    """The box folder as the host sees it, through the runner's /proc root."""
    unshare = sandbox.runner_pid
    runner = Path(f"/proc/{unshare}/task/{unshare}/children").read_text().split()[0]
    for line in Path(f"/proc/{runner}/mountinfo").read_text().splitlines():
        point = line.split()[4]
        if point.endswith("/fs/box"):
            return Path(f"/proc/{runner}/root{point}")
    raise AssertionError("no box mount in the runner's mountinfo")


def test_an_emptied_tmpfs_is_the_next_runs_and_any_other_replaced(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    """Runs that leave only the request's files share one tmpfs on /box (no
    mount per run); a run that leaves a file of its own gets the next run a new
    one (a descriptor held on the old root keeps its device number taken)."""
    out = tmp_path / "out"
    shell(sandbox, "true", out)
    box_dir = runner_box(sandbox)
    held = os.open(box_dir, os.O_PATH)
    try:
        for _ in range(3):
            assert shell(sandbox, "cat /dev/null", out).status is RunStatus.OK
            assert os.stat(box_dir).st_dev == os.fstat(held).st_dev
        assert shell(sandbox, "echo x > /box/mine", out).status is RunStatus.OK
        assert shell(sandbox, "ls -A /box", out).status is RunStatus.OK
        assert out.read_text() == "out\n"
        assert os.stat(box_dir).st_dev != os.fstat(held).st_dev
    finally:
        os.close(held)

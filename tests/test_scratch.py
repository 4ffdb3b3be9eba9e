"""The per-run /box and /tmp (judge/sandbox/scratch.py): a run that leaves only its
own files is detached in the background, any other at once; either way the next
run sees one fresh, empty tmpfs on each, and no page a run wrote stays charged
to the slot's memory."""

from __future__ import annotations

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

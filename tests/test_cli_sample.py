"""`cpsolve sample` and `cpsolve pool` end to end with the CPU-only mutants engine,
and the clear errors for bad sampling input."""

from __future__ import annotations

from pathlib import Path

from solver.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "problems" / "examples"


def test_sample_then_resume_then_pool(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    args = [
        "sample",
        str(EXAMPLES / "pairsum"),
        "--engine",
        "mutants",
        "--run",
        str(run),
        "--language",
        "cpp",
        "--language",
        "python",
        "-q",
        "--chunk-size",
        "20",
    ]
    assert main([*args, "-n", "60"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("120 samples drawn (0 already in the run)")
    assert main([*args, "-n", "100"]) == 0
    second = capsys.readouterr().out
    assert second.startswith("80 samples drawn (120 already in the run)")
    assert main(["pool", str(run)]) == 0
    table = capsys.readouterr().out.splitlines()
    total = next(line for line in table if line.startswith("total")).split()
    assert total[2] == "200"  # samples: nothing counted twice across the resume
    assert 0 < int(total[3]) <= 200  # distinct programs


def test_sampling_errors_are_clear(tmp_path: Path, capsys) -> None:
    problem = str(EXAMPLES / "pairsum")
    assert main(["sample", problem, "--engine", "nope", "--run", str(tmp_path / "a")]) == 2
    assert "unknown engine 'nope'; known engines:" in capsys.readouterr().err
    missing = str(tmp_path / "no-such-model")
    assert main(["sample", problem, "--model", missing, "--run", str(tmp_path / "b")]) == 2
    assert f"{missing}: model path does not exist" in capsys.readouterr().err
    assert main(["pool", str(tmp_path / "nothing")]) == 2
    assert "run.sqlite is missing" in capsys.readouterr().err

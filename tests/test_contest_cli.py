"""`cpsolve contest` end to end on a one-problem contest with the mutants engine: the
report files, the plots as PNGs of the right size, and bad contest files."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image
import pytest

from solver.cli import main
from solver.plots import HEIGHT, WIDTH


def contest_file(tmp_path: Path, examples_dir: Path, problem: str) -> Path:
    (tmp_path / "humans.csv").write_text(
        "participant,points,rating\nann,480,1900\nbob,300,1500\ncid,0,1100\n"
    )
    path = tmp_path / "contest.yaml"
    path.write_text(
        "name: one problem\nrules: codeforces\nduration: 60\nsubmission_limit: 3\n"
        f"problems:\n  - path: {examples_dir / problem}\n    points: 500\n"
        "standings: humans.csv\n"
    )
    return path


@pytest.mark.slow
def test_contest_report_and_plots(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = contest_file(tmp_path, examples_dir, "pairsum")
    run = tmp_path / "run"
    code = main(
        [
            "contest",
            str(path),
            "--engine",
            "mutants",
            "-n",
            "6",
            "--generated-inputs",
            "6",
            "--curve-trials",
            "3",
            "--run",
            str(run),
            "--cache",
            str(tmp_path / "cache"),
            "-q",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Rating [codeelo]:" in out and str(run.resolve()) in out
    report = json.loads((run / "report.json").read_text())
    assert report["rules"] == "codeforces" and report["engines"] == ["mutants"]
    assert "slots" in report["submission_time_model"]
    entrant, oracle = report["entrant"]["score"], report["oracle"]["score"]
    assert 0 <= entrant <= oracle <= 500
    assert report["placement"]["field_size"] == 3
    assert report["ratings"][0]["estimator"] == "codeelo"
    [problem] = report["problems"]
    assert problem["samples"] >= problem["candidates"] >= problem["survivors"]
    for name in ("samples_plot", "submissions_plot", "clusters_plot", "standings_plot"):
        image = matplotlib.image.imread(report["plots"][name])
        assert image.shape[:2] == (HEIGHT, WIDTH)
    assert (run / "report.txt").read_text().startswith("Contest: one problem")


def test_missing_problem_is_a_clear_error(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = contest_file(tmp_path, examples_dir, "no-such-problem")
    assert main(["contest", str(path), "--run", str(tmp_path / "run")]) == 2
    assert f"{path}:6: problem" in capsys.readouterr().err


def test_bad_standings_row_is_a_clear_error(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = contest_file(tmp_path, examples_dir, "pairsum")
    (tmp_path / "humans.csv").write_text("participant,points\nann,480\nbob,many\n")
    assert main(["contest", str(path), "--run", str(tmp_path / "run")]) == 2
    assert f"{tmp_path / 'humans.csv'}:3: points must be a number" in capsys.readouterr().err

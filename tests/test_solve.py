"""`solve_problem` end to end on an example problem with the mutants engine: the
submissions, their hidden outcomes and score, and resuming a run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from solver.candidates import task_score
from solver.solve.problem import EngineSpec, SolveError, SolveOptions, solve_problem

pytestmark = pytest.mark.slow


def options(tmp_path: Path, n: int) -> SolveOptions:
    return SolveOptions(
        engines=(EngineSpec("mutants", n),),
        limit=3,
        generated_inputs=8,
        chunk_size=4,
        cache_dir=tmp_path / "cache",
        progress=False,
    )


def test_solve_then_resume_then_extend(tmp_path: Path, examples_dir: Path) -> None:
    run = tmp_path / "run"
    first = solve_problem(examples_dir / "pairsum", run, options(tmp_path, 8))
    ids = first.selection.ids
    assert 1 <= len(ids) <= 3
    assert first.has_hidden
    assert all(cid in first.pool.truth for cid in ids)
    assert first.outcomes == tuple(first.pool.truth[cid] for cid in ids)
    assert first.score == task_score(first.pool, ids)
    assert first.samples == sum(c.sample_count for c in first.pool.candidates) >= 1
    # submitting stops at the first accepted one (the contest's feedback)
    accepted = [first.pool.is_correct(cid) for cid in ids]
    assert True not in accepted[:-1]
    # the same run again: nothing sampled or judged anew, the same submissions
    pool_file = run / "pool.json"
    stamp = pool_file.stat().st_mtime_ns
    again = solve_problem(examples_dir / "pairsum", run, options(tmp_path, 8))
    assert again.selection.ids == ids and again.samples == first.samples
    assert pool_file.stat().st_mtime_ns == stamp
    # more samples: the store grows and the pool is rebuilt over all of them
    more = solve_problem(examples_dir / "pairsum", run, options(tmp_path, 12))
    assert more.samples > first.samples
    assert {c.id for c in first.pool.candidates} < {c.id for c in more.pool.candidates}


def test_an_engine_named_twice_is_refused(tmp_path: Path, examples_dir: Path) -> None:
    twice = replace(
        options(tmp_path, 4), engines=(EngineSpec("mutants", 4), EngineSpec("mutants", 3))
    )
    with pytest.raises(SolveError, match="name each engine once"):
        solve_problem(examples_dir / "pairsum", tmp_path / "run", twice)


def test_no_samples_is_an_error(tmp_path: Path, examples_dir: Path) -> None:
    with pytest.raises(SolveError, match="no candidate program"):
        solve_problem(examples_dir / "pairsum", tmp_path / "run", options(tmp_path, 0))


def test_cli_json(tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from solver.cli import main

    args = ["solve", str(examples_dir / "pairsum"), "--engine", "mutants", "-n", "6"]
    args += ["--limit", "2", "--generated-inputs", "6", "--run", str(tmp_path / "run")]
    assert main([*args, "--cache", str(tmp_path / "cache"), "-q", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problem"] == "pairsum" and report["strategy"] == "cpsolve"
    assert 1 <= len(report["submissions"]) <= 2
    verdicts = [row["verdict"] for row in report["submissions"]]
    assert report["score"] == (1.0 if "AC" in verdicts else 0.0)
    assert all(row["why"].startswith("cluster #") for row in report["submissions"])

"""Estimates over contest files: the pooled MLE, CodeElo's mean, entrants."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.rating.estimate import (
    codeelo_estimates,
    contest_results,
    entrant_codeelo,
    mle_estimates,
    place_entrant,
)
from solver.rating.likelihood import mle_rating
from solver.rating.readers import read_contest


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_contests(tmp_path: Path) -> list[Path]:
    first = _csv(tmp_path, "a.csv", "handle,rating,rank\nm,1500,2\nx,1400,1\ny,1600,3\nz,1500,3\n")
    second = _csv(tmp_path, "b.csv", "handle,rating,rank\nx,1700,2\nm,1500,1\nw,1300,3\n")
    return [first, second]


def test_pooled_mle_matches_the_pairwise_fit(two_contests: list[Path]) -> None:
    contests = [read_contest(p) for p in two_contests]
    (fit,) = mle_estimates(contests, handles=["m"])
    results = [contest_results(c, "m") for c in contests]
    direct = mle_rating([r for r in results if r is not None])
    assert fit.rating == pytest.approx(direct.rating, abs=1e-2)
    assert (fit.estimator, fit.contests) == ("mle", 2)
    # m beat y and z, lost to x, then beat x and w: 4 wins in 5 pairs
    assert direct.wins == 4.0


def test_everyone_gets_a_pooled_fit(two_contests: list[Path]) -> None:
    fits = {e.handle: e for e in mle_estimates([read_contest(p) for p in two_contests])}
    assert set(fits) == {"m", "x", "y", "z", "w"}
    assert fits["x"].contests == 2 and fits["w"].contests == 1
    # y and z tie for last (half a win each) but z's field holds y (1600) where y's
    # holds z (1500): the same result against a stronger field rates higher
    assert fits["z"].rating > fits["y"].rating


def test_codeelo_mean_over_contests(two_contests: list[Path]) -> None:
    contests = [read_contest(p) for p in two_contests]
    per_contest, overall = entrant_codeelo(contests, "m")
    assert overall.rating == pytest.approx(sum(e.rating for e in per_contest) / 2)
    assert [e.estimator for e in per_contest] == ["codeelo", "codeelo"]
    # first of three in the second contest: no finite performance, clamped
    assert per_contest[1].clamped and overall.clamped


def test_codeelo_uses_the_place_among_the_rated(tmp_path: Path) -> None:
    """Ranks with gaps (unrated participants left out) count places among those given."""
    path = _csv(tmp_path, "gaps.csv", "handle,rating,rank\na,1500,1\nb,1500,5\nc,1500,9\n")
    estimates = {e.handle: e for e in codeelo_estimates(read_contest(path))}
    # b is second of three equal ratings: expected place 2 exactly at 1500
    assert estimates["b"].rating == pytest.approx(1500, abs=0.01)
    assert estimates["b"].rank == 5


def test_a_virtual_row_joins_the_ranking_at_its_points(tmp_path: Path) -> None:
    import json

    def row(handle: str, kind: str, rank: int, points: float) -> dict[str, object]:
        party = {"members": [{"handle": handle}], "participantType": kind}
        return {"party": party, "rank": rank, "points": points, "penalty": 0}

    rows = [row("a", "CONTESTANT", 1, 900), row("b", "CONTESTANT", 2, 500)]
    rows.append(row("v", "VIRTUAL", 0, 700))
    path = tmp_path / "standings.json"
    path.write_text(json.dumps({"status": "OK", "result": {"rows": rows}}), encoding="utf-8")
    contest = place_entrant(read_contest(path), "v")
    ranks = {r.handle: (r.rank, r.official) for r in contest.rows}
    assert ranks == {"a": (1, True), "v": (2, True), "b": (3, True)}

"""`cpsolve rate`: output comparable with the API's record, entrants, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from solver.cli import main
from solver.rating.estimate import (
    EntrantError,
    codeelo_estimates,
    entrant_codeforces,
    place_entrant,
)
from solver.rating.readers import read_contest

DATA = Path(__file__).parent / "data" / "codeforces"
CONTEST_917 = DATA / "917-ratingChanges.json"


def test_json_matches_the_api_record_line_by_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", str(CONTEST_917), "--json"]) == 0
    out = capsys.readouterr().out
    printed = json.loads(out)
    official = json.loads(CONTEST_917.read_text(encoding="utf-8"))
    assert printed["estimator"] == "codeforces"
    keys = ("contestId", "handle", "rank", "oldRating", "newRating")
    assert [{k: r[k] for k in keys} for r in printed["result"]] == [
        {k: r[k] for k in keys} for r in official
    ]
    # one participant a line
    assert len(out.strip().splitlines()) == len(official) + 2


def test_every_printed_rating_names_its_estimator(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("handle,rating,rank\na,1500,1\nb,1500,2\nc,1700,3\n", encoding="utf-8")
    for estimator in ("codeforces", "codeelo", "mle"):
        assert main(["rate", str(path), "--estimator", estimator]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        rating_lines = [line for line in lines if any(h in line.split() for h in "abc")]
        assert len(rating_lines) == 3
        assert all(estimator in line for line in rating_lines), lines


def test_entrant_inserted_by_rank(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("handle,rating,rank\nb,1500,1\n", encoding="utf-8")
    assert main(["rate", str(path), "--as", "model", "--rank", "1", "--rating", "1500"]) == 0
    out = capsys.readouterr().out
    # the two-player hand case: the winner goes 1500 -> 1596
    assert out.strip().splitlines()[-1] == "model: 1596 [codeforces, 1 contest]"
    assert main(["rate", str(path), "--as", "model", "--rank", "1", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["handle"] == "model" and printed["estimator"] == "codeforces"


def test_entrant_over_two_contests_carries_its_rating(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("handle,rating,rank\nb,1500,1\n", encoding="utf-8")
    contest = place_entrant(read_contest(path), "m", rank=1, rating=1500)
    first, second = entrant_codeforces([contest, contest], "m")
    assert (first.old_rating, first.rating) == (1500, 1596)
    assert second.old_rating == 1596 and second.rating > 1596


def test_entrant_inserted_by_points_moves_the_others(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("handle,rating,points\na,1500,10\nb,1500,5\nc,1500,1\n", encoding="utf-8")
    contest = place_entrant(read_contest(path), "m", points=5.0)
    ranks = {row.handle: row.rank for row in contest.rows}
    assert ranks == {"a": 1, "b": 2, "m": 2, "c": 4}
    contest = place_entrant(read_contest(path), "m", rank=2)
    assert {row.handle: row.rank for row in contest.rows} == {"a": 1, "m": 2, "b": 3, "c": 4}
    with pytest.raises(EntrantError, match="give its rank or points"):
        place_entrant(read_contest(path), "m")


def test_codeelo_of_a_found_participant() -> None:
    (estimate,) = codeelo_estimates(read_contest(CONTEST_917), handles=["ACCE12138"])
    assert estimate.estimator == "codeelo" and estimate.rank == 19
    # 19th of 423 Div. 1 participants: well above their 2176 before the contest
    assert 2400 < estimate.rating < 3200


def test_standings_need_ratings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    standings = DATA / "1474-standings-one-row.json"
    assert main(["rate", str(standings)]) == 2
    assert "give --ratings FILE" in capsys.readouterr().err
    ratings = tmp_path / "r.csv"
    ratings.write_text("handle,rating,rank\ntiger2005,1900,1\n", encoding="utf-8")
    args = ["rate", str(standings), "--ratings", str(ratings), "--as", "m", "--points", "5000"]
    assert main(args) == 0
    out = capsys.readouterr().out
    # contest 1474 is in the 2020 era: a first contest shows 0 before and is computed at 1400
    first = out.splitlines()[0]
    assert first.startswith("1474 Codeforces Round #696 (Div. 2): rank 1, oldRating 0, ")
    shown, real = (int(x) for x in re.findall(r"(\d+) \(displayed; (\d+) in the calc", first)[0])
    assert real - shown == 1400 - 500


def test_bad_row_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("handle,rating,rank\na,1500,1\nb,fifteen,2\n", encoding="utf-8")
    assert main(["rate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"cpsolve: error: {path}: line 3: rating 'fifteen' is not an integer"
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('[{"handle": "a", "rank": 1, "oldRating": 1, "newRating": 2}, 7]')
    assert main(["rate", str(bad_json)]) == 2
    assert "bad.json: record 1: not an object" in capsys.readouterr().err

"""Readers of contest results: the API's JSON as it comes, the CSV, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solver.rating.readers import (
    RatingInputError,
    Standing,
    ranked,
    ratings_of,
    read_contest,
    with_ratings,
)

DATA = Path(__file__).parent / "data" / "codeforces"


def test_rating_changes_result_list() -> None:
    contest = read_contest(DATA / "917-ratingChanges.json")
    assert contest.kind == "ratingChanges"
    assert (contest.contest_id, contest.contest_name) == (917, "Codeforces Round #459 (Div. 1)")
    assert len(contest.rows) == 423
    first = contest.rows[0]
    assert (first.handle, first.rank, first.rating, first.new_rating) == (
        "OO0OOO00O0OOO0O00OOO0OO",
        1,
        3199,
        3294,
    )


def test_rating_changes_whole_response(tmp_path: Path) -> None:
    records = json.loads((DATA / "917-ratingChanges.json").read_text(encoding="utf-8"))
    path = tmp_path / "response.json"
    path.write_text(json.dumps({"status": "OK", "result": records}), encoding="utf-8")
    assert read_contest(path).rows == read_contest(DATA / "917-ratingChanges.json").rows


def test_gzipped_file() -> None:
    contest = read_contest(DATA / "911-ratingChanges.json.gz")
    assert (contest.kind, contest.contest_id, len(contest.rows)) == ("ratingChanges", 911, 3982)


def test_standings_whole_response() -> None:
    contest = read_contest(DATA / "1474-standings-one-row.json")
    assert (contest.kind, contest.contest_id) == ("standings", 1474)
    (row,) = contest.rows
    assert (row.handle, row.rank, row.points, row.penalty, row.official) == (
        "tiger2005",
        36,
        4126.0,
        0,
        True,
    )
    assert row.rating is None


def test_standings_mark_unofficial_rows(tmp_path: Path) -> None:
    def row(handle: str, kind: str, rank: int, points: float) -> dict[str, object]:
        party = {"members": [{"handle": handle}], "participantType": kind}
        return {"party": party, "rank": rank, "points": points, "penalty": 0}

    result = {"rows": [row("a", "CONTESTANT", 1, 900), row("v", "VIRTUAL", 0, 800)]}
    path = tmp_path / "standings.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    contest = read_contest(path)
    assert [(r.handle, r.rank, r.official) for r in contest.rows] == [
        ("a", 1, True),
        ("v", None, False),
    ]
    rated = with_ratings(contest, {"a": 1500})
    assert [(r.handle, r.rating) for r in rated.rows] == [("a", 1500), ("v", None)]
    assert with_ratings(contest, {}).rows == (contest.rows[1],)


def test_api_failure_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "failed.json"
    path.write_text('{"status": "FAILED", "comment": "contestId: Contest not found"}')
    with pytest.raises(RatingInputError, match="FAILED: contestId: Contest not found") as error:
        read_contest(path)
    assert str(path) in str(error.value)


def test_bad_record_names_file_and_index(tmp_path: Path) -> None:
    good = {"handle": "a", "rank": 1, "oldRating": 1500, "newRating": 1600}
    bad = {"handle": "b", "oldRating": 1500, "newRating": 1400}
    path = tmp_path / "changes.json"
    path.write_text(json.dumps([good, bad]), encoding="utf-8")
    with pytest.raises(RatingInputError) as error:
        read_contest(path)
    assert str(error.value) == f"{path}: record 1: no 'rank'"
    path.write_text(json.dumps([good, {**good, "oldRating": "1500"}]), encoding="utf-8")
    with pytest.raises(RatingInputError, match=r"record 1: 'oldRating' is not an integer"):
        read_contest(path)


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n{"handle": "a", "rank": 1,\n "oldRating": 15 00}\n]', encoding="utf-8")
    with pytest.raises(RatingInputError, match=r"broken.json: line 3: not valid JSON"):
        read_contest(path)


def test_csv_with_ranks(tmp_path: Path) -> None:
    path = tmp_path / "contest.csv"
    path.write_text(
        "# a small contest\nhandle,rating,rank\nann,1600,1\nbob,,2\n\ncid,1400,2\n",
        encoding="utf-8",
    )
    contest = read_contest(path)
    assert contest.kind == "csv"
    assert [(r.handle, r.rating, r.rank) for r in contest.rows] == [
        ("ann", 1600, 1),
        ("bob", None, 2),
        ("cid", 1400, 2),
    ]
    assert ratings_of(contest) == {"ann": 1600, "bob": None, "cid": 1400}


def test_csv_with_points_gets_ranks(tmp_path: Path) -> None:
    path = tmp_path / "contest.csv"
    path.write_text(
        "Participant,Old_Rating,Points,Penalty\na,1500,3,100\nb,1500,3,90\nc,1500,2,10\n"
        "d,1500,3,90\n",
        encoding="utf-8",
    )
    rows = ranked(list(read_contest(path).rows))
    assert [(r.handle, r.rank) for r in rows] == [("a", 3), ("b", 1), ("c", 4), ("d", 1)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("handle,rating,rank\na,1500,1\nb,1500,x\n", r"line 3: rank 'x' is not an integer"),
        ("handle,rating,rank\na,1500,1\nb,1500\n", r"line 3: expected 3 fields"),
        ("handle,rating,rank\na,15.5,1\n", r"line 2: rating '15.5' is not an integer"),
        ("handle,rating,rank\na,1500,0\n", r"line 2: rank must be at least 1"),
        ("handle,rating,points\na,1500,\n", r"line 2: needs a rank or points"),
        ("handle,rating,score\n", r"line 1: unknown column 'score'"),
        ("handle,rank\n", r"line 1: the header needs 'handle' and 'rating'"),
        ("\n\n", r"empty"),
    ],
)
def test_bad_csv_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RatingInputError, match=message) as error:
        read_contest(path)
    assert str(error.value).startswith(f"{path}:")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RatingInputError, match="cannot read"):
        read_contest(tmp_path / "nope.json")


def test_ranked_keeps_given_ranks() -> None:
    rows = [Standing("a", 5, 1500), Standing("b", None, 1500, points=10.0)]
    assert [r.rank for r in ranked(rows)] == [5, 1]


def test_carrot_test_data_rows() -> None:
    """Carrot's `[handle, points, penalty, oldRating, delta]` rows: ranks from the
    points, newRating = oldRating + delta."""
    contest = read_contest(DATA / "1349-carrot-data.json.gz")
    assert contest.kind == "carrot"
    assert len(contest.rows) == 1248
    first = contest.rows[0]
    assert (first.handle, first.points, first.rating, first.new_rating) == (
        "Um_nik",
        4352.0,
        3434,
        3544,
    )
    rows = ranked(contest.rows)
    tied = [row.rank for row in rows if row.points == 2775.0]
    assert tied == [36, 36]
    assert rows[-1].rank == 1248 - sum(row.points == 0.0 for row in rows) + 1


def test_carrot_rows_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "carrot.json"
    path.write_text('[["a", 10, 0, 1500, 5], ["b", 5, 0, "x", 1]]', encoding="utf-8")
    with pytest.raises(RatingInputError, match=r"carrot.json: record 1: 'oldRating'"):
        read_contest(path)
    path.write_text('[["a", 10, 0, 1500]]', encoding="utf-8")
    with pytest.raises(RatingInputError, match=r"record 0: expected \[handle"):
        read_contest(path)


def test_carrot_rows_first_contest_has_no_new_rating(tmp_path: Path) -> None:
    path = tmp_path / "carrot.json"
    path.write_text('[["a", 10, 0, null, 514], ["b", 5, 0, 1500, -5]]', encoding="utf-8")
    rows = read_contest(path).rows
    assert [(r.rating, r.new_rating) for r in rows] == [(None, None), (1500, 1495)]

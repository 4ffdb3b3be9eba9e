"""Contest results files for the rating estimators.

Four formats, told apart by content:

- the Codeforces API's `contest.ratingChanges` JSON, exactly as the API returns it:
  the whole response (`{"status": "OK", "result": [...]}`) or its `result` list;
  each record needs `handle`, `rank`, `oldRating`, `newRating` (`contestId` and
  `contestName` are kept when present);
- the API's `contest.standings` JSON, the whole response or its `result` object;
  each row needs `party` (with `members[].handle`, or a `teamName`), `rank`,
  `points`, `penalty`. Rows of other participant types than CONTESTANT (virtual,
  practice, out of competition) are kept but marked unofficial: they are not part of
  the contest's ranking, only found by `--as`. Standings carry no ratings: they come
  from a ratings file given beside them (`with_ratings`);
- the Carrot extension's test data (github.com/meooow25/carrot, `carrot/tests/`): a
  JSON list of `[handle, points, penalty, oldRating, delta]` rows, the standings of
  the rated participants beside their official rating change; the rank comes from
  points and penalty, newRating is oldRating + delta (unknown where oldRating is
  null);
- a CSV with a header naming its columns, in any order: `handle` (the participant),
  `rating` (the rating before the contest; empty for a first contest), and either
  `rank` (ties share the best place) or `points` with an optional `penalty`
  (higher points first, then lower penalty). Optional: `new_rating` (an official
  result to compare with), `contests` (rated contests before this one). Blank lines
  and lines starting with `#` are skipped.

A bad file raises `RatingInputError` naming the file and the line (CSV, or JSON that
does not parse) or the index of the bad record (JSON).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


class RatingInputError(ValueError):
    """A results file the estimators cannot read: names the file and the place."""

    def __init__(self, path: Path | str, where: str | None, message: str) -> None:
        self.path = Path(path)
        self.where = where
        self.message = message
        location = f"{path}: {where}" if where else f"{path}"
        super().__init__(f"{location}: {message}")


@dataclass(frozen=True)
class Standing:
    """One participant of a contest as the estimators read it.

    `rank` follows the API (ties share the best place); None where only points are
    known. `rating` is the rating before the contest (None: first contest or not
    known). `new_rating` is the official result where the file has one.
    """

    handle: str
    rank: int | None
    rating: int | None
    points: float | None = None
    penalty: int | None = None
    new_rating: int | None = None
    contests: int | None = None
    official: bool = True


@dataclass(frozen=True)
class ContestFile:
    """A contest read from one file: its kind, id and name where known, its rows."""

    path: Path
    kind: str  # "ratingChanges", "standings", "carrot" or "csv"
    contest_id: int | None
    contest_name: str | None
    rows: tuple[Standing, ...]

    def official(self) -> list[Standing]:
        """The rows that make up the contest's ranking."""
        return [row for row in self.rows if row.official]


def read_contest(path: Path | str) -> ContestFile:
    """Read a ratingChanges JSON, a standings JSON or a CSV (see the module docstring).

    A name ending in `.gz` is read through gzip (API dumps are often kept so).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
    except OSError as error:
        raise RatingInputError(path, None, f"cannot read: {error.strerror or error}") from error
    except EOFError as error:
        raise RatingInputError(path, None, "a truncated gzip file") from error
    except UnicodeDecodeError as error:
        raise RatingInputError(path, None, "not UTF-8 text") from error
    if text.lstrip().startswith(("{", "[")):
        return _read_json(path, text)
    return _read_csv(path, text)


def _read_json(path: Path, text: str) -> ContestFile:
    """The API's ratingChanges or standings, whole response or `result`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}"
        raise RatingInputError(path, where, f"not valid JSON: {error.msg}") from None
    if isinstance(data, dict) and "status" in data:
        if data["status"] != "OK":
            comment = data.get("comment", "no comment")
            raise RatingInputError(path, None, f"the API answered {data['status']}: {comment}")
        if "result" not in data:
            raise RatingInputError(path, None, "an API response without a 'result'")
        data = data["result"]
    if isinstance(data, list) and data and isinstance(data[0], list):
        return _carrot_rows(path, data)
    if isinstance(data, list):
        return _rating_changes(path, data)
    if isinstance(data, dict) and "rows" in data:
        return _standings(path, data)
    raise RatingInputError(
        path, None, "neither contest.ratingChanges (a list) nor contest.standings (with rows)"
    )


def _field(path: Path, where: str, record: Mapping[str, Any], name: str, kind: type) -> Any:
    """A required field of a JSON record, of the given type (int also accepts 3.0)."""
    if name not in record:
        raise RatingInputError(path, where, f"no '{name}'")
    value = record[name]
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RatingInputError(path, where, f"'{name}' is not an integer: {value!r}")
        if value != int(value):
            raise RatingInputError(path, where, f"'{name}' is not an integer: {value!r}")
        return int(value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RatingInputError(path, where, f"'{name}' is not a number: {value!r}")
        return float(value)
    if not isinstance(value, kind):
        raise RatingInputError(path, where, f"'{name}' is not a {kind.__name__}: {value!r}")
    return value


def _rating_changes(path: Path, records: list[Any]) -> ContestFile:
    """contest.ratingChanges: one rated participant per record."""
    rows = []
    contest_id = contest_name = None
    for index, record in enumerate(records):
        where = f"record {index}"
        if not isinstance(record, dict):
            raise RatingInputError(path, where, f"not an object: {record!r}")
        handle = _field(path, where, record, "handle", str)
        rank = _field(path, where, record, "rank", int)
        if rank < 1:
            raise RatingInputError(path, where, f"'rank' must be at least 1: {rank}")
        rows.append(
            Standing(
                handle=handle,
                rank=rank,
                rating=_field(path, where, record, "oldRating", int),
                new_rating=_field(path, where, record, "newRating", int),
            )
        )
        if isinstance(record.get("contestId"), int):
            contest_id = record["contestId"]
        if isinstance(record.get("contestName"), str):
            contest_name = record["contestName"]
    return ContestFile(path, "ratingChanges", contest_id, contest_name, tuple(rows))


_CARROT_FIELDS = ("handle", "points", "penalty", "oldRating", "delta")


def _carrot_rows(path: Path, records: list[Any]) -> ContestFile:
    """Carrot's test data: `[handle, points, penalty, oldRating, delta]` per rated
    participant, in standings order; ranks are left to `ranked` (points, penalty)."""
    rows = []
    for index, record in enumerate(records):
        where = f"record {index}"
        if not isinstance(record, list) or len(record) != 5:
            message = f"expected [handle, points, penalty, oldRating, delta], got {record!r}"
            raise RatingInputError(path, where, message)
        fields = dict(zip(_CARROT_FIELDS, record, strict=True))
        known = fields["oldRating"] is not None
        rating = _field(path, where, fields, "oldRating", int) if known else None
        delta = _field(path, where, fields, "delta", int)
        rows.append(
            Standing(
                handle=_field(path, where, fields, "handle", str),
                rank=None,
                rating=rating,
                points=_field(path, where, fields, "points", float),
                penalty=_field(path, where, fields, "penalty", int),
                new_rating=None if rating is None else rating + delta,
            )
        )
    return ContestFile(path, "carrot", None, None, tuple(rows))


def _standings(path: Path, result: Mapping[str, Any]) -> ContestFile:
    """contest.standings: one row per party; CONTESTANT rows form the ranking."""
    contest = result.get("contest")
    contest_id = contest.get("id") if isinstance(contest, dict) else None
    contest_name = contest.get("name") if isinstance(contest, dict) else None
    if not isinstance(result["rows"], list):
        raise RatingInputError(path, None, "'rows' is not a list")
    rows = []
    for index, row in enumerate(result["rows"]):
        where = f"rows[{index}]"
        if not isinstance(row, dict):
            raise RatingInputError(path, where, f"not an object: {row!r}")
        party = _field(path, where, row, "party", dict)
        members = party.get("members", [])
        handles = [m.get("handle") for m in members if isinstance(m, dict)]
        names = [h for h in handles if isinstance(h, str)]
        if isinstance(party.get("teamName"), str):
            handle = party["teamName"]
        elif names and len(names) == len(members):
            handle = ",".join(names)
        else:
            raise RatingInputError(path, where, "the party has neither a teamName nor handles")
        official = party.get("participantType", "CONTESTANT") == "CONTESTANT"
        rank = _field(path, where, row, "rank", int)
        rows.append(
            Standing(
                handle=handle,
                rank=rank if official and rank > 0 else None,
                rating=None,
                points=_field(path, where, row, "points", float),
                penalty=_field(path, where, row, "penalty", int),
                official=official,
            )
        )
    cid = contest_id if isinstance(contest_id, int) else None
    name = contest_name if isinstance(contest_name, str) else None
    return ContestFile(path, "standings", cid, name, tuple(rows))


_CSV_ALIASES = {
    "handle": "handle",
    "participant": "handle",
    "rating": "rating",
    "old_rating": "rating",
    "oldrating": "rating",
    "rank": "rank",
    "points": "points",
    "penalty": "penalty",
    "new_rating": "new_rating",
    "newrating": "new_rating",
    "contests": "contests",
}


def _read_csv(path: Path, text: str) -> ContestFile:
    """The documented CSV (see the module docstring)."""
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise RatingInputError(path, None, "empty: expected a header line and rows")
    header_number, header_line = lines[0]
    header = next(csv.reader(io.StringIO(header_line)))
    columns = []
    for name in header:
        key = _CSV_ALIASES.get(name.strip().lower())
        if key is None:
            known = ", ".join(sorted(set(_CSV_ALIASES)))
            message = f"unknown column {name.strip()!r} (known: {known})"
            raise RatingInputError(path, f"line {header_number}", message)
        if key in columns:
            raise RatingInputError(path, f"line {header_number}", f"column {key!r} twice")
        columns.append(key)
    if "handle" not in columns or "rating" not in columns:
        message = "the header needs 'handle' and 'rating' columns"
        raise RatingInputError(path, f"line {header_number}", message)
    if "rank" not in columns and "points" not in columns:
        message = "the header needs a 'rank' or a 'points' column"
        raise RatingInputError(path, f"line {header_number}", message)
    rows = []
    for number, line in lines[1:]:
        where = f"line {number}"
        fields = [f.strip() for f in next(csv.reader(io.StringIO(line)))]
        if len(fields) != len(columns):
            message = f"expected {len(columns)} fields ({', '.join(columns)}), got {len(fields)}"
            raise RatingInputError(path, where, message)
        values = dict(zip(columns, fields, strict=True))
        if not values["handle"]:
            raise RatingInputError(path, where, "empty handle")
        rank = _csv_int(path, where, values, "rank", minimum=1)
        points = _csv_float(path, where, values, "points")
        if rank is None and points is None:
            raise RatingInputError(path, where, "needs a rank or points")
        rows.append(
            Standing(
                handle=values["handle"],
                rank=rank,
                rating=_csv_int(path, where, values, "rating"),
                points=points,
                penalty=_csv_int(path, where, values, "penalty"),
                new_rating=_csv_int(path, where, values, "new_rating"),
                contests=_csv_int(path, where, values, "contests", minimum=0),
            )
        )
    if not rows:
        raise RatingInputError(path, None, "no participants after the header")
    return ContestFile(path, "csv", None, None, tuple(rows))


def _csv_int(
    path: Path, where: str, values: Mapping[str, str], name: str, minimum: int | None = None
) -> int | None:
    """An optional integer CSV field (empty means absent)."""
    text = values.get(name, "")
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise RatingInputError(path, where, f"{name} {text!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise RatingInputError(path, where, f"{name} must be at least {minimum}, got {value}")
    return value


def _csv_float(path: Path, where: str, values: Mapping[str, str], name: str) -> float | None:
    """An optional numeric CSV field (empty means absent)."""
    text = values.get(name, "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise RatingInputError(path, where, f"{name} {text!r} is not a number") from None


def ranked(rows: Sequence[Standing]) -> list[Standing]:
    """The rows with every missing rank filled in from points and penalty.

    A row's rank is 1 + the number of official rows strictly ahead of it (more
    points, or as many points and less penalty), so ties share the best place, as in
    the API. Rows that already have a rank keep it.
    """
    scored = [(row.points, row.penalty or 0) for row in rows if row.official]
    result = []
    for row in rows:
        if row.rank is not None:
            result.append(row)
            continue
        if row.points is None:
            raise ValueError(f"{row.handle}: neither a rank nor points")
        penalty = row.penalty or 0
        ahead = sum(
            1
            for points, other_penalty in scored
            if points is not None
            and (points > row.points or (points == row.points and other_penalty < penalty))
        )
        result.append(replace(row, rank=ahead + 1))
    return result


def ratings_of(contest: ContestFile) -> dict[str, int | None]:
    """handle -> rating before the contest, from a file that has ratings."""
    return {row.handle: row.rating for row in contest.rows}


def with_ratings(contest: ContestFile, ratings: Mapping[str, int | None]) -> ContestFile:
    """The contest with each row's rating taken from `ratings` where the row has none.

    Official rows absent from `ratings` were not rated in the contest (a standings
    file lists unrated participants too) and are dropped from the ranking.
    """
    rows = []
    for row in contest.rows:
        if row.rating is not None:
            rows.append(row)
        elif row.handle in ratings:
            rows.append(replace(row, rating=ratings[row.handle]))
        elif not row.official:
            rows.append(row)
    return replace(contest, rows=tuple(rows))

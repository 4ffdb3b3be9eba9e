"""Recompute official Codeforces rating changes and count the exact matches.

For every `contest.ratingChanges` file (default: the fixtures under
tests/data/codeforces/), the update of `solver.rating.codeforces` is run on the
recorded ranks and old ratings, and each participant's newRating is compared with
the official one. Printed per contest: participants, exact matches, their share, the
largest |difference|, and the same for the 2015 Java code's form (the participant
kept in its own needed-rating seed). The overall share comes last.

`--fit` looks at the participants off by more than one point: for each, the place at
which its own official newRating comes out (one number per participant, found by
bisection over the places), and the contest recomputed with them there. A handful of
such participants explaining every other mismatch says the official calculation
ranked them elsewhere than the rank the API records.

    .venv/bin/python tools/check_codeforces_ratings.py [FILE...] [--fit]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver.rating.codeforces import Entry, codeforces_update, era_of_contest  # noqa: E402
from solver.rating.readers import ContestFile, read_contest  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "codeforces"


def _entries(contest: ContestFile, moved: dict[str, int] | None = None) -> list[Entry]:
    moved = moved or {}
    return [
        Entry(row.handle, moved.get(row.handle, row.rank or 0), row.rating) for row in contest.rows
    ]


def _compare(contest: ContestFile, entries: list[Entry], exclude_self: bool) -> list[int]:
    """newRating computed minus official, per participant."""
    era = era_of_contest(contest.contest_id) if contest.contest_id else "2015"
    changes = codeforces_update(entries, era, exclude_self=exclude_self)
    return [
        change.new_rating - (row.new_rating or 0)
        for change, row in zip(changes, contest.rows, strict=True)
    ]


def _fit_place(contest: ContestFile, index: int) -> int:
    """The best recorded rank value at which participant `index` gets its official rating."""
    era = era_of_contest(contest.contest_id) if contest.contest_id else "2015"
    target = contest.rows[index].new_rating
    values = sorted({row.rank or 0 for row in contest.rows} | {len(contest.rows)})

    def new_rating(rank: int) -> int:
        entries = _entries(contest, {contest.rows[index].handle: rank})
        return codeforces_update(entries, era)[index].new_rating

    lo, hi = 0, len(values) - 1
    while lo < hi:  # new_rating falls as the rank grows
        mid = (lo + hi) // 2
        if target is not None and new_rating(values[mid]) > target:
            lo = mid + 1
        else:
            hi = mid
    return values[lo]


def main() -> int:
    """Print the per-contest and overall figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--fit", action="store_true", help="place the outliers (see above)")
    args = parser.parse_args()
    files = args.files or sorted(FIXTURES.glob("*-ratingChanges.json*"))
    total = exact_total = 0
    worst = 0
    fits: list[str] = []
    print(
        f"{'contest':<58} {'rated':>6} {'exact':>6} {'share':>8} {'max|diff|':>9}"
        f"   2015 form: {'exact':>6} {'share':>8}"
    )
    for path in files:
        contest = read_contest(path)
        diffs = _compare(contest, _entries(contest), exclude_self=True)
        old_form = _compare(contest, _entries(contest), exclude_self=False)
        exact = sum(d == 0 for d in diffs)
        exact_old = sum(d == 0 for d in old_form)
        n = len(diffs)
        label = f"{contest.contest_id} {contest.contest_name or path.name}"
        biggest = max(abs(d) for d in diffs)
        print(
            f"{label:<58} {n:>6} {exact:>6} {100 * exact / n:>7.2f}% {biggest:>9}"
            f"              {exact_old:>6} {100 * exact_old / n:>7.2f}%"
        )
        total += n
        exact_total += exact
        worst = max(worst, biggest)
        outliers = [i for i, d in enumerate(diffs) if abs(d) > 1]
        if args.fit and outliers:
            moved = {contest.rows[i].handle: _fit_place(contest, i) for i in outliers}
            refit = _compare(contest, _entries(contest, moved), exclude_self=True)
            refit_exact = sum(d == 0 for d in refit)
            fits.append(
                f"fit {contest.contest_id}: {len(outliers)} participants off by more than 1 "
                f"point, rated at another place than their recorded rank:"
            )
            for i in outliers:
                row = contest.rows[i]
                fits.append(
                    f"  {row.handle}: rank {row.rank} -> rank {moved[row.handle]} "
                    f"(official {row.rating} -> {row.new_rating}, computed at the recorded "
                    f"rank {row.new_rating + diffs[i] if row.new_rating is not None else '?'})"
                )
            fits.append(
                f"  with them there: {refit_exact}/{n} exact ({100 * refit_exact / n:.2f}%), "
                f"max |diff| {max(abs(d) for d in refit)}"
            )
    for line in fits:
        print(line)
    print(
        f"overall: {exact_total}/{total} participants exact ({100 * exact_total / total:.2f}%), "
        f"max |diff| {worst}, {len(files)} contests"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Recompute official Codeforces rating changes and count the exact matches.

For every official record (default: the fixtures under tests/data/codeforces/, the
API's `contest.ratingChanges` files and the Carrot extension's standings-with-deltas
files), the update of `solver.rating.codeforces` is run on the ranks and old ratings,
and each participant's newRating is compared with the official one. A ratingChanges
file gives the ranks; a Carrot file gives points and penalty, ranked as the
standings rank them (ties share a place). Printed per contest: participants, exact
matches, their share, the largest |difference|, and the share for the 2015 Java
code's form (the participant kept in its own needed-rating seed). The overall share
comes last.

`--fit` runs `solver.rating.diagnose.refit_outliers` on contests with participants
off by more than one point: each is moved to the place its own official newRating
implies and the contest is recomputed. A handful of moved participants making every
other participant exact says the rating was computed from other standings than the
record's ranks (see tests/data/codeforces/README.md).

    .venv/bin/python tools/check_codeforces_ratings.py [FILE...] [--fit]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver.rating.codeforces import Entry, Era, codeforces_update, era_of_contest  # noqa: E402
from solver.rating.diagnose import refit_outliers  # noqa: E402
from solver.rating.readers import ContestFile, Standing, ranked, read_contest  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "codeforces"
PATTERNS = ("*-ratingChanges.json*", "*-carrot-data.json*")


def _contest_id(contest: ContestFile) -> int | None:
    """The file's contest id, else the leading number of its name (`1349-...`)."""
    if contest.contest_id is not None:
        return contest.contest_id
    match = re.match(r"(\d+)-", contest.path.name)
    return int(match.group(1)) if match else None


def _compared(contest: ContestFile) -> list[Standing]:
    """The ranked rows that carry an official newRating."""
    return [row for row in ranked(contest.rows) if row.official and row.new_rating is not None]


def _entries(rows: list[Standing]) -> list[Entry]:
    return [Entry(row.handle, row.rank or 0, row.rating) for row in rows]


def _differences(rows: list[Standing], era: Era, exclude_self: bool) -> list[int]:
    """newRating computed minus official, per participant."""
    changes = codeforces_update(_entries(rows), era, exclude_self=exclude_self)
    return [c.new_rating - (row.new_rating or 0) for c, row in zip(changes, rows, strict=True)]


def main() -> int:
    """Print the per-contest and overall figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--fit", action="store_true", help="place the outliers (see above)")
    args = parser.parse_args()
    files = args.files or sorted(path for pattern in PATTERNS for path in FIXTURES.glob(pattern))
    total = exact_total = 0
    worst = 0
    fits: list[str] = []
    print(
        f"{'contest':<58} {'rated':>6} {'exact':>6} {'share':>8} {'max|diff|':>9}"
        f"   2015 form: {'exact':>6} {'share':>8}"
    )
    for path in files:
        contest = read_contest(path)
        contest_id = _contest_id(contest)
        era = era_of_contest(contest_id) if contest_id else "2015"
        rows = _compared(contest)
        diffs = _differences(rows, era, exclude_self=True)
        old_form = _differences(rows, era, exclude_self=False)
        exact = sum(d == 0 for d in diffs)
        exact_old = sum(d == 0 for d in old_form)
        n = len(diffs)
        label = f"{contest_id} {contest.contest_name or path.name}"
        biggest = max(abs(d) for d in diffs)
        print(
            f"{label:<58} {n:>6} {exact:>6} {100 * exact / n:>7.2f}% {biggest:>9}"
            f"              {exact_old:>6} {100 * exact_old / n:>7.2f}%"
        )
        total += n
        exact_total += exact
        worst = max(worst, biggest)
        if args.fit and any(abs(d) > 1 for d in diffs):
            official = [row.new_rating or 0 for row in rows]
            refit = refit_outliers(_entries(rows), official, era)
            fits.append(
                f"fit {contest_id}: {len(refit.moved)} participants off by more than 1 point, "
                "rated at another place than their recorded rank:"
            )
            for i, rank in refit.moved.items():
                row = rows[i]
                fits.append(
                    f"  {row.handle}: rank {row.rank} -> rank {rank} (official {row.rating} -> "
                    f"{row.new_rating}, computed at the recorded rank "
                    f"{official[i] + refit.before[i]})"
                )
            fits.append(
                f"  with them there: {refit.exact_after}/{n} exact "
                f"({100 * refit.exact_after / n:.2f}%), max |diff| "
                f"{max(abs(d) for d in refit.after)}"
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

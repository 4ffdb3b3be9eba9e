"""Where an official Codeforces record and the rating update disagree.

The API's `contest.ratingChanges` gives each participant's rank, oldRating and
newRating. When the update reproduces most of a contest but a few participants are
far off, the usual cause is that the standings the rating was computed from were not
the ones the record's ranks show (a rejudge or a hack decided after the rating,
see tests/data/codeforces/README.md). `refit_outliers` tests that explanation without
naming anyone: for every participant off by more than `tolerance` points it finds
the place at which that participant's own official newRating comes out (one number
each, by bisection), moves them there, and recomputes the whole contest. If a
handful of moved participants make every other participant exact as well, the
record's ranks, not the update, are what differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from solver.rating.codeforces import Entry, Era, codeforces_update


@dataclass(frozen=True)
class Refit:
    """The result of `refit_outliers`.

    `before` and `after`: computed minus official newRating per participant, at the
    recorded ranks and with the outliers moved. `moved`: index -> the rank value
    each outlier was moved to (it joins that tie group, so its place is the group's
    last one).
    """

    before: tuple[int, ...]
    moved: dict[int, int]
    after: tuple[int, ...]

    @property
    def exact_before(self) -> int:
        """Participants reproduced exactly at the recorded ranks."""
        return sum(d == 0 for d in self.before)

    @property
    def exact_after(self) -> int:
        """Participants reproduced exactly with the outliers moved."""
        return sum(d == 0 for d in self.after)


def _differences(entries: Sequence[Entry], official: Sequence[int], era: Era) -> tuple[int, ...]:
    changes = codeforces_update(entries, era)
    return tuple(c.new_rating - o for c, o in zip(changes, official, strict=True))


def place_for_rating(entries: Sequence[Entry], index: int, target: int, era: Era) -> int:
    """The best rank value at which participant `index` gets newRating `target`.

    Candidates are the contest's rank values and its size; the participant's new
    rating falls as its rank grows, so a bisection finds the first rank value whose
    rating is at most `target` (the last candidate where none is).
    """
    values = sorted({entry.rank for entry in entries} | {len(entries)})

    def rating_at(rank: int) -> int:
        moved = list(entries)
        moved[index] = replace(entries[index], rank=rank)
        return codeforces_update(moved, era)[index].new_rating

    lo, hi = 0, len(values) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if rating_at(values[mid]) > target:
            lo = mid + 1
        else:
            hi = mid
    return values[lo]


def refit_outliers(
    entries: Sequence[Entry], official: Sequence[int], era: Era, tolerance: int = 1
) -> Refit:
    """Move every participant off by more than `tolerance` points to the place its
    own official newRating implies, and recompute the contest (see the module
    docstring). Pure; costs one update per bisection step per outlier."""
    before = _differences(entries, official, era)
    outliers = [i for i, d in enumerate(before) if abs(d) > tolerance]
    moved = {i: place_for_rating(entries, i, official[i], era) for i in outliers}
    refitted = [replace(e, rank=moved[i]) if i in moved else e for i, e in enumerate(entries)]
    after = _differences(refitted, official, era) if moved else before
    return Refit(before=before, moved=moved, after=after)

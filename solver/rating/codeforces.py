"""The Codeforces rating update of a whole contest, as Codeforces computes it.

The algorithm is Mike Mirzayanov's "Open Codeforces Rating System" (Codeforces blog
entry 20762, October 2015, with its Java code at codeforces.com/contest/1/submission/
13861109), in the form the predictors that reproduce the official numbers use
(TLE's `rating_calculator.py`, the Carrot extension):

1. Places: participants sorted by standing; a group tied on one place all get the
   group's *last* place (two people tied for 1st both have place 2).
2. Seed of a participant rated r: 1 + the sum over every *other* participant j of
   P(j beats r) = 1 / (1 + 10^((r - r_j) / 400)), the expected place before the contest.
3. The place to reach: the geometric mean sqrt(place * seed).
4. The needed rating: the largest integer R in [1, 8000) whose seed (the participant
   left out of the sum) is still >= that place, by binary search.
5. delta = (R - r) / 2, truncated towards zero (Java integer division).
6. First correction: inc = -sum(delta) / n - 1 (truncated) added to everyone, so
   the sum of the deltas is slightly negative.
7. Second correction over the k = min(n, 4 * round(sqrt(n))) highest-rated
   participants: inc = min(0, max(-10, -sum(their deltas) / k)) added to everyone,
   so the top participants' deltas sum to about zero.

The 2015 Java code kept the participant in the sum of step 4 (`getSeed` over all
contestants); Codeforces' later code, and every predictor that matches the official
numbers, leaves them out. `exclude_self=False` gives the 2015 form for comparison;
`tools/check_codeforces_ratings.py` measures both against the official record.

First-time participants depend on the era of the data:

- "2015" (contests before 1360): a new account is rated 1500 and the API shows
  oldRating 1500 for its first contest.
- "2020" (contest 1360 on, May 2020, blog entry 77890): the calculation uses 1400
  for a new account, but the displayed rating starts at 0 and rises by the bonuses
  500, 350, 250, 150, 100, 50 over the first six rated contests (1400 in all), so
  displayed = real - 1400 + the bonuses earned so far. The API shows oldRating 0 for
  a first contest. For a participant in contests 2 to 6 the real rating is only
  known with the number of earlier contests (`Entry.contests`); without it the
  displayed rating is taken as the real one (Carrot does the same).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Era = Literal["2015", "2020"]

# The first contest whose rating changes follow the 2020 rule (Carrot's
# FAKE_RATINGS_SINCE_CONTEST).
ERA_2020_FIRST_CONTEST = 1360
# The rating a first-time participant is computed with, per era.
NEW_USER_RATING: dict[str, int] = {"2015": 1500, "2020": 1400}
# 2020 era: what each of the first six rated contests adds to the displayed rating.
BONUSES_2020 = (500, 350, 250, 150, 100, 50)
# The range of the binary search for the needed rating (Mike's code).
SEARCH_LOW, SEARCH_HIGH = 1, 8000


@dataclass(frozen=True)
class Entry:
    """One rated participant of a contest, as the input of the update.

    `rank` is the place in the standings with ties sharing the best place (the API's
    convention). `rating` is the displayed rating before the contest, as the API's
    `oldRating` shows it; None for a first rated contest. `contests` is the number of
    earlier rated contests, needed only for 2020-era participants in contests 2 to 6.
    """

    handle: str
    rank: int
    rating: int | None
    contests: int | None = None


@dataclass(frozen=True)
class Change:
    """The update of one participant: displayed ratings (as the API shows them) and
    the internals of the calculation (real rating used, seed, needed rating)."""

    handle: str
    rank: int
    old_rating: int
    new_rating: int
    real_rating: int
    real_new_rating: int
    seed: float
    need_rating: int
    estimator: str = "codeforces"

    @property
    def delta(self) -> int:
        """The displayed rating change."""
        return self.new_rating - self.old_rating


def era_of_contest(contest_id: int) -> Era:
    """The first-contest rule in force for a contest id (see the module docstring)."""
    return "2020" if contest_id >= ERA_2020_FIRST_CONTEST else "2015"


def elo_win_probability(rating_a: float, rating_b: float) -> float:
    """P(a participant rated `rating_a` beats one rated `rating_b`), the Elo curve."""
    return 1.0 / (1.0 + 10.0 ** ((rating_b - rating_a) / 400.0))


def _trunc_div(a: int, b: int) -> int:
    """a / b truncated towards zero, as Java's integer division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _bonus_offset(contests: int) -> int:
    """2020 era: displayed minus real rating after `contests` rated contests."""
    return sum(BONUSES_2020[:contests]) - NEW_USER_RATING["2020"]


def real_rating(entry: Entry, era: Era) -> int:
    """The rating the calculation uses for a participant (see the era rules)."""
    if entry.rating is None:
        return NEW_USER_RATING[era]
    if era == "2020":
        if entry.contests is not None and entry.contests < len(BONUSES_2020):
            return entry.rating - _bonus_offset(entry.contests)
        if entry.contests is None and entry.rating == 0:
            return NEW_USER_RATING[era]
    return entry.rating


def _displayed(entry: Entry, era: Era, real: int) -> int:
    """The displayed rating that goes with a real rating before (real) the contest."""
    if era == "2020":
        earlier = earlier_contests(entry)
        if earlier is not None and earlier < len(BONUSES_2020):
            return real + _bonus_offset(earlier)
    return real


def earlier_contests(entry: Entry) -> int | None:
    """Rated contests before this one, where known (0 for a first contest; in the
    2020 era a displayed rating of 0 with no count is taken as a first contest)."""
    if entry.rating is None:
        return 0
    if entry.contests is None and entry.rating == 0:
        return 0
    return entry.contests


def seeds_at(ratings: np.ndarray, points: np.ndarray) -> np.ndarray:
    """1 + sum over all `ratings` r_j of P(r_j beats p), for every p of `points`."""
    values, counts = np.unique(ratings, return_counts=True)
    out = np.empty(len(points), dtype=np.float64)
    step = 512
    for start in range(0, len(points), step):
        block = points[start : start + step, None].astype(np.float64)
        probabilities = counts / (1.0 + 10.0 ** ((block - values) / 400.0))
        out[start : start + step] = 1.0 + probabilities.sum(axis=1)
    return out


def places(ranks: Sequence[int]) -> list[int]:
    """Each participant's place for the calculation: the last place of its tie group.

    `ranks` follow the API's convention (ties share the best place; gaps allowed);
    the place is the number of participants ranked at or above that rank.
    """
    order = sorted(ranks)
    result = []
    for rank in ranks:
        lo, hi = 0, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            if order[mid] <= rank:
                lo = mid + 1
            else:
                hi = mid
        result.append(lo)
    return result


def codeforces_update(
    entries: Sequence[Entry], era: Era = "2015", *, exclude_self: bool = True
) -> list[Change]:
    """The rating changes of every participant of one contest, in the input's order.

    Deterministic and exact in integers except for the seeds (floating point as in
    Codeforces' Java code). Ties inside one rating at the border of the top-k group
    are broken by standing, then input order, as Java's stable sort does.
    """
    n = len(entries)
    if n == 0:
        return []
    real = [real_rating(entry, era) for entry in entries]
    place = places([entry.rank for entry in entries])
    ratings = np.array(real, dtype=np.float64)
    low = min(SEARCH_LOW, min(real))
    high = max(SEARCH_HIGH, max(real))
    table = seeds_at(ratings, np.arange(low, high + 1))

    def seed(at: int, me: int | None) -> float:
        value = float(table[at - low])
        if me is not None:
            value -= elo_win_probability(me, at)
        return value

    seeds: list[float] = []
    needs: list[int] = []
    deltas: list[int] = []
    for rating, own_place in zip(real, place, strict=True):
        own_seed = seed(rating, rating)
        target = math.sqrt(own_place * own_seed)
        left, right = SEARCH_LOW, SEARCH_HIGH
        while right - left > 1:
            mid = (left + right) // 2
            if seed(mid, rating if exclude_self else None) < target:
                right = mid
            else:
                left = mid
        seeds.append(own_seed)
        needs.append(left)
        deltas.append(_trunc_div(left - rating, 2))

    by_rating = sorted(range(n), key=lambda i: (-real[i], place[i], i))
    first = _trunc_div(-sum(deltas), n) - 1
    deltas = [delta + first for delta in deltas]
    top = min(n, 4 * round(math.sqrt(n)))
    top_sum = sum(deltas[i] for i in by_rating[:top])
    second = min(0, max(-10, _trunc_div(-top_sum, top)))
    deltas = [delta + second for delta in deltas]

    changes = []
    for i, entry in enumerate(entries):
        old_displayed = _displayed(entry, era, real[i])
        earlier = earlier_contests(entry)
        new_real = real[i] + deltas[i]
        if era == "2020" and earlier is not None and earlier < len(BONUSES_2020):
            new_displayed = new_real + _bonus_offset(earlier + 1)
        else:
            new_displayed = new_real
        changes.append(
            Change(
                handle=entry.handle,
                rank=entry.rank,
                old_rating=old_displayed,
                new_rating=new_displayed,
                real_rating=real[i],
                real_new_rating=new_real,
                seed=seeds[i],
                need_rating=needs[i],
            )
        )
    return changes

"""The estimators applied to contest files: every participant, or one entrant.

Pure functions from `ContestFile` values (see `readers`) to `Estimate` rows, each
naming its estimator. An entrant (`place_entrant`) is a participant found in the
file by handle, or inserted at a given rank or with given points: everyone it passes
moves one place down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from solver.rating.codeforces import (
    Change,
    Entry,
    Era,
    codeforces_update,
    earlier_contests,
    era_of_contest,
    real_rating,
)
from solver.rating.likelihood import ContestResult, mle_from_pairs
from solver.rating.performance import Performance, mean_performance, performance_rating
from solver.rating.readers import ContestFile, Standing, ranked


class EntrantError(ValueError):
    """An entrant that cannot be placed: not in the file and no rank or points given."""


@dataclass(frozen=True)
class Estimate:
    """One rating estimate of one participant in one contest (or over several).

    `rating` is the estimate: the new rating (codeforces, displayed as the API shows
    it), the performance rating (codeelo) or the maximum-likelihood rating (mle).
    `official` is the official new rating where the file has one.
    """

    handle: str
    estimator: str
    rating: float
    rank: int | None = None
    old_rating: int | None = None
    contest_id: int | None = None
    contest_name: str | None = None
    official: int | None = None
    clamped: bool = False
    contests: int = 1
    real_rating: int | None = None  # codeforces: the new rating the calculation uses


def contest_era(contest: ContestFile, era: Era | None) -> Era:
    """The era rule to apply: the one asked for, else the contest id's, else 2015's."""
    if era is not None:
        return era
    if contest.contest_id is not None:
        return era_of_contest(contest.contest_id)
    return "2015"


def participants(contest: ContestFile) -> list[Standing]:
    """The official rows, every one with a rank (filled in from points if needed)."""
    return [row for row in ranked(contest.rows) if row.official]


def _entry(row: Standing) -> Entry:
    assert row.rank is not None
    return Entry(row.handle, row.rank, row.rating, row.contests)


def place_entrant(
    contest: ContestFile,
    handle: str,
    *,
    rank: int | None = None,
    points: float | None = None,
    penalty: int | None = None,
    rating: int | None = None,
    contests: int | None = None,
) -> ContestFile:
    """The contest with `handle` among its official participants.

    Found by handle: kept where it is, unless a rank or points are given, which move
    it; a row outside the ranking (virtual, practice) joins it at the place its points
    earn. Not found: inserted at `rank`, or at the place `points` and `penalty` earn;
    `rating` and `contests` describe it (None: a first contest).
    """
    rows = list(contest.rows)
    found = [i for i, row in enumerate(rows) if row.handle == handle]
    if found:
        entrant = rows.pop(found[0])
        if rank is None and points is None:
            if entrant.official and entrant.rank is not None:
                rows.insert(found[0], entrant)
                return replace(contest, rows=tuple(rows))
            points, penalty = entrant.points, entrant.penalty
        if rating is None:
            rating, contests = entrant.rating, entrant.contests
    if rank is None and points is None:
        raise EntrantError(f"{contest.path}: {handle} is not in it: give its rank or points")
    ranked_rows = ranked([row for row in rows if row.official])
    others = [row for row in rows if not row.official]
    if rank is None:
        assert points is not None
        own_penalty = penalty or 0
        rank = 1 + sum(
            1
            for row in ranked_rows
            if row.points is not None
            and (row.points > points or (row.points == points and (row.penalty or 0) < own_penalty))
        )
    if rank < 1:
        raise EntrantError(f"{contest.path}: a rank is at least 1, got {rank}")
    moved = [
        replace(row, rank=row.rank + 1) if row.rank is not None and row.rank >= rank else row
        for row in ranked_rows
    ]
    if points is not None:
        # rows tied with the entrant on points and penalty share its place
        own_penalty = penalty or 0
        moved = [
            replace(row, rank=rank)
            if row.points == points and (row.penalty or 0) == own_penalty
            else row
            for row in moved
        ]
    entrant_row = Standing(handle, rank, rating, points, penalty, None, contests)
    return replace(contest, rows=tuple([*moved, entrant_row, *others]))


def row_estimate(contest: ContestFile, row: Standing, estimator: str, rating: float) -> Estimate:
    """The estimate of one participant's row in `contest`: what every estimator
    reports beside its own figure (rank, old and official rating, the contest)."""
    return Estimate(
        handle=row.handle,
        estimator=estimator,
        rating=rating,
        rank=row.rank,
        old_rating=row.rating,
        contest_id=contest.contest_id,
        contest_name=contest.contest_name,
        official=row.new_rating,
    )


def codeforces_estimates(contest: ContestFile, era: Era | None = None) -> list[Estimate]:
    """The Codeforces update of every official participant of one contest."""
    rows = participants(contest)
    changes = codeforces_update([_entry(row) for row in rows], contest_era(contest, era))
    return [
        _codeforces_estimate(contest, row, change)
        for change, row in zip(changes, rows, strict=True)
    ]


def _codeforces_estimate(contest: ContestFile, row: Standing, change: Change) -> Estimate:
    """A row's Codeforces update as an estimate (old rating as Codeforces displays it)."""
    return replace(
        row_estimate(contest, row, "codeforces", change.new_rating),
        old_rating=change.old_rating,
        real_rating=change.real_new_rating,
    )


def _real_ratings(rows: Sequence[Standing], era: Era) -> np.ndarray:
    return np.array([real_rating(_entry(row), era) for row in rows], dtype=np.float64)


def _local_ranks(rows: Sequence[Standing]) -> list[int]:
    """Each row's place among these rows only: 1 + the number ranked strictly ahead."""
    ranks = sorted(row.rank for row in rows if row.rank is not None)
    result = []
    for row in rows:
        assert row.rank is not None
        result.append(1 + int(np.searchsorted(ranks, row.rank, side="left")))
    return result


def _placed(contest: ContestFile, era: Era | None) -> tuple[list[Standing], np.ndarray, list[int]]:
    """The official participants, their real ratings and their places among them."""
    rows = participants(contest)
    return rows, _real_ratings(rows, contest_era(contest, era)), _local_ranks(rows)


def codeelo_estimates(
    contest: ContestFile, era: Era | None = None, handles: Sequence[str] | None = None
) -> list[Estimate]:
    """CodeElo's performance rating of the official participants (or of `handles`)."""
    rows, ratings, local = _placed(contest, era)
    wanted = set(handles) if handles is not None else None
    estimates = []
    for i, row in enumerate(rows):
        if wanted is not None and row.handle not in wanted:
            continue
        others = np.delete(ratings, i)
        performance = performance_rating(local[i], others, tolerance=1e-3)
        estimates.append(
            replace(
                row_estimate(contest, row, "codeelo", performance.rating),
                clamped=performance.clamped,
            )
        )
    return estimates


def contest_results(
    contest: ContestFile, handle: str, era: Era | None = None
) -> ContestResult | None:
    """One contest from `handle`'s side (None when it is not among the participants)."""
    rows, ratings, local = _placed(contest, era)
    for i, row in enumerate(rows):
        if row.handle == handle:
            others = tuple((float(ratings[j]), float(local[j])) for j in range(len(rows)) if j != i)
            return ContestResult(float(local[i]), others)
    return None


def mle_estimates(
    contests: Sequence[ContestFile],
    era: Era | None = None,
    handles: Sequence[str] | None = None,
) -> list[Estimate]:
    """The maximum-likelihood rating of each participant over all the contests it is in."""
    tables = []
    for contest in contests:
        rows = participants(contest)
        index = {row.handle: i for i, row in enumerate(rows)}
        ratings = _real_ratings(rows, contest_era(contest, era))
        local = np.array(_local_ranks(rows), dtype=np.float64)
        tables.append((index, ratings, local))
    if handles is None:
        seen: dict[str, None] = {}
        for index, _, _ in tables:
            for handle in index:
                seen.setdefault(handle, None)
        handles = list(seen)
    estimates = []
    for handle in handles:
        opponents: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        for index, ratings, local in tables:
            if handle not in index:
                continue
            i = index[handle]
            others = np.ones(len(ratings), dtype=bool)
            others[i] = False
            opponents.append(ratings[others])
            mine, theirs = local[i], local[others]
            scores.append(np.where(theirs > mine, 1.0, np.where(theirs < mine, 0.0, 0.5)))
        pooled = np.concatenate(opponents) if opponents else np.empty(0)
        if len(pooled) == 0:
            continue
        fit = mle_from_pairs(pooled, np.concatenate(scores), tolerance=1e-3)
        estimates.append(
            Estimate(
                handle=handle,
                estimator="mle",
                rating=fit.rating,
                clamped=fit.clamped,
                contests=len(opponents),
            )
        )
    return estimates


def entrant_codeforces(
    contests: Sequence[ContestFile], handle: str, era: Era | None = None
) -> list[Estimate]:
    """The entrant's Codeforces rating contest after contest, each update feeding the next.

    The first contest uses the entrant's rating as the file (or the insertion) gives
    it; each later one the new rating of the previous, with one more contest played.
    """
    estimates: list[Estimate] = []
    carried: tuple[int, int | None] | None = None
    for contest in contests:
        if carried is not None:
            rows = [
                replace(row, rating=carried[0], contests=carried[1])
                if row.handle == handle
                else row
                for row in contest.rows
            ]
            contest = replace(contest, rows=tuple(rows))
        rows = participants(contest)
        index = next((i for i, row in enumerate(rows) if row.handle == handle), None)
        if index is None:
            raise EntrantError(f"{contest.path}: {handle} is not among its participants")
        entries = [_entry(row) for row in rows]
        change = codeforces_update(entries, contest_era(contest, era))[index]
        estimates.append(_codeforces_estimate(contest, rows[index], change))
        earlier = earlier_contests(entries[index])
        carried = (change.new_rating, None if earlier is None else earlier + 1)
    return estimates


def entrant_codeelo(
    contests: Sequence[ContestFile], handle: str, era: Era | None = None
) -> tuple[list[Estimate], Estimate]:
    """The entrant's CodeElo performance in each contest and their mean."""
    per_contest = []
    for contest in contests:
        found = codeelo_estimates(contest, era, handles=[handle])
        if not found:
            raise EntrantError(f"{contest.path}: {handle} is not among its participants")
        per_contest.extend(found)
    mean = mean_performance([Performance(e.rating, e.clamped) for e in per_contest])
    overall = Estimate(
        handle=handle,
        estimator="codeelo",
        rating=mean.rating,
        clamped=mean.clamped,
        contests=len(per_contest),
    )
    return per_contest, overall

"""`cpsolve rate FILE...`: rating estimates from contest results files.

Each FILE is one contest (`.gz` is read through gzip): the Codeforces API's
`contest.ratingChanges` or `contest.standings` JSON (the whole response or its
`result`), or a CSV. Standings carry no ratings: `--ratings FILE` (ratingChanges or
CSV) gives them, and participants it does not name were not rated.

The CSV has a header naming its columns, in any order:
  handle      the participant (also: participant)
  rating      rating before the contest, empty for a first contest (also: old_rating)
  rank        place, ties sharing the best one (1, 2, 2, 4) - or instead:
  points      higher is better, ties broken by
  penalty     lower is better (optional, default 0)
  new_rating  optional: an official result to compare with
  contests    optional: rated contests played before this one (2020-era bonuses)
Blank lines and lines starting with # are skipped. Example:
  handle,rating,rank
  alice,1843,1
  bob,,2

Estimators: `codeforces` (the Codeforces update of every participant, compared with
the official newRating when the file has one), `codeelo` (performance rating per
contest, mean over contests), `mle` (maximum likelihood over all the contests).
`--as NAME` follows one participant: found by handle, or inserted at `--rank` or with
`--points`/`--penalty` (once per FILE, in order). Every printed rating names its
estimator.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `rate` parser."""
    parser = sub.add_parser(
        "rate",
        help="rating estimates (Codeforces update, CodeElo, MLE) from contest results",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", help="one results file per contest")
    parser.add_argument(
        "--estimator", choices=("codeforces", "codeelo", "mle"), default="codeforces"
    )
    parser.add_argument("--as", dest="entrant", metavar="NAME", help="follow this participant")
    parser.add_argument("--rank", type=int, action="append", help="the entrant's rank (per FILE)")
    parser.add_argument(
        "--points", type=float, action="append", help="the entrant's points (per FILE)"
    )
    parser.add_argument(
        "--penalty", type=int, action="append", help="the entrant's penalty (per FILE)"
    )
    parser.add_argument(
        "--rating", type=int, help="the entrant's rating before the first FILE (default: new)"
    )
    parser.add_argument(
        "--contests", type=int, help="rated contests the entrant played before the first FILE"
    )
    parser.add_argument("--ratings", help="ratings for standings files (ratingChanges or CSV)")
    parser.add_argument(
        "--era",
        choices=("2015", "2020"),
        help="first-contest rule (default: from the contest id, else 2015)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON, one participant a line")
    parser.set_defaults(handler=run)


def user_errors() -> tuple[type[Exception], ...]:
    """Bad results files and entrants that cannot be placed are the user's input."""
    from solver.rating.estimate import EntrantError
    from solver.rating.readers import RatingInputError

    return (RatingInputError, EntrantError)


def _per_file(values: list[Any] | None, index: int, name: str, count: int) -> Any:
    """The index-th value of a per-FILE option (one value applies to every FILE)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    if len(values) != count:
        from solver.rating.estimate import EntrantError

        raise EntrantError(f"--{name} is given {len(values)} times for {count} files")
    return values[index]


def run(args: argparse.Namespace) -> int:
    """Read the contests, apply the estimator, print the estimates."""
    from solver.rating import estimate as est
    from solver.rating.readers import RatingInputError, ratings_of, read_contest, with_ratings

    contests = [read_contest(Path(path)) for path in args.files]
    if args.ratings:
        ratings = ratings_of(read_contest(Path(args.ratings)))
        contests = [with_ratings(c, ratings) if c.kind == "standings" else c for c in contests]
    else:
        for contest in contests:
            if contest.kind == "standings":
                message = "standings carry no ratings: give --ratings FILE"
                raise RatingInputError(contest.path, None, message)
    if args.entrant:
        contests = [
            est.place_entrant(
                contest,
                args.entrant,
                rank=_per_file(args.rank, i, "rank", len(contests)),
                points=_per_file(args.points, i, "points", len(contests)),
                penalty=_per_file(args.penalty, i, "penalty", len(contests)),
                rating=args.rating if i == 0 else None,
                contests=args.contests if i == 0 else None,
            )
            for i, contest in enumerate(contests)
        ]
        return _entrant(args, contests)
    return _everyone(args, contests)


def _record(estimate: Any) -> dict[str, Any]:
    """One estimate in the API's field names (plus the estimator's own)."""
    record: dict[str, Any] = {}
    if estimate.contest_id is not None:
        record["contestId"] = estimate.contest_id
    if estimate.contest_name is not None:
        record["contestName"] = estimate.contest_name
    record["handle"] = estimate.handle
    if estimate.rank is not None:
        record["rank"] = estimate.rank
    if estimate.rank is not None or estimate.old_rating is not None:
        record["oldRating"] = estimate.old_rating
    if estimate.estimator == "codeforces":
        record["newRating"] = int(estimate.rating)
        if estimate.real_rating is not None and estimate.real_rating != int(estimate.rating):
            record["realRating"] = estimate.real_rating
    elif estimate.estimator == "codeelo":
        record["performance"] = round(estimate.rating, 1)
    else:
        record["rating"] = round(estimate.rating, 1)
        record["contests"] = estimate.contests
    record["estimator"] = estimate.estimator
    if estimate.clamped:
        record["clamped"] = True
    return record


def _print_json(records: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    """One JSON object, `result` holding one record a line (diffable with the API's)."""
    head = json.dumps({"status": "OK", **extra}, ensure_ascii=False)[:-1]
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    print(f'{head}, "result": [\n{lines}\n]}}')


def _label(contest: Any) -> str:
    parts = [str(contest.contest_id)] if contest.contest_id is not None else []
    if contest.contest_name:
        parts.append(contest.contest_name)
    return " ".join(parts) or str(contest.path)


def _everyone(args: argparse.Namespace, contests: list[Any]) -> int:
    """Every participant of every contest."""
    from solver.rating import estimate as est

    if args.estimator == "mle":
        estimates = est.mle_estimates(contests, args.era)
        if args.json:
            _print_json([_record(e) for e in estimates], {"estimator": "mle"})
            return 0
        print(f"{'handle':<24} {'rating':>8} {'contests':>8}  estimator")
        for e in sorted(estimates, key=lambda e: -e.rating):
            flag = " (clamped)" if e.clamped else ""
            print(f"{e.handle:<24} {e.rating:>8.1f} {e.contests:>8}  mle{flag}")
        return 0
    records = []
    summaries = []
    for contest in contests:
        if args.estimator == "codeforces":
            estimates = est.codeforces_estimates(contest, args.era)
        else:
            estimates = est.codeelo_estimates(contest, args.era)
        records += [_record(e) for e in estimates]
        if not args.json:
            _print_table(contest, estimates)
        summaries.append(_summary(contest, estimates))
    if args.json:
        _print_json(records, {"estimator": args.estimator})
    else:
        for line in summaries:
            print(line)
    return 0


def _print_table(contest: Any, estimates: list[Any]) -> None:
    print(f"# {_label(contest)}")
    name = "newRating" if estimates and estimates[0].estimator == "codeforces" else "performance"
    print(f"{'rank':>6} {'handle':<24} {'oldRating':>9} {name:>11} {'official':>8}  estimator")
    for e in estimates:
        official = "" if e.official is None else str(e.official)
        old = "" if e.old_rating is None else str(e.old_rating)
        value = f"{e.rating:.0f}" if e.estimator == "codeforces" else f"{e.rating:.1f}"
        flag = " (clamped)" if e.clamped else ""
        print(f"{e.rank:>6} {e.handle:<24} {old:>9} {value:>11} {official:>8}  {e.estimator}{flag}")


def _summary(contest: Any, estimates: list[Any]) -> str:
    """The comparison with the official new ratings, where the file has them."""
    label = _label(contest)
    if not estimates or estimates[0].estimator != "codeforces":
        estimator = estimates[0].estimator if estimates else "none"
        return f"{label}: {len(estimates)} participants [{estimator}]"
    compared = [e for e in estimates if e.official is not None]
    if not compared:
        return f"{label}: {len(estimates)} participants [codeforces]"
    diffs = [abs(int(e.rating) - e.official) for e in compared]
    exact = sum(d == 0 for d in diffs)
    share = 100.0 * exact / len(compared)
    return (
        f"{label}: {len(compared)} participants, {exact} match the official newRating "
        f"exactly ({share:.2f}%), max |diff| {max(diffs)} [codeforces]"
    )


def _entrant(args: argparse.Namespace, contests: list[Any]) -> int:
    """One participant followed over the contests."""
    from solver.rating import estimate as est

    name = args.entrant
    if args.estimator == "codeforces":
        per_contest = est.entrant_codeforces(contests, name, args.era)
        final = per_contest[-1].rating
        extra = {"estimator": "codeforces", "handle": name, "rating": int(final)}
    elif args.estimator == "codeelo":
        per_contest, overall = est.entrant_codeelo(contests, name, args.era)
        final = overall.rating
        extra = {"estimator": "codeelo", "handle": name, "rating": round(final, 1)}
    else:
        fits = est.mle_estimates(contests, args.era, handles=[name])
        if not fits:
            print(f"cpsolve: error: {name} has no pairwise results", file=sys.stderr)
            return 2
        per_contest, final = fits, fits[0].rating
        extra = {"estimator": "mle", "handle": name, "rating": round(final, 1)}
    if args.json:
        _print_json([_record(e) for e in per_contest], extra)
        return 0
    if args.estimator != "mle":
        for contest, e in zip(contests, per_contest, strict=True):
            value = f"{e.rating:.0f}" if e.estimator == "codeforces" else f"{e.rating:.1f}"
            old = "new" if e.old_rating is None else str(e.old_rating)
            if e.real_rating is not None and e.real_rating != int(e.rating):
                value += f" (displayed; {e.real_rating} in the calculation)"
            print(f"{_label(contest)}: rank {e.rank}, oldRating {old}, {value} [{e.estimator}]")
    count = len(contests)
    print(f"{name}: {final:.0f} [{args.estimator}, {count} contest{'s' * (count != 1)}]")
    return 0

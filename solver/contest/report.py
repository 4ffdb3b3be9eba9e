"""The contest report: one JSON object for machines and a readable table for people,
from the simulation's plain results. Every rating printed names its estimator."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from solver.contest.curves import ClusterSize, CurvePoint
from solver.contest.scoring import Rules
from solver.contest.simulate import ContestReport, Placement


@dataclass(frozen=True)
class ProblemSummary:
    """One problem of the simulated contest: what was sampled and judged, what the
    strategy did, and the baselines' expected scores (contest points)."""

    name: str
    points: float
    samples: int
    candidates: int
    survivors: int
    clusters: int
    correct_candidates: int
    submissions: tuple[str, ...]
    reasons: tuple[str, ...]
    submission_points: tuple[float, ...]
    max_points: float
    seconds: dict[str, float]


@dataclass(frozen=True)
class RatingEstimate:
    """A rating and the estimator that produced it (or why there is none)."""

    estimator: str
    rating: float | None
    note: str = ""


def _unit(rules: Rules) -> str:
    return {Rules.IOI: "points", Rules.CODEFORCES: "points", Rules.ICPC: "solved"}[rules]


def report_json(
    report: ContestReport,
    problems: Sequence[ProblemSummary],
    samples_curves: dict[str, list[CurvePoint]],
    submissions_curves: dict[str, list[CurvePoint]],
    cluster_sizes: dict[str, list[ClusterSize]],
    ratings: Sequence[RatingEstimate],
    strategy: str,
    engines: Sequence[str],
    plots: dict[str, str],
) -> dict[str, Any]:
    """The whole report as a JSON-ready object."""
    return {
        "contest": report.contest,
        "rules": report.rules.value,
        "submission_limit": report.limit,
        "duration_minutes": report.duration,
        "submission_time_model": report.time_model,
        "strategy": strategy,
        "engines": list(engines),
        "entrant": dataclasses.asdict(report.entrant) | {"rules": report.rules.value},
        "random": dataclasses.asdict(report.random),
        "oracle": dataclasses.asdict(report.oracle) | {"rules": report.rules.value},
        "selection_efficiency": report.efficiency,
        "medal_cutoffs": None if report.medals is None else dataclasses.asdict(report.medals),
        "placement": _placement_json(report.placement),
        "random_placement": _placement_json(report.random_placement),
        "oracle_placement": _placement_json(report.oracle_placement),
        "ratings": [dataclasses.asdict(r) for r in ratings],
        "problems": [dataclasses.asdict(p) for p in problems],
        "samples_curves": {
            k: [dataclasses.asdict(p) for p in v] for k, v in samples_curves.items()
        },
        "submissions_curves": {
            k: [dataclasses.asdict(p) for p in v] for k, v in submissions_curves.items()
        },
        "cluster_sizes": {k: [dataclasses.asdict(c) for c in v] for k, v in cluster_sizes.items()},
        "plots": plots,
    }


def _placement_json(placement: Placement | None) -> dict[str, Any] | None:
    return None if placement is None else dataclasses.asdict(placement)


def _placement_text(placement: Placement | None) -> str:
    if placement is None:
        return "-"
    parts = []
    if placement.field_size:
        tie = f" (tied with {placement.ties})" if placement.ties else ""
        parts.append(
            f"rank {placement.rank} of {placement.field_size + 1}{tie}, "
            f"ahead of {100 * placement.beaten_share:.0f}% of the field"
        )
    if placement.medal is not None or placement.field_size == 0:
        parts.append(f"medal: {placement.medal or 'none'}")
    return "; ".join(parts)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def report_text(
    report: ContestReport,
    problems: Sequence[ProblemSummary],
    ratings: Sequence[RatingEstimate],
    strategy: str,
    engines: Sequence[str],
) -> str:
    """The readable report: per-problem table, totals against the baselines, the
    placement in the standings, the rating estimates with their estimators."""
    unit = _unit(report.rules)
    lines = [
        f"Contest: {report.contest} ({report.rules.value} rules, "
        f"{report.limit} submissions per problem, {report.duration:g} minutes)",
        f"Candidates from: {', '.join(engines)}; selection strategy: {strategy}",
        f"Submission-time model: {report.time_model}",
        "",
    ]
    rows = [
        [
            "problem",
            "samples",
            "distinct",
            "correct",
            "survivors",
            "clusters",
            "submitted",
            strategy,
            "random",
            "oracle",
        ]
    ]
    for index, problem in enumerate(problems):
        result = report.entrant.problems[index]
        rows.append(
            [
                problem.name,
                str(problem.samples),
                str(problem.candidates),
                str(problem.correct_candidates),
                str(problem.survivors),
                str(problem.clusters),
                str(result.submissions),
                f"{result.score:.2f}",
                f"{report.random.problem_scores[index]:.2f}",
                f"{report.oracle.problems[index].score:.2f}",
            ]
        )
    rows.append(
        [
            "total",
            str(sum(p.samples for p in problems)),
            str(sum(p.candidates for p in problems)),
            str(sum(p.correct_candidates for p in problems)),
            str(sum(p.survivors for p in problems)),
            str(sum(p.clusters for p in problems)),
            str(sum(r.submissions for r in report.entrant.problems)),
            f"{report.entrant.score:.2f}",
            f"{report.random.score:.2f}",
            f"{report.oracle.score:.2f}",
        ]
    )
    lines += _table(rows)
    penalty = f", penalty {report.entrant.penalty:.0f} min" if report.rules is Rules.ICPC else ""
    efficiency = "n/a" if report.efficiency is None else f"{report.efficiency:.2f}"
    lines += [
        "",
        f"Score ({unit}): {strategy} {report.entrant.score:.2f}{penalty}; "
        f"random {report.random.score:.2f} +- {report.random.stderr:.2f}; "
        f"oracle {report.oracle.score:.2f}; selection efficiency {efficiency}",
    ]
    if report.medals is not None:
        m = report.medals
        lines.append(f"Medal cut-offs: gold {m.gold:g}, silver {m.silver:g}, bronze {m.bronze:g}")
    lines += [
        f"Standings ({strategy}): {_placement_text(report.placement)}",
        f"Standings (random):  {_placement_text(report.random_placement)}",
        f"Standings (oracle):  {_placement_text(report.oracle_placement)}",
    ]
    for rating in ratings:
        value = "n/a" if rating.rating is None else f"{rating.rating:.0f}"
        note = f" ({rating.note})" if rating.note else ""
        lines.append(f"Rating [{rating.estimator}]: {value}{note}")
    return "\n".join(lines)

"""Solving a contest: every problem of a contest file solved (`solver.solve.problem`,
each resumable in its own run folder), the contest simulated, and the report and
plots written (`solve_contest`)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from problems.load import load_problem
from problems.model import Problem
from solver.candidates import Pool
from solver.cluster import cluster_candidates, public_filter
from solver.contest.contestfile import Contest, load_contest
from solver.contest.curves import (
    cluster_sizes,
    sample_grid,
    samples_curve,
    submissions_curve,
)
from solver.contest.nk import sample_ids
from solver.contest.report import ProblemSummary, RatingEstimate, report_json, report_text
from solver.contest.simulate import ContestReport, ProblemRun, default_points, simulate_contest
from solver.select.strategy import Strategy
from solver.solve.problem import (
    DEFAULT_ENGINE,
    EngineSpec,
    SolveError,
    SolveOptions,
    SolveResult,
    resolve_engine,
    select_stage,
    solve_problem,
)

DEFAULT_OPTIONS = SolveOptions()

CONTEST_ENGINES = (EngineSpec(DEFAULT_ENGINE, 2), EngineSpec("mutants", 50))
"""`cpsolve contest` (and the demo) with no engine named: a few samples of the default
model per problem (it is small and slow on a CPU) and mutants for the bulk."""


@dataclass(frozen=True)
class ContestOutcome:
    """A simulated contest: the per-problem results, the simulation's report, the
    report files written and the JSON object they hold."""

    results: tuple[SolveResult, ...]
    report: ContestReport
    text: str
    data: dict[str, Any]
    run_dir: Path
    files: dict[str, Path]


def contest_points(contest: Contest, index: int, problem: Problem, pool: Pool) -> float:
    """The contest value of problem `index`: the contest file's, else the rules'
    default (`solver.contest.simulate.default_points`)."""
    given = contest.problems[index].points
    if given is not None:
        return given
    return default_points(contest.rules, index, problem.type, pool.max_points)


def strategy_selector(strategy: Strategy, seed: int) -> Callable[[Pool, int], list[str]]:
    """The strategy as the n@k estimator calls it: with the contest's feedback."""

    def selector(pool: Pool, limit: int) -> list[str]:
        return select_stage(pool, strategy, limit, True, seed).ids

    return selector


def rating_estimates(contest: Contest, report: ContestReport) -> list[RatingEstimate]:
    """The entrant's rating estimates from its place among rated participants, each
    naming its estimator (`solver.rating`)."""
    rated = [s for s in contest.standings if s.rating is not None]
    if report.placement is None or not rated:
        return [
            RatingEstimate("codeelo", None, "needs a standings file with the participants' ratings")
        ]
    from solver.rating.performance import performance_rating

    ratings = [float(s.rating) for s in rated if s.rating is not None]
    # tied with t humans, the entrant holds one of places rank..rank+t: take the middle
    rank = report.placement.rank + report.placement.ties / 2
    estimate = performance_rating(rank, ratings)
    note = f"rank {rank:g} among {len(ratings)} rated participants"
    if estimate.clamped:
        note += "; at the search bound (no finite solution at this rank)"
    return [RatingEstimate(estimate.estimator, estimate.rating, note)]


def problem_summary(result: SolveResult, points: float) -> ProblemSummary:
    """The report's row of one solved problem."""
    pool = result.pool
    survivors = public_filter(pool.candidates)
    return ProblemSummary(
        name=result.problem.name,
        points=points,
        samples=result.samples,
        candidates=len(pool.candidates),
        survivors=len(survivors),
        clusters=len(cluster_candidates(survivors)),
        correct_candidates=sum(pool.is_correct(c.id) for c in pool.candidates) if pool.truth else 0,
        submissions=tuple(result.selection.ids),
        reasons=tuple(s.why() for s in result.selection.submissions),
        submission_points=tuple(o.points for o in result.outcomes),
        max_points=pool.max_points,
        seconds=dict(result.seconds),
    )


def solve_contest(
    contest: Contest | Path | str,
    run_dir: Path | str,
    options: SolveOptions = DEFAULT_OPTIONS,
    curve_trials: int = 20,
    baseline_trials: int = 1000,
) -> ContestOutcome:
    """Solve every problem of a contest file in `run_dir/problems/NAME` (resumable),
    simulate the contest, and write the report (`report.json`, `report.txt`) and the
    plots (`*.png`) into `run_dir`."""
    from solver import plots

    if not isinstance(contest, Contest):
        contest = load_contest(contest)
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    options = dataclasses.replace(options, limit=contest.submission_limit)
    results = []
    for entry in contest.problems:
        problem = load_problem(entry.path)
        name = entry.name or problem.name
        result = solve_problem(problem, run_dir / "problems" / name, options)
        if not result.has_hidden:
            raise SolveError(
                f"{contest.path}: problem {entry.path} has no hidden tests, so a simulated "
                "contest cannot score its submissions"
            )
        results.append(result)
    runs = []
    for index, result in enumerate(results):
        points = contest_points(contest, index, result.problem, result.pool)
        submitted = tuple(result.selection.ids)
        runs.append(ProblemRun(result.problem.name, points, result.pool, submitted))
    report = simulate_contest(contest, runs, trials=baseline_trials, seed=options.seed)
    strategy = results[0].strategy
    selector = strategy_selector(strategy, options.seed)
    samples_curves = {}
    submissions_curves = {}
    sizes = {}
    for run in tqdm(runs, desc="curves", unit="problem", disable=not options.progress):
        if not run.pool.truth:
            continue
        total = len(sample_ids(run.pool))
        grid = sample_grid(total)
        samples_curves[run.name] = samples_curve(
            run.pool, selector, contest.submission_limit, grid, curve_trials, options.seed
        )
        submissions_curves[run.name] = submissions_curve(
            run.pool, run.submissions, contest.submission_limit
        )
        sizes[run.name] = cluster_sizes(run.pool)
    ratings = rating_estimates(contest, report)
    summaries = [problem_summary(r, run.points) for r, run in zip(results, runs, strict=True)]
    engines = [resolve_engine(spec).label() for spec in options.engines]
    files = {
        "samples_plot": plots.plot_curves(
            run_dir / "score-vs-samples.png",
            samples_curves,
            f"{contest.name}: score of {contest.submission_limit} submissions vs samples (n@k)",
            "samples k",
            strategy.name,
            log_x=True,
        ),
        "submissions_plot": plots.plot_curves(
            run_dir / "score-vs-submissions.png",
            submissions_curves,
            f"{contest.name}: score vs number of submissions",
            "submissions",
            strategy.name,
        ),
        "clusters_plot": plots.plot_cluster_sizes(run_dir / "cluster-sizes.png", sizes),
        "standings_plot": plots.plot_standings(
            run_dir / "standings.png",
            [s.score for s in contest.standings],
            {
                strategy.name: report.entrant.score,
                "random": report.random.score,
                "oracle": report.oracle.score,
            },
            f"{contest.name}: where the simulated entrant lands",
            {"ioi": "points", "codeforces": "points", "icpc": "problems solved"}[
                contest.rules.value
            ],
            report.medals,
        ),
    }
    text = report_text(report, summaries, ratings, strategy.name, engines)
    data = report_json(
        report,
        summaries,
        samples_curves,
        submissions_curves,
        sizes,
        ratings,
        strategy.name,
        engines,
        {name: str(path) for name, path in files.items()},
    )
    files["json"] = run_dir / "report.json"
    files["json"].write_text(json.dumps(data, indent=1) + "\n")
    files["text"] = run_dir / "report.txt"
    files["text"].write_text(text + "\n")
    return ContestOutcome(tuple(results), report, text, data, run_dir, files)

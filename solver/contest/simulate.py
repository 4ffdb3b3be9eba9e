"""Contest simulation: the entrant's submissions on every problem, scored under the
contest's rules, set against random and oracle selection from the same pools and
placed in the human standings. Pure: it takes judged pools and the strategy's
submission order and computes; solving the problems happens elsewhere
(`solver/solve/`).

Baselines (same pools, same limit, same time model):
- random: each problem gets `limit` samples drawn uniformly without replacement from
  its pool's samples, submitted in the drawn order; the expected contest score is
  estimated over `trials` seeded draws (mean and standard error);
- oracle: the best picks the hidden truth allows: under IOI the best set of at most
  `limit` submissions (`nk.oracle_selection`), under Codeforces and ICPC one accepted
  candidate first (nothing where the pool has none).

Medals (IOI): from the contest file's cut-offs, else derived from the standings as
IOI's regulations do: at most half of the contestants get a medal, gold : silver :
bronze about 1 : 2 : 3, so the cut-offs are the scores of the participants at the
places floor(N/12), floor(N/4) and floor(N/2) of the field sorted by score.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from problems.model import ProblemType
from solver.candidates import Pool
from solver.contest.contestfile import Contest, MedalCutoffs, Standing
from solver.contest.nk import oracle_selection, sample_ids
from solver.contest.scoring import (
    ContestResult,
    ProblemAttempts,
    Rules,
    is_full,
    place,
    score_contest,
)

DEFAULT_TRIALS = 1000
PASS_FAIL_IOI_POINTS = 100.0
CODEFORCES_STEP = 500.0


@dataclass(frozen=True)
class ProblemRun:
    """A solved problem as the simulation needs it: its name, contest value, judged
    pool (with the hidden truth) and the strategy's submissions in order."""

    name: str
    points: float
    pool: Pool
    submissions: tuple[str, ...]


@dataclass(frozen=True)
class Baseline:
    """An expected contest score (and ICPC penalty) with its standard error, plus the
    expected score of every problem."""

    score: float
    stderr: float
    penalty: float
    problem_scores: tuple[float, ...]


@dataclass(frozen=True)
class Placement:
    """Where a result lands among the humans: rank (1 = first), participants tied
    with it, the field's size, the share of the field it beats, and the medal."""

    rank: int
    ties: int
    field_size: int
    beaten_share: float
    medal: str | None


@dataclass(frozen=True)
class ContestReport:
    """Everything the simulation found."""

    contest: str
    rules: Rules
    limit: int
    duration: float
    time_model: str
    entrant: ContestResult
    random: Baseline
    oracle: ContestResult
    efficiency: float | None
    medals: MedalCutoffs | None
    placement: Placement | None
    random_placement: Placement | None
    oracle_placement: Placement | None


def default_points(rules: Rules, index: int, problem_type: ProblemType, max_score: float) -> float:
    """A problem's contest value when the contest file gives none: IOI - its own
    maximum (100 for pass/fail); Codeforces - 500 for the first, 1000 for the second...;
    ICPC - 1 (points are not used)."""
    if rules is Rules.IOI:
        if problem_type is ProblemType.SCORING and max_score > 0:
            return max_score
        return PASS_FAIL_IOI_POINTS
    if rules is Rules.CODEFORCES:
        return CODEFORCES_STEP * (index + 1)
    return 1.0


def attempts(run: ProblemRun, submissions: Sequence[str]) -> ProblemAttempts:
    """The problem as the scoring rules see it, with these submissions."""
    return ProblemAttempts(
        run.name,
        run.points,
        run.pool.subtasks,
        tuple(run.pool.truth[candidate_id] for candidate_id in submissions),
    )


def oracle_submissions(rules: Rules, pool: Pool, limit: int) -> list[str]:
    """The oracle's picks: IOI - the best set; otherwise one accepted candidate."""
    if rules is Rules.IOI:
        return oracle_selection(pool, limit)
    for candidate in pool.candidates:
        if is_full(pool.truth[candidate.id], pool.max_points):
            return [candidate.id]
    return []


def random_baseline(
    contest: Contest, runs: Sequence[ProblemRun], trials: int = DEFAULT_TRIALS, seed: int = 0
) -> Baseline:
    """The expected contest result of random picks (module docstring), by seeded
    Monte Carlo over `trials` draws."""
    rng = random.Random(seed)
    samples = [sample_ids(run.pool) for run in runs]
    totals: list[float] = []
    penalties: list[float] = []
    per_problem = [0.0] * len(runs)
    for _ in range(trials):
        picks = [rng.sample(s, min(contest.submission_limit, len(s))) for s in samples]
        result = score_contest(
            contest.rules,
            [attempts(run, pick) for run, pick in zip(runs, picks, strict=True)],
            contest.submission_limit,
            contest.duration,
            contest.time_model,
        )
        totals.append(result.score)
        penalties.append(result.penalty)
        for i, problem in enumerate(result.problems):
            per_problem[i] += problem.score / trials
    mean = sum(totals) / trials
    variance = sum((t - mean) ** 2 for t in totals) / max(1, trials - 1)
    return Baseline(mean, math.sqrt(variance / trials), sum(penalties) / trials, tuple(per_problem))


def derived_medals(standings: Sequence[Standing]) -> MedalCutoffs | None:
    """IOI's medal cut-offs derived from a field of scores (module docstring)."""
    scores = sorted((s.score for s in standings), reverse=True)
    if len(scores) < 12:
        return None
    return MedalCutoffs(
        gold=scores[len(scores) // 12 - 1],
        silver=scores[len(scores) // 4 - 1],
        bronze=scores[len(scores) // 2 - 1],
    )


def placement(
    rules: Rules,
    score: float,
    penalty: float,
    standings: Sequence[Standing],
    medals: MedalCutoffs | None,
) -> Placement | None:
    """Where (score, penalty) lands among the standings (None without standings)."""
    medal = medals.medal(score) if medals is not None and rules is Rules.IOI else None
    if not standings:
        return None if medals is None else Placement(0, 0, 0, 0.0, medal)
    field = [(s.score, s.penalty) for s in standings]
    rank, ties = place(rules, (score, penalty), field)
    beaten = len(field) - (rank - 1) - ties
    return Placement(rank, ties, len(field), beaten / len(field), medal)


def simulate_contest(
    contest: Contest, runs: Sequence[ProblemRun], trials: int = DEFAULT_TRIALS, seed: int = 0
) -> ContestReport:
    """Score the entrant, the random and the oracle baselines, and place them."""
    limit = contest.submission_limit
    entrant = score_contest(
        contest.rules,
        [attempts(run, run.submissions) for run in runs],
        limit,
        contest.duration,
        contest.time_model,
    )
    oracle = score_contest(
        contest.rules,
        [attempts(run, oracle_submissions(contest.rules, run.pool, limit)) for run in runs],
        limit,
        contest.duration,
        contest.time_model,
    )
    baseline = random_baseline(contest, runs, trials, seed)
    gap = oracle.score - baseline.score
    efficiency = (entrant.score - baseline.score) / gap if gap > 1e-9 else None
    medals = contest.medals
    if medals is None and contest.rules is Rules.IOI:
        medals = derived_medals(contest.standings)
    return ContestReport(
        contest=contest.name,
        rules=contest.rules,
        limit=limit,
        duration=contest.duration,
        time_model=contest.time_model.describe(contest.duration),
        entrant=entrant,
        random=baseline,
        oracle=oracle,
        efficiency=efficiency,
        medals=medals,
        placement=placement(
            contest.rules, entrant.score, entrant.penalty, contest.standings, medals
        ),
        random_placement=placement(
            contest.rules, baseline.score, baseline.penalty, contest.standings, medals
        ),
        oracle_placement=placement(
            contest.rules, oracle.score, oracle.penalty, contest.standings, medals
        ),
    )

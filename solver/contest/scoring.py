"""Contest scoring rules: IOI, Codeforces and ICPC, over a simulated entrant's
submissions. Pure functions of plain data.

- **IOI** (since 2017): a task's score is the sum over its subtasks of the best result
  across all submissions to the task, scaled to the task's contest points.
- **Codeforces**: a problem worth p points accepted at minute t after w rejected
  attempts scores max(0.3 p, p (1 - t / 250) - 50 w) (the formula of a standard
  two-hour round: p/250 points lost per minute; `decay_minutes` changes the 250);
  an unsolved problem scores 0 whatever its attempts.
- **ICPC**: the number of problems solved, then the penalty: for each solved problem
  the minute of its accepted submission plus 20 per rejected attempt before it.

The entrant submits to problems in the contest file's order, each problem's
submissions in the order the selection strategy gave, and stops submitting to a
problem once it has the problem's full score (an accepted submission).

**Submission-time model** (Codeforces and ICPC depend on it; IOI does not): no real
time passes in a simulation, so submission times are modelled. `even` (the default)
splits the contest into S = problems x limit equal slots, as many as the entrant
could ever use, and makes the j-th submission (1-based, over the whole contest) at
the middle of slot j: minute (j - 1/2) * duration / S. Slots do not depend on how
many submissions are actually made, so submitting less never makes a submission
later (an oracle that needs one submission per problem is never penalised for it).
`fixed` makes the j-th at minute j * minutes_per_submission; submissions that would
fall after the end of the contest are not made.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from solver.candidates import Outcome, Subtask

SCORE_EPS = 1e-9
CF_MIN_SHARE = 0.3
CF_WRONG_PENALTY = 50.0
CF_DECAY_MINUTES = 250.0
ICPC_WRONG_PENALTY = 20.0


class Rules(enum.Enum):
    """The scoring rules of a contest."""

    IOI = "ioi"
    CODEFORCES = "codeforces"
    ICPC = "icpc"


class TimeModelKind(enum.Enum):
    """How submission times are modelled (see the module docstring)."""

    EVEN = "even"
    FIXED = "fixed"


@dataclass(frozen=True)
class TimeModel:
    """When the simulated entrant makes its submissions."""

    kind: TimeModelKind = TimeModelKind.EVEN
    minutes_per_submission: float = 5.0

    def describe(self, duration: float) -> str:
        """One sentence for reports: the model and its parameters."""
        if self.kind is TimeModelKind.EVEN:
            return (
                f"the {duration:g}-minute contest split into S = problems x limit equal "
                f"slots; the j-th submission made at minute (j - 1/2) * {duration:g} / S"
            )
        return (
            f"a fixed {self.minutes_per_submission:g} minutes per submission: the j-th made "
            f"at minute j * {self.minutes_per_submission:g}; none after minute {duration:g}"
        )

    def minutes(self, count: int, duration: float, slots: int) -> list[float]:
        """The minutes of the first `count` submissions when at most `slots` can be
        made (fixed: only those within the contest, so the list may be shorter)."""
        if self.kind is TimeModelKind.EVEN:
            return [(j - 0.5) * duration / slots for j in range(1, count + 1)]
        times = [j * self.minutes_per_submission for j in range(1, count + 1)]
        return [t for t in times if t <= duration + SCORE_EPS]


@dataclass(frozen=True)
class ProblemAttempts:
    """One problem as the entrant meets it: its contest value (`points`: the IOI
    task's points or the Codeforces problem's p), its subtasks, and the hidden
    outcomes of the submissions the strategy would make, in order."""

    name: str
    points: float
    subtasks: tuple[Subtask, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def max_points(self) -> float:
        """The most a single submission can earn (the subtasks' points summed)."""
        return float(sum(subtask.points for subtask in self.subtasks))


@dataclass(frozen=True)
class SubmissionRecord:
    """One submission the entrant made: which problem, its place in the problem's
    sequence, the modelled minute, its own points and whether it was accepted."""

    problem: str
    index: int
    minute: float
    points: float
    accepted: bool


@dataclass(frozen=True)
class ProblemResult:
    """What one problem earned: the contest score, whether it was solved (full
    points), the submissions made, the rejected ones before the first accepted and
    that accepted submission's minute."""

    name: str
    score: float
    solved: bool
    submissions: int
    wrong_before_accepted: int
    minute_accepted: float | None


@dataclass(frozen=True)
class ContestResult:
    """The entrant's contest: its total score (IOI points, Codeforces points, ICPC
    problems solved), the ICPC penalty (0 under other rules), and the details."""

    rules: Rules
    score: float
    penalty: float
    problems: tuple[ProblemResult, ...]
    submissions: tuple[SubmissionRecord, ...]


def is_full(outcome: Outcome, max_points: float) -> bool:
    """True when a submission earned the problem's full points (accepted)."""
    return outcome.points >= max_points - SCORE_EPS


def ioi_task_points(subtasks: Sequence[Subtask], outcomes: Sequence[Outcome]) -> float:
    """IOI's task score in the problem's own points: per subtask the best result over
    the submissions, summed."""
    best = {subtask.name: 0.0 for subtask in subtasks}
    for outcome in outcomes:
        for name, points in outcome.subtask_points.items():
            if name in best:
                best[name] = max(best[name], points)
    return float(sum(best.values()))


def codeforces_points(
    points: float, minute: float, wrong: int, decay_minutes: float = CF_DECAY_MINUTES
) -> float:
    """Codeforces' score of a problem worth `points` accepted at `minute` after
    `wrong` rejected attempts: max(0.3 p, p (1 - t / 250) - 50 w)."""
    decayed = points * (1.0 - minute / decay_minutes) - CF_WRONG_PENALTY * wrong
    return max(CF_MIN_SHARE * points, decayed)


def _made(problem: ProblemAttempts, limit: int) -> tuple[Outcome, ...]:
    """The submissions actually made: at most `limit`, none after full points."""
    made: list[Outcome] = []
    for outcome in problem.outcomes[:limit]:
        made.append(outcome)
        if is_full(outcome, problem.max_points):
            break
    return tuple(made)


def score_contest(
    rules: Rules,
    problems: Sequence[ProblemAttempts],
    limit: int,
    duration: float,
    time_model: TimeModel = TimeModel(),
    decay_minutes: float = CF_DECAY_MINUTES,
) -> ContestResult:
    """Score the entrant's submissions under `rules` with at most `limit`
    submissions per problem and modelled submission times (module docstring)."""
    made = [_made(problem, limit) for problem in problems]
    slots = max(1, limit * len(problems))
    minutes = time_model.minutes(sum(len(m) for m in made), duration, slots)
    records: list[SubmissionRecord] = []
    results: list[ProblemResult] = []
    position = 0
    for problem, outcomes in zip(problems, made, strict=True):
        kept = outcomes[: max(0, len(minutes) - position)]
        times = minutes[position : position + len(kept)]
        position += len(kept)
        accepted_at = next((i for i, o in enumerate(kept) if is_full(o, problem.max_points)), None)
        for i, (outcome, minute) in enumerate(zip(kept, times, strict=True)):
            records.append(
                SubmissionRecord(problem.name, i, minute, outcome.points, i == accepted_at)
            )
        minute_accepted = None if accepted_at is None else times[accepted_at]
        wrong = accepted_at if accepted_at is not None else len(kept)
        if rules is Rules.IOI:
            scale = problem.points / problem.max_points if problem.max_points else 0.0
            score = scale * ioi_task_points(problem.subtasks, kept)
        elif rules is Rules.CODEFORCES:
            score = (
                0.0
                if minute_accepted is None
                else codeforces_points(problem.points, minute_accepted, wrong, decay_minutes)
            )
        else:
            score = 0.0 if minute_accepted is None else 1.0
        results.append(
            ProblemResult(
                problem.name,
                score,
                accepted_at is not None,
                len(kept),
                wrong,
                minute_accepted,
            )
        )
    penalty = 0.0
    if rules is Rules.ICPC:
        penalty = sum(
            math.floor(r.minute_accepted) + ICPC_WRONG_PENALTY * r.wrong_before_accepted
            for r in results
            if r.minute_accepted is not None
        )
    return ContestResult(
        rules,
        float(sum(r.score for r in results)),
        float(penalty),
        tuple(results),
        tuple(records),
    )


def better(rules: Rules, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when result a = (score, penalty) ranks strictly above b: by score, and
    under ICPC by lower penalty among equal scores."""
    if a[0] > b[0] + SCORE_EPS:
        return True
    if rules is Rules.ICPC and abs(a[0] - b[0]) <= SCORE_EPS:
        return a[1] < b[1] - SCORE_EPS
    return False


def place(
    rules: Rules, entrant: tuple[float, float], field: Sequence[tuple[float, float]]
) -> tuple[int, int]:
    """Where the entrant lands among `field`: (rank, ties), rank = 1 + the number of
    participants strictly ahead; ties = participants with the same result (sharing
    the rank, as standings print them)."""
    ahead = sum(better(rules, other, entrant) for other in field)
    behind = sum(better(rules, entrant, other) for other in field)
    return ahead + 1, len(field) - ahead - behind

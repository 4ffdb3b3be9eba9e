"""The judged candidate pool: the plain data the selection stages read.

Everything after judging (clustering, scoring, selection, contest simulation) is a pure
function of these values, so it can be tested without running anything. They are
built at the edges: from a run store and the judge (`solver/judging.py`), from a
recorded real pool (the HumanEval reader), or by hand in tests.

What a strategy may read and what it may not is split on purpose: `Candidate` holds
only what is known before submitting (public tests, behaviour on generated inputs,
sampling statistics); `Truth` holds the hidden verdicts, which only the feedback of a
simulated submission (`Pool.submit`) and the evaluation may read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    """One distinct program of a pool, with everything known before submitting it.

    `behaviour` has one entry per generated input of the pool (`Pool.generated_inputs`,
    same order): a class label of the program's output on that input, equal for two
    programs exactly when their outputs agree (checker-aware where the problem accepts
    several answers), or a label starting with "!" for a failed run ("!TLE", "!RE").
    `generated_passed` has one entry per generated test that carries an expected output
    (CodeT's model-written asserts): whether the program passed it.
    """

    id: str
    language: str
    source_length: int
    sample_count: int = 1
    logprob: float | None = None
    public_passed: int = 0
    public_total: int = 0
    behaviour: tuple[str, ...] = ()
    generated_passed: tuple[bool, ...] = ()
    cpu_time_s: float | None = None
    memory_bytes: int | None = None
    target_subtask: str | None = None
    centrality: float | None = None  # how typical its source is (solver.code.centrality)

    @property
    def passes_public(self) -> bool:
        """True when the program passed every public test (or there are none)."""
        return self.public_passed == self.public_total


@dataclass(frozen=True)
class Subtask:
    """A scored part of the problem: a name, its points, and the subtasks it contains."""

    name: str
    points: float
    contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The hidden verdict of one candidate: points per subtask (pass/fail problems have
    one subtask worth 1)."""

    subtask_points: Mapping[str, float]

    @property
    def points(self) -> float:
        """The candidate's own score: the sum over subtasks."""
        return float(sum(self.subtask_points.values()))


@dataclass(frozen=True)
class Pool:
    """A problem's judged pool: candidates, generated inputs, subtasks and hidden truth.

    `truth` maps a candidate id to its hidden outcome; it is read only through
    `submit` (the feedback of a simulated submission) and by evaluation code.
    `input_subtasks`, when known, has one entry per generated input: the subtasks whose
    constraints that input satisfies (empty when unknown); the o1-ioi policy uses it to
    compare candidates with a solved subtask's accepted submission on that subtask only.
    """

    problem: str
    candidates: tuple[Candidate, ...]
    subtasks: tuple[Subtask, ...] = (Subtask("all", 1.0),)
    generated_inputs: tuple[str, ...] = ()
    truth: Mapping[str, Outcome] = field(default_factory=dict)
    input_subtasks: tuple[tuple[str, ...], ...] = ()
    generated_test_counts: tuple[int, ...] = ()  # times the model wrote each test (CodeT)

    @property
    def max_points(self) -> float:
        """The most a task score can be: the sum of the subtasks' points."""
        return float(sum(subtask.points for subtask in self.subtasks))

    def submit(self, candidate_id: str) -> Outcome:
        """The feedback a contest gives for submitting this candidate (IOI: full)."""
        return self.truth[candidate_id]

    def is_correct(self, candidate_id: str) -> bool:
        """True when the candidate gets full points on the hidden tests (the label)."""
        return self.truth[candidate_id].points >= self.max_points - 1e-9


def task_score(pool: Pool, submitted: list[str]) -> float:
    """IOI's task score: per subtask the best result over the submissions, summed."""
    best = {subtask.name: 0.0 for subtask in pool.subtasks}
    for candidate_id in submitted:
        for name, points in pool.truth[candidate_id].subtask_points.items():
            best[name] = max(best[name], points)
    return float(sum(best.values()))

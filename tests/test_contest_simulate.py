"""The contest simulation on hand-built pools: entrant, random and oracle, placement,
medals, and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from problems.model import ProblemType
from solver.candidates import Candidate, Outcome, Pool, Subtask
from solver.contest.contestfile import Contest, ContestProblem, MedalCutoffs, Standing
from solver.contest.report import ProblemSummary, RatingEstimate, report_json, report_text
from solver.contest.scoring import Rules, TimeModel, TimeModelKind
from solver.contest.simulate import (
    ProblemRun,
    default_points,
    derived_medals,
    simulate_contest,
)


def pool(name: str, verdicts: list[bool]) -> Pool:
    """A pass/fail pool: candidate i is correct when verdicts[i]."""
    candidates = tuple(
        Candidate(id=f"{name}{i}", language="cpp", source_length=1) for i in range(len(verdicts))
    )
    truth = {
        c.id: Outcome({"all": 1.0 if ok else 0.0})
        for c, ok in zip(candidates, verdicts, strict=True)
    }
    return Pool(name, candidates, (Subtask("all", 1.0),), (), truth)


def contest(rules: Rules, standings: tuple[Standing, ...] = (), **extra: object) -> Contest:
    return Contest(
        path=Path("c.yaml"),
        name="hand",
        rules=rules,
        duration=100.0,
        submission_limit=2,
        problems=(ContestProblem(Path("a")), ContestProblem(Path("b"))),
        standings=standings,
        time_model=TimeModel(TimeModelKind.FIXED, 10.0),
        **extra,  # type: ignore[arg-type]
    )


def test_codeforces_entrant_random_oracle() -> None:
    a = pool("a", [False, True, False, False])
    b = pool("b", [False, False])
    runs = [ProblemRun("a", 500, a, ("a0", "a1")), ProblemRun("b", 1000, b, ("b0", "b1"))]
    field = tuple(Standing(f"h{i}", s) for i, s in enumerate([1000, 400, 300, 0]))
    report = simulate_contest(contest(Rules.CODEFORCES, field), runs, trials=2000, seed=1)
    # a: wrong at minute 10, accepted at 20 -> 500 * (1 - 20/250) - 50 = 410
    assert report.entrant.score == pytest.approx(410)
    # oracle: a1 first at minute 10 -> 480; b has no correct candidate
    assert report.oracle.score == pytest.approx(480)
    # random: 2 of a's 4 samples: first pick right 1/4 (480), second right 1/4 (410)
    assert report.random.score == pytest.approx((480 + 410) / 4, abs=4 * report.random.stderr)
    assert report.efficiency == pytest.approx(
        (410 - report.random.score) / (480 - report.random.score)
    )
    assert report.placement is not None
    assert (report.placement.rank, report.placement.field_size) == (2, 4)
    assert report.placement.beaten_share == pytest.approx(0.75)


def test_ioi_medals_from_cutoffs_and_derived() -> None:
    subtasks = (Subtask("s1", 40.0), Subtask("s2", 60.0))
    candidates = tuple(Candidate(id=f"c{i}", language="cpp", source_length=1) for i in range(3))
    truth = {
        "c0": Outcome({"s1": 40.0, "s2": 0.0}),
        "c1": Outcome({"s1": 0.0, "s2": 60.0}),
        "c2": Outcome({"s1": 0.0, "s2": 0.0}),
    }
    p = Pool("t", candidates, subtasks, (), truth)
    runs = [ProblemRun("t", 100.0, p, ("c2", "c0"))]
    medals = MedalCutoffs(90.0, 60.0, 30.0)
    one = Contest(
        Path("c.yaml"), "ioi", Rules.IOI, 300.0, 50, (ContestProblem(Path("t")),), medals=medals
    )
    report = simulate_contest(one, runs, trials=200)
    assert report.entrant.score == 40.0
    assert report.oracle.score == 100.0
    assert report.placement is not None and report.placement.medal == "bronze"
    assert report.oracle_placement is not None and report.oracle_placement.medal == "gold"
    field = [Standing(f"h{i}", float(100 - i)) for i in range(24)]
    derived = derived_medals(field)
    # 24 contestants: gold to the top 2, silver to the top 6, bronze to the top 12
    assert derived == MedalCutoffs(99.0, 95.0, 89.0)


def test_default_points() -> None:
    assert default_points(Rules.CODEFORCES, 2, ProblemType.PASS_FAIL, 1.0) == 1500
    assert default_points(Rules.IOI, 0, ProblemType.SCORING, 250.0) == 250
    assert default_points(Rules.IOI, 0, ProblemType.PASS_FAIL, 1.0) == 100


def test_report_names_the_estimator_and_time_model() -> None:
    a = pool("a", [True])
    runs = [ProblemRun("a", 500, a, ("a0",)), ProblemRun("b", 1000, pool("b", [False]), ("b0",))]
    report = simulate_contest(contest(Rules.ICPC), runs, trials=10)
    summaries = [
        ProblemSummary(r.name, r.points, 1, 1, 1, 1, 1, r.submissions, ("why",), (1.0,), 1.0, {})
        for r in runs
    ]
    ratings = [RatingEstimate("codeelo", 1234.0, "rank 2")]
    text = report_text(report, summaries, ratings, "cpsolve", ["mutants"])
    assert "Rating [codeelo]: 1234" in text
    assert "fixed 10 minutes per submission" in text
    assert "penalty 10 min" in text  # ICPC: one solved at minute 10, no wrong attempt
    data = report_json(report, summaries, {}, {}, {}, ratings, "cpsolve", ["mutants"], {})
    again = json.loads(json.dumps(data))
    assert again["ratings"][0]["estimator"] == "codeelo"
    assert again["entrant"]["score"] == 1 and again["entrant"]["penalty"] == 10

"""Selection policies: properties over generated pools and hand-worked cases."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from solver.candidates import Candidate, Outcome, Pool, Subtask, task_score
from solver.cluster import cluster_candidates, public_filter
from solver.select.policies import hardest_first, select
from solver.select.strategy import find_strategy
from tests.test_select_pools import LABELS, candidate, ioi_pools, pass_fail_pools


@st.composite
def largest_cluster_correct(draw: st.DrawFn) -> Pool:
    """Pools whose correct candidates behave alike (no failed runs, all generated tests
    with answers passed) and form the strictly largest cluster of the survivors."""
    inputs = draw(st.integers(1, 3))
    right = tuple(draw(st.sampled_from(LABELS[:3])) for _ in range(inputs))
    tests = draw(st.lists(st.integers(0, inputs - 1), max_size=3))
    candidates: list[Candidate] = []
    truth = {}

    def add(cid: str, behaviour: tuple[str, ...], public: bool, ok: bool) -> None:
        passed = tuple(behaviour[i] == right[i] for i in tests)
        samples = draw(st.integers(1, 3))
        candidates.append(
            candidate(cid, behaviour, public=public, samples=samples, generated_passed=passed)
        )
        truth[cid] = Outcome({"all": float(ok)})

    for index in range(draw(st.integers(1, 4))):
        add(f"ok{index}", right, True, True)
    for index in range(draw(st.integers(0, 6))):
        behaviour = tuple(draw(st.sampled_from(LABELS)) for _ in range(inputs))
        assume(behaviour != right)
        add(f"bad{index}", behaviour, draw(st.booleans()), False)
    order = draw(st.permutations(candidates))
    pool = Pool("p", tuple(order), generated_inputs=("x",) * inputs, truth=truth)
    clusters = cluster_candidates(public_filter(pool.candidates))
    assume(len(clusters) == 1 or clusters[0].size > clusters[1].size)
    assume(clusters[0].behaviour == right)
    return pool


@pytest.mark.parametrize("name", ["alphacode", "cpsolve", "o1-ioi"])
@settings(max_examples=80, deadline=None)
@given(pool=largest_cluster_correct(), seed=st.integers(0, 1000))
def test_largest_correct_cluster_is_accepted_first(name: str, pool: Pool, seed: int) -> None:
    selection = select(pool, find_strategy(name), limit=1, seed=seed)
    assert pool.is_correct(selection.ids[0])


@pytest.mark.parametrize("name", ["o1-ioi", "cpsolve", "alphacode"])
@settings(max_examples=80, deadline=None)
@given(pool=ioi_pools(), limit=st.integers(1, 6), seed=st.integers(0, 1000))
def test_ioi_policy_respects_the_limit_and_keeps_solved_subtasks(
    name: str, pool: Pool, limit: int, seed: int
) -> None:
    selection = select(pool, find_strategy(name), limit=limit, seed=seed, feedback=pool.submit)
    ids = selection.ids
    assert len(ids) <= limit
    assert len(set(ids)) == len(ids)
    solved: set[str] = set()
    scores = []
    for submission in selection.submissions:
        assert submission.subtask is None or submission.subtask not in solved
        assert submission.outcome == pool.submit(submission.candidate_id)
        for subtask in pool.subtasks:
            if submission.outcome.subtask_points[subtask.name] >= subtask.points:
                solved.add(subtask.name)
        scores.append(task_score(pool, ids[: len(scores) + 1]))
    assert scores == sorted(scores)
    if len(ids) < limit and task_score(pool, ids) < pool.max_points:
        # stopped early: every candidate left targets a subtask already solved
        survivors = public_filter(pool.candidates) or pool.candidates
        left = [c for c in survivors if c.id not in ids]
        assert all(c.target_subtask in solved for c in left)


@pytest.mark.parametrize("name", ["random", "public-filter", "alphacode", "codet", "cpsolve"])
@settings(max_examples=40, deadline=None)
@given(pool=pass_fail_pools(), seed=st.integers(0, 100), data=st.data())
def test_selection_ignores_candidate_order(name: str, pool: Pool, seed: int, data) -> None:
    shuffled = dataclasses.replace(
        pool, candidates=tuple(data.draw(st.permutations(pool.candidates)))
    )
    strategy = find_strategy(name)
    assert (
        select(pool, strategy, limit=5, seed=seed).ids
        == select(shuffled, strategy, limit=5, seed=seed).ids
    )


@settings(max_examples=40, deadline=None)
@given(pool=pass_fail_pools(min_candidates=2))
def test_pass_fail_stops_at_the_first_accepted(pool: Pool) -> None:
    selection = select(pool, find_strategy("alphacode"), limit=10, feedback=pool.submit)
    accepted = [pool.is_correct(i) for i in selection.ids]
    assert True not in accepted[:-1]


def test_codet_takes_one_per_consensus_set_best_first() -> None:
    # tests passed: y {0,1,2} -> 3 x sqrt(1) = 3; x1, x2 {0,1} -> 2 x sqrt(2) = 2.83;
    # z1..z3 {0} -> 1 x sqrt(3) = 1.73; n passes none (no set, last).
    rows = {
        "y": (True, True, True),
        "x1": (True, True, False),
        "x2": (True, True, False),
        "z1": (True, False, False),
        "z2": (True, False, False),
        "z3": (True, False, False),
        "n": (False, False, False),
    }
    pool = Pool(
        "p",
        tuple(candidate(cid, (), generated_passed=passed) for cid, passed in rows.items()),
    )
    for seed in range(5):
        ids = select(pool, find_strategy("codet"), limit=7, seed=seed).ids
        assert ids[0] == "y"
        assert ids[1] in ("x1", "x2")
        assert ids[2].startswith("z")
        assert ids[3] in ("x1", "x2") and ids[3] != ids[1]
        assert sorted(ids[2:3] + ids[4:6]) == ["z1", "z2", "z3"]
        assert ids[6] == "n"


def test_superset_keeps_candidates_agreeing_on_the_solved_subtask() -> None:
    # s1 (inputs 0 and 1) is solved by "small"; for s2, "wrong" disagrees with it on
    # input 1 and is dropped although its cluster is the largest.
    subtasks = (Subtask("s1", 40.0), Subtask("s2", 60.0, ("s1",)))
    small = candidate("small", ("a", "b", "!TLE"), target_subtask="s1")
    wrong = [candidate(f"w{i}", ("a", "x", "c"), target_subtask="s2") for i in range(3)]
    good = candidate("good", ("a", "b", "c"), target_subtask="s2")
    truth = {
        "small": Outcome({"s1": 40.0, "s2": 0.0}),
        "good": Outcome({"s1": 40.0, "s2": 60.0}),
        **{w.id: Outcome({"s1": 0.0, "s2": 0.0}) for w in wrong},
    }
    pool = Pool(
        "p",
        (small, *wrong, good),
        subtasks,
        generated_inputs=("1", "2", "3"),
        truth=truth,
        input_subtasks=(("s1", "s2"), ("s1", "s2"), ("s2",)),
    )
    strategy = dataclasses.replace(find_strategy("o1-ioi"), cluster_penalty=0.0)
    # hardest first: s2 gets the large wrong cluster, then s1 is solved by "small",
    # then s2 keeps only candidates agreeing with "small" on inputs 1 and 2.
    assert hardest_first(pool) == ["s2", "s1"]
    ids = select(pool, strategy, limit=5, feedback=pool.submit).ids
    assert ids[:2] == ["w0", "small"] or ids[1] == "small"
    assert ids[2] == "good"
    assert task_score(pool, ids) == 100.0


def test_codet_weighs_tests_by_how_often_the_model_wrote_them() -> None:
    # counts (5, 1, 1): y {0,1,2} -> 7 x sqrt(1) = 7; x1, x2 {0,1} -> 6 x sqrt(2) = 8.49
    rows = {"y": (True, True, True), "x1": (True, True, False), "x2": (True, True, False)}
    members = tuple(candidate(cid, (), generated_passed=passed) for cid, passed in rows.items())
    pool = Pool("p", members, generated_test_counts=(5, 1, 1))
    ids = select(pool, find_strategy("codet"), limit=3).ids
    assert ids[0] in ("x1", "x2") and ids[1] == "y"
    unweighted = dataclasses.replace(pool, generated_test_counts=())
    assert select(unweighted, find_strategy("codet"), limit=1).ids == ["y"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=2, max_size=6, unique=True), st.integers(0, 2**16))
def test_cpsolve_submits_a_clusters_most_typical_member_first(
    percents: list[int], seed: int
) -> None:
    typical = [percent / 100 for percent in percents]
    # one cluster (same behaviour everywhere), members differing only in centrality;
    # a smaller cluster of wrong answers beside it
    members = [
        candidate(f"m{index}", ("a", "b"), centrality=score) for index, score in enumerate(typical)
    ]
    pool = Pool("p", (*members, candidate("w", ("a", "x"), centrality=1.0)))
    first = select(pool, find_strategy("cpsolve"), limit=1, seed=seed).ids[0]
    assert first == f"m{typical.index(max(typical))}"

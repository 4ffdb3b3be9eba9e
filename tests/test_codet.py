"""CodeT's dual execution agreement (solver/scoring/codet.py): consensus sets worked
out by hand, properties of the ranking, the unbiased estimator against exact
combinatorics, and, when ../shared/peers/codet is present, agreement with CodeT's
own released implementation on random pass matrices."""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.scoring.codet import (
    codet_order,
    codet_pass_at_k,
    codet_rank,
    consensus_scores,
    consensus_sets,
    pass_at_k,
    tie_groups,
)

PEER = Path(__file__).resolve().parents[2] / "shared" / "peers" / "codet"

T, F = True, False
# c0 and c1 pass tests 0 and 1; c2 passes test 0; c3 passes nothing; c4 passes test 2.
HAND_PASSED = [[T, T, F], [T, T, F], [T, F, F], [F, F, F], [F, F, T]]
HAND_SAMPLES = [1, 2, 3, 4, 1]
HAND_TESTS = [2, 1, 5]  # how many times the model wrote each test


def test_hand_built_consensus_sets_and_scores() -> None:
    ranked = codet_rank(HAND_PASSED, HAND_SAMPLES, HAND_TESTS)
    # {c0, c1}: tests 0+1 weigh 2+1 = 3, samples 1+2 = 3 -> 3 sqrt(3) = 5.196
    # {c4}: test 2 weighs 5, 1 sample -> 5.0;  {c2}: test 0 weighs 2, 3 samples -> 3.464
    assert [(s.candidates, s.tests, s.test_weight, s.samples) for s in ranked] == [
        ((0, 1), (0, 1), 3, 3),
        ((4,), (2,), 5, 1),
        ((2,), (0,), 2, 3),
    ]
    assert [round(s.score, 3) for s in ranked] == [5.196, 5.0, 3.464]
    assert consensus_scores(HAND_PASSED, HAND_SAMPLES, HAND_TESTS) == [
        ranked[0].score,
        ranked[0].score,
        ranked[2].score,
        0.0,
        5.0,
    ]
    assert codet_order(ranked, HAND_SAMPLES) == [1, 4, 2, 0, 3]


def test_hand_built_pass_at_k() -> None:
    ranked = codet_rank(HAND_PASSED, HAND_SAMPLES, HAND_TESTS)
    correct = [T, F, T, T, F]
    # top set {c0 (1 sample, right), c1 (2 samples, wrong)}: a pick is right 1 time in 3
    assert codet_pass_at_k(ranked, correct, HAND_SAMPLES, 1) == pytest.approx(1 / 3)
    # the second set {c4} is wrong: no gain
    assert codet_pass_at_k(ranked, correct, HAND_SAMPLES, 2) == pytest.approx(1 / 3)
    assert codet_pass_at_k(ranked, correct, HAND_SAMPLES, 3) == pytest.approx(1.0)
    # 3 sets, k = 4: the top set is picked twice (with replacement)
    wrong_first = [F, F, F, T, F]
    assert codet_pass_at_k(ranked, wrong_first, HAND_SAMPLES, 4) == 0.0
    only_c0 = [T, F, F, F, F]
    assert codet_pass_at_k(ranked, only_c0, HAND_SAMPLES, 4) == pytest.approx(1 - (2 / 3) ** 2)


def test_equal_scores_are_one_group() -> None:
    # {c0}: 2 tests x sqrt(1) = 2;  {c1, c2, c3}: hmm, 1 test x sqrt(4) = 2
    passed = [[T, T], [T, F], [T, F], [F, F]]
    samples = [1, 2, 2, 5]
    ranked = codet_rank(passed, samples)
    assert [s.score for s in ranked] == [2.0, 2.0]
    assert [[s.candidates for s in group] for group in tie_groups(ranked)] == [[(1, 2), (0,)]]
    # one pick among the 5 samples of the merged group; only c0 (1 sample) is right
    assert codet_pass_at_k(ranked, [T, F, F, F], samples, 1) == pytest.approx(1 / 5)


def test_nothing_ranked_falls_back_to_random_choice() -> None:
    passed = [[F, F], [F, F]]
    samples = [3, 7]
    assert codet_rank(passed, samples) == []
    assert codet_pass_at_k([], [T, F], samples, 1) == pytest.approx(0.3)
    assert codet_pass_at_k([], [T, F], samples, 2) == pytest.approx(pass_at_k(10, 3, 2))
    assert codet_order([], samples) == [1, 0]


def test_bad_input_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="same number of tests"):
        consensus_sets([[T, F], [T]])
    with pytest.raises(ValueError, match="sample_counts"):
        consensus_sets([[T], [F]], [1])
    with pytest.raises(ValueError, match="test_counts"):
        consensus_sets([[T], [F]], [1, 1], [0])
    with pytest.raises(ValueError, match="k must be"):
        codet_pass_at_k([], [T], [1], 0)


@given(st.integers(1, 12).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))), st.data())
def test_pass_at_k_is_the_exact_probability(nc: tuple[int, int], data: st.DataObject) -> None:
    n, c = nc
    k = data.draw(st.integers(1, n))
    picks = list(combinations(range(n), k))
    exact = sum(any(i < c for i in pick) for pick in picks) / len(picks)
    assert pass_at_k(n, c, k) == pytest.approx(exact)


matrices = st.integers(1, 8).flatmap(
    lambda tests: st.lists(st.lists(st.booleans(), min_size=tests, max_size=tests), min_size=1)
)


@given(matrices, st.data())
def test_sets_partition_the_candidates_that_pass_something(
    passed: list[list[bool]], data: st.DataObject
) -> None:
    samples = data.draw(st.lists(st.integers(1, 5), min_size=len(passed), max_size=len(passed)))
    weights = data.draw(
        st.lists(st.integers(1, 5), min_size=len(passed[0]), max_size=len(passed[0]))
    )
    ranked = codet_rank(passed, samples, weights)
    members = [c for s in ranked for c in s.candidates]
    assert sorted(members) == [c for c, row in enumerate(passed) if any(row)]
    for consensus in ranked:
        for candidate in consensus.candidates:
            assert tuple(t for t, ok in enumerate(passed[candidate]) if ok) == consensus.tests
        assert consensus.score == pytest.approx(
            sum(weights[t] for t in consensus.tests)
            * math.sqrt(sum(samples[c] for c in consensus.candidates))
        )
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    order = codet_order(ranked, samples)
    assert sorted(order) == list(range(len(passed)))


@given(st.integers(1, 6), st.integers(1, 6), st.data())
def test_correct_candidates_passing_every_test_in_the_largest_set_come_first(
    tests: int, right: int, data: st.DataObject
) -> None:
    wrong_rows = data.draw(
        st.lists(
            st.lists(st.booleans(), min_size=tests, max_size=tests).filter(lambda r: not all(r)),
            max_size=8,
        )
    )
    passed = [[True] * tests] * right + wrong_rows
    # the right ones hold at least as many samples as all the wrong ones together
    wrong_samples = data.draw(
        st.lists(st.integers(1, 3), min_size=len(wrong_rows), max_size=len(wrong_rows))
    )
    samples = [max(1, sum(wrong_samples))] * right + wrong_samples
    correct = [True] * right + [False] * len(wrong_rows)
    ranked = codet_rank(passed, samples)
    assert correct[codet_order(ranked, samples)[0]]
    assert codet_pass_at_k(ranked, correct, samples, 1) == 1.0


# --- the peer ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def peer() -> Iterator[tuple[Any, Any]]:
    """CodeT's own agreement and evaluation modules (skips when absent)."""
    if not (PEER / "src" / "agreement.py").is_file():
        pytest.skip(f"{PEER} is absent")
    pytest.importorskip("numpy")
    sys.path.insert(0, str(PEER))
    try:
        from src import agreement, evaluation  # type: ignore[import-not-found]

        yield agreement, evaluation
    finally:
        sys.path.remove(str(PEER))


class Collect(logging.Handler):
    """A log handler that keeps the records."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def peer_pass_at_k(
    peer: tuple[Any, Any],
    passed: list[list[bool]],
    samples: list[int],
    weights: list[int],
    correct: list[bool],
) -> dict[str, float]:
    """CodeT's own pass@1/2/10 for one task, from its own data structures."""
    agreement, evaluation = peer
    task = "T/0"
    names = [f"solution {i}" for i in range(len(passed))]
    tests = [f"assert f({j}) == {j}" for j in range(len(weights))]
    code = [
        {"task_id": task, "completion": names[i]} for i, n in enumerate(samples) for _ in range(n)
    ]
    test_samples = {task: [[tests[j]] for j, n in enumerate(weights) for _ in range(n)]}
    dual = [
        {
            "task_id": task,
            "completion": names[i],
            "test_cases": tests,
            "result": row,
            "passed": len(row) > 0,
        }
        for i, row in enumerate(passed)
    ]
    truth = [
        {
            "task_id": task,
            "completion": c["completion"],
            "passed": correct[names.index(c["completion"])],
        }
        for c in code
    ]
    manager = agreement.DataManager(dual, code, test_samples, 5)
    ranked = agreement.DualAgreement(manager).get_sorted_solutions_without_iter()
    handler = Collect()
    records = handler.records
    level = evaluation.logger.level
    evaluation.logger.addHandler(handler)
    evaluation.logger.setLevel(logging.INFO)
    try:
        evaluation.get_result_of_sorted_solutions(truth, ranked, topks=[1, 2, 10])
    finally:
        evaluation.logger.removeHandler(handler)
        evaluation.logger.setLevel(level)
    result: dict[str, float] = records[-1].msg  # type: ignore[assignment]
    return result


@settings(max_examples=60, deadline=None)
@given(matrices, st.data())
def test_agrees_with_codets_own_implementation(
    peer: tuple[Any, Any], passed: list[list[bool]], data: st.DataObject
) -> None:
    samples = data.draw(st.lists(st.integers(1, 4), min_size=len(passed), max_size=len(passed)))
    weights = data.draw(
        st.lists(st.integers(1, 3), min_size=len(passed[0]), max_size=len(passed[0]))
    )
    correct = data.draw(st.lists(st.booleans(), min_size=len(passed), max_size=len(passed)))
    expected = peer_pass_at_k(peer, passed, samples, weights, correct)
    ranked = codet_rank(passed, samples, weights)
    for k in (1, 2, 10):
        ours = codet_pass_at_k(ranked, correct, samples, k)
        assert round(ours, 4) == pytest.approx(expected[f"pass@{k}"], abs=1e-9), k

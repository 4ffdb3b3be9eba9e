"""Verdicts and result types: ordering, parsing, judge-error accounting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.verdicts import (
    WORST_FIRST,
    GroupResult,
    ProblemResult,
    TestResult,
    Verdict,
    first_error,
    worst,
)


def test_every_verdict_has_a_severity() -> None:
    assert set(WORST_FIRST) == set(Verdict)
    assert WORST_FIRST[0] is Verdict.JE and WORST_FIRST[-1] is Verdict.AC


@given(st.lists(st.sampled_from(list(Verdict))))
def test_worst_is_a_member_no_member_is_worse(verdicts: list[Verdict]) -> None:
    chosen = worst(verdicts)
    if not verdicts:
        assert chosen is Verdict.AC
        return
    assert chosen in verdicts
    assert all(WORST_FIRST.index(chosen) <= WORST_FIRST.index(verdict) for verdict in verdicts)


def test_kattis_worst_error_order() -> None:
    assert worst([Verdict.WA, Verdict.TLE, Verdict.AC]) is Verdict.TLE
    assert worst([Verdict.TLE, Verdict.RE]) is Verdict.RE
    assert worst([Verdict.MLE, Verdict.TLE]) is Verdict.MLE
    assert worst([Verdict.PE, Verdict.WA]) is Verdict.WA
    assert worst([Verdict.RE, Verdict.JE]) is Verdict.JE


def test_first_error() -> None:
    assert first_error([Verdict.AC, Verdict.WA, Verdict.JE]) is Verdict.WA
    assert first_error([Verdict.AC, Verdict.AC]) is Verdict.AC
    assert first_error([]) is Verdict.AC


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        ("AC", Verdict.AC),
        ("rte", Verdict.RE),
        ("RE", Verdict.RE),
        ("IF", Verdict.JE),
        ("TLE", Verdict.TLE),
        (" wrong_answer ", Verdict.WA),
        ("CE", Verdict.CE),
    ],
)
def test_from_code(code: str, verdict: Verdict) -> None:
    assert Verdict.from_code(code) is verdict


def test_from_code_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown verdict code 'XYZ'"):
        Verdict.from_code("XYZ")


def test_test_result_judge_error_follows_verdict() -> None:
    assert TestResult("a", Verdict.JE).judge_error
    assert not TestResult("a", Verdict.WA).judge_error
    with pytest.raises(ValueError, match="NaN"):
        TestResult("a", Verdict.AC, score=float("nan"))


def test_judge_errors_are_counted_up_the_tree() -> None:
    je, ac, wa = (
        TestResult("x", Verdict.JE),
        TestResult("y", Verdict.AC),
        TestResult("z", Verdict.WA),
    )
    inner = GroupResult("secret/g1", Verdict.JE, 0.0, 10.0, tests=(je, ac))
    outer = GroupResult("secret", Verdict.JE, 0.0, 10.0, tests=(wa,), children=(inner,))
    assert inner.judge_errors == 1 and outer.judge_errors == 1
    result = ProblemResult("kattis-scoring", Verdict.JE, 0.0, 10.0, (outer,), (je, ac, wa))
    assert result.judge_errors == 1
    assert result.verdicts() == {Verdict.JE, Verdict.AC, Verdict.WA}


def test_full_score_tolerates_rounding_only() -> None:
    def result(score: float) -> ProblemResult:
        return ProblemResult("ioi-groupmin", Verdict.AC, score, 100.0, (), ())

    assert result(100.0).full_score
    assert result(0.1 + 0.2 + 99.7).full_score
    assert not result(99.99).full_score

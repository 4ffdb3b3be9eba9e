"""Temperature and top-p sampling in numpy (solver.sampling.nucleus), against a
brute-force nucleus built from a full sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.sampling.nucleus import draw_tokens, nucleus, pick


def brute_force_nucleus(logits: np.ndarray, temperature: float, top_p: float) -> list[int]:
    """The nucleus by definition: tokens by falling probability until they reach top_p."""
    probabilities = np.exp(logits / temperature - np.max(logits / temperature))
    probabilities /= probabilities.sum()
    kept, mass = [], 0.0
    for token in sorted(range(len(logits)), key=lambda t: -probabilities[t]):
        kept.append(token)
        mass += probabilities[token]
        if mass >= top_p:
            break
    return kept


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.integers(min_value=-4000, max_value=4000), min_size=2, max_size=60, unique=True
    ),
    top_p=st.floats(min_value=0.05, max_value=0.999),
    temperature=st.sampled_from([0.3, 0.8, 1.0, 1.7]),
    widths=st.lists(st.integers(min_value=1, max_value=70), max_size=3).map(sorted),
)
def test_the_nucleus_is_the_brute_force_one(
    values: list[int], top_p: float, temperature: float, widths: list[int]
) -> None:
    """Whether it is found among the first few tokens, a wider partial sort, or a full sort."""
    logits = np.array(values, dtype=np.float64) / 500.0
    scaled = logits / temperature
    weights = np.exp(scaled - scaled.max())
    expected = brute_force_nucleus(logits, temperature, top_p)
    tokens, cumulative = nucleus(weights, float(weights.sum()), top_p, widths=tuple(widths))
    if abs(float(cumulative[-1]) - top_p) < 1e-9 or (
        len(expected) > 1
        and abs(sum(np.sort(weights)[::-1][: len(expected) - 1]) / weights.sum() - top_p) < 1e-9
    ):
        return  # the mass lands on top_p itself: float rounding decides either way
    assert tokens.tolist() == expected
    assert np.all(np.diff(cumulative) > 0)


def test_top_p_one_draws_from_the_whole_distribution() -> None:
    weights = np.array([1.0, 3.0, 6.0])
    tokens, cumulative = nucleus(weights, 10.0, 1.0)
    assert tokens.tolist() == [0, 1, 2]
    assert np.allclose(cumulative, [0.1, 0.4, 1.0])
    assert [pick(tokens, cumulative, u) for u in (0.05, 0.2, 0.5)] == [0, 1, 2]


def test_pick_lands_on_each_token_in_proportion() -> None:
    tokens = np.array([7, 3, 5])
    cumulative = np.array([0.5, 0.7, 0.8])  # renormalised: 5/8, 2/8, 1/8
    assert pick(tokens, cumulative, 0.0) == 7
    assert pick(tokens, cumulative, 0.624) == 7
    assert pick(tokens, cumulative, 0.626) == 3
    assert pick(tokens, cumulative, 0.874) == 3
    assert pick(tokens, cumulative, 0.876) == 5
    assert pick(tokens, cumulative, 0.999999) == 5


def test_draws_follow_the_renormalised_nucleus() -> None:
    """20,000 draws from a 6-token row: only nucleus tokens, each near its share."""
    probabilities = np.array([0.4, 0.25, 0.15, 0.1, 0.06, 0.04])
    logits = np.log(probabilities).astype(np.float32)[None, :]
    generator = np.random.default_rng(11)
    counts = np.zeros(6)
    for _ in range(20_000):
        counts[draw_tokens(logits, 1.0, 0.75, [generator])[0][0]] += 1
    assert counts[3:].sum() == 0  # 0.4 + 0.25 + 0.15 = 0.8 >= 0.75: three tokens
    shares = counts[:3] / counts.sum()
    assert np.allclose(shares, probabilities[:3] / 0.8, atol=0.015)


def test_greedy_and_rows_independent_of_each_other() -> None:
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(4, 1000)).astype(np.float32)
    greedy, logprobs = draw_tokens(logits, 0.0, 0.95, [])
    assert greedy == logits.argmax(axis=1).tolist()
    as_float = logits.astype(np.float64)
    log_softmax = as_float - np.log(np.exp(as_float).sum(axis=1, keepdims=True))
    assert np.allclose(logprobs, [log_softmax[r, t] for r, t in enumerate(greedy)], atol=1e-4)
    alone, _ = draw_tokens(logits[2:3], 0.8, 0.95, [np.random.default_rng(99)])
    together, together_logprobs = draw_tokens(
        logits, 0.8, 0.95, [np.random.default_rng(seed) for seed in (1, 2, 99, 4)]
    )
    assert together[2] == alone[0]
    assert np.allclose(
        together_logprobs, [log_softmax[r, t] for r, t in enumerate(together)], atol=1e-4
    )
    again, _ = draw_tokens(logits, 0.8, 0.95, [np.random.default_rng(s) for s in (1, 2, 99, 4)])
    assert again == together

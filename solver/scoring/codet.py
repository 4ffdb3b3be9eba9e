"""CodeT's dual execution agreement (Chen et al., "CodeT: Code Generation with
Generated Tests", ICLR 2023), as pure functions over a pass matrix.

Faithful to the released implementation (microsoft/CodeT, `src/agreement.py` and
`src/evaluation.py`):

- a **consensus set** is the group of candidates that pass exactly the same
  non-empty set of generated tests; candidates that pass no test are in no set and
  are never ranked;
- its **score** is `w * sqrt(s)`, where `w` is the number of tests it passes, each
  counted as many times as the model wrote it (`test_counts`), and `s` is the number
  of samples of its candidates (`sample_counts`: a candidate sampled 3 times counts
  3), computed in the same float arithmetic as CodeT (`int * math.sqrt(int)`) so
  that ties are the same ties;
- **evaluation** (pass@k with ties): sets with equal scores are merged into one
  group; the top k groups are picked from once each, a pick being a uniformly
  random sample of the group (so a candidate weighs by its sample count); with
  fewer groups than k the extra picks go round-robin from the top group, drawn with
  replacement; a problem where no candidate passes any test falls back to random
  choice (the unbiased pass@k estimator).

API (indices are rows of `passed`):

- `codet_rank(passed, sample_counts=None, test_counts=None) -> list[ConsensusSet]`:
  the consensus sets, best first (ties: more samples, then lowest candidate index).
- `consensus_scores(passed, sample_counts=None, test_counts=None) -> list[float]`:
  each candidate's score, the score of its set (0.0 when it passes no test).
- `codet_order(ranked, sample_counts) -> list[int]`: a deterministic
  submission order: the most-sampled member of each set in rank order, then the
  second members, and so on; candidates in no set last (most samples first).
- `tie_groups(ranked) -> list[list[ConsensusSet]]`: sets merged by equal score, as
  CodeT's evaluation merges them.
- `codet_pass_at_k(ranked, correct, sample_counts, k) -> float`: CodeT's expected
  pass@k of the ranking, given which candidates are correct.
- `pass_at_k(n, c, k) -> float`: the unbiased estimator of random choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ConsensusSet:
    """Candidates that pass exactly the tests `tests` (indices), and their score."""

    candidates: tuple[int, ...]
    tests: tuple[int, ...]
    samples: int
    test_weight: int
    score: float


def _counts(counts: Sequence[int] | None, size: int, what: str) -> list[int]:
    if counts is None:
        return [1] * size
    if len(counts) != size:
        raise ValueError(f"{what}: {len(counts)} counts for {size} rows/columns")
    if any(count < 1 for count in counts):
        raise ValueError(f"{what}: every count must be at least 1")
    return list(counts)


def consensus_sets(
    passed: Sequence[Sequence[bool]],
    sample_counts: Sequence[int] | None = None,
    test_counts: Sequence[int] | None = None,
) -> list[ConsensusSet]:
    """The consensus sets of a pass matrix (candidates x tests), unordered (in order
    of their first candidate). Raises ValueError for ragged rows or bad counts."""
    width = len(passed[0]) if passed else 0
    if any(len(row) != width for row in passed):
        raise ValueError("every row of the pass matrix needs the same number of tests")
    samples = _counts(sample_counts, len(passed), "sample_counts")
    weights = _counts(test_counts if width else None, width, "test_counts")
    groups: dict[tuple[int, ...], list[int]] = {}
    for candidate, row in enumerate(passed):
        tests = tuple(test for test, ok in enumerate(row) if ok)
        if tests:
            groups.setdefault(tests, []).append(candidate)
    result = []
    for tests, members in groups.items():
        set_samples = sum(samples[candidate] for candidate in members)
        weight = sum(weights[test] for test in tests)
        result.append(
            ConsensusSet(
                candidates=tuple(members),
                tests=tests,
                samples=set_samples,
                test_weight=weight,
                score=weight * math.sqrt(set_samples),
            )
        )
    return result


def codet_rank(
    passed: Sequence[Sequence[bool]],
    sample_counts: Sequence[int] | None = None,
    test_counts: Sequence[int] | None = None,
) -> list[ConsensusSet]:
    """The consensus sets best first: by score, then more samples, then the lowest
    candidate index (CodeT leaves equal scores unordered; see `tie_groups`)."""
    sets = consensus_sets(passed, sample_counts, test_counts)
    return sorted(sets, key=lambda s: (-s.score, -s.samples, s.candidates[0]))


def consensus_scores(
    passed: Sequence[Sequence[bool]],
    sample_counts: Sequence[int] | None = None,
    test_counts: Sequence[int] | None = None,
) -> list[float]:
    """Each candidate's CodeT score: that of its consensus set, 0.0 if it has none."""
    scores = [0.0] * len(passed)
    for consensus in consensus_sets(passed, sample_counts, test_counts):
        for candidate in consensus.candidates:
            scores[candidate] = consensus.score
    return scores


def codet_order(ranked: Sequence[ConsensusSet], sample_counts: Sequence[int]) -> list[int]:
    """A deterministic submission order of all `len(sample_counts)` candidates: round
    r takes the r-th most-sampled member of every set still holding one, in rank
    order; then the candidates in no set, most samples first (ties: lower index)."""
    placed = {candidate for consensus in ranked for candidate in consensus.candidates}
    members = [
        sorted(consensus.candidates, key=lambda c: (-sample_counts[c], c)) for consensus in ranked
    ]
    order: list[int] = []
    for round_index in range(max((len(group) for group in members), default=0)):
        order.extend(group[round_index] for group in members if round_index < len(group))
    rest = [candidate for candidate in range(len(sample_counts)) if candidate not in placed]
    return order + sorted(rest, key=lambda c: (-sample_counts[c], c))


def tie_groups(ranked: Sequence[ConsensusSet]) -> list[list[ConsensusSet]]:
    """Ranked sets merged where the scores are exactly equal (CodeT's evaluation)."""
    groups: list[list[ConsensusSet]] = []
    for consensus in ranked:
        if groups and groups[-1][0].score == consensus.score:
            groups[-1].append(consensus)
        else:
            groups.append([consensus])
    return groups


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimate of pass@k from n samples of which c are correct:
    1 - C(n-c, k) / C(n, k) (Chen et al. 2021)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def codet_pass_at_k(
    ranked: Sequence[ConsensusSet],
    correct: Sequence[bool],
    sample_counts: Sequence[int],
    k: int,
) -> float:
    """CodeT's expected pass@k of a ranking (see the module doc): top-k tie groups,
    one sample-weighted pick each, extra picks round-robin with replacement;
    random choice when nothing is ranked."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if not ranked:
        total = sum(sample_counts)
        good = sum(count for count, ok in zip(sample_counts, correct, strict=True) if ok)
        return pass_at_k(total, good, k)
    groups = tie_groups(ranked)[:k]
    picks = [1] * len(groups)
    for extra in range(k - len(groups)):
        picks[extra % len(groups)] += 1
    all_wrong = 1.0
    for group, count in zip(groups, picks, strict=True):
        members = [candidate for consensus in group for candidate in consensus.candidates]
        total = sum(sample_counts[candidate] for candidate in members)
        good = sum(sample_counts[candidate] for candidate in members if correct[candidate])
        all_wrong *= ((total - good) / total) ** count
    return 1.0 - all_wrong

"""Heuristic candidate scores: cluster size, CodeT's dual agreement, a weighted sum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from solver.candidates import Candidate
from solver.cluster import Cluster
from solver.scoring.codet import consensus_scores
from solver.scoring.features import FEATURES


def cluster_size_scores(clusters: Sequence[Cluster]) -> dict[str, float]:
    """Each candidate scored by the size of its cluster (AlphaCode's ranking)."""
    return {member.id: float(cluster.size) for cluster in clusters for member in cluster.members}


def codet_scores(
    candidates: Sequence[Candidate], test_counts: Sequence[int] = ()
) -> dict[str, float]:
    """CodeT's dual-agreement score of each candidate's consensus set.

    The scoring itself lives in `solver/scoring/codet.py` (a pure function over the
    candidates x generated-tests pass matrix, with each candidate's sample count and
    each test's count, `Pool.generated_test_counts`); this adapts a candidate list.
    """
    scores = consensus_scores(
        [candidate.generated_passed for candidate in candidates],
        [candidate.sample_count for candidate in candidates],
        list(test_counts) or None,
    )
    return {candidate.id: float(score) for candidate, score in zip(candidates, scores, strict=True)}


def weighted_scores(
    rows: Mapping[str, Sequence[float]], weights: Mapping[str, float]
) -> dict[str, float]:
    """A linear score: sum of weight x feature over the named features."""
    terms = [(FEATURES.index(name), weight) for name, weight in weights.items()]
    return {
        candidate_id: sum(weight * row[index] for index, weight in terms)
        for candidate_id, row in rows.items()
    }

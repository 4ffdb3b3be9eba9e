"""Per-candidate features, computed over a pool after its public-test filter.

`FEATURE_TABLE` is the one table of features: a name, what it means, and how it is
computed from a candidate and its `Context` (the clusters of the surviving candidates
and the pool). `FEATURES` names them in table order; a feature row is a tuple in that
order. Missing statistics (no log-probability, no runtime) read as 0.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from problems.languages import LANGUAGES
from solver.candidates import Candidate, Pool
from solver.cluster import Cluster, cluster_index
from solver.scoring.codet import consensus_scores

# The language groups of the one-hot features: language families of
# problems/languages.py (C++20 is C++, PyPy is Python); any other is "other".
LANGUAGE_GROUPS = ("cpp", "c", "python", "java")


@dataclass(frozen=True)
class Context:
    """What features read besides the candidate: its cluster, the largest, the pool."""

    cluster_of: Mapping[str, Cluster]
    largest: tuple[str, ...]
    total_size: int
    subtask_share: Mapping[str, float]
    codet_share: Mapping[str, float]
    dual_share: Mapping[str, float]
    medians: Mapping[str, float]


def language_group(language: str) -> str:
    """The one-hot group of a language key, by its family: "cpp20" -> "cpp",
    "pypy" -> "python", "javascript" (or a key the table lacks) -> "other"."""
    identity = LANGUAGES.get(language)
    family = identity.family if identity is not None else language
    return family if family in LANGUAGE_GROUPS else "other"


def _fraction(part: float, whole: float, empty: float) -> float:
    """part / whole, or `empty` when there is nothing to divide."""
    return part / whole if whole else empty


def _agreement(candidate: Candidate, context: Context) -> float:
    """Share of generated inputs where the candidate's label equals the largest cluster's."""
    same = sum(a == b for a, b in zip(candidate.behaviour, context.largest, strict=False))
    return _fraction(same, len(context.largest), 1.0)


def _log_ratio(value: float | None, median: float, offset: float) -> float:
    """log((value + offset) / (median + offset)), 0 when the value is unknown: a
    statistic relative to the pool's own survivors, so that a scorer trained on
    one problem's pools reads another's (absolute times, memory, lengths and
    log-probabilities differ between problems, not between right and wrong)."""
    if value is None:
        return 0.0
    return math.log((value + offset) / (median + offset))


def pool_medians(candidates: Sequence[Candidate]) -> dict[str, float]:
    """The survivors' median of each statistic the relative features read (0 when
    no candidate has it)."""
    columns: dict[str, list[float]] = {
        "cpu_time_s": [c.cpu_time_s for c in candidates if c.cpu_time_s is not None],
        "memory_bytes": [float(c.memory_bytes) for c in candidates if c.memory_bytes is not None],
        "source_length": [float(c.source_length) for c in candidates],
        "logprob": [c.logprob for c in candidates if c.logprob is not None],
    }
    return {name: statistics.median(values) if values else 0.0 for name, values in columns.items()}


def _failed(candidate: Candidate) -> float:
    """Share of generated inputs where the candidate's run failed (a "!" label)."""
    failed = sum(label.startswith("!") for label in candidate.behaviour)
    return _fraction(failed, len(candidate.behaviour), 0.0)


FeatureFunction = Callable[[Candidate, Context], float]

FEATURE_TABLE: tuple[tuple[str, str, FeatureFunction], ...] = (
    (
        "public_passed_fraction",
        "share of public tests passed (1 with none)",
        lambda c, x: _fraction(c.public_passed, c.public_total, 1.0),
    ),
    (
        "cluster_size",
        "samples in the candidate's cluster",
        lambda c, x: float(x.cluster_of[c.id].size),
    ),
    (
        "log_cluster_size",
        "log(1 + samples in the cluster)",
        lambda c, x: math.log1p(x.cluster_of[c.id].size),
    ),
    (
        "cluster_share",
        "cluster samples / surviving samples",
        lambda c, x: _fraction(x.cluster_of[c.id].size, x.total_size, 0.0),
    ),
    ("cluster_rank", "0 for the largest cluster", lambda c, x: float(x.cluster_of[c.id].rank)),
    (
        "largest_agreement",
        "share of generated inputs where the output equals the largest cluster's",
        _agreement,
    ),
    (
        "generated_passed_fraction",
        "share of generated tests with expected outputs passed (0 with none)",
        lambda c, x: _fraction(sum(c.generated_passed), len(c.generated_passed), 0.0),
    ),
    (
        "codet_share",
        "CodeT dual-agreement score of the candidate's consensus set / the best set's",
        lambda c, x: x.codet_share[c.id],
    ),
    (
        "dual_share",
        "CodeT's score on behaviour clusters: weighted tests passed x sqrt(cluster "
        "samples), relative to the best candidate's",
        lambda c, x: x.dual_share[c.id],
    ),
    (
        "generated_failed_fraction",
        "share of generated inputs whose run failed",
        lambda c, x: _failed(c),
    ),
    (
        "cpu_time_rel",
        "log of CPU time on the public tests over the survivors' median (+1 ms each)",
        lambda c, x: _log_ratio(c.cpu_time_s, x.medians["cpu_time_s"], 1e-3),
    ),
    (
        "memory_rel",
        "log of peak memory on the public tests over the survivors' median (+1 MiB each)",
        lambda c, x: _log_ratio(c.memory_bytes, x.medians["memory_bytes"], 2.0**20),
    ),
    ("sample_count", "times the model wrote this program", lambda c, x: float(c.sample_count)),
    (
        "centrality",
        "how typical its source is among the survivors (cosine of token 3-grams)",
        lambda c, x: c.centrality or 0.0,
    ),
    (
        "source_length_rel",
        "log of source characters over the survivors' median (+1 each)",
        lambda c, x: _log_ratio(c.source_length, x.medians["source_length"], 1.0),
    ),
    (
        "logprob_rel",
        "log-probability minus the survivors' median (0 without one)",
        lambda c, x: 0.0 if c.logprob is None else c.logprob - x.medians["logprob"],
    ),
    (
        "target_share",
        "share of the task's points the targeted subtask covers (1 untargeted)",
        lambda c, x: x.subtask_share.get(c.target_subtask or "", 1.0),
    ),
    *(
        (
            f"lang_{group}",
            f"1 when the language is {group}",
            (lambda g: lambda c, x: float(language_group(c.language) == g))(group),
        )
        for group in (*LANGUAGE_GROUPS, "other")
    ),
)

FEATURES: tuple[str, ...] = tuple(name for name, _, _ in FEATURE_TABLE)


def contained(pool: Pool, name: str) -> frozenset[str]:
    """The subtask and every subtask it contains, transitively."""
    by_name = {subtask.name: subtask for subtask in pool.subtasks}
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current not in by_name:
            continue
        seen.add(current)
        todo.extend(by_name[current].contains)
    return frozenset(seen)


def subtask_shares(pool: Pool) -> dict[str, float]:
    """Per subtask, the share of the task's points a solution of it collects."""
    points = {subtask.name: subtask.points for subtask in pool.subtasks}
    total = pool.max_points
    return {
        name: _fraction(sum(points[inner] for inner in contained(pool, name)), total, 1.0)
        for name in points
    }


def codet_shares(pool: Pool, candidates: Sequence[Candidate]) -> dict[str, float]:
    """Each candidate's CodeT score relative to the best (0 when no test is passed)."""
    scores = consensus_scores(
        [c.generated_passed for c in candidates],
        [c.sample_count for c in candidates],
        list(pool.generated_test_counts) or None,
    )
    best = max(scores, default=0.0)
    return {c.id: _fraction(score, best, 0.0) for c, score in zip(candidates, scores, strict=True)}


def dual_shares(pool: Pool, clusters: Sequence[Cluster]) -> dict[str, float]:
    """Dual agreement with behaviour clusters in place of consensus sets: the weight of
    the generated tests a candidate passes times the square root of its cluster's
    samples, relative to the best candidate's (0 when no test is passed)."""
    counts = list(pool.generated_test_counts)
    scores = {
        member.id: sum(
            (counts[i] if counts else 1) for i, ok in enumerate(member.generated_passed) if ok
        )
        * math.sqrt(cluster.size)
        for cluster in clusters
        for member in cluster.members
    }
    best = max(scores.values(), default=0.0)
    return {key: _fraction(score, best, 0.0) for key, score in scores.items()}


def context(pool: Pool, clusters: Sequence[Cluster]) -> Context:
    """The feature context of a pool's surviving candidates, grouped in `clusters`."""
    members = [member for cluster in clusters for member in cluster.members]
    return Context(
        cluster_of=cluster_index(clusters),
        largest=clusters[0].behaviour if clusters else (),
        total_size=sum(cluster.size for cluster in clusters),
        subtask_share=subtask_shares(pool),
        codet_share=codet_shares(pool, members),
        dual_share=dual_shares(pool, clusters),
        medians=pool_medians(members),
    )


def feature_row(candidate: Candidate, ctx: Context) -> tuple[float, ...]:
    """The candidate's features in `FEATURES` order."""
    return tuple(function(candidate, ctx) for _, _, function in FEATURE_TABLE)


def feature_rows(pool: Pool, clusters: Sequence[Cluster]) -> dict[str, tuple[float, ...]]:
    """Feature rows of every clustered candidate, by id."""
    ctx = context(pool, clusters)
    return {
        member.id: feature_row(member, ctx) for cluster in clusters for member in cluster.members
    }

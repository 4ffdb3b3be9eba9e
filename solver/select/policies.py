"""Selection policies: a pool and a strategy -> the ordered submissions, with why.

Every function here is pure: randomness comes from a seeded `random.Random`, and the
only outside information is `feedback` (the verdict a contest returns for a
submission: `Pool.submit` in a simulation, or None when selecting blind).

Submitting always stops once the feedback shows the full score (Codeforces: stop at
the first accepted; IOI: every subtask solved). The `subtasks` ordering is o1-ioi's
IOI policy: round-robin over subtasks from the hardest (the one containing the most
others, then the most points), skipping solved subtasks; for each subtask, the
clusters of the candidates that target it (or target nothing) are scored by the
`cluster_order` value minus `cluster_penalty` per earlier submission from that cluster,
and the best member of the best cluster is submitted. When a submission solves a
subtask S, each unsolved subtask T containing S keeps only the candidates that agree
with the accepted submission on S's generated inputs (`Pool.input_subtasks`; where the
pool does not say which inputs belong to S, on the inputs where the accepted
submission's run succeeded). A filter that would leave T with no candidate is not
applied. With a single subtask this is a penalised greedy over clusters.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from solver.candidates import Candidate, Outcome, Pool
from solver.cluster import (
    Cluster,
    cluster_candidates,
    cluster_index,
    consensus_key,
    public_filter,
    singleton_clusters,
)
from solver.scoring.features import contained, feature_rows
from solver.scoring.heuristics import cluster_size_scores, codet_scores, weighted_scores
from solver.scoring.learned import Scorer, predict
from solver.select.strategy import Strategy, StrategyError

Feedback = Callable[[str], Outcome]
EPSILON = 1e-9


@dataclass(frozen=True)
class Submission:
    """One chosen candidate, why it was chosen, and the feedback when there was any."""

    candidate_id: str
    cluster_rank: int
    cluster_size: int
    score: float
    subtask: str | None = None
    outcome: Outcome | None = None

    def why(self) -> str:
        """A one-line reason: the cluster, its size, the score that ranked it."""
        reason = f"cluster #{self.cluster_rank} (size {self.cluster_size}), score {self.score:.4g}"
        return reason + (f", for subtask {self.subtask}" if self.subtask else "")


@dataclass(frozen=True)
class Selection:
    """A strategy's ordered submissions for one pool."""

    strategy: str
    problem: str
    survivors: int
    clusters: int
    submissions: tuple[Submission, ...]

    @property
    def ids(self) -> list[str]:
        """The submitted candidate ids, in order."""
        return [submission.candidate_id for submission in self.submissions]


@dataclass(frozen=True)
class Prepared:
    """A pool after a strategy's filter, clustering and scoring."""

    survivors: tuple[Candidate, ...]
    clusters: tuple[Cluster, ...]
    cluster_of: Mapping[str, Cluster]
    scores: Mapping[str, float]
    tiebreak: Mapping[str, float]
    cluster_tiebreak: Mapping[tuple[str, ...], float]


def survivors_of(pool: Pool, strategy: Strategy) -> tuple[Candidate, ...]:
    """The strategy's candidates: what it may read of them, after its filter."""
    candidates = pool.candidates
    if strategy.tests == "none":
        candidates = tuple(replace(c, behaviour=(), generated_passed=()) for c in candidates)
    if strategy.filter == "public":
        return public_filter(candidates) or candidates
    return candidates


def clusters_of(strategy: Strategy, candidates: Sequence[Candidate]) -> tuple[Cluster, ...]:
    """The strategy's clusters of these candidates (singletons without clustering)."""
    if strategy.clustering == "behaviour":
        return cluster_candidates(candidates)
    if strategy.clustering == "tests-passed":
        return cluster_candidates(candidates, consensus_key)
    return singleton_clusters(candidates)


def candidate_scores(
    pool: Pool,
    strategy: Strategy,
    survivors: Sequence[Candidate],
    clusters: Sequence[Cluster],
    scorer: Scorer | None,
) -> dict[str, float]:
    """Each surviving candidate's score under the strategy's `scoring`."""
    if strategy.scoring == "cluster-size":
        return cluster_size_scores(clusters)
    if strategy.scoring == "codet":
        return codet_scores(survivors, pool.generated_test_counts)
    if strategy.scoring == "weights":
        return weighted_scores(feature_rows(pool, clusters), strategy.weights)
    if strategy.scoring == "learned":
        if scorer is None:
            raise StrategyError(strategy.name, "key 'scorer': 'scoring: learned' needs a scorer")
        rows = feature_rows(pool, clusters)
        ids = sorted(rows)
        return dict(zip(ids, predict(scorer, [rows[i] for i in ids]), strict=True))
    return {candidate.id: 0.0 for candidate in survivors}


def prepare(pool: Pool, strategy: Strategy, rng: random.Random, scorer: Scorer | None) -> Prepared:
    """Filter, cluster and score a pool; draw the random tie-breaks.

    Ties are broken by weighted random keys (Efraimidis-Spirakis: -u^(1/weight),
    ascending), so the first of tied candidates is a uniformly random *sample* (a
    candidate weighs by its sample count) and the first of tied clusters is chosen
    with probability proportional to its size - as CodeT's evaluation and AlphaCode's
    "pick a sample from the cluster" do."""
    survivors = survivors_of(pool, strategy)
    clusters = clusters_of(strategy, survivors)
    scores = candidate_scores(pool, strategy, survivors, clusters, scorer)
    tiebreak = {
        c.id: -(rng.random() ** (1 / c.sample_count)) for c in sorted(survivors, key=lambda c: c.id)
    }
    cluster_tiebreak = {c.key: -(rng.random() ** (1 / c.size)) for c in clusters}
    return Prepared(
        survivors, clusters, cluster_index(clusters), scores, tiebreak, cluster_tiebreak
    )


def _members_best_first(cluster: Cluster, prep: Prepared) -> list[Candidate]:
    """A cluster's members, best score first, ties in random (seeded) order."""
    return sorted(cluster.members, key=lambda m: (-prep.scores[m.id], prep.tiebreak[m.id]))


def cluster_value(strategy: Strategy, cluster: Cluster, scores: Mapping[str, float]) -> float:
    """A cluster's rank value under `cluster_order`: size, mean or max member score."""
    if strategy.cluster_order == "size":
        return float(cluster.size)
    values = [scores[member.id] for member in cluster.members]
    return max(values) if strategy.cluster_order == "max-score" else sum(values) / len(values)


def ranked_clusters(
    strategy: Strategy, clusters: Sequence[Cluster], prep: Prepared
) -> list[Cluster]:
    """Clusters best first under `cluster_order` (ties: the random cluster tie-break),
    cut to `top_clusters`."""
    ranked = sorted(
        clusters,
        key=lambda c: (
            -cluster_value(strategy, c, prep.scores),
            prep.cluster_tiebreak.get(c.key, 0.0),
            c.rank,
        ),
    )
    return ranked[: strategy.top_clusters] if strategy.top_clusters else ranked


def _submission(
    prep: Prepared, candidate: Candidate, score: float, subtask: str | None = None
) -> Submission:
    """The Submission record of choosing this candidate."""
    cluster = prep.cluster_of[candidate.id]
    return Submission(candidate.id, cluster.rank, cluster.size, score, subtask)


def random_order(prep: Prepared) -> Iterator[Submission]:
    """A uniform shuffle of the survivors."""
    for candidate in sorted(prep.survivors, key=lambda c: prep.tiebreak[c.id]):
        yield _submission(prep, candidate, prep.scores[candidate.id])


def score_order(prep: Prepared) -> Iterator[Submission]:
    """Best score first; ties in random (seeded) order."""
    for candidate in sorted(
        prep.survivors, key=lambda c: (-prep.scores[c.id], prep.tiebreak[c.id])
    ):
        yield _submission(prep, candidate, prep.scores[candidate.id])


def _round_robin(strategy: Strategy, prep: Prepared, ranked: list[Cluster]) -> Iterator[Submission]:
    """Round r takes the r-th best member of every cluster that still has one."""
    queues = [_members_best_first(cluster, prep) for cluster in ranked]
    for depth in range(max((len(queue) for queue in queues), default=0)):
        for cluster, queue in zip(ranked, queues, strict=True):
            if depth < len(queue):
                value = cluster_value(strategy, cluster, prep.scores)
                yield _submission(prep, queue[depth], value)


def cluster_order(strategy: Strategy, prep: Prepared) -> Iterator[Submission]:
    """Round-robin over the ranked clusters, the best unsubmitted member of each.

    Under a score order, clusters scoring 0 or less (CodeT: candidates that pass no
    generated test, which CodeT never ranks) come only after every other cluster is
    used up."""
    ranked = ranked_clusters(strategy, prep.clusters, prep)
    if strategy.cluster_order == "size":
        yield from _round_robin(strategy, prep, ranked)
        return
    positive = [c for c in ranked if cluster_value(strategy, c, prep.scores) > 0]
    yield from _round_robin(strategy, prep, positive)
    yield from _round_robin(strategy, prep, [c for c in ranked if c not in positive])


def _solved(pool: Pool, best: Mapping[str, float]) -> set[str]:
    """The subtasks whose best result is their full points."""
    return {s.name for s in pool.subtasks if best.get(s.name, 0.0) >= s.points - EPSILON}


def _record(best: dict[str, float], outcome: Outcome | None) -> None:
    """Fold a submission's outcome into the best result per subtask."""
    if outcome is not None:
        for name, points in outcome.subtask_points.items():
            best[name] = max(best.get(name, 0.0), points)


def submit_in_order(
    pool: Pool, order: Iterator[Submission], limit: int, feedback: Feedback | None
) -> list[Submission]:
    """Take submissions from `order` up to `limit`, stopping at the full score."""
    taken: list[Submission] = []
    best: dict[str, float] = {}
    for submission in order:
        if len(taken) >= limit:
            break
        outcome = feedback(submission.candidate_id) if feedback else None
        taken.append(replace(submission, outcome=outcome))
        _record(best, outcome)
        if outcome is not None and sum(best.values()) >= pool.max_points - EPSILON:
            break
    return taken


def hardest_first(pool: Pool) -> list[str]:
    """Subtasks from the hardest: most contained subtasks, then most points, then name."""
    return [
        subtask.name
        for subtask in sorted(
            pool.subtasks,
            key=lambda s: (-len(contained(pool, s.name)), -s.points, s.name),
        )
    ]


def _agreeing(
    pool: Pool, accepted: Candidate, solved: str, candidates: Sequence[Candidate]
) -> list[Candidate]:
    """The candidates whose behaviour equals the accepted one's on the solved subtask's
    inputs (or, where unknown, on the inputs the accepted one ran without failing)."""
    if pool.input_subtasks:
        indices = [i for i, names in enumerate(pool.input_subtasks) if solved in names]
    else:
        indices = [i for i, label in enumerate(accepted.behaviour) if not label.startswith("!")]
    if not indices:
        return list(candidates)
    reference = [accepted.behaviour[i] for i in indices]
    kept = [c for c in candidates if [c.behaviour[i] for i in indices] == reference]
    return kept or list(candidates)


@dataclass
class _SubtaskState:
    """The o1-ioi loop's mutable state (local to one `subtask_submissions` call);
    `ranked` caches each subtask's ranked clusters (value, members best first) until
    its candidates change."""

    candidates: dict[str, list[Candidate]]
    submitted: set[str]
    per_cluster: dict[tuple[str, ...], int]
    best: dict[str, float]
    ranked: dict[str, list[tuple[Cluster, float, list[Candidate]]]] = field(default_factory=dict)


def _ranked_for(
    strategy: Strategy, prep: Prepared, state: _SubtaskState, subtask: str
) -> list[tuple[Cluster, float, list[Candidate]]]:
    """The subtask's clusters, ranked, with their value and members best first."""
    if subtask not in state.ranked:
        clusters = ranked_clusters(strategy, clusters_of(strategy, state.candidates[subtask]), prep)
        state.ranked[subtask] = [
            (c, cluster_value(strategy, c, prep.scores), _members_best_first(c, prep))
            for c in clusters
        ]
    return state.ranked[subtask]


def _pick(
    strategy: Strategy, prep: Prepared, state: _SubtaskState, subtask: str
) -> Submission | None:
    """The best member of the best-valued (penalised) cluster for this subtask."""
    best_value, best_member = 0.0, None
    for cluster, value, members in _ranked_for(strategy, prep, state, subtask):
        if best_member is not None and value <= best_value + EPSILON:
            break  # ranked by value: no later cluster can beat the best, even unpenalised
        penalised = value - strategy.cluster_penalty * state.per_cluster.get(cluster.key, 0)
        if best_member is not None and penalised <= best_value + EPSILON:
            continue
        member = next((m for m in members if m.id not in state.submitted), None)
        if member is not None:
            best_value, best_member = penalised, member
    if best_member is None:
        return None
    global_cluster = prep.cluster_of[best_member.id]
    return Submission(best_member.id, global_cluster.rank, global_cluster.size, best_value, subtask)


def _after_feedback(
    pool: Pool,
    prep: Prepared,
    state: _SubtaskState,
    submission: Submission,
    solved_before: set[str],
) -> None:
    """Apply o1-ioi's superset filter for every subtask this submission newly solved."""
    accepted = next(c for c in prep.survivors if c.id == submission.candidate_id)
    for solved in _solved(pool, state.best) - solved_before:
        for superset in state.candidates:
            if superset != solved and solved in contained(pool, superset):
                state.candidates[superset] = _agreeing(
                    pool, accepted, solved, state.candidates[superset]
                )
                state.ranked.pop(superset, None)


def _own_candidates(pool: Pool, prep: Prepared) -> dict[str, list[Candidate]]:
    """Per subtask, the survivors that target it or nothing (all, where none do)."""
    names = {subtask.name for subtask in pool.subtasks}
    own = {
        name: [
            c
            for c in prep.survivors
            if c.target_subtask in (None, name) or c.target_subtask not in names
        ]
        for name in hardest_first(pool)
    }
    return {name: members or list(prep.survivors) for name, members in own.items()}


def _submit(
    pool: Pool, prep: Prepared, state: _SubtaskState, choice: Submission, feedback: Feedback | None
) -> Submission:
    """Submit a choice: record it, its cluster's count, its feedback and the filters."""
    solved_before = _solved(pool, state.best)
    outcome = feedback(choice.candidate_id) if feedback else None
    state.submitted.add(choice.candidate_id)
    key = prep.cluster_of[choice.candidate_id].key
    state.per_cluster[key] = state.per_cluster.get(key, 0) + 1
    _record(state.best, outcome)
    _after_feedback(pool, prep, state, choice, solved_before)
    return replace(choice, outcome=outcome)


def subtask_submissions(
    pool: Pool, strategy: Strategy, prep: Prepared, limit: int, feedback: Feedback | None
) -> list[Submission]:
    """o1-ioi's IOI policy (see the module docstring). When the superset filters leave
    no candidate to submit while submissions remain, they are lifted: a submission
    that may score beats an unused one."""
    order = hardest_first(pool)
    unfiltered = _own_candidates(pool, prep)
    state = _SubtaskState(dict(unfiltered), set(), {}, {})
    taken: list[Submission] = []
    while len(taken) < limit:
        progressed = False
        for name in order:
            if len(taken) >= limit or name in _solved(pool, state.best):
                continue
            choice = _pick(strategy, prep, state, name)
            if choice is None:
                continue
            progressed = True
            taken.append(_submit(pool, prep, state, choice, feedback))
            if feedback and sum(state.best.values()) >= pool.max_points - EPSILON:
                return taken
        if not progressed and state.candidates == unfiltered:
            break
        if not progressed:
            state.candidates, state.ranked = dict(unfiltered), {}
    return taken


def select(
    pool: Pool,
    strategy: Strategy,
    *,
    limit: int | None = None,
    seed: int = 0,
    feedback: Feedback | None = None,
    scorer: Scorer | None = None,
) -> Selection:
    """The strategy's ordered submissions for the pool (at most `limit`, default the
    strategy's); with `feedback`, each submission's verdict is recorded and submitting
    stops at the full score."""
    limit = strategy.limit if limit is None else limit
    prep = prepare(pool, strategy, random.Random(seed), scorer)
    if strategy.ordering == "subtasks":
        taken = subtask_submissions(pool, strategy, prep, limit, feedback)
    else:
        orders = {
            "random": lambda: random_order(prep),
            "score": lambda: score_order(prep),
            "clusters": lambda: cluster_order(strategy, prep),
        }
        taken = submit_in_order(pool, orders[strategy.ordering](), limit, feedback)
    return Selection(
        strategy.name, pool.problem, len(prep.survivors), len(prep.clusters), tuple(taken)
    )

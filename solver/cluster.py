"""Behavioural clustering: candidates that behave the same on every generated input.

A candidate's `behaviour` already holds one checker-aware class label per generated
input (`solver/candidates.py`), so two candidates behave the same exactly when their
label tuples are equal. Clusters are ordered largest first, where a cluster's size is
the number of samples behind it (the sum of its members' `sample_count`: a program the
model wrote many times counts many times, as in AlphaCode); ties are broken by the
number of distinct members, then by the smallest member id, so the order never depends
on the input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from solver.candidates import Candidate

ClusterKey = Callable[[Candidate], tuple[str, ...]]


@dataclass(frozen=True)
class Cluster:
    """Candidates with the same key (their behaviour, by default); `rank` 0 is the
    largest cluster."""

    rank: int
    key: tuple[str, ...]
    members: tuple[Candidate, ...]
    size: int  # the number of samples: the sum of the members' sample counts

    @property
    def behaviour(self) -> tuple[str, ...]:
        """The members' behaviour on the generated inputs (that of the first member)."""
        return self.members[0].behaviour

    @property
    def ids(self) -> tuple[str, ...]:
        """The members' candidate ids, in member order."""
        return tuple(member.id for member in self.members)


def public_filter(candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
    """The candidates that pass every public test (AlphaCode's and o1-ioi's filter)."""
    return tuple(candidate for candidate in candidates if candidate.passes_public)


def behaviour_key(candidate: Candidate) -> tuple[str, ...]:
    """Cluster on behaviour: the labels on every generated input."""
    return candidate.behaviour


def consensus_key(candidate: Candidate) -> tuple[str, ...]:
    """Cluster on the generated tests passed: CodeT's consensus sets."""
    return tuple("1" if ok else "0" for ok in candidate.generated_passed)


def _ranked(groups: Iterable[tuple[tuple[str, ...], list[Candidate]]]) -> tuple[Cluster, ...]:
    """Clusters from (key, members) groups, largest first, ranks assigned."""
    prepared = [(key, tuple(sorted(members, key=lambda m: m.id))) for key, members in groups]
    prepared.sort(
        key=lambda item: (
            -sum(member.sample_count for member in item[1]),
            -len(item[1]),
            item[1][0].id,
        )
    )
    return tuple(
        Cluster(rank, key, members, sum(m.sample_count for m in members))
        for rank, (key, members) in enumerate(prepared)
    )


def cluster_candidates(
    candidates: Sequence[Candidate], key: ClusterKey = behaviour_key
) -> tuple[Cluster, ...]:
    """Group candidates with identical behaviour on all generated inputs (or another
    `key`), largest first.

    With no generated inputs every candidate has the same (empty) behaviour, so the
    whole pool is one cluster: clustering has nothing to tell apart.
    """
    groups: dict[tuple[str, ...], list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(key(candidate), []).append(candidate)
    return _ranked(groups.items())


def singleton_clusters(candidates: Sequence[Candidate]) -> tuple[Cluster, ...]:
    """One cluster per candidate (a strategy without clustering), ordered like clusters."""
    return _ranked(((candidate.id,), [candidate]) for candidate in candidates)


def cluster_index(clusters: Iterable[Cluster]) -> dict[str, Cluster]:
    """Map each member's id to its cluster."""
    return {member.id: cluster for cluster in clusters for member in cluster.members}

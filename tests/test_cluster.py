"""Behavioural clustering: grouping, size order and deterministic ties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.candidates import Pool
from solver.cluster import cluster_candidates, consensus_key, public_filter, singleton_clusters
from tests.test_select_pools import candidate, pass_fail_pools


def test_clusters_group_identical_behaviour_largest_first() -> None:
    members = [
        candidate("a", ("1", "2")),
        candidate("b", ("1", "3"), samples=3),
        candidate("c", ("1", "2")),
        candidate("d", ("1", "!TLE")),
        candidate("e", ("1", "2")),
    ]
    clusters = cluster_candidates(members)
    assert [c.ids for c in clusters] == [("a", "c", "e"), ("b",), ("d",)]
    assert [c.size for c in clusters] == [3, 3, 1]
    assert [c.rank for c in clusters] == [0, 1, 2]
    assert clusters[0].behaviour == ("1", "2")


def test_consensus_key_groups_by_tests_passed() -> None:
    members = [
        candidate("a", ("1",), generated_passed=(True, False)),
        candidate("b", ("2",), generated_passed=(True, False)),
        candidate("c", ("1",), generated_passed=(True, True)),
    ]
    assert [c.ids for c in cluster_candidates(members, consensus_key)] == [("a", "b"), ("c",)]
    assert [c.ids for c in singleton_clusters(members)] == [("a",), ("b",), ("c",)]


@settings(max_examples=60, deadline=None)
@given(pool=pass_fail_pools(), data=st.data())
def test_clusters_partition_and_ignore_input_order(pool: Pool, data) -> None:
    survivors = public_filter(pool.candidates)
    assert all(c.passes_public for c in survivors)
    clusters = cluster_candidates(survivors)
    ids = [i for cluster in clusters for i in cluster.ids]
    assert sorted(ids) == sorted(c.id for c in survivors)
    for cluster in clusters:
        assert {m.behaviour for m in cluster.members} == {cluster.behaviour}
    assert [c.size for c in clusters] == sorted((c.size for c in clusters), reverse=True)
    shuffled = data.draw(st.permutations(survivors))
    assert cluster_candidates(shuffled) == clusters

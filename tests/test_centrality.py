"""Source centrality (solver/code/centrality.py): how typical a program is among
the programs sampled with it."""

from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from solver.code.centrality import centrality

ORIGINAL = """#include <cstdio>
int main() {
    long long n, total = 0;
    scanf("%lld", &n);
    for (long long i = 1; i <= n; i++) total += i * i;
    printf("%lld\\n", total);
}
"""
EDITS = (
    ("<= n", "< n"),
    ("i * i", "i * i * i"),
    ("= 1;", "= 0;"),
    ("+= i", "-= i"),
    ("total = 0", "total = 1"),
)
MUTANTS = [
    ORIGINAL.replace(*first).replace(*second)
    for first, second in itertools.combinations_with_replacement(EDITS, 2)
]  # one edit (a pair with itself) or two: 15 programs, all distinct from ORIGINAL


@given(st.integers(0, 2**32))
def test_the_original_is_the_most_typical_of_its_mutants(seed: int) -> None:
    rng = random.Random(seed)
    programs = [*rng.sample(MUTANTS, 10), ORIGINAL]
    rng.shuffle(programs)
    scores = centrality([(code, "cpp") for code in programs])
    assert programs[scores.index(max(scores))] == ORIGINAL
    assert all(0.0 <= score <= 1.0 for score in scores)


def test_languages_are_compared_apart_and_a_lone_program_is_neutral() -> None:
    python = "n = int(input())\nprint(sum(i * i for i in range(1, n + 1)))\n"
    scores = centrality([(ORIGINAL, "cpp"), (ORIGINAL, "cpp"), (python, "python")])
    assert scores[0] == scores[1] > 0.99
    assert scores[2] == scores[0]  # the mean of the programs that have peers
    assert centrality([]) == []
    assert centrality([("", "cpp"), (ORIGINAL, "cpp")]) == [0.0, 0.0]
    assert centrality([(ORIGINAL, "cpp"), (python, "python")]) == [0.0, 0.0]


def test_a_lone_program_scores_the_mean_of_those_with_peers() -> None:
    python = "n = int(input())\nprint(sum(i * i for i in range(1, n + 1)))\n"
    cpp = [ORIGINAL, *MUTANTS[:6], ""]  # the empty one has no 3-gram and does not count
    scores = centrality([*((code, "cpp") for code in cpp), (python, "python")])
    with_peers = scores[: len(cpp) - 1]
    assert scores[len(cpp) - 1] == 0.0
    assert min(with_peers) < scores[-1] < max(with_peers)
    assert abs(scores[-1] - sum(with_peers) / len(with_peers)) < 1e-12

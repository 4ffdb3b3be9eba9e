"""Features, heuristic scores and the learned scorer."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import torch

from solver.candidates import Candidate, Outcome, Pool, Subtask
from solver.cluster import cluster_candidates
from solver.scoring.features import FEATURE_TABLE, FEATURES, feature_rows, language_group
from solver.scoring.heuristics import cluster_size_scores, weighted_scores
from solver.scoring.learned import (
    ScorerFileError,
    load_scorer,
    pool_examples,
    predict,
    save_scorer,
    train_scorer,
)
from tests.test_select_pools import candidate


def test_feature_table_is_one_table() -> None:
    assert FEATURES == tuple(name for name, _, _ in FEATURE_TABLE)
    assert len(set(FEATURES)) == len(FEATURES)


def test_features_by_hand() -> None:
    subtasks = (Subtask("small", 25.0), Subtask("full", 75.0, ("small",)))
    members = (
        candidate("a", ("1", "2", "3", "4"), samples=2, generated_passed=(True, False)),
        candidate(
            "b",
            ("1", "2", "3", "4"),
            cpu_time_s=0.5,
            memory_bytes=2**21,
            generated_passed=(False, False),
        ),
        Candidate(
            "c",
            "python",
            50,
            public_passed=1,
            public_total=2,
            behaviour=("1", "2", "!RE", "9"),
            logprob=-3.0,
            target_subtask="small",
            generated_passed=(True, True),
        ),
    )
    pool = Pool("p", members, subtasks, generated_inputs=("i",) * 4)
    rows = feature_rows(pool, cluster_candidates(members))
    a = dict(zip(FEATURES, rows["a"], strict=True))
    b = dict(zip(FEATURES, rows["b"], strict=True))
    c = dict(zip(FEATURES, rows["c"], strict=True))
    assert a["cluster_size"] == 3 and c["cluster_size"] == 1
    assert a["log_cluster_size"] == pytest.approx(math.log(4))
    assert a["cluster_share"] == pytest.approx(0.75)
    assert (a["cluster_rank"], c["cluster_rank"]) == (0, 1)
    assert a["largest_agreement"] == 1.0 and c["largest_agreement"] == 0.5
    assert a["generated_passed_fraction"] == 0.5 and b["generated_passed_fraction"] == 0.0
    assert c["generated_failed_fraction"] == 0.25
    # CodeT: a's set {0} scores 1 x sqrt(2 samples), c's {0, 1} 2 x sqrt(1), b's none
    assert a["codet_share"] == pytest.approx(math.sqrt(2) / 2)
    assert (b["codet_share"], c["codet_share"]) == (0.0, 1.0)
    # on behaviour clusters: a 1 test x sqrt(3 samples), c 2 tests x sqrt(1), b none
    assert a["dual_share"] == pytest.approx(math.sqrt(3) / 2)
    assert (b["dual_share"], c["dual_share"]) == (0.0, 1.0)
    assert c["public_passed_fraction"] == 0.5 and a["public_passed_fraction"] == 1.0
    # relative to the survivors' medians; unknown statistics read as the median
    assert (b["cpu_time_rel"], b["memory_rel"], a["cpu_time_rel"]) == (0.0, 0.0, 0.0)
    assert c["source_length_rel"] == pytest.approx(math.log(51 / 101))
    assert a["sample_count"] == 2 and (a["logprob_rel"], c["logprob_rel"]) == (0.0, 0.0)
    assert c["target_share"] == 0.25 and a["target_share"] == 1.0
    assert (a["lang_cpp"], a["lang_python"], c["lang_python"]) == (1.0, 0.0, 1.0)


def test_relative_features_read_the_same_across_scales() -> None:
    """A pool whose times, memory, lengths and log-probabilities are all scaled (or
    shifted) gets the same relative features: they compare within the pool."""

    def pool(scale: float, shift: float) -> dict[str, tuple[float, ...]]:
        members = tuple(
            Candidate(
                f"c{i}",
                "cpp",
                int(scale * length),
                public_passed=1,
                public_total=1,
                behaviour=(str(i % 2),),
                cpu_time_s=scale * time - 1e-3 * (1 - scale),
                memory_bytes=int(scale * (mib + 1) * 2**20 - 2**20),
                logprob=logprob + shift,
            )
            for i, (length, time, mib, logprob) in enumerate(
                [(100, 0.1, 1, -1.0), (200, 0.2, 3, -2.0), (400, 0.4, 7, -5.0)]
            )
        )
        clusters = cluster_candidates(members)
        return feature_rows(Pool("p", members, generated_inputs=("i",)), clusters)

    names = ("cpu_time_rel", "memory_rel", "logprob_rel")
    index = [FEATURES.index(name) for name in names]
    small, large = pool(1.0, 0.0), pool(3.0, -40.0)
    for cid in ("c0", "c1", "c2"):
        assert [small[cid][i] for i in index] == pytest.approx([large[cid][i] for i in index])
    assert small["c2"][FEATURES.index("logprob_rel")] == -3.0
    assert small["c0"][FEATURES.index("source_length_rel")] == pytest.approx(math.log(101 / 201))


def test_language_groups() -> None:
    """Groups follow the language table's families; a key it lacks is "other"."""
    keys = ("cpp", "cpp20", "c", "python", "pypy", "java", "javascript", "no-such-key")
    assert [language_group(x) for x in keys] == [
        "cpp",
        "cpp",
        "c",
        "python",
        "python",
        "java",
        "other",
        "other",
    ]


def test_heuristic_scores() -> None:
    members = [candidate("a", ("1",)), candidate("b", ("1",), samples=2), candidate("c", ("2",))]
    clusters = cluster_candidates(members)
    assert cluster_size_scores(clusters) == {"a": 3.0, "b": 3.0, "c": 1.0}
    rows = feature_rows(Pool("p", tuple(members), generated_inputs=("i",)), clusters)
    scores = weighted_scores(rows, {"cluster_size": 1.0, "sample_count": 10.0})
    assert scores == {"a": 13.0, "b": 23.0, "c": 11.0}


def synthetic_pool(rng: random.Random, name: str) -> Pool:
    """Correct candidates share one behaviour and are the most numerous group."""
    members, truth = [], {}
    for index in range(rng.randint(6, 10)):
        members.append(candidate(f"ok{index}", ("r", "r", "r")))
        truth[f"ok{index}"] = Outcome({"all": 1.0})
    for index in range(rng.randint(6, 10)):
        behaviour = tuple(rng.choice("abc!") for _ in range(3))
        members.append(candidate(f"w{index}", behaviour))
        truth[f"w{index}"] = Outcome({"all": 0.0})
    return Pool(name, tuple(members), generated_inputs=("i",) * 3, truth=truth)


def test_learned_scorer_learns_and_round_trips(tmp_path: Path) -> None:
    rng = random.Random(7)
    examples = [e for i in range(6) for e in pool_examples(synthetic_pool(rng, f"p{i}"))]
    scorer = train_scorer(examples, hidden=8, epochs=200, seed=1)
    test = synthetic_pool(rng, "test")
    rows = feature_rows(test, cluster_candidates(test.candidates))
    ids = sorted(rows)
    scores = dict(zip(ids, predict(scorer, [rows[i] for i in ids]), strict=True))
    worst_correct = min(s for i, s in scores.items() if test.is_correct(i))
    best_wrong = max(s for i, s in scores.items() if not test.is_correct(i))
    assert worst_correct > best_wrong
    path = tmp_path / "scorer.pt"
    save_scorer(scorer, path)
    again = load_scorer(path)
    assert predict(again, [rows[i] for i in ids]) == pytest.approx(list(scores.values()))


def test_scorer_from_another_feature_set_is_an_error(tmp_path: Path) -> None:
    scorer = train_scorer(pool_examples(synthetic_pool(random.Random(1), "p")), hidden=0, epochs=5)
    path = tmp_path / "scorer.pt"
    save_scorer(scorer, path)
    data = torch.load(path, weights_only=True)
    data["features"] = [*data["features"][:-1], "bogus"]
    torch.save(data, path)
    with pytest.raises(ScorerFileError, match=f"{path}: trained on another feature set"):
        load_scorer(path)
    path.write_text("not a model")
    with pytest.raises(ScorerFileError, match=f"{path}: not a scorer file"):
        load_scorer(path)
    with pytest.raises(ScorerFileError, match="no such scorer file"):
        load_scorer(tmp_path / "missing.pt")

"""`cpsolve select`, `tune` and `train-scorer` on pool files and run folders."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from solver.candidates import Outcome, Pool
from solver.cli import main
from solver.poolfile import PoolFileError, load_pool, pool_to_json, save_pool
from solver.select.strategy import load_strategy
from tests.test_select_pools import candidate


def small_pool(seed: int = 0) -> Pool:
    rng = random.Random(seed)
    members, truth = [], {}
    for index in range(rng.randint(3, 5)):
        members.append(candidate(f"ok{index}", ("r", "r")))
        truth[f"ok{index}"] = Outcome({"all": 1.0})
    for index in range(rng.randint(2, 4)):
        members.append(candidate(f"w{index}", (rng.choice("ab"), "x"), public=index > 0))
        truth[f"w{index}"] = Outcome({"all": 0.0})
    return Pool(f"p{seed}", tuple(members), generated_inputs=("1", "2"), truth=truth)


def test_pool_file_round_trip(tmp_path: Path) -> None:
    pool = small_pool()
    save_pool(pool, tmp_path / "pool.json")
    assert load_pool(tmp_path / "pool.json") == pool


def test_select_prints_submissions_with_why(tmp_path: Path, capsys) -> None:
    save_pool(small_pool(), tmp_path / "pool.json")
    for where in (tmp_path / "pool.json", tmp_path):  # a pool file, or a run folder
        code = main(["select", str(where), "--strategy", "alphacode", "--limit", "2", "--json"])
        assert code == 0
        out = json.loads(capsys.readouterr().out)
        assert out["strategy"] == "alphacode"
        first = out["submissions"][0]
        assert first["candidate"].startswith("ok") and first["cluster"] == 0
        assert "cluster #0" in first["why"]
    assert main(["select", str(tmp_path), "--simulate", "--limit", "3"]) == 0
    text = capsys.readouterr().out
    assert "1. ok" in text and "accepted: yes; wrong attempts: 0" in text


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "no judged pool in this run"),
        ({"format": "cpsolve-pool", "version": 1, "candidates": []}, "no candidates"),
        ({"format": "other"}, "not a pool file"),
    ],
)
def test_select_bad_runs_are_one_clear_error(tmp_path: Path, capsys, content, needle) -> None:
    if content is not None:
        (tmp_path / "pool.json").write_text(json.dumps(content))
    assert main(["select", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and str(tmp_path) in err


def test_pool_file_checks_behaviour_length(tmp_path: Path) -> None:
    data = pool_to_json(small_pool())
    data["candidates"][0]["behaviour"] = ["r"]
    (tmp_path / "p.json").write_text(json.dumps(data))
    with pytest.raises(PoolFileError, match="candidates\\[0\\] \\(ok0\\): 1 behaviour labels"):
        load_pool(tmp_path / "p.json")


def test_unknown_strategy_is_a_user_error(tmp_path: Path, capsys) -> None:
    save_pool(small_pool(), tmp_path / "pool.json")
    assert main(["select", str(tmp_path), "--strategy", "nope"]) == 2
    assert "no strategy named 'nope'" in capsys.readouterr().err


def test_train_scorer_then_select_learned_and_tune(tmp_path: Path, capsys) -> None:
    paths = []
    for seed in range(4):
        paths.append(tmp_path / f"p{seed}.json")
        save_pool(small_pool(seed), paths[-1])
    scorer = tmp_path / "s.pt"
    args = ["train-scorer", *map(str, paths), "--out", str(scorer), "--epochs", "50"]
    assert main(args) == 0
    assert scorer.exists()
    select = ["select", str(paths[0]), "--strategy", "learned", "--scorer", str(scorer)]
    assert main([*select, "--json"]) == 0
    capsys.readouterr()
    assert main(["select", str(paths[0]), "--strategy", "learned"]) == 2
    assert "needs a scorer" in capsys.readouterr().err
    out = tmp_path / "tuned.yaml"
    tune = ["tune", *map(str, paths), "--strategy", "cpsolve", "--trials", "4", "--out", str(out)]
    assert main(tune) == 0
    tuned = load_strategy(out)
    assert tuned.name == "tuned" and set(tuned.weights) == set(
        load_strategy(Path(__file__).parents[1] / "strategies" / "cpsolve.yaml").weights
    )
    assert "mean score" in capsys.readouterr().out

"""Strategy files: the shipped ones parse, and every kind of mistake is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.select.strategy import (
    KEYS,
    StrategyError,
    find_strategy,
    load_strategy,
    named_strategies,
)

SHIPPED = (
    "random",
    "public-filter",
    "alphacode",
    "alphacode2",
    "codet",
    "o1-ioi",
    "learned",
    "cpsolve",
)


def test_every_named_strategy_ships_and_parses() -> None:
    assert set(SHIPPED) <= set(named_strategies())
    for name in named_strategies():
        strategy = find_strategy(name)
        assert strategy.name == name


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name: x\nfilterr: public\n", "unknown key 'filterr'"),
        ("filter: everything\n", "key 'filter': 'everything' is not one of none, public"),
        ("limit: 0\n", "key 'limit': expected a whole number >= 1"),
        ("limit: ten\n", "key 'limit'"),
        ("limit: true\n", "key 'limit'"),
        ("cluster_penalty: -1\n", "key 'cluster_penalty'"),
        ("top_clusters: 2.5\n", "key 'top_clusters'"),
        ("scoring: weights\nweights: {size: 1}\n", "unknown feature 'size'"),
        ("scoring: weights\nweights: {logprob_rel: big}\n", "key 'weights.logprob_rel'"),
        ("scoring: weights\n", "'scoring: weights' needs at least one weight"),
        ("tests: none\nclustering: behaviour\n", "key 'clustering'"),
        ("tests: none\nclustering: none\nscoring: codet\n", "key 'scoring'"),
        ("- a list\n", "expected a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_strategy_files_name_the_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(StrategyError) as error:
        load_strategy(path)
    assert str(path) in str(error.value)
    assert needle in str(error.value)


def test_unknown_strategy_name_lists_the_known_ones() -> None:
    with pytest.raises(StrategyError, match="no strategy named 'nope'.*alphacode"):
        find_strategy("nope")


def test_defaults_and_relative_scorer(tmp_path: Path) -> None:
    path = write(tmp_path, "scoring: learned\nscorer: models/s.pt\n")
    strategy = load_strategy(path)
    assert strategy.name == "mine"
    assert strategy.scorer == str(tmp_path / "models" / "s.pt")
    assert set(KEYS) >= {"filter", "tests", "clustering", "scoring", "ordering", "limit"}

"""A selection strategy: a YAML file in strategies/, parsed into a `Strategy` value.

Keys (all optional but `name` defaults to the file's stem):

- `filter`: `none` | `public` (keep candidates that pass every public test; when none
  does, the whole pool is kept: a submission beats none).
- `tests`: `none` | `generated` (whether the generated inputs and tests are read).
- `clustering`: `none` (every candidate alone) | `behaviour` (identical labels on all
  generated inputs) | `tests-passed` (the same generated tests passed: CodeT's
  consensus sets); both need `tests: generated`.
- `scoring`: how a candidate is scored: `uniform` (0), `cluster-size`, `codet` (CodeT's
  dual agreement; needs `tests: generated`), `weights` (sum of `weights` x features),
  `learned` (the torch scorer in `scorer`, or one given at call time).
- `cluster_order`: how clusters are ranked: `size`, `mean-score`, `max-score`.
- `ordering`: `random` (a uniform shuffle), `score` (best candidate first), `clusters`
  (round-robin over the ranked clusters, the best member of each), `subtasks` (o1-ioi:
  round-robin over subtasks from the hardest, with feedback).
- `top_clusters`: only the N best-ranked clusters are used (AlphaCode 2: 10).
- `cluster_penalty`: what each earlier submission from a cluster takes off its score
  (`subtasks` ordering).
- `limit`: the default number of submissions.
- `weights`: feature name -> weight (see `solver.scoring.features.FEATURES`).
- `scorer`: a learned scorer file, relative to the strategy file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from solver.scoring.features import FEATURES

# Where the named strategies live: strategies/ at the repository root.
STRATEGY_DIR = Path(__file__).resolve().parents[2] / "strategies"

CHOICES: dict[str, tuple[str, ...]] = {
    "filter": ("none", "public"),
    "tests": ("none", "generated"),
    "clustering": ("none", "behaviour", "tests-passed"),
    "scoring": ("uniform", "cluster-size", "codet", "weights", "learned"),
    "cluster_order": ("size", "mean-score", "max-score"),
    "ordering": ("random", "score", "clusters", "subtasks"),
}


class StrategyError(Exception):
    """A strategy file is wrong: names the file, the key and what is wrong."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class Strategy:
    """A parsed strategy (see the module docstring for the meaning of each field)."""

    name: str
    description: str = ""
    filter: str = "public"
    tests: str = "generated"
    clustering: str = "behaviour"
    scoring: str = "uniform"
    cluster_order: str = "size"
    ordering: str = "clusters"
    top_clusters: int | None = None
    cluster_penalty: float = 0.0
    limit: int = 10
    weights: Mapping[str, float] = field(default_factory=dict)
    scorer: str | None = None


KEYS = tuple(item.name for item in fields(Strategy))


def _number(path: Path, key: str, value: object, *, minimum: float) -> float:
    """A real number >= minimum, or a StrategyError naming the key."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise StrategyError(path, f"key {key!r}: expected a number >= {minimum}, got {value!r}")
    return float(value)


def _count(path: Path, key: str, value: object) -> int:
    """A whole number >= 1, or a StrategyError naming the key."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise StrategyError(path, f"key {key!r}: expected a whole number >= 1, got {value!r}")
    return value


def _text(path: Path, key: str, value: object) -> str:
    """A string, or a StrategyError naming the key."""
    if not isinstance(value, str):
        raise StrategyError(path, f"key {key!r}: expected text, got {value!r}")
    return value


def _weights(path: Path, value: object) -> dict[str, float]:
    """Feature name -> weight, every name a known feature."""
    if not isinstance(value, dict):
        raise StrategyError(path, f"key 'weights': expected a mapping, got {value!r}")
    weights = {}
    for name, weight in value.items():
        if name not in FEATURES:
            raise StrategyError(
                path, f"key 'weights': unknown feature {name!r} (known: {', '.join(FEATURES)})"
            )
        weights[name] = _number(path, f"weights.{name}", weight, minimum=float("-inf"))
    return weights


def _value(path: Path, key: str, value: object) -> Any:
    """One key's value, checked and converted."""
    if key in CHOICES:
        if value not in CHOICES[key]:
            raise StrategyError(
                path, f"key {key!r}: {value!r} is not one of {', '.join(CHOICES[key])}"
            )
        return value
    if key == "limit":
        return _count(path, key, value)
    if key == "top_clusters":
        return None if value is None else _count(path, key, value)
    if key == "cluster_penalty":
        return _number(path, key, value, minimum=0.0)
    if key == "weights":
        return _weights(path, value)
    if key == "scorer":
        return None if value is None else str((path.parent / _text(path, key, value)).resolve())
    return _text(path, key, value)


def _check_combination(path: Path, strategy: Strategy) -> None:
    """Keys that are fine alone but not together."""
    if strategy.tests == "none" and strategy.clustering != "none":
        raise StrategyError(
            path, f"key 'clustering': {strategy.clustering!r} needs 'tests: generated'"
        )
    if strategy.tests == "none" and strategy.scoring == "codet":
        raise StrategyError(path, "key 'scoring': 'codet' needs 'tests: generated'")
    if strategy.scoring == "weights" and not strategy.weights:
        raise StrategyError(path, "key 'weights': 'scoring: weights' needs at least one weight")


def parse_strategy(path: Path, data: object) -> Strategy:
    """A Strategy from a YAML document's data; every error names the file and key."""
    if not isinstance(data, dict):
        raise StrategyError(path, "expected a mapping of strategy keys")
    unknown = sorted(str(key) for key in data if key not in KEYS)
    if unknown:
        raise StrategyError(path, f"unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    values = {key: _value(path, key, value) for key, value in data.items()}
    values.setdefault("name", path.stem)
    strategy = Strategy(**values)
    _check_combination(path, strategy)
    return strategy


def load_strategy(path: Path) -> Strategy:
    """Read and check a strategy file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise StrategyError(path, "no such strategy file") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise StrategyError(path, f"not valid YAML: {error}") from error
    return parse_strategy(path, data)


def strategy_path(name: str) -> Path:
    """A strategy's file: a path as given, else strategies/NAME.yaml."""
    given = Path(name)
    if given.suffix in (".yaml", ".yml") or given.exists():
        return given
    return STRATEGY_DIR / f"{name}.yaml"


def named_strategies() -> tuple[str, ...]:
    """The names of the shipped strategies (strategies/*.yaml)."""
    return tuple(sorted(path.stem for path in STRATEGY_DIR.glob("*.yaml")))


def find_strategy(name: str) -> Strategy:
    """Load a strategy by name (strategies/NAME.yaml) or by path."""
    path = strategy_path(name)
    if not path.exists() and path.parent == STRATEGY_DIR:
        raise StrategyError(
            path, f"no strategy named {name!r} (known: {', '.join(named_strategies())})"
        )
    return load_strategy(path)


def strategy_to_yaml(strategy: Strategy) -> str:
    """The strategy as a strategy file (every key, so it reads back the same)."""
    data = {key: getattr(strategy, key) for key in KEYS}
    data["weights"] = dict(strategy.weights)
    return yaml.safe_dump(data, sort_keys=False)

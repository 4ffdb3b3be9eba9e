"""A learned candidate scorer: a small torch model over the features of `features.py`.

Trained on judged pools (label: the candidate gets full points on the hidden tests),
each pool weighted equally whatever its size, on the pipeline every strategy shares:
the public-test filter, then behavioural clustering. The model is logistic regression
(`hidden=0`) or a two-layer MLP; inputs are standardised with the training set's mean
and deviation, which the file keeps. A scorer file holds the format version and the
feature names it was trained on: loading one made for another feature set is an error
naming the file, never a silent mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.candidates import Pool
from solver.cluster import cluster_candidates, public_filter
from solver.scoring.features import FEATURES, feature_rows

FORMAT = "cpsolve-scorer"
FORMAT_VERSION = 1


class ScorerFileError(Exception):
    """A scorer file cannot be used: names the file and what is wrong."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class Example:
    """One training row: a candidate's features, its label and its weight."""

    row: tuple[float, ...]
    label: bool
    weight: float


@dataclass(frozen=True)
class Scorer:
    """A trained scorer: feature names, standardisation, and the model's parameters."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    hidden: int
    parameters: dict[str, Any]


def pool_examples(pool: Pool) -> list[Example]:
    """The training rows of one judged pool (public-filter survivors, or all if none)."""
    survivors = public_filter(pool.candidates) or pool.candidates
    rows = feature_rows(pool, cluster_candidates(survivors))
    weight = 1.0 / max(1, len(rows))
    return [
        Example(row, pool.is_correct(candidate_id), weight)
        for candidate_id, row in sorted(rows.items())
    ]


def _model(hidden: int, width: int) -> Any:
    """The torch module: logistic regression, or an MLP with one hidden layer."""
    import torch

    if hidden == 0:
        return torch.nn.Linear(width, 1)
    return torch.nn.Sequential(
        torch.nn.Linear(width, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)
    )


def train_scorer(
    examples: Sequence[Example],
    *,
    hidden: int = 16,
    epochs: int = 400,
    learning_rate: float = 0.03,
    seed: int = 0,
) -> Scorer:
    """Fit the model by full-batch Adam on weighted binary cross-entropy."""
    import torch

    if not examples:
        raise ValueError("no training examples: the pools hold no candidates")
    torch.manual_seed(seed)
    x = torch.tensor([example.row for example in examples], dtype=torch.float64)
    y = torch.tensor([float(example.label) for example in examples], dtype=torch.float64)
    w = torch.tensor([example.weight for example in examples], dtype=torch.float64)
    mean = x.mean(dim=0)
    std = x.std(dim=0, unbiased=False).clamp_min(1e-9)
    model = _model(hidden, len(FEATURES)).double()
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    loss_function = torch.nn.BCEWithLogitsLoss(weight=w / w.sum(), reduction="sum")
    inputs = (x - mean) / std
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = loss_function(model(inputs).squeeze(1), y)
        loss.backward()
        optimiser.step()
    return Scorer(
        features=FEATURES,
        mean=tuple(mean.tolist()),
        std=tuple(std.tolist()),
        hidden=hidden,
        parameters={name: value.detach().clone() for name, value in model.state_dict().items()},
    )


def predict(scorer: Scorer, rows: Sequence[Sequence[float]]) -> list[float]:
    """The model's probability that each row's candidate passes the hidden tests."""
    import torch

    if not rows:
        return []
    model = _model(scorer.hidden, len(scorer.features)).double()
    model.load_state_dict(scorer.parameters)
    x = torch.tensor([list(row) for row in rows], dtype=torch.float64)
    mean = torch.tensor(scorer.mean, dtype=torch.float64)
    std = torch.tensor(scorer.std, dtype=torch.float64)
    with torch.no_grad():
        return [float(p) for p in torch.sigmoid(model((x - mean) / std).squeeze(1)).tolist()]


def save_scorer(scorer: Scorer, path: Path) -> None:
    """Write the scorer with its format version and feature names."""
    import torch

    torch.save(
        {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "features": list(scorer.features),
            "mean": list(scorer.mean),
            "std": list(scorer.std),
            "hidden": scorer.hidden,
            "parameters": scorer.parameters,
        },
        path,
    )


def load_scorer(path: Path) -> Scorer:
    """Read a scorer file; another format, version or feature set is a ScorerFileError."""
    import pickle

    import torch

    try:
        data = torch.load(path, weights_only=True)
    except FileNotFoundError as error:
        raise ScorerFileError(path, "no such scorer file") from error
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as error:
        raise ScorerFileError(path, f"not a scorer file ({error})") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ScorerFileError(path, f"not a scorer file (format is not {FORMAT!r})")
    if data.get("version") != FORMAT_VERSION:
        raise ScorerFileError(
            path, f"scorer format version {data.get('version')}, this build reads {FORMAT_VERSION}"
        )
    features = tuple(data.get("features", ()))
    if features != FEATURES:
        missing = sorted(set(FEATURES) - set(features))
        extra = sorted(set(features) - set(FEATURES))
        raise ScorerFileError(
            path,
            "trained on another feature set "
            f"(missing {missing or 'none'}, unknown {extra or 'none'}, or another order): "
            "train it again with `cpsolve train-scorer`",
        )
    return Scorer(
        features=features,
        mean=tuple(data["mean"]),
        std=tuple(data["std"]),
        hidden=int(data["hidden"]),
        parameters=dict(data["parameters"]),
    )

"""The contest report's plots as PNG files (matplotlib, no display needed).

Every figure is FIGSIZE inches at DPI dots per inch (WIDTH x HEIGHT pixels), so a
report's images have a known size. Inputs are the plain data of
`solver.contest.curves` and the standings; nothing here computes a score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.figure import Figure  # noqa: E402

from solver.contest.contestfile import MedalCutoffs  # noqa: E402
from solver.contest.curves import ClusterSize, CurvePoint  # noqa: E402

FIGSIZE = (10.0, 6.0)
DPI = 100
WIDTH, HEIGHT = int(FIGSIZE[0] * DPI), int(FIGSIZE[1] * DPI)
COLOURS = {"strategy": "tab:blue", "random": "tab:grey", "oracle": "tab:green"}


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def _grid(count: int) -> tuple[int, int]:
    columns = min(3, max(1, count))
    return math.ceil(count / columns), columns


def plot_curves(
    path: Path,
    curves: Mapping[str, Sequence[CurvePoint]],
    title: str,
    xlabel: str,
    strategy: str,
    log_x: bool = False,
) -> Path:
    """One panel per problem: the strategy's, random's and the oracle's score (fraction
    of the maximum) against x, the strategy with its standard-error band."""
    figure = plt.figure(figsize=FIGSIZE)
    rows, columns = _grid(len(curves))
    for index, (problem, points) in enumerate(curves.items(), start=1):
        axes = figure.add_subplot(rows, columns, index)
        xs = [p.x for p in points]
        values = [p.strategy for p in points]
        errors = [p.strategy_stderr for p in points]
        axes.plot(xs, [p.oracle for p in points], "-", color=COLOURS["oracle"], label="oracle")
        axes.plot(xs, values, "o-", color=COLOURS["strategy"], label=strategy, markersize=3)
        axes.fill_between(
            xs,
            [v - e for v, e in zip(values, errors, strict=True)],
            [v + e for v, e in zip(values, errors, strict=True)],
            color=COLOURS["strategy"],
            alpha=0.2,
        )
        axes.plot(xs, [p.random for p in points], "--", color=COLOURS["random"], label="random")
        if log_x and len(xs) > 1:
            axes.set_xscale("log", base=2)
        axes.set_ylim(-0.05, 1.05)
        axes.set_title(problem, fontsize=9)
        axes.set_xlabel(xlabel, fontsize=8)
        axes.set_ylabel("score (share of max)", fontsize=8)
        axes.tick_params(labelsize=7)
        if index == 1:
            axes.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)


def plot_cluster_sizes(path: Path, sizes: Mapping[str, Sequence[ClusterSize]]) -> Path:
    """How many behaviour clusters of each size (in samples) the survivors form, over
    all problems, split into clusters of correct and of wrong programs."""
    figure = plt.figure(figsize=FIGSIZE)
    axes = figure.add_subplot(1, 1, 1)
    every = [c for clusters in sizes.values() for c in clusters]
    largest = max((c.size for c in every), default=1)
    edges = [2**i for i in range(math.ceil(math.log2(largest)) + 2)]
    groups = {
        "correct": [c.size for c in every if c.correct is True],
        "wrong": [c.size for c in every if c.correct is False],
        "unknown (no hidden tests)": [c.size for c in every if c.correct is None],
    }
    shown = {name: values for name, values in groups.items() if values}
    if shown:
        axes.hist(
            list(shown.values()),
            bins=edges,
            stacked=True,
            label=list(shown),
            color=["tab:green", "tab:red", "tab:grey"][: len(shown)],
        )
        axes.set_xscale("log", base=2)
        axes.legend()
    axes.set_xlabel("cluster size (samples)")
    axes.set_ylabel("clusters")
    axes.set_title(
        f"Cluster sizes of the public-filter survivors ({len(every)} clusters, "
        f"{len(sizes)} problems)"
    )
    figure.tight_layout()
    return _save(figure, path)


def plot_standings(
    path: Path,
    field: Sequence[float],
    marks: Mapping[str, float],
    title: str,
    ylabel: str,
    medals: MedalCutoffs | None = None,
) -> Path:
    """The human field's scores by rank, with `marks` (the simulated entrant, then
    the random and oracle baselines, by label) drawn as horizontal lines where they
    land, and medal cut-offs."""
    figure = plt.figure(figsize=FIGSIZE)
    axes = figure.add_subplot(1, 1, 1)
    ordered = sorted(field, reverse=True)
    if ordered:
        axes.plot(range(1, len(ordered) + 1), ordered, ".", color="black", label="humans")
    styles = ("-", "--", ":")
    for index, (name, score) in enumerate(marks.items()):
        rank = 1 + sum(s > score + 1e-9 for s in ordered)
        colour = (COLOURS["strategy"], COLOURS["random"], COLOURS["oracle"])[index % 3]
        axes.axhline(
            score,
            linestyle=styles[index % 3],
            color=colour,
            label=f"{name}: {score:.0f} (rank {rank} of {len(ordered) + 1})",
        )
    if medals is not None:
        for medal, colour in (("gold", "gold"), ("silver", "silver"), ("bronze", "peru")):
            value = getattr(medals, medal)
            axes.axhline(value, color=colour, linewidth=2, alpha=0.7, label=f"{medal} {value:g}")
    axes.set_xlabel("rank among the human participants")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return _save(figure, path)

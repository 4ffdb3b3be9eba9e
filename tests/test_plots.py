"""The report's plots are real PNG files of the documented size."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image

from solver.contest.contestfile import MedalCutoffs
from solver.contest.curves import ClusterSize, CurvePoint
from solver.plots import HEIGHT, WIDTH, plot_cluster_sizes, plot_curves, plot_standings


def read_png(path: Path) -> tuple[int, int]:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(path)
    return image.shape[0], image.shape[1]


def test_every_plot_is_a_png_of_the_right_size(tmp_path: Path) -> None:
    curve = [CurvePoint(k, 0.1 * i, 0.02, 0.05 * i, 0.12 * i) for i, k in enumerate([1, 2, 4, 8])]
    paths = [
        plot_curves(tmp_path / "a.png", {"p": curve, "q": curve}, "t", "samples", "s", log_x=True),
        plot_curves(tmp_path / "b.png", {"p": curve}, "t", "submissions", "s"),
        plot_cluster_sizes(
            tmp_path / "c.png",
            {
                "p": [ClusterSize(5, 2, True), ClusterSize(1, 1, False)],
                "q": [ClusterSize(3, 3, None)],
            },
        ),
        plot_standings(
            tmp_path / "d.png",
            [10.0, 5.0, 1.0],
            {"s": 6.0, "random": 2.0, "oracle": 11.0},
            "t",
            "points",
            MedalCutoffs(9.0, 5.0, 2.0),
        ),
    ]
    for path in paths:
        assert read_png(path) == (HEIGHT, WIDTH)


def test_empty_inputs_still_make_a_figure(tmp_path: Path) -> None:
    assert read_png(plot_cluster_sizes(tmp_path / "c.png", {})) == (HEIGHT, WIDTH)
    assert read_png(plot_standings(tmp_path / "d.png", [], {"s": 1.0}, "t", "p")) == (
        HEIGHT,
        WIDTH,
    )

"""Forest and funnel plots: Figures with the expected marks (numbers are tested elsewhere)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from neuroprotect.meta.bias import trim_and_fill
from neuroprotect.meta.models import RandomEffectsMeta
from neuroprotect.meta.plots import plot_forest, plot_funnel

YI = np.array([-0.89, -1.59, -1.35, -1.44, -0.22, -0.79, -1.62, 0.01, -0.47, -1.37])
VI = np.array([0.33, 0.19, 0.42, 0.02, 0.05, 0.007, 0.22, 0.004, 0.056, 0.073])


def test_forest_plot(tmp_path: Path) -> None:
    fit = RandomEffectsMeta("REML").fit(YI, VI, labels=[f"S{i}" for i in range(YI.size)])
    fig = plot_forest(fit, xlabel="log RR")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:2] == ["S0", "S1"] and labels[-1] == "REML model"
    assert ax.get_xlabel() == "log RR"
    diamond = ax.patches[0].get_xy()
    assert diamond[:, 0].min() == fit.ci_[0] and diamond[:, 0].max() == fit.ci_[1]
    fig.savefig(tmp_path / "forest.png")
    assert (tmp_path / "forest.png").stat().st_size > 1000


def test_funnel_plot_with_trimfill(tmp_path: Path) -> None:
    fit = RandomEffectsMeta("FE").fit(YI, VI)
    tf = trim_and_fill(YI, VI, method="FE")
    fig = plot_funnel(fit, trimfill=tf)
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert lo > hi == 0  # standard error axis is inverted, 0 at the top
    points = [c for c in ax.collections if c.get_offsets().shape[0] in (YI.size, tf.k0)]
    assert sum(c.get_offsets().shape[0] for c in points) == YI.size + tf.k0
    fig.savefig(tmp_path / "funnel.svg")
    assert (tmp_path / "funnel.svg").read_text().startswith("<?xml")

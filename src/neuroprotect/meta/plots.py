"""Forest and funnel plots of a fitted meta-analysis (matplotlib Figures, no pyplot state)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from scipy import stats

from neuroprotect.meta.bias import TrimFillResult
from neuroprotect.meta.models import RandomEffectsMeta

__all__ = ["plot_forest", "plot_funnel"]


def plot_forest(
    model: RandomEffectsMeta,
    *,
    xlabel: str = "Effect size",
    null_value: float = 0.0,
    show_prediction: bool = True,
) -> Figure:
    """Forest plot: each study's effect with its 95% CI, the pooled diamond and the PI.

    Parameters
    ----------
    model
        A fitted :class:`RandomEffectsMeta` (its study labels label the rows).
    xlabel
        Axis label, e.g. ``"NMD (% of deficit rescued)"``.
    null_value
        Position of the no-effect line.
    show_prediction
        Draw the prediction interval as a line through the diamond (random effects only).

    Returns
    -------
    matplotlib.figure.Figure
        Squares are sized by the study's percentage weight; the right margin lists
        ``estimate [CI]`` and the weight.
    """
    studies = model.studies
    k = len(studies)
    fig = Figure(figsize=(7.5, 1.2 + 0.32 * (k + 2)))
    ax = fig.add_subplot(1, 1, 1)
    rows = np.arange(k, 0, -1) + 1.0
    sizes = 20 + 200 * studies["weight"].to_numpy() / max(studies["weight"].max(), 1e-12)
    ax.hlines(rows, studies["ci_low"], studies["ci_high"], color="0.2", linewidth=1)
    ax.scatter(studies["yi"], rows, s=sizes, marker="s", color="0.2", zorder=3)
    est, (lo, hi) = model.estimate_, model.ci_
    diamond = Polygon(
        [(lo, 0.5), (est, 0.8), (hi, 0.5), (est, 0.2)], closed=True, color="tab:blue", zorder=3
    )
    ax.add_patch(diamond)
    if show_prediction and model.method != "FE":
        ax.hlines(0.5, model.pi_[0], model.pi_[1], color="tab:blue", linewidth=1, linestyle=":")
    ax.axvline(null_value, color="0.5", linewidth=0.8, linestyle="--")
    label = f"{model.method} model" + (" (Knapp-Hartung)" if model.knapp_hartung else "")
    ax.set_yticks([*rows, 0.5], [*studies["study"], label])
    text = [
        f"{y:.2f} [{a:.2f}, {b:.2f}]  {w:.1f}%"
        for y, a, b, w in zip(
            studies["yi"], studies["ci_low"], studies["ci_high"], studies["weight"], strict=True
        )
    ]
    text.append(f"{est:.2f} [{lo:.2f}, {hi:.2f}]")
    for y, t in zip([*rows, 0.5], text, strict=True):
        ax.annotate(t, xy=(1.02, y), xycoords=("axes fraction", "data"), va="center", fontsize=8)
    ax.set_ylim(0, k + 2)
    ax.set_xlabel(xlabel)
    het = (
        f"tau² = {model.tau2_:.3g}, I² = {model.i2_:.1f}%, "
        f"Q = {model.q_:.2f} (p = {model.q_p_val_:.3g})"
    )
    ax.set_title(het, fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.subplots_adjust(left=0.25, right=0.68)
    return fig


def plot_funnel(
    model: RandomEffectsMeta,
    *,
    trimfill: TrimFillResult | None = None,
    xlabel: str = "Effect size",
    level: float = 0.95,
) -> Figure:
    """Funnel plot: effect size against its standard error (inverted axis).

    Parameters
    ----------
    model
        A fitted :class:`RandomEffectsMeta`; its pooled estimate is the funnel's centre.
    trimfill
        A trim-and-fill result; its imputed studies are drawn as open circles and its adjusted
        estimate as a dashed line.
    xlabel
        Axis label.
    level
        Pseudo-confidence region ``estimate +- z * se``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(5.5, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    se = np.sqrt(model.vi_)
    se_max = float(se.max()) * 1.1
    if trimfill is not None and len(trimfill.filled):
        se_max = max(se_max, float(np.sqrt(trimfill.filled["vi"]).max()) * 1.1)
    z = float(stats.norm.ppf(0.5 + level / 2))
    grid = np.array([0.0, se_max])
    est = model.estimate_
    ax.fill_betweenx(grid, est - z * grid, est + z * grid, color="0.92", zorder=0)
    ax.plot(est - z * grid, grid, color="0.5", linewidth=0.8, linestyle="--")
    ax.plot(est + z * grid, grid, color="0.5", linewidth=0.8, linestyle="--")
    ax.axvline(est, color="0.3", linewidth=1)
    ax.scatter(model.yi_, se, color="0.15", zorder=3, label="studies")
    if trimfill is not None and len(trimfill.filled):
        ax.scatter(
            trimfill.filled["yi"],
            np.sqrt(trimfill.filled["vi"]),
            facecolors="white",
            edgecolors="0.15",
            zorder=3,
            label=f"filled (k0 = {trimfill.k0}, {trimfill.side})",
        )
        ax.axvline(trimfill.model.estimate_, color="tab:red", linewidth=1, linestyle="--")
        ax.legend(fontsize=8, frameon=False)
    ax.set_ylim(se_max, 0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Standard error")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig

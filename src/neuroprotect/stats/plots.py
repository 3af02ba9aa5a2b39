"""Figures for the curve analyses: Kaplan-Meier step curves and fitted dose-response curves.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state, no
window, no file written); the caller saves or embeds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from neuroprotect.stats.dose_response import LogLogisticFitter

__all__ = ["plot_kaplan_meier", "plot_dose_response"]


def plot_kaplan_meier(
    km: pd.DataFrame,
    *,
    xlabel: str = "Latency (s)",
    ylabel: str = "Proportion not yet responded",
    title: str | None = None,
    show_ci: bool = False,
    labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Kaplan-Meier step curves, one per group, with a tick at every censored latency.

    Parameters
    ----------
    km
        Output of :func:`neuroprotect.stats.survival.kaplan_meier` (columns ``group, time, n_censor,
        survival, ci_low, ci_high``).
    xlabel, ylabel, title
        Axis labels and optional title.
    show_ci
        Shade the pointwise confidence band.
    labels, colours
        Group id -> legend text (also the order of the curves) and -> line colour; by default the
        group ids in the table's order and matplotlib's colour cycle.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; the curves start at (0, 1) and step down at each event time.
    """
    fig = Figure(figsize=(5.5, 4.0))
    ax = fig.add_subplot()
    present = [str(g) for g in pd.unique(km["group"])]  # the table's group order
    order = [g for g in (labels or {}) if g in present] + [
        g for g in present if g not in (labels or {})
    ]
    for name in order:
        sub = km[km["group"].astype(str) == name]
        t = np.concatenate([[0.0], sub["time"].to_numpy(float)])
        s = np.concatenate([[1.0], sub["survival"].to_numpy(float)])
        (line,) = ax.step(
            t,
            s,
            where="post",
            label=(labels or {}).get(name, name),
            color=(colours or {}).get(name),
        )
        cens = sub["n_censor"].to_numpy() > 0
        ax.plot(
            sub["time"].to_numpy(float)[cens],
            sub["survival"].to_numpy(float)[cens],
            linestyle="none",
            marker="|",
            markersize=9,
            color=line.get_color(),
        )
        if show_ci:
            lo = np.concatenate([[1.0], sub["ci_low"].to_numpy(float)])
            hi = np.concatenate([[1.0], sub["ci_high"].to_numpy(float)])
            ax.fill_between(t, lo, hi, step="post", alpha=0.15, color=line.get_color())
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def plot_dose_response(
    fitter: LogLogisticFitter,
    *,
    xlabel: str = "Dose",
    ylabel: str = "Response",
    title: str | None = None,
    n_points: int = 200,
) -> Figure:
    """Observed points and the fitted curve on a log dose axis, with the ED50 marked.

    Parameters
    ----------
    fitter
        A fitted :class:`~neuroprotect.stats.dose_response.LL4Fitter` (or LL3/Hill) instance.
    xlabel, ylabel, title
        Axis labels and optional title.
    n_points
        Number of points of the drawn curve.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with a logarithmic x axis. Dose-0 (control) points, which a log axis cannot show,
        are drawn at a position one log-step below the smallest positive dose and labelled "0".
    """
    dose = np.asarray(fitter.dose_, dtype=float)
    response = np.asarray(fitter.response_, dtype=float)
    positive = dose[dose > 0]
    lo, hi = positive.min(), positive.max()
    step = (hi / lo) ** (1 / max(len(np.unique(positive)) - 1, 1)) if hi > lo else 10.0
    zero_at = lo / step
    fig = Figure(figsize=(5.5, 4.0))
    ax = fig.add_subplot()
    shown = np.where(dose > 0, dose, zero_at)
    ax.plot(shown, response, "o", alpha=0.7, label="observed")
    grid = np.geomspace(zero_at, hi * 1.5, n_points)
    ax.plot(grid, fitter.predict(grid), "-", label=f"{fitter.model} fit")
    ed50 = float(fitter.ed(50)["estimate"].iloc[0])
    ax.axvline(ed50, linestyle=":", color="grey", label=f"ED50 = {ed50:.3g}")
    ax.set_xscale("log")
    if (dose == 0).any():
        ticks = [zero_at, *ax.get_xticks()]
        ax.set_xticks([t for t in ticks if zero_at <= t <= hi * 1.5])
        ax.set_xticklabels(["0"] + [f"{t:g}" for t in ax.get_xticks()[1:]])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig

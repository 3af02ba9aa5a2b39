"""Water maze figures: swim paths, occupancy heat maps, learning curves, strategy proportions.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state, no
window, no file written); the caller saves or embeds it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle as CirclePatch
from matplotlib.ticker import MaxNLocator

from neuroprotect.behavior.arena import ArenaWaterMaze
from neuroprotect.errors import InputError

__all__ = [
    "plot_swim_paths",
    "plot_occupancy",
    "plot_learning_curves",
    "plot_strategy_proportions",
    "compute_learning_curves",
    "compute_strategy_proportions",
    "strategy_order",
    "strategy_styles",
]

#: Okabe & Ito's colour-blind-safe categorical palette (Color Universal Design, 2008), from blue
#: to black: strategies take it in order of efficiency (most efficient first).
OKABE_ITO = (
    "#0072B2",  # blue
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#E69F00",  # orange
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
#: Beyond eight strategies the palette repeats with a hatch (colour alone is not enough).
STRATEGY_HATCHES = ("", "////", "xxxx")
#: Colour of the ``unknown`` (unclassified) class.
UNKNOWN_COLOUR = "#BBBBBB"
#: Strategy classes from most to least efficient: Garthe et al. 2009 names, Gehring codes.
STRATEGY_RANKING = (
    ("direct swimming", "focal search", "directed search", "chaining", "scanning",
     "random search", "thigmotaxis", "perseverance"),
    ("DF", "AT", "TS", "ST", "FS", "SO", "CR", "SC", "SS", "IC", "TT", "CI"),
)  # fmt: skip


def strategy_order(names: Sequence[str]) -> list[str]:
    """``names`` from most to least efficient (:data:`STRATEGY_RANKING`); others after them in
    alphabetical order, ``unknown`` last."""
    rank = {s: i for scheme in STRATEGY_RANKING for i, s in enumerate(scheme)}
    return sorted(
        dict.fromkeys(names),
        key=lambda s: (s == "unknown", s not in rank, rank.get(s, 0), str(s)),
    )


def strategy_styles(names: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``{strategy: (colour, hatch)}`` in the given order: Okabe-Ito colours, hatched beyond 8."""
    n = len(OKABE_ITO)
    styles = {}
    for i, s in enumerate(n for n in names if n != "unknown"):
        styles[s] = (OKABE_ITO[i % n], STRATEGY_HATCHES[min(i // n, len(STRATEGY_HATCHES) - 1)])
    if "unknown" in names:
        styles["unknown"] = (UNKNOWN_COLOUR, "")
    return styles


def _draw_arena(ax: Axes, arena: ArenaWaterMaze) -> None:
    pool = arena.pool
    ax.add_patch(CirclePatch((pool.x, pool.y), pool.radius, fill=False, lw=1.2, color="black"))
    ax.add_patch(
        CirclePatch(
            (pool.x, pool.y),
            pool.radius * arena.wall_zone_inner,
            fill=False,
            lw=0.6,
            ls=":",
            color="grey",
        )
    )
    goal = arena.goal or arena.old_goal
    if goal is not None:
        phi = math.atan2(goal.x - pool.x, goal.y - pool.y)
        for k in range(4):  # goal-centred quadrant borders at phi +- 45 deg
            a = phi + math.pi / 4 + k * math.pi / 2
            ax.plot(
                [pool.x, pool.x + pool.radius * math.sin(a)],
                [pool.y, pool.y + pool.radius * math.cos(a)],
                lw=0.5,
                color="grey",
                ls="--",
            )
    if arena.goal is not None:
        g = arena.goal
        ax.add_patch(CirclePatch((g.x, g.y), g.radius, color="tab:green", alpha=0.6))
    if arena.old_goal is not None:
        g = arena.old_goal
        ax.add_patch(CirclePatch((g.x, g.y), g.radius, fill=False, color="tab:red", ls="--"))
    ax.set_xlim(pool.x - pool.radius * 1.05, pool.x + pool.radius * 1.05)
    ax.set_ylim(pool.y - pool.radius * 1.05, pool.y + pool.radius * 1.05)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_swim_paths(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    trial_ids: Sequence[str] | None = None,
    titles: Mapping[str, str] | None = None,
    ncols: int = 4,
) -> Figure:
    """One panel per trial: the path over the pool, wall zone (dotted), goal-centred quadrants
    (dashed), goal (green) and old goal (red ring); the start is a dot.

    Parameters
    ----------
    tracks
        ``trial_id, time_s, x_cm, y_cm`` in arena units.
    trial_ids
        Trials to draw, in order (default all, at most 24).
    titles
        Optional panel title per trial (e.g. its strategy).
    """
    ids = list(trial_ids) if trial_ids is not None else list(pd.unique(tracks["trial_id"]))[:24]
    if not ids:
        raise InputError("Expected at least one trial to plot, but got none")
    nrows = math.ceil(len(ids) / ncols)
    ncol = min(ncols, len(ids))
    fig = Figure(figsize=(2.6 * ncol, 2.6 * nrows))
    by_trial = dict(tuple(tracks.groupby("trial_id", sort=False)))
    for i, tid in enumerate(ids):
        ax = fig.add_subplot(nrows, ncol, i + 1)
        _draw_arena(ax, arena)
        if tid not in by_trial:
            raise InputError(f"Expected trial {tid!r} in the tracks, but it is not there")
        t = by_trial[tid]
        ax.plot(t["x_cm"], t["y_cm"], lw=0.7, color="tab:blue")
        ax.plot(t["x_cm"].iloc[0], t["y_cm"].iloc[0], "o", ms=3, color="black")
        ax.set_title(str(titles.get(tid, tid)) if titles else str(tid), fontsize=7)
    fig.tight_layout()
    return fig


def plot_occupancy(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    groups: Mapping[str, str] | pd.Series | None = None,
    bins: int = 40,
) -> Figure:
    """Occupancy heat map per group: % of samples per cell (pooled over the group's trials, each
    trial weighted equally), cells outside the pool blank.

    Parameters
    ----------
    groups
        ``trial_id -> group``; default one group of all trials.
    bins
        Cells across the pool diameter.
    """
    pool = arena.pool
    group_of = pd.Series(groups) if groups is not None else None
    g = (
        tracks["trial_id"].map(group_of)
        if group_of is not None
        else pd.Series("all", index=tracks.index)
    )
    if g.isna().any():
        missing = tracks.loc[g.isna(), "trial_id"].iloc[0]
        raise InputError(f"Expected a group for every trial, but trial {missing!r} has none")
    weights = 1.0 / tracks.groupby("trial_id")["trial_id"].transform("size").to_numpy()
    edges_x = np.linspace(pool.x - pool.radius, pool.x + pool.radius, bins + 1)
    edges_y = np.linspace(pool.y - pool.radius, pool.y + pool.radius, bins + 1)
    cx, cy = (edges_x[:-1] + edges_x[1:]) / 2, (edges_y[:-1] + edges_y[1:]) / 2
    outside = np.hypot(cx[:, None] - pool.x, cy[None, :] - pool.y) > pool.radius
    names = list(pd.unique(g))
    fig = Figure(figsize=(3.2 * len(names), 3.0))
    for i, name in enumerate(names):
        sel = (g == name).to_numpy()
        h, _, _ = np.histogram2d(
            tracks["x_cm"].to_numpy()[sel],
            tracks["y_cm"].to_numpy()[sel],
            bins=[edges_x, edges_y],
            weights=weights[sel],
        )
        h = 100 * h / h.sum()
        ax = fig.add_subplot(1, len(names), i + 1)
        im = ax.imshow(
            np.ma.masked_array(h, outside).T,
            origin="lower",
            cmap="viridis",
            extent=(edges_x[0], edges_x[-1], edges_y[0], edges_y[-1]),
        )
        _draw_arena(ax, arena)
        ax.set_title(str(name), fontsize=9)
        fig.colorbar(im, ax=ax, fraction=0.046, label="% of samples")
    fig.tight_layout()
    return fig


def compute_learning_curves(
    table: pd.DataFrame,
    *,
    value: str = "escape_latency_s",
    day: str = "day",
    group: str = "group",
    animal: str = "animal_id",
) -> pd.DataFrame:
    """Mean and SEM per day and group of the per-animal daily means.

    Returns
    -------
    pandas.DataFrame
        ``group, day, mean, sem, n`` (n animals; SEM = SD / sqrt(n), NaN for one animal).
    """
    for col in (value, day, group, animal):
        if col not in table.columns:
            raise InputError(
                f"Expected a column {col!r}, but got {', '.join(map(str, table.columns))}"
            )
    per_animal = table.groupby([group, day, animal], sort=True)[value].mean().reset_index()
    out = (
        per_animal.groupby([group, day], sort=True)[value]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    out["sem"] = out["std"] / np.sqrt(out["count"])
    return out.rename(columns={"count": "n", group: "group", day: "day"})[
        ["group", "day", "mean", "sem", "n"]
    ]


def plot_learning_curves(
    table: pd.DataFrame,
    *,
    value: str = "escape_latency_s",
    day: str = "day",
    group: str = "group",
    animal: str = "animal_id",
    ylabel: str | None = None,
    labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Learning curves: per-animal daily means, then mean ± SEM across animals, one line per group.

    ``labels`` (group id -> legend text) also sets the order of the lines; ``colours`` gives each
    group its colour (the report's group colours), else matplotlib's cycle.
    """
    curves = compute_learning_curves(table, value=value, day=day, group=group, animal=animal)
    fig = Figure(figsize=(5.6, 3.2))
    ax = fig.add_subplot(1, 1, 1)
    for name in _group_order(curves["group"], labels):
        c = curves[curves["group"] == name]
        ax.errorbar(
            c["day"],
            c["mean"],
            yerr=c["sem"],
            marker="o",
            markersize=4,
            capsize=3,
            linewidth=1.4,
            label=(labels or {}).get(str(name), str(name)),
            color=(colours or {}).get(str(name)),
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # days are whole numbers
    ax.set_xlabel("Day")
    ax.set_ylabel(ylabel or value)
    # beside the axes: curves that converge would run through a legend drawn inside
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def _group_order(groups: pd.Series, labels: Mapping[str, str] | None) -> list[object]:
    """Groups in the order of ``labels`` (the manifest's), then any others as they come."""
    present = list(pd.unique(groups))
    if not labels:
        return present
    known = [g for g in labels if g in set(map(str, present))]
    return [*known, *[g for g in present if str(g) not in labels]]


def compute_strategy_proportions(
    table: pd.DataFrame, *, day: str = "day", group: str = "group", strategy: str = "strategy"
) -> pd.DataFrame:
    """Proportion of trials (or segments) per strategy, by group and day.

    Returns
    -------
    pandas.DataFrame
        ``group, day, strategy, n, proportion`` (proportions sum to 1 within group and day).
    """
    counts = table.groupby([group, day, strategy], sort=True).size().rename("n").reset_index()
    counts["proportion"] = counts["n"] / counts.groupby([group, day])["n"].transform("sum")
    return counts.rename(columns={group: "group", day: "day", strategy: "strategy"})


def plot_strategy_proportions(
    table: pd.DataFrame,
    *,
    day: str = "day",
    group: str = "group",
    strategy: str = "strategy",
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Stacked bars of strategy proportions by day, one panel per group (as Rtrack's plot_strategies).

    ``labels`` (group id -> panel title) also sets the order of the panels. ``order`` (default
    :func:`strategy_order`: most to least efficient) is the legend order, top to bottom, and the
    stacking order; colours from the colour-blind-safe :data:`OKABE_ITO` palette.
    """
    props = compute_strategy_proportions(table, day=day, group=group, strategy=strategy)
    names = list(order) if order is not None else strategy_order(list(props["strategy"].unique()))
    groups = _group_order(props["group"], labels)
    fig = Figure(figsize=(2.2 * len(groups) + 1.6, 3.0))
    styles = strategy_styles(names)
    for i, gname in enumerate(groups):
        ax = fig.add_subplot(1, len(groups), i + 1)
        wide = (
            props[props["group"] == gname]
            .pivot(index="day", columns="strategy", values="proportion")
            .fillna(0)
        )
        bottom = np.zeros(len(wide))
        for s in reversed(names):  # the first in the legend on top of the stack
            vals = wide[s].to_numpy() if s in wide.columns else np.zeros(len(wide))
            ax.bar(
                [
                    f"{d:g}" if isinstance(d, (int, float, np.number)) else str(d)
                    for d in wide.index
                ],
                vals,
                bottom=bottom,
                color=styles[s][0],
                hatch=styles[s][1],
                label=s,
                edgecolor="white",
                lw=0.3,
            )
            bottom += vals
        ax.set_title((labels or {}).get(str(gname), str(gname)), fontsize=9)
        ax.set_xlabel("Day")
        ax.set_ylim(0, 1)
        if i == 0:
            ax.set_ylabel("Proportion")
    handles, strategies = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], strategies[::-1], loc="center right", fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0, 0.86, 1))
    return fig

"""Water maze figures and the tables behind them (analytic expectations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from neuroprotect.behavior.arena import ArenaWaterMaze, Circle
from neuroprotect.behavior.plots import (
    OKABE_ITO,
    compute_learning_curves,
    compute_strategy_proportions,
    plot_learning_curves,
    plot_occupancy,
    plot_strategy_proportions,
    plot_swim_paths,
    strategy_order,
    strategy_styles,
)
from neuroprotect.behavior.strategies.garthe2009 import GARTHE_STRATEGIES
from neuroprotect.behavior.strategies.gehring2015 import GEHRING_CODES

ARENA = ArenaWaterMaze(pool=Circle(0, 0, 100), goal=Circle(50, 0, 10), old_goal=Circle(-50, 0, 10))


def _table():
    rows = []
    for group, base in (("sham", 20.0), ("mcao", 40.0)):
        for a in range(3):
            for day in (1, 2):
                for trial in (1, 2):
                    rows.append(
                        {
                            "group": group,
                            "animal_id": f"{group}{a}",
                            "day": day,
                            "trial": trial,
                            "escape_latency_s": base / day + a + trial,
                            "strategy": "thigmotaxis" if trial == 1 else "scanning",
                        }
                    )
    return pd.DataFrame(rows)


def test_learning_curves_mean_sem_analytic():
    """Per-animal daily mean = base/day + a + 1.5; across a = 0, 1, 2: mean +1, SD 1, SEM 1/sqrt(3)."""
    c = compute_learning_curves(_table()).set_index(["group", "day"])
    assert c.loc[("sham", 2), "mean"] == pytest.approx(10 + 1 + 1.5)
    assert c.loc[("mcao", 1), "sem"] == pytest.approx(1 / np.sqrt(3))
    assert (c["n"] == 3).all()
    assert isinstance(plot_learning_curves(_table()), Figure)


def test_strategy_proportions_analytic():
    p = compute_strategy_proportions(_table())
    assert np.allclose(p["proportion"], 0.5)
    assert isinstance(plot_strategy_proportions(_table()), Figure)


def test_path_and_occupancy_figures():
    t = np.linspace(0, 10, 50)
    tracks = pd.concat(
        [
            pd.DataFrame(
                {"trial_id": k, "time_s": t, "x_cm": 80 * np.cos(t + k), "y_cm": 80 * np.sin(t)}
            )
            for k in range(3)
        ]
    )
    fig = plot_swim_paths(tracks, arena=ARENA, titles={0: "thigmotaxis"})
    assert len(fig.axes) == 3
    fig = plot_occupancy(tracks, arena=ARENA, groups={0: "a", 1: "a", 2: "b"})
    assert len([ax for ax in fig.axes if ax.get_title()]) == 2


def test_learning_curves_use_report_labels_colours_and_order():
    """Manifest order, display names and the report's group colours; whole-number day ticks."""

    labels = {"sham": "Sham", "mcao": "MCAO + vehicle"}
    colours = {"sham": "#9A9A9A", "mcao": "#3A3A3A"}
    fig = plot_learning_curves(
        _table(), ylabel="Escape latency (s)", labels=labels, colours=colours
    )
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Sham", "MCAO + vehicle"]  # the table has mcao first
    assert [to_hex(line.get_color()) for line in ax.get_lines()[::3]] == ["#9a9a9a", "#3a3a3a"]
    assert ax.get_ylabel() == "Escape latency (s)"
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_strategy_panels_titled_by_label_with_whole_days():
    fig = plot_strategy_proportions(_table(), labels={"sham": "Sham", "mcao": "MCAO"})
    assert [ax.get_title() for ax in fig.axes] == ["Sham", "MCAO"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1", "2"]


def test_strategy_colours_colour_blind_safe_and_ordered_by_efficiency():
    """Okabe-Ito colours (not Rtrack's red-to-green), distinct within each scheme (hatched beyond
    eight); legend from most to least efficient, top of the stack first."""
    garthe = strategy_order(list(GARTHE_STRATEGIES.values()))
    assert garthe[:3] == ["direct swimming", "focal search", "directed search"]
    assert garthe[-3:] == ["thigmotaxis", "perseverance", "unknown"]
    gehring = strategy_order(list(GEHRING_CODES))
    assert gehring[0] == "DF" and gehring[-2:] == ["TT", "CI"]
    for names in (garthe, gehring):
        styles = strategy_styles(names)
        assert len(set(styles.values())) == len(names)
        assert all(c in OKABE_ITO for s, (c, _) in styles.items() if s != "unknown")
    table = _table().assign(
        strategy=lambda d: np.where(d["trial"] == 1, "thigmotaxis", "direct swimming")
    )
    fig = plot_strategy_proportions(table)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["direct swimming", "thigmotaxis"]
    bars = {c.get_label(): to_hex(c.patches[0].get_facecolor()) for c in fig.axes[0].containers}
    assert bars == {"direct swimming": OKABE_ITO[0].lower(), "thigmotaxis": OKABE_ITO[1].lower()}

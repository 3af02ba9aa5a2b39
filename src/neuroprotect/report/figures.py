"""Figures of the report: inline SVG drawn with matplotlib (no pyplot, no files).

Each figure shows every analysed animal as a dot (jittered horizontally), the group's centre and
spread
(mean ± SEM for continuous variables, median and interquartile range for ordinal scores) and the
significance marks of the comparisons with vehicle.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Group, Role

#: Okabe & Ito (2008) colour-blind-safe palette, in the order treatment groups receive it.
OKABE_ITO_TREATMENTS: tuple[str, ...] = (
    "#56B4E9",  # sky blue
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
)
ROLE_COLOURS: dict[Role, str] = {
    Role.SHAM: "#9A9A9A",  # neutral grey
    Role.VEHICLE: "#3A3A3A",  # near black
    Role.POSITIVE_CONTROL: "#D55E00",  # vermillion
}
INK = "#222222"
MUTED = "#6B6B6B"
#: Characters per line of a y-axis label: longer labels wrap instead of running off the axis.
YLABEL_WIDTH = 38


def dot_edge(colour: str) -> str:
    """Edge of a dot of this colour: white, or a darker shade of a very light colour (Okabe-Ito
    yellow) so the dot stays visible on white paper."""
    r, g, b = to_rgb(colour)
    if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.75:  # luma (sRGB weights)
        return "white"
    return to_hex((r * 0.55, g * 0.55, b * 0.55))


@dataclass(frozen=True)
class GroupStyle:
    """How one group is drawn: its id in the data, its axis label and its colour."""

    id: str
    label: str
    colour: str


def assign_group_colours(groups: Sequence[Group]) -> dict[str, str]:
    """One colour per group, by role, stable across every figure and table of a report.

    Sham is grey, vehicle near black, the positive control vermillion, and treatment groups take the
    Okabe-Ito colours in manifest order (cycling when there are more than six).
    """
    colours: dict[str, str] = {}
    i = 0
    for g in groups:
        if g.role in ROLE_COLOURS:
            colours[g.id] = ROLE_COLOURS[g.role]
        else:
            colours[g.id] = OKABE_ITO_TREATMENTS[i % len(OKABE_ITO_TREATMENTS)]
            i += 1
    return colours


def group_legend(
    groups: Sequence[Group], present: Iterable[object]
) -> tuple[dict[str, str], dict[str, str]]:
    """Legend labels and colours of the groups a readout figure draws, as the report shows them.

    The study's groups in manifest order with their display names and report colours; for a blinded
    study, whose data hold group codes, ``Group <code>`` in code order.
    """
    ids = {str(g) for g in present}
    shown = [g for g in groups if g.id in ids]
    if not shown and ids:  # blinded: group codes, as report.context.coded_study names them
        shown = [Group(id=c, label=f"Group {c}", role=Role.TREATMENT) for c in sorted(ids)]
        groups = shown
    colours = assign_group_colours(groups)
    return {g.id: g.display for g in shown}, {g.id: colours[g.id] for g in shown}


def tidy_figure(fig: Figure) -> Figure:
    """Give a readout's own figure (learning curves, Kaplan-Meier, standard curves) the look of the
    report's group plots: no top/right frame, grey axes, the same font sizes."""
    for ax in fig.axes:
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#888888")
            ax.spines[side].set_linewidth(0.8)
        ax.tick_params(labelsize=8.5, colors=INK)
        ax.xaxis.label.set_fontsize(9.5)
        ax.yaxis.label.set_fontsize(9.5)
        ax.title.set_fontsize(10)
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontsize(8)
    return fig


def _stack(values: np.ndarray, *, width: float, step: float = 0.075) -> np.ndarray:
    """Horizontal offsets that line up tied values side by side, centred (a dot plot of scores)."""
    offsets = np.zeros(values.size)
    for value in np.unique(values):
        where = np.flatnonzero(values == value)
        k = where.size
        gap = min(step, width / max(k - 1, 1))
        offsets[where] = (np.arange(k) - (k - 1) / 2) * gap
    return offsets


def _jitter(n: int, *, width: float, seed: int) -> np.ndarray:
    """Deterministic horizontal offsets in [-width/2, width/2] that spread n dots evenly."""
    if n <= 1:
        return np.zeros(n)
    offsets = np.linspace(-width / 2, width / 2, n)
    return np.random.default_rng(seed).permutation(offsets)


def _centre_and_spread(values: np.ndarray, *, ordinal: bool) -> tuple[float, float, float]:
    """(centre, low, high): median and quartiles if ordinal, else mean ± SEM (SD with ddof=1)."""
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    if ordinal:
        q1, med, q3 = np.percentile(values, [25, 50, 75])  # R's quantile type 7
        return float(med), float(q1), float(q3)
    mean = float(values.mean())
    sem = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else 0.0
    return mean, mean - sem, mean + sem


def _svg_text(fig: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "neuroprotect"}):
        FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE (inline SVG)
    # responsive: keep the viewBox, let CSS size it
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="figure"', svg, count=1
    )
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
    # matplotlib's <style>*{...}</style> would apply to the whole page once inlined: the report's
    # stylesheet sets the same line joins for svg.figure instead
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    svg = re.sub(r"\n\s*", "\n", svg)  # indentation only costs bytes
    return _prefix_ids(svg.strip())


def figure_to_svg(fig: Figure) -> str:
    """Inline SVG text of any matplotlib Figure (readout figures such as standard curves).

    The figure shrinks with the page but never grows beyond its own size, so its text keeps the
    size it was drawn at (a small curve is not blown up, a wide panel figure is not squeezed more
    than the page needs).
    """
    width_pt = fig.get_figwidth() * 72
    return _svg_text(fig).replace(
        ' class="figure"', f' class="figure" style="max-width: {width_pt:.0f}pt"', 1
    )


def _prefix_ids(svg: str) -> str:
    """Make the ids of one SVG unique within a page that inlines several figures.

    Ids nobody refers to (matplotlib names every group) are dropped; the others get a prefix derived
    from the figure's content.
    """
    prefix = "f" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8] + "-"
    referenced = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))

    def _id(match: re.Match[str]) -> str:
        name = match.group(1)
        return f' id="{prefix}{name}"' if name in referenced else ""

    svg = re.sub(r' id="([^"]+)"', _id, svg)
    return re.sub(r'(url\(#|href="#)([^")]+)', lambda m: m.group(1) + prefix + m.group(2), svg)


def render_group_plot(
    data: pd.DataFrame,
    *,
    groups: Sequence[GroupStyle],
    ylabel: str,
    ordinal: bool = False,
    marks: Mapping[str, str] | None = None,
    title: str | None = None,
    y_limits: tuple[float, float] | None = None,
    seed: int = 0,
) -> str:
    """A dot plot of individual animals per group with centre, spread and significance marks.

    Parameters
    ----------
    data
        One row per animal: ``group`` (group id) and ``value``; rows of groups not in ``groups`` are
        ignored, missing values are dropped.
    groups
        Groups in display order (manifest order) with their labels and colours.
    ylabel
        Y axis label, with its unit, e.g. ``"Infarct volume (mm³)"``.
    ordinal
        True for ordinal scores: median and interquartile range instead of mean ± SEM.
    marks
        Text to print above a group, by group id (``"**"``, ``"ns"``, ``"##"``).
    title
        Optional title above the axes.
    y_limits
        Fixed y-axis limits (e.g. the range of a score); marks are placed above the data anyway.
    seed
        Seed of the horizontal jitter (the figure is deterministic).

    Returns
    -------
    str
        An ``<svg>`` element (no XML declaration) with text kept as text, sized by CSS.

    Notes
    -----
    Mean ± SEM uses the sample SD (ddof = 1); the median and quartiles use linear interpolation
    (R's ``quantile`` type 7).
    """
    marks = dict(marks or {})
    n_groups = max(len(groups), 1)
    # at least 3.2 in wide: a two-group plot is not stretched into a tall, large-type poster
    fig = Figure(figsize=(max(3.2, 1.1 + 0.78 * n_groups), 3.3), dpi=72)
    ax = fig.add_subplot()
    tops: list[float] = []
    all_values: list[np.ndarray] = []
    for x, style in enumerate(groups):
        values = pd.to_numeric(data.loc[data[C.GROUP] == style.id, C.VALUE], errors="coerce")
        values = values.dropna().to_numpy(dtype=float)
        all_values.append(values)
        if ordinal:
            jitter = _stack(values, width=0.6)
        else:
            jitter = _jitter(values.size, width=0.42, seed=seed + x)
        ax.scatter(
            x + jitter,
            values,
            s=22,
            color=style.colour,
            alpha=0.85,
            edgecolors=dot_edge(style.colour),
            linewidths=0.6,
            zorder=5 if ordinal else 3,  # ties would hide under the median
        )
        centre, low, high = _centre_and_spread(values, ordinal=ordinal)
        if np.isfinite(centre):
            ax.hlines(centre, x - 0.3, x + 0.3, color=INK, linewidth=2.0, zorder=4)
            ax.vlines(x, low, high, color=INK, linewidth=1.2, zorder=4)
            ax.hlines([low, high], x - 0.1, x + 0.1, color=INK, linewidth=1.2, zorder=4)
        candidates = [v for v in (values.max() if values.size else np.nan, high) if np.isfinite(v)]
        tops.append(max(candidates) if candidates else np.nan)

    finite = np.concatenate(all_values) if all_values else np.array([])
    finite = finite[np.isfinite(finite)]
    if y_limits is not None:
        lo, hi = y_limits
    elif finite.size:
        lo, hi = float(finite.min()), float(max(finite.max(), np.nanmax(tops)))
        if ordinal:
            lo, hi = lo - 0.4, hi + 0.4
        else:
            pad = (hi - lo) * 0.08 or max(abs(hi), 1.0) * 0.1
            # non-negative data close to zero: start the axis at zero, with room for dots at zero
            lo = -0.25 * pad if 0 <= lo <= pad * 4 else lo - pad
            hi = hi + pad
    else:
        lo, hi = 0.0, 1.0
    span = hi - lo
    any_mark = False
    for x, style in enumerate(groups):
        text = marks.get(style.id, "")
        if not text:
            continue
        any_mark = True
        top = tops[x] if np.isfinite(tops[x]) else lo
        small = text == "ns"
        label = ax.text(
            x,
            top + 0.04 * span,
            text,
            ha="center",
            va="bottom",
            fontsize=9 if small else 13,
            color=MUTED if small else INK,
            fontweight="normal" if small else "bold",
        )
        label.set_parse_math(False)
    ax.set_ylim(lo, hi + (0.14 * span if any_mark else 0.0))
    ax.set_xlim(-0.6, n_groups - 0.4)

    labels = ["\n".join(textwrap.wrap(g.label, 12, break_long_words=True)) or g.id for g in groups]
    ax.set_xticks(range(len(groups)), labels=labels)
    for tick in ax.get_xticklabels():
        tick.set_parse_math(False)
    ax.tick_params(axis="x", length=0, labelsize=8.5, pad=6, colors=INK)
    ax.tick_params(axis="y", labelsize=8.5, colors=INK)
    if ordinal and finite.size:
        # score ticks only where scores can be: whole numbers within the data's range
        ticks = np.arange(np.floor(finite.min()), np.ceil(finite.max()) + 1)
        if ticks.size <= 20:
            ax.set_yticks(ticks)
        else:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    wrapped = "\n".join(textwrap.wrap(ylabel, YLABEL_WIDTH)) or ylabel
    ax.set_ylabel(wrapped, fontsize=9.5, color=INK).set_parse_math(False)
    if title:
        ax.set_title(title, fontsize=10, color=INK, loc="left").set_parse_math(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#888888")
        ax.spines[side].set_linewidth(0.8)
    ax.grid(axis="y", color="#EBEBEB", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    fig.tight_layout(pad=0.4)
    return figure_to_svg(fig)

"""Figure of an ELISA standard curve with its standards and unknowns (no pyplot)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from neuroprotect.errors import InputError

if TYPE_CHECKING:
    from neuroprotect.assays.elisa import ElisaResult

__all__ = ["plot_elisa"]


def plot_elisa(result: ElisaResult, *, plate: int | None = None, unit: str = "") -> Figure:
    """Standard curve with the standard wells (dots) and the unknowns (crosses) on it.

    Log concentration axis; the zero standard is drawn at a quarter of the lowest non-zero
    standard (labelled "0"). Dashed lines mark the LLOQ and ULOQ. Returns a Figure (no pyplot).
    """
    plate = plate if plate is not None else min(result.curves)
    if plate not in result.curves:
        raise InputError(f"Expected a plate among {sorted(result.curves)}, but got {plate}")
    fit = result.curves[plate]
    std = result.standard_wells[result.standard_wells["plate"] == plate]
    smp = result.samples[result.samples["plate"] == plate]
    pos = std.loc[std["concentration"] > 0, "concentration"]
    zero_x = float(pos.min()) / 4
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    xs = np.geomspace(zero_x, float(pos.max()) * 1.5, 200)
    ax.plot(xs, fit.predict(xs), color="0.2", label=f"{result.model.upper()} fit")
    fitted = std["flag"].isin(["ok", "below_curve", "above_curve"])
    used = std[fitted]
    ax.scatter(
        np.where(used["concentration"] > 0, used["concentration"], zero_x),
        used["signal"],
        color="tab:blue",
        zorder=3,
        label="standards",
    )
    off = std[~fitted]
    if len(off):
        ax.scatter(
            np.where(off["concentration"] > 0, off["concentration"], zero_x),
            off["signal"],
            facecolors="none",
            edgecolors="tab:red",
            zorder=3,
            label="standards (masked / no signal)",
        )
    ok = smp[np.isfinite(smp["concentration"]) & (smp["concentration"] > 0)]
    ax.scatter(
        ok["concentration"],
        ok["mean_signal"],
        marker="x",
        color="tab:orange",
        zorder=4,
        label="unknowns (mean)",
    )
    low, high = result.limits[plate]
    for v, name in ((low, "LLOQ"), (high, "ULOQ")):
        ax.axvline(v, color="0.5", linestyle="--", linewidth=0.8)
        ax.text(v, ax.get_ylim()[1], name, fontsize=7, ha="center", va="bottom", color="0.4")
    ax.set_xscale("log")
    ax.set_xlabel(f"Concentration{' (' + unit + ')' if unit else ''}")
    ax.set_ylabel("Signal (blank-corrected)" if result.blanks.get(plate) else "Signal")
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig

"""Shared steps of the cell-based plate assays: QC of wells, blanks, standard curves, sample means.

The input is the joined well table of :func:`neuroprotect.assays.plates.apply_layout` (``plate,
well, type, sample, concentration, dilution, masked, value, flag`` plus any extra layout column,
e.g. ``group``, ``protein_mg_ml``, ``protein_mg`` or ``cell_count``). Every assay of
:mod:`neuroprotect.assays.invitro` runs the same steps on it, plate by plate:

1. **saturation**: wells the reader marked as overflow, and wells at or above a given
   ``saturation`` signal (the detector's ceiling), are flagged ``saturated`` and left out;
2. **blank**: the mean of the plate's ``blank`` wells (medium or buffer without cells/lysate);
3. **standard curve** (ATP, pNA/AMC): the straight line of
   :func:`neuroprotect.assays.evans_blue.fit_standard_curve` on the blank-corrected standards,
   with its R² checked;
4. **sample means**: technical replicate wells of one ``sample`` are averaged (mean, SD, CV %).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.assays.evans_blue import StandardCurve, fit_standard_curve
from neuroprotect.errors import InputError

__all__ = [
    "PlateAssayResult",
    "assign_groups",
    "flag_saturated",
    "plate_blank",
    "plate_standard_curve",
    "relative_to_control",
    "sample_means",
    "usable",
]

FileLike = str | PathLike[str] | None

#: Extra layout columns averaged per sample (per-well copies of a per-sample quantity).
SAMPLE_QUANTITIES = ("protein_mg_ml", "protein_mg", "cell_count")


@dataclass
class PlateAssayResult:
    """What a plate assay returns.

    Attributes
    ----------
    samples
        One row per plate and sample (``type`` sample or control): ``plate, type, sample,
        group, n_wells, mean_signal, sd, cv_pct`` plus the assay's derived columns.
    wells
        The well table with the final ``flag`` (``ok``, ``masked``, ``no_signal``, ``overflow``,
        ``saturated``).
    curves
        Standard curve of each plate (assays with standards).
    blanks
        Blank signal of each plate.
    warnings
        Problems found (saturated wells, a weak curve, a control outside its expected range).
    method
        One sentence for the report's methods text.
    """

    samples: pd.DataFrame
    wells: pd.DataFrame
    curves: dict[int, StandardCurve] = field(default_factory=dict)
    blanks: dict[int, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    method: str = ""
    qc: dict[str, Any] = field(default_factory=dict)


def assign_groups(wells: pd.DataFrame, groups: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Add the ``group`` column: from ``groups`` (sample -> group; other samples keep their
    name), else the layout's own ``group`` column, else the sample name itself."""
    out = wells.copy()
    sample = out["sample"].astype(str)
    if groups is not None:
        # kit controls and blanks are not cultures: they keep their own name as group
        out["group"] = sample.map({str(k): str(v) for k, v in groups.items()}).fillna(sample)
    elif "group" in out.columns:
        out["group"] = out["group"].where(out["group"].notna(), sample).astype(str)
    else:
        out["group"] = sample
    return out


def flag_saturated(
    wells: pd.DataFrame, saturation: float | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Flag overflow wells and wells at or above ``saturation`` as ``saturated``.

    Returns the table and one warning listing the wells left out (none when all are fine).
    """
    out = wells.copy()
    value = pd.to_numeric(out["value"], errors="coerce").to_numpy(float)
    hit = out["flag"].eq("overflow").to_numpy()
    if saturation is not None:
        hit |= out["flag"].eq("ok").to_numpy() & (value >= float(saturation))
    out.loc[hit, "flag"] = "saturated"
    warnings = []
    if hit.any():
        listed = ", ".join(
            f"{r.well} ({r.type} {r.sample}, plate {r.plate})" for r in out[hit].itertuples()
        )
        limit = f" (signal >= {saturation:g} or reader overflow)" if saturation is not None else ""
        warnings.append(f"saturated wells left out{limit}: {listed}")
    missing = out["flag"].eq("no_signal")
    if missing.any():
        listed = ", ".join(f"{r.well} ({r.type} {r.sample})" for r in out[missing].itertuples())
        warnings.append(f"wells without a reading left out: {listed}")
    return out, warnings


def usable(wells: pd.DataFrame) -> pd.DataFrame:
    """The wells whose ``flag`` is ``ok``."""
    return wells[wells["flag"] == "ok"]


def plate_blank(
    wells: pd.DataFrame,
    plate: int,
    *,
    required: bool = True,
    file: FileLike = None,
    what: str = "blank",
) -> float:
    """Mean signal of the plate's usable ``blank`` wells (0 when there are none and not required)."""
    b = usable(wells)
    b = b[(b["plate"] == plate) & (b["type"] == "blank")]
    if b.empty:
        if required:
            raise InputError(
                f"Expected {what} wells (layout type 'blank') on plate {plate}, but there are none",
                file=file,
                field="type",
            )
        return 0.0
    return float(b["value"].astype(float).mean())


def plate_standard_curve(
    wells: pd.DataFrame, plate: int, blank: float, *, min_r2: float = 0.98, file: FileLike = None
) -> StandardCurve:
    """Least-squares line of the plate's usable standards (blank-corrected signal on concentration)."""
    s = usable(wells)
    s = s[(s["plate"] == plate) & (s["type"] == "standard")]
    if len(s) < 3:
        raise InputError(
            f"Expected at least 3 usable standard wells on plate {plate}, but got {len(s)}",
            file=file,
            field="type",
        )
    return fit_standard_curve(
        s["concentration"].to_numpy(float),
        s["value"].to_numpy(float),
        blank_absorbance=blank,
        min_r2=min_r2,
        file=file,
    )


def sample_means(wells: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """Average the usable replicate wells of each plate, type and sample.

    Returns
    -------
    pandas.DataFrame
        ``plate, type, sample, group, n_wells, mean_signal, sd, cv_pct, dilution`` and the mean
        of every :data:`SAMPLE_QUANTITIES` column present.
    """
    w = usable(wells)
    w = w[w["type"].isin(["sample", "control"])].copy()
    w[value] = w[value].astype(float)
    keys = ["plate", "type", "sample", "group"]
    g = w.groupby(keys, sort=False)
    out = g[value].agg(["count", "mean", "std"]).reset_index()
    out.columns = [*keys, "n_wells", "mean_signal", "sd"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cv_pct"] = 100 * out["sd"] / out["mean_signal"].abs()
    extras = ["dilution"] + [c for c in SAMPLE_QUANTITIES if c in w.columns]
    for col in extras:
        w[col] = pd.to_numeric(w[col], errors="coerce")
        out[col] = g[col].mean().to_numpy()
    return out


def relative_to_control(
    samples: pd.DataFrame,
    value: str,
    control: str,
    *,
    scale: float = 100.0,
    file: FileLike = None,
) -> np.ndarray:
    """``scale * value / mean(value of the control group's samples on the same plate)``.

    Raises
    ------
    InputError
        A plate without samples of the control group, or a control mean that is not > 0.
    """
    out = np.full(len(samples), np.nan)
    v = samples[value].to_numpy(float)
    for plate in samples["plate"].unique():
        on = (samples["plate"] == plate).to_numpy()
        ctrl = (
            on
            & (samples["type"] == "sample").to_numpy()
            & (samples["group"] == str(control)).to_numpy()
        )
        if not ctrl.any():
            groups = sorted(
                set(samples.loc[on & (samples["type"] == "sample").to_numpy(), "group"])
            )
            raise InputError(
                f"Expected samples of the control group {control!r} on plate {plate}, but the "
                f"groups there are {', '.join(map(str, groups)) or 'none'}",
                file=file,
                field="group",
            )
        mean = float(np.nanmean(v[ctrl]))
        if not mean > 0:
            raise InputError(
                f"Expected the control group's mean {value} above 0 on plate {plate}, but it is "
                f"{mean:.4g} (is the blank or the control group right?)",
                file=file,
                field="group",
            )
        out[on] = scale * v[on] / mean
    return out


def require_quantity(
    samples: pd.DataFrame, column: str, what: str, file: FileLike = None
) -> np.ndarray:
    """A per-sample quantity from the layout (e.g. ``protein_mg_ml``), > 0 for every sample."""
    rows = samples["type"] == "sample"
    if column not in samples.columns or samples.loc[rows, column].isna().any():
        missing = (
            samples.loc[rows, "sample"].tolist()
            if column not in samples.columns
            else samples.loc[rows & samples[column].isna(), "sample"].tolist()
        )
        raise InputError(
            f"Expected a layout column {column!r} ({what}) for every sample well, but it is "
            f"missing for {', '.join(map(str, missing[:5]))}",
            file=file,
            field=column,
        )
    v = samples[column].to_numpy(float)
    bad = rows.to_numpy() & ~(v > 0)
    if bad.any():
        raise InputError(
            f"Expected {column} > 0, but sample {samples['sample'][bad].iloc[0]!r} has {v[bad][0]:g}",
            file=file,
            field=column,
        )
    return v


def curve_qc(curve: StandardCurve) -> dict[str, Any]:
    """The facts of a standard curve kept in results and reports."""
    return {
        "slope": curve.slope,
        "intercept": curve.intercept,
        "r2": curve.r2,
        "n": curve.n,
        "blank": curve.blank_absorbance,
        "concentration_min": curve.concentration_min,
        "concentration_max": curve.concentration_max,
        "flags": curve.flags,
    }

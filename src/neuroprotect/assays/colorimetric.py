"""Colorimetric, fluorescent and luminescent cell and tissue assays on tidy tables.

Griess nitrite and NOS activity, MTT / CCK-8 viability, DCFH-DA ROS, JC-1 mitochondrial
membrane potential and ATP. Standard curves are the straight lines of
:func:`neuroprotect.assays.evans_blue.fit_standard_curve` (concentration in the unit of the
standards: µM nitrite, µM ATP...). Every function takes one row per well (or per animal) and
returns one row per input row with the derived values; replicate wells of the same ``sample``
are averaged by :func:`summarise_replicates`.

Experimental unit: for cultured cells the independent unit is the culture (passage, plate or
well batch treated independently), not the technical well; give a ``culture`` column and average
wells within it (:func:`summarise_replicates` with ``by=["group", "culture"]``) before comparing
groups.
"""

from __future__ import annotations

from os import PathLike
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.assays.evans_blue import StandardCurve, fit_standard_curve
from neuroprotect.errors import InputError
from neuroprotect.schema.checks import numeric_column, require_columns

__all__ = [
    "StandardCurve",
    "compute_atp",
    "compute_griess_nitrite",
    "compute_jc1_ratio",
    "compute_nos_activity",
    "compute_percent_of_control",
    "compute_ros_fold_change",
    "compute_viability",
    "fit_standard_curve",
    "summarise_replicates",
]

FileLike = str | PathLike[str] | None


def _blank(
    table: pd.DataFrame, value: np.ndarray, group: str, blank: float | str | None, file: FileLike
) -> float:
    """The blank signal: a number, the mean of rows whose ``group`` equals ``blank``, or 0."""
    if blank is None:
        return 0.0
    if isinstance(blank, str):
        hit = (table[group].astype(str) == blank).to_numpy()
        if not hit.any():
            raise InputError(
                f"Expected rows of the blank group {blank!r}, but there are none",
                file=file,
                field=group,
            )
        return float(value[hit].mean())
    return float(blank)


def _control_mean(
    table: pd.DataFrame, value: np.ndarray, group: str, control: str, file: FileLike
) -> float:
    hit = (table[group].astype(str) == str(control)).to_numpy()
    if not hit.any():
        raise InputError(
            f"Expected rows of the control group {control!r}, but the groups are "
            f"{', '.join(sorted(map(str, table[group].unique())))}",
            file=file,
            field=group,
        )
    mean = float(value[hit].mean())
    if not mean > 0:  # at or below the blank: every % of control would be meaningless
        raise InputError(
            f"Expected the control group's mean signal above 0 after blank subtraction, but "
            f"{control!r} averages {mean:.4g} (is the blank or the control group right?)",
            file=file,
            field=group,
        )
    return mean


def compute_percent_of_control(
    table: pd.DataFrame,
    *,
    value: str,
    group: str = "group",
    control: str,
    blank: float | str | None = None,
    file: FileLike = None,
) -> pd.DataFrame:
    """Blank-corrected signal as a percentage of the mean blank-corrected control.

    Returns
    -------
    pandas.DataFrame
        The input with ``corrected`` (``value - blank``) and ``pct_of_control``; blank rows are
        dropped.

    Notes
    -----
    ``pct = 100 * (A - A_blank) / mean(A_control - A_blank)``.
    """
    require_columns(table, [value, group], file=file)
    v = numeric_column(table, value, file=file)
    b = _blank(table, v, group, blank, file)
    corrected = v - b
    ctrl = _control_mean(table, corrected, group, control, file)
    out = table.copy()
    out["corrected"] = corrected
    out["pct_of_control"] = 100 * corrected / ctrl
    if isinstance(blank, str):
        out = out[out[group].astype(str) != blank]
    return out.reset_index(drop=True)


def compute_viability(
    wells: pd.DataFrame,
    *,
    absorbance: str = "absorbance",
    group: str = "group",
    control: str,
    blank: float | str | None = None,
    file: FileLike = None,
) -> pd.DataFrame:
    """MTT / CCK-8 cell viability as % of control.

    Parameters
    ----------
    wells
        One row per well: ``group`` (condition, e.g. ``control``, ``OGD/R``, ``OGD/R + drug``),
        the absorbance (MTT 570 nm, CCK-8 450 nm), optionally ``culture`` and ``well``.
    control
        Group whose mean is 100 % (normoxic, untreated cells).
    blank
        Medium-only (no cells) wells: a group name, a number, or None (no blank).

    Returns
    -------
    pandas.DataFrame
        Input columns plus ``corrected`` and ``viability_pct`` (blank rows dropped).

    Notes
    -----
    ``viability (%) = 100 * (A_treated - A_blank) / mean(A_control - A_blank)`` (Mosmann 1983,
    J Immunol Methods 65:55; CCK-8/WST-8 the same with 450 nm).
    """
    out = compute_percent_of_control(
        wells, value=absorbance, group=group, control=control, blank=blank, file=file
    )
    return out.rename(columns={"pct_of_control": "viability_pct"})


def compute_ros_fold_change(
    wells: pd.DataFrame,
    *,
    fluorescence: str = "fluorescence",
    group: str = "group",
    control: str,
    blank: float | str | None = None,
    per: str | None = None,
    file: FileLike = None,
) -> pd.DataFrame:
    """Intracellular ROS (DCFH-DA / DHE fluorescence) as fold change over control.

    Parameters
    ----------
    per
        Optional column to normalise by before the fold change (``protein_mg`` or cell count).

    Returns
    -------
    pandas.DataFrame
        Input plus ``corrected`` and ``ros_fold_change``.

    Notes
    -----
    ``fold = ((F - F_blank) / n) / mean((F_control - F_blank) / n)`` with ``n`` the
    normaliser (1 when ``per`` is None).
    """
    require_columns(wells, [fluorescence, group], file=file)
    t = wells.copy()
    f = numeric_column(t, fluorescence, file=file)
    b = _blank(t, f, group, blank, file)
    if isinstance(blank, str):
        keep = (t[group].astype(str) != blank).to_numpy()
        t, f = t[keep].reset_index(drop=True), f[keep]
    corrected = f - b
    if per is not None:
        require_columns(t, [per], file=file)
        corrected = corrected / numeric_column(t, per, file=file, min=1e-300, what="a value > 0")
    t["corrected"] = corrected
    t["ros_fold_change"] = corrected / _control_mean(t, corrected, group, control, file)
    return t


def compute_jc1_ratio(
    wells: pd.DataFrame,
    *,
    red: str = "red",
    green: str = "green",
    group: str = "group",
    control: str | None = None,
    background_red: float = 0.0,
    background_green: float = 0.0,
    file: FileLike = None,
) -> pd.DataFrame:
    """JC-1 mitochondrial membrane potential: red (aggregates) / green (monomers) ratio.

    Returns
    -------
    pandas.DataFrame
        Input plus ``jc1_ratio`` and, when ``control`` is given, ``jc1_pct_of_control``.

    Notes
    -----
    ``ratio = (F_590 - bg_red) / (F_530 - bg_green)``; a fall means depolarisation
    (Smiley et al. 1991, PNAS 88:3671).
    """
    require_columns(wells, [red, green], file=file)
    r = numeric_column(wells, red, file=file) - background_red
    g = numeric_column(wells, green, file=file) - background_green
    if (g <= 0).any():
        i = int(np.flatnonzero(g <= 0)[0])
        raise InputError(
            "Expected a green (monomer) signal above background, but got "
            f"{g[i] + background_green:g}",
            file=file,
            row=i + 2,
            field=green,
        )
    out = wells.copy()
    out["jc1_ratio"] = r / g
    if control is not None:
        require_columns(wells, [group], file=file)
        ratio = out["jc1_ratio"].to_numpy(float)
        out["jc1_pct_of_control"] = 100 * ratio / _control_mean(out, ratio, group, control, file)
    return out


def _concentrations(
    samples: pd.DataFrame,
    curve: StandardCurve,
    signal: str,
    dilution: float,
    file: FileLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    require_columns(samples, [signal], file=file)
    a = numeric_column(samples, signal, file=file)
    dil = (
        numeric_column(samples, "dilution", file=file, min=1e-300, what="a dilution > 0")
        if "dilution" in samples.columns
        else np.full(len(samples), float(dilution))
    )
    return a, curve.concentration_of(a) * dil, curve.range_flags(a)


def compute_griess_nitrite(
    samples: pd.DataFrame,
    curve: StandardCurve,
    *,
    absorbance: str = "absorbance",
    dilution: float = 1.0,
    file: FileLike = None,
) -> pd.DataFrame:
    """Nitrite (µM) by the Griess reaction from a sodium nitrite standard curve.

    Parameters
    ----------
    samples
        One row per well/animal with the absorbance at 540 nm; optional ``dilution`` and
        ``protein_mg_ml`` (protein concentration of the homogenate/supernatant).
    curve
        :func:`fit_standard_curve` on the NaNO2 standards (µM vs A540).

    Returns
    -------
    pandas.DataFrame
        Input plus ``nitrite_um`` (in the undiluted sample), ``range_flag`` (``ok``,
        ``below_range``, ``above_range``: outside the standards, extrapolated and flagged) and,
        with ``protein_mg_ml``, ``nitrite_nmol_per_mg_protein``.

    Notes
    -----
    ``NO2- (µM) = (A - blank - intercept) / slope * dilution``; per mg protein:
    ``nmol/mg = µM (= nmol/mL) / protein (mg/mL)`` (Green et al. 1982, Anal Biochem 126:131).
    """
    _, conc, flags = _concentrations(samples, curve, absorbance, dilution, file)
    out = samples.copy()
    out["nitrite_um"] = conc
    out["range_flag"] = flags
    if "protein_mg_ml" in samples.columns:
        protein = numeric_column(
            samples, "protein_mg_ml", file=file, min=1e-300, what="a protein concentration > 0"
        )
        out["nitrite_nmol_per_mg_protein"] = conc / protein
    return out


def compute_nos_activity(
    samples: pd.DataFrame,
    curve: StandardCurve,
    *,
    reaction_volume_ml: float,
    incubation_min: float,
    absorbance: str = "absorbance",
    background: str | None = None,
    dilution: float = 1.0,
    file: FileLike = None,
) -> pd.DataFrame:
    """NOS activity from nitrite formed in the reaction, per minute and mg protein.

    Parameters
    ----------
    samples
        One row per sample with the absorbance and ``protein_mg`` (mg protein in the reaction);
        optional ``background`` column (absorbance of the same sample with an NOS inhibitor such
        as L-NAME, or without substrate) subtracted first.
    reaction_volume_ml, incubation_min
        Volume of the reaction and its duration.

    Returns
    -------
    pandas.DataFrame
        Input plus ``nitrite_um`` (formed by NOS), ``range_flag`` and
        ``nos_activity_nmol_min_mg`` (1 U = 1 nmol NO2- per minute).

    Notes
    -----
    ``activity = NO2- (µM) * V (mL) / (t (min) * protein (mg))`` (nmol / min / mg protein),
    with ``NO2- = (A - blank - intercept) / slope * dilution``, or with a background column
    ``NO2- = (A - A_background) / slope * dilution`` (the NOS-dependent part).
    """
    for name, v in (("reaction_volume_ml", reaction_volume_ml), ("incubation_min", incubation_min)):
        if not (np.isfinite(v) and v > 0):
            raise InputError(f"Expected {name} > 0, but got {v!r}", field=name)
    require_columns(samples, ["protein_mg"], file=file)
    protein = numeric_column(samples, "protein_mg", file=file, min=1e-300, what="protein mg > 0")
    t = samples.copy()
    _, conc, flags = _concentrations(t, curve, absorbance, dilution, file)
    if background is not None:
        require_columns(samples, [background], file=file)
        _, conc_bg, _ = _concentrations(t, curve, background, dilution, file)
        conc = conc - conc_bg  # = (A - A_background) / slope * dilution
    t["nitrite_um"] = conc
    t["range_flag"] = flags
    t["nos_activity_nmol_min_mg"] = conc * reaction_volume_ml / (incubation_min * protein)
    return t


def compute_atp(
    samples: pd.DataFrame,
    curve: StandardCurve,
    *,
    luminescence: str = "luminescence",
    dilution: float = 1.0,
    file: FileLike = None,
) -> pd.DataFrame:
    """ATP (luciferase assay) from a linear ATP standard curve.

    Returns
    -------
    pandas.DataFrame
        Input plus ``atp_um`` (standard units), ``range_flag`` and, with ``protein_mg_ml``,
        ``atp_nmol_per_mg_protein``.

    Notes
    -----
    ``ATP = (RLU - blank - intercept) / slope * dilution``; per mg protein ``µM / (mg/mL)``.
    Fit the standards within the linear range of the luminometer.
    """
    _, conc, flags = _concentrations(samples, curve, luminescence, dilution, file)
    out = samples.copy()
    out["atp_um"] = conc
    out["range_flag"] = flags
    if "protein_mg_ml" in samples.columns:
        protein = numeric_column(
            samples, "protein_mg_ml", file=file, min=1e-300, what="a protein concentration > 0"
        )
        out["atp_nmol_per_mg_protein"] = conc / protein
    return out


def summarise_replicates(
    table: pd.DataFrame,
    *,
    value: str,
    by: list[str],
    how: Literal["mean", "median"] = "mean",
) -> pd.DataFrame:
    """Average technical replicates: one row per ``by`` combination.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``n`` (replicates), ``<value>`` (mean or median), ``sd`` and ``cv_pct``
        (``100 * SD / mean``; NaN with one replicate).
    """
    require_columns(table, [value, *by])
    g = table.groupby(by, sort=False)[value]
    out = g.agg(["count", how, "std"]).reset_index()
    out.columns = [*by, "n", value, "sd"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cv_pct"] = 100 * out["sd"] / out[value].abs()
    return out

"""In vitro plate assays of cell injury: ROS, ATP, caspase-3 activity and LDH release.

Each function takes the joined well table of :func:`neuroprotect.assays.plates.apply_layout`
(one plate file + its layout; layout ``sample`` = culture or lysate id, ``type`` ``sample``,
``blank``, ``standard`` or ``control``) and returns a
:class:`~neuroprotect.assays.plate_assay.PlateAssayResult` with one row per sample. Every plate
is computed on its own blank, standards and controls. The shared steps (saturation, blanks,
standard curves, replicate means) are in :mod:`neuroprotect.assays.plate_assay`; mitochondrial
membrane potential (JC-1, TMRM) is in :mod:`neuroprotect.assays.mito_potential`.

Groups: ``groups`` maps sample -> group (a study's cultures table); without it the layout's
``group`` column, else the sample name, is the group. ``control`` names the group that is 100 %
(or fold 1): normoxic, untreated cultures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from neuroprotect.assays.plate_assay import (
    FileLike,
    PlateAssayResult,
    assign_groups,
    flag_saturated,
    plate_blank,
    plate_standard_curve,
    relative_to_control,
    require_quantity,
    sample_means,
)
from neuroprotect.errors import InputError

__all__ = ["analyse_atp", "analyse_caspase3", "analyse_ldh", "analyse_ros"]

NORMALISERS = ("protein_mg", "protein_mg_ml", "cell_count")


def _prepare(
    wells: pd.DataFrame, groups: Mapping[str, str] | None, saturation: float | None
) -> tuple[pd.DataFrame, list[str]]:
    w = assign_groups(wells, groups)
    return flag_saturated(w, saturation)


def _blanks(
    w: pd.DataFrame, samples: pd.DataFrame, *, required: bool, file: FileLike, what: str = "blank"
) -> dict[int, float]:
    blanks = {
        int(p): plate_blank(w, int(p), required=required, file=file, what=what)
        for p in w["plate"].unique()
    }
    samples["blank"] = samples["plate"].map(blanks).astype(float)
    samples["corrected"] = samples["mean_signal"] - samples["blank"]
    return blanks


def analyse_ros(
    wells: pd.DataFrame,
    *,
    control: str,
    groups: Mapping[str, str] | None = None,
    normalise_by: str | None = None,
    saturation: float | None = None,
    file: FileLike = None,
) -> PlateAssayResult:
    """Intracellular ROS by DCFH-DA fluorescence (DCF, Ex 485 / Em 530 nm).

    Parameters
    ----------
    wells
        Joined well table; ``blank`` wells are cells without probe or probe without cells.
    control
        Group that is 100 %.
    normalise_by
        Optional layout column: ``protein_mg`` (protein in the well), ``protein_mg_ml`` or
        ``cell_count``; the blank-corrected RFU is divided by it before the % of control.
    saturation
        Reader ceiling (e.g. 65535 for a 16-bit reader): wells at or above it are left out.

    Returns
    -------
    PlateAssayResult
        ``samples`` with ``blank, corrected, ros_rfu`` (corrected, normalised when asked) and
        ``ros_pct_of_control``.

    Notes
    -----
    ``ROS (% of control) = 100 * ((F - F_blank) / n) / mean_control((F - F_blank) / n)`` with ``n``
    the normaliser (1 without one); wells are averaged per sample first (LeBel et al. 1992, Chem
    Res Toxicol 5:227; Wang & Joseph 1999, Free Radic Biol Med 27:612).
    """
    w, warnings = _prepare(wells, groups, saturation)
    samples = sample_means(w)
    blanks = _blanks(w, samples, required=True, file=file)
    value = samples["corrected"].to_numpy(float)
    if normalise_by is not None:
        if normalise_by not in NORMALISERS:
            raise InputError(
                f"Expected normalise_by among {', '.join(NORMALISERS)}, but got {normalise_by!r}",
                field="normalise_by",
            )
        value = value / require_quantity(samples, normalise_by, "the normaliser", file)
    samples["ros_rfu"] = value
    samples["ros_pct_of_control"] = relative_to_control(samples, "ros_rfu", control, file=file)
    per = f" / {normalise_by}" if normalise_by else ""
    return PlateAssayResult(
        samples=samples,
        wells=w,
        blanks=blanks,
        warnings=warnings,
        method=f"DCFH-DA: ROS = 100 x (mean RFU - blank){per} / control mean, per plate",
    )


def analyse_atp(
    wells: pd.DataFrame,
    *,
    control: str | None = None,
    groups: Mapping[str, str] | None = None,
    saturation: float | None = None,
    min_r2: float = 0.98,
    file: FileLike = None,
) -> PlateAssayResult:
    """ATP by luciferase luminescence (CellTiter-Glo and similar), standard curve -> ATP.

    Parameters
    ----------
    wells
        ``standard`` wells: ATP in µM in the well volume (as pipetted, the same volume as the
        samples); ``blank``: medium or lysis buffer with reagent. Optional layout column
        ``protein_mg_ml`` (the lysate's protein) gives nmol ATP / mg protein.
    control
        Group that is 100 % (``atp_pct_of_control``); optional when the plate has standards.

    Returns
    -------
    PlateAssayResult
        ``samples`` with ``corrected`` (RLU - blank), and with standards ``atp_um`` (in the
        undiluted sample, x dilution), ``range_flag`` and, with protein,
        ``atp_nmol_per_mg_protein``; with ``control`` ``atp_pct_of_control`` (of ATP when there
        are standards, else of the corrected RLU).

    Notes
    -----
    ``ATP (µM) = (RLU - RLU_blank - intercept) / slope * dilution``; ``nmol/mg = µM (nmol/mL) /
    protein (mg/mL)``. Luminescence is linear in ATP over several decades (Promega CellTiter-Glo
    technical bulletin TB288): keep the standards within the samples' range.
    """
    w, warnings = _prepare(wells, groups, saturation)
    samples = sample_means(w)
    blanks = _blanks(w, samples, required=True, file=file)
    has_std = (w["type"] == "standard").any()
    curves = {}
    if has_std:
        curves = {
            int(p): plate_standard_curve(w, int(p), blanks[int(p)], min_r2=min_r2, file=file)
            for p in w["plate"].unique()
        }
        conc = np.full(len(samples), np.nan)
        flags = np.full(len(samples), "ok", dtype=object)
        for p, curve in curves.items():
            on = (samples["plate"] == p).to_numpy()
            conc[on] = curve.concentration_of(samples.loc[on, "mean_signal"]) * samples.loc[
                on, "dilution"
            ].to_numpy(float)
            flags[on] = curve.range_flags(samples.loc[on, "mean_signal"])
            warnings += [f"plate {p}: {f}" for f in curve.flags]
        samples["atp_um"] = conc
        samples["range_flag"] = flags
        if "protein_mg_ml" in samples.columns:
            samples["atp_nmol_per_mg_protein"] = conc / require_quantity(
                samples, "protein_mg_ml", "lysate protein", file
            )
        out_of = samples.loc[
            (samples["type"] == "sample") & (samples["range_flag"] != "ok"), "sample"
        ]
        if len(out_of):
            warnings.append(
                f"ATP outside the standards (extrapolated, flagged) for {', '.join(map(str, out_of))}"
            )
    elif control is None:
        raise InputError(
            "Expected ATP standards on the plate or a control group for % of control, but got neither",
            file=file,
        )
    if control is not None:
        basis = "atp_um" if has_std else "corrected"
        samples["atp_pct_of_control"] = relative_to_control(samples, basis, control, file=file)
    method = (
        "ATP luminescence: linear ATP standard curve per plate, ATP = (RLU - blank - intercept) / slope x dilution"
        if has_std
        else "ATP luminescence: % of control of blank-corrected RLU"
    )
    return PlateAssayResult(
        samples=samples, wells=w, curves=curves, blanks=blanks, warnings=warnings, method=method
    )


def analyse_caspase3(
    wells: pd.DataFrame,
    *,
    incubation_h: float,
    reaction_volume_ul: float = 100.0,
    substrate: Literal["pna", "amc"] = "pna",
    control: str | None = None,
    groups: Mapping[str, str] | None = None,
    saturation: float | None = None,
    min_r2: float = 0.98,
    file: FileLike = None,
) -> PlateAssayResult:
    """Caspase-3 activity from Ac-DEVD-pNA (A405) or Ac-DEVD-AMC (Ex 380 / Em 460) cleavage.

    Parameters
    ----------
    wells
        ``standard`` wells: free pNA or AMC, µM in the reaction volume; ``blank``: buffer +
        substrate without lysate. Layout column ``protein_mg`` (lysate protein in the well)
        gives activity per mg protein.
    incubation_h, reaction_volume_ul
        Reaction time (h) and the well's reaction volume (µL).
    control
        Group that is fold 1 (``caspase3_fold_of_control``).

    Returns
    -------
    PlateAssayResult
        ``samples`` with ``product_um`` (pNA/AMC released, µM in the well), ``product_nmol``,
        ``range_flag``, ``caspase3_nmol_h_mg`` (with ``protein_mg``; else ``caspase3_nmol_h``
        per well) and with ``control`` ``caspase3_fold_of_control``.

    Notes
    -----
    ``product (nmol) = (signal - blank - intercept) / slope (µM) * V (µL) / 1000``;
    ``activity = product / (t (h) * protein (mg))`` in nmol pNA (or AMC) per h per mg protein.
    The Sigma CASP3C kit defines one unit as 1 µmol pNA released per minute (25 °C): 1 U/mg =
    60,000 nmol/h/mg. Fold of control = activity / mean activity of the control cultures.
    """
    for name, v in (("incubation_h", incubation_h), ("reaction_volume_ul", reaction_volume_ul)):
        if not (np.isfinite(v) and v > 0):
            raise InputError(f"Expected {name} > 0, but got {v!r}", field=name)
    if substrate not in ("pna", "amc"):
        raise InputError(f"Expected substrate pna or amc, but got {substrate!r}", field="substrate")
    w, warnings = _prepare(wells, groups, saturation)
    samples = sample_means(w)
    blanks = _blanks(w, samples, required=True, file=file, what="substrate blank")
    curves = {
        int(p): plate_standard_curve(w, int(p), blanks[int(p)], min_r2=min_r2, file=file)
        for p in w["plate"].unique()
    }
    conc = np.full(len(samples), np.nan)
    flags = np.full(len(samples), "ok", dtype=object)
    for p, curve in curves.items():
        on = (samples["plate"] == p).to_numpy()
        conc[on] = curve.concentration_of(samples.loc[on, "mean_signal"])
        flags[on] = curve.range_flags(samples.loc[on, "mean_signal"])
        warnings += [f"plate {p}: {f}" for f in curve.flags]
    samples["product_um"] = conc
    samples["product_nmol"] = conc * reaction_volume_ul / 1000.0
    samples["range_flag"] = flags
    if "protein_mg" in samples.columns:
        protein = require_quantity(samples, "protein_mg", "lysate protein in the well", file)
        activity = "caspase3_nmol_h_mg"
        samples[activity] = samples["product_nmol"] / (incubation_h * protein)
    else:
        activity = "caspase3_nmol_h"
        samples[activity] = samples["product_nmol"] / incubation_h
        warnings.append(
            "no protein_mg column in the layout: activity is per well, not per mg protein"
        )
    if control is not None:
        samples["caspase3_fold_of_control"] = relative_to_control(
            samples, activity, control, scale=1.0, file=file
        )
    name = "pNA (A405)" if substrate == "pna" else "AMC (fluorescence)"
    return PlateAssayResult(
        samples=samples,
        wells=w,
        curves=curves,
        blanks=blanks,
        warnings=warnings,
        method=f"caspase-3: Ac-DEVD substrate, {name} standard curve per plate, activity = "
        "released product (nmol) / (h x mg protein)",
        qc={"activity_column": activity},
    )


def analyse_ldh(
    wells: pd.DataFrame,
    *,
    spontaneous: str = "spontaneous",
    maximum: str = "maximum",
    volume_correction: str | None = None,
    groups: Mapping[str, str] | None = None,
    saturation: float | None = None,
    file: FileLike = None,
) -> PlateAssayResult:
    """LDH release: % cytotoxicity from spontaneous- and maximum-release controls.

    Parameters
    ----------
    wells
        ``blank``: culture medium without cells; ``control`` wells named ``spontaneous``
        (untreated cells) and ``maximum`` (cells lysed with the kit's lysis solution); optional
        ``control`` wells named ``volume_correction`` (medium + lysis solution), subtracted from
        the maximum wells instead of the medium blank.

    Returns
    -------
    PlateAssayResult
        ``samples`` with ``corrected`` (A490 - blank) and ``cytotoxicity_pct``;
        ``qc["controls"]`` the corrected spontaneous and maximum release of each plate.

    Notes
    -----
    ``cytotoxicity (%) = 100 * (E - S) / (M - S)`` with E, S and M the background-corrected
    absorbances of the sample, spontaneous and maximum release (Promega CytoTox 96, TB163;
    Roche Cytotoxicity Detection Kit). Samples below the spontaneous release give negative
    values, which are kept (they are real measurement scatter around 0 %).
    """
    w, warnings = _prepare(wells, groups, saturation)
    samples = sample_means(w)
    blanks = _blanks(w, samples, required=True, file=file, what="medium background")
    pct = np.full(len(samples), np.nan)
    controls = {}
    for p in samples["plate"].unique():
        on = (samples["plate"] == p).to_numpy()
        ctl = samples[on & (samples["type"] == "control").to_numpy()]
        named = {str(s).lower(): r for s, r in zip(ctl["sample"], ctl.itertuples(), strict=True)}

        def level(name: str, plate: int = int(p), named: dict[str, Any] = named) -> float:
            if name.lower() not in named:
                raise InputError(
                    f"Expected control wells named {name!r} on plate {plate}, but the control wells "
                    f"there are {', '.join(sorted(named)) or 'none'}",
                    file=file,
                    field="sample",
                )
            return float(named[name.lower()].mean_signal)

        blank = blanks[int(p)]
        s = level(spontaneous) - blank
        m = level(maximum) - (level(volume_correction) if volume_correction else blank)
        if not m > s:
            raise InputError(
                f"Expected the maximum release above the spontaneous release on plate {p}, but "
                f"got {m:.4g} and {s:.4g} after background (are the control names right?)",
                file=file,
                field="sample",
            )
        pct[on] = 100 * (samples.loc[on, "corrected"].to_numpy(float) - s) / (m - s)
        controls[int(p)] = {"spontaneous": s, "maximum": m}
    samples["cytotoxicity_pct"] = pct
    return PlateAssayResult(
        samples=samples,
        wells=w,
        blanks=blanks,
        warnings=warnings,
        method="LDH release: cytotoxicity = 100 x (E - S) / (M - S), background-corrected, per plate",
        qc={"controls": controls},
    )

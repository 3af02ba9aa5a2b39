"""Nitric oxide synthase activity: L-[³H]citrulline formation, or total NOx by nitrate reduction.

Two methods, as named in the igmesine guide (seed 000) and used in the gerbil BCCAO studies:

* **Citrulline assay** (Bredt & Snyder 1990, PNAS 87:682): tissue homogenate incubated with
  L-[³H]arginine; the L-[³H]citrulline formed is separated from arginine on a cation-exchange
  (Dowex AG50W-X8, Na⁺) column and counted. The non-specific background is a tube of the same
  homogenate with an NOS inhibitor (L-NAME, 1 mM) or with EGTA (Ca²⁺-dependent nNOS/eNOS
  activity = complete − EGTA): the NOS-dependent counts are ``cpm_complete − cpm_blank``.
* **Total NOx** (nitrite + nitrate): nitrate is reduced to nitrite (nitrate reductase, or
  vanadium(III)), and the total nitrite read by the Griess reaction
  (:func:`neuroprotect.assays.colorimetric.compute_griess_nitrite`) against nitrate standards
  taken through the same reduction (Miranda et al. 2001, Nitric Oxide 5:62; Cayman
  Nitrate/Nitrite Colorimetric Assay Kit 780001). Nitrite alone is read without the reduction
  step; nitrate = NOx − nitrite.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from neuroprotect.assays.colorimetric import compute_griess_nitrite
from neuroprotect.assays.evans_blue import StandardCurve
from neuroprotect.errors import InputError
from neuroprotect.schema.checks import numeric_column, require_columns

__all__ = ["BLANK_CONDITIONS", "compute_citrulline_activity", "compute_nox", "specific_activity"]

FileLike = str | PathLike[str] | None

#: Condition names of the non-specific background tubes (lower case).
BLANK_CONDITIONS = ("blank", "l-name", "lname", "egta", "inhibitor", "background")
COMPLETE_CONDITIONS = ("complete", "total", "reaction", "sample")


def specific_activity(total_cpm: float, arginine_pmol: float) -> float:
    """Specific activity of the substrate in the tube: cpm per pmol of L-arginine.

    ``total_cpm`` is the count of an aliquot of the reaction mix equal to one tube's substrate
    (counted like the eluates, so the counting efficiency cancels); ``arginine_pmol`` is all the
    L-arginine in the tube, labelled plus unlabelled (e.g. 10 µM x 50 µL = 500 pmol).
    """
    for name, v in (("total_cpm", total_cpm), ("arginine_pmol", arginine_pmol)):
        if not (np.isfinite(v) and v > 0):
            raise InputError(f"Expected {name} > 0, but got {v!r}", field=name)
    return float(total_cpm) / float(arginine_pmol)


def compute_citrulline_activity(
    tubes: pd.DataFrame,
    *,
    specific_activity_cpm_per_pmol: float,
    incubation_min: float,
    sample: str = "sample",
    file: FileLike = None,
) -> pd.DataFrame:
    """NOS activity (pmol citrulline / min / mg protein) from counted eluates.

    Parameters
    ----------
    tubes
        One row per counted tube: ``sample``, ``condition`` (``complete`` or a blank:
        ``l-name``, ``egta``, ``blank``), ``cpm`` and ``protein_mg`` (mg protein of homogenate in
        the tube; needed on the complete tubes). Replicate tubes are averaged.
    specific_activity_cpm_per_pmol
        cpm per pmol L-arginine (:func:`specific_activity`).
    incubation_min
        Reaction time.

    Returns
    -------
    pandas.DataFrame
        One row per sample: ``sample, n_complete, n_blank, cpm_complete, cpm_blank,
        cpm_specific, protein_mg, citrulline_pmol, nos_activity_pmol_min_mg``.

    Raises
    ------
    InputError
        Missing columns, an unknown condition, a sample without complete or blank tubes.

    Notes
    -----
    ``citrulline (pmol) = (mean cpm_complete - mean cpm_blank) / SA``;
    ``activity = citrulline / (t (min) * protein (mg))``. Each sample's own L-NAME/EGTA tubes
    are its blank, so the Ca²⁺-independent and non-enzymatic counts are removed.
    """
    for name, v in (
        ("specific_activity_cpm_per_pmol", specific_activity_cpm_per_pmol),
        ("incubation_min", incubation_min),
    ):
        if not (np.isfinite(v) and v > 0):
            raise InputError(f"Expected {name} > 0, but got {v!r}", field=name)
    require_columns(tubes, [sample, "condition", "cpm"], file=file)
    t = tubes.copy()
    t["cpm"] = numeric_column(t, "cpm", file=file, min=0)
    cond = t["condition"].astype(str).str.strip().str.lower()
    unknown = sorted(set(cond) - set(BLANK_CONDITIONS) - set(COMPLETE_CONDITIONS))
    if unknown:
        raise InputError(
            f"Expected conditions 'complete' or a blank ({', '.join(BLANK_CONDITIONS)}), but got "
            f"{', '.join(map(repr, unknown))}",
            file=file,
            field="condition",
        )
    t["is_blank"] = cond.isin(BLANK_CONDITIONS)
    rows = []
    for name, s in t.groupby(sample, sort=False):
        comp, blank = s[~s["is_blank"]], s[s["is_blank"]]
        for part, what in ((comp, "complete"), (blank, "blank (L-NAME/EGTA)")):
            if part.empty:
                raise InputError(
                    f"Expected {what} tubes for sample {name!r}, but there are none",
                    file=file,
                    field="condition",
                )
        if "protein_mg" not in comp.columns or comp["protein_mg"].isna().any():
            raise InputError(
                f"Expected protein_mg on the complete tubes of sample {name!r}",
                file=file,
                field="protein_mg",
            )
        protein = float(pd.to_numeric(comp["protein_mg"]).mean())
        if not protein > 0:
            raise InputError(
                f"Expected protein_mg > 0 for sample {name!r}, but got {protein:g}",
                file=file,
                field="protein_mg",
            )
        c, b = float(comp["cpm"].mean()), float(blank["cpm"].mean())
        pmol = (c - b) / specific_activity_cpm_per_pmol
        rows.append(
            {
                "sample": str(name),
                "n_complete": len(comp),
                "n_blank": len(blank),
                "cpm_complete": c,
                "cpm_blank": b,
                "cpm_specific": c - b,
                "protein_mg": protein,
                "citrulline_pmol": pmol,
                "nos_activity_pmol_min_mg": pmol / (incubation_min * protein),
            }
        )
    return pd.DataFrame(rows)


def compute_nox(
    samples: pd.DataFrame,
    curve: StandardCurve,
    *,
    nitrite_curve: StandardCurve | None = None,
    total: str = "absorbance_total",
    nitrite: str = "absorbance_nitrite",
    dilution: float = 1.0,
    file: FileLike = None,
) -> pd.DataFrame:
    """Total NOx (nitrite + nitrate) by nitrate reduction + Griess, and nitrate by difference.

    Parameters
    ----------
    samples
        One row per sample: ``total`` (A540 after nitrate reduction), optional ``nitrite``
        (A540 without reduction), optional ``dilution`` (sample dilution x well volume / sample
        volume) and ``protein_mg_ml``.
    curve
        :func:`~neuroprotect.assays.evans_blue.fit_standard_curve` of nitrate standards (µM)
        taken through the reduction (so the reduction's yield is in the curve).
    nitrite_curve
        Curve of nitrite standards read without reduction; default ``curve``.

    Returns
    -------
    pandas.DataFrame
        Input plus ``nox_um``, ``range_flag`` and, with the nitrite reading, ``nitrite_um`` and
        ``nitrate_um`` (NOx - nitrite); with ``protein_mg_ml`` also ``nox_nmol_per_mg_protein``.

    Notes
    -----
    ``NOx (µM) = (A_total - blank - intercept) / slope * dilution``; ``nmol/mg = µM / (mg/mL)``
    (Cayman 780001: the dilution includes ``well volume / sample volume``).
    """
    require_columns(samples, [total], file=file)
    t = compute_griess_nitrite(samples, curve, absorbance=total, dilution=dilution, file=file)
    t = t.rename(
        columns={"nitrite_um": "nox_um", "nitrite_nmol_per_mg_protein": "nox_nmol_per_mg_protein"}
    )
    if nitrite in samples.columns:
        n = compute_griess_nitrite(
            samples, nitrite_curve or curve, absorbance=nitrite, dilution=dilution, file=file
        )
        t["nitrite_um"] = n["nitrite_um"].to_numpy()
        t["nitrate_um"] = t["nox_um"] - t["nitrite_um"]
    return t

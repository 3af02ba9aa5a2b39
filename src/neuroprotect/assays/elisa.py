"""ELISA: 4PL/5PL standard curve, back-calculated standards, unknowns with dilution factors.

Input is the joined well table of :func:`neuroprotect.assays.plates.apply_layout`. Each plate
gets its own curve from its own standards. Blank wells, when the layout has any, are averaged per
plate and subtracted from every well first (``subtract_blank=True``).

Per standard well the back-calculated concentration is the inverse of the fitted curve at the
well's signal and the recovery is ``100 * back-calculated / nominal``. Per unknown well the
concentration is the inverse at its signal; per sample (replicate wells sharing a name) the
``concentration`` is the mean of the replicate concentrations and ``cv_pct`` their coefficient of
variation ``100 * SD / mean`` (as SoftMax Pro's ``MeanResult`` and ``CV`` of ``Result``), and
``adjusted_concentration`` is the mean of ``concentration x dilution`` over the replicates (the
concentration in the undiluted sample, SoftMax's ``AdjResult``).

Range rules (never silent): LLOQ / ULOQ default to the lowest non-zero / highest standard
concentration used in the fit. A sample whose mean concentration is below the LLOQ or above the
ULOQ is flagged ``below_lloq`` / ``above_uloq``; a well whose signal is beyond an asymptote has
no concentration on the curve (NaN) and flags its sample the same way, and a saturated well
(reader ``OVRFLW``) flags it ``overflow`` plus the side of the range it lies on. Other sample
flags: ``high_cv`` (replicate CV above ``cv_limit``), ``no_signal``, ``masked``; ``ok`` otherwise
(several flags are joined with ``;``). With
``out_of_range="censor"`` flagged samples get NaN concentrations instead of extrapolated ones.

The per-plate fit, back-calculation and flags are in :mod:`neuroprotect.assays.elisa_plate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from neuroprotect.assays.elisa_fit import (
    FivePLFitter,
    FourPLFitter,
    LogisticFitter,
    Weights,
)
from neuroprotect.assays.elisa_plate import SAMPLE_COLUMNS, fit_plate
from neuroprotect.assays.elisa_plot import plot_elisa
from neuroprotect.assays.plates import no_signal_wells
from neuroprotect.errors import InputError

__all__ = [
    "ElisaResult",
    "FivePLFitter",
    "FourPLFitter",
    "analyse_elisa",
    "plot_elisa",
]


@dataclass
class ElisaResult:
    """Outcome of :func:`analyse_elisa`.

    Attributes
    ----------
    model, weights
        ``"4pl"``/``"5pl"`` and ``"none"``/``"1/y2"``.
    curves
        Fitted curve per plate number.
    standards
        One row per plate and standard level: ``plate, sample, concentration, n, mean_signal,
        cv_pct, back_calculated, recovery_pct``.
    standard_wells
        One row per standard well: ``plate, well, sample, concentration, value, signal``
        (blank-corrected), ``back_calculated, recovery_pct, flag`` (``ok``; ``below_curve`` /
        ``above_curve``: fitted, but its signal lies beyond an asymptote so it has no
        back-calculated value; ``masked``, ``no_signal``, ``overflow``: not fitted).
    samples
        One row per plate and sample/control: ``plate, type, sample, n, mean_signal,
        concentration, dilution, adjusted_concentration, cv_pct, flag``.
    sample_wells
        One row per unknown well: ``plate, well, type, sample, value, signal, concentration,
        dilution, adjusted_concentration, flag``.
    limits
        ``{plate: (lloq, uloq)}``.
    blanks
        Mean blank signal subtracted per plate (0 when none).
    warnings
        Sentences about flagged wells and samples.
    """

    model: str
    weights: str
    curves: dict[int, LogisticFitter]
    standards: pd.DataFrame
    standard_wells: pd.DataFrame
    samples: pd.DataFrame
    sample_wells: pd.DataFrame
    limits: dict[int, tuple[float, float]]
    blanks: dict[int, float]
    warnings: list[str] = field(default_factory=list)

    def curve_table(self) -> pd.DataFrame:
        """One row per plate: ``plate, param, estimate, se, ci_low, ci_high`` plus ``rse, n``."""
        rows = []
        for plate, fit in self.curves.items():
            s = fit.summary
            s.insert(0, "plate", plate)
            s["rse"], s["n"] = fit.rse_, fit.n_
            rows.append(s)
        return pd.concat(rows, ignore_index=True)


def analyse_elisa(
    wells: pd.DataFrame,
    *,
    model: Literal["4pl", "5pl"] = "4pl",
    weights: Weights = "none",
    fixed: dict[str, float] | None = None,
    subtract_blank: bool = True,
    lloq: float | None = None,
    uloq: float | None = None,
    cv_limit: float = 20.0,
    out_of_range: Literal["flag", "censor"] = "flag",
) -> ElisaResult:
    """Fit the standard curve(s) and read the unknowns off them.

    Parameters
    ----------
    wells
        From :func:`neuroprotect.assays.plates.apply_layout`: ``plate, well, type, sample,
        concentration, dilution, masked, value, flag``.
    model
        ``"4pl"`` or ``"5pl"`` (:mod:`neuroprotect.assays.elisa_fit` gives the formulas).
    weights
        ``"none"`` or ``"1/y2"``.
    fixed
        Curve parameters held fixed, e.g. ``{"a": 0}``.
    subtract_blank
        Subtract the mean of the plate's blank wells (if any) from every well before fitting.
    lloq, uloq
        Limits of quantification (concentration units of the standards); default: the lowest
        non-zero and the highest standard.
    cv_limit
        Replicate CV (%) above which a sample is flagged ``high_cv``.
    out_of_range
        ``"flag"``: keep the curve value and flag it; ``"censor"``: NaN concentration, flagged.

    Returns
    -------
    ElisaResult

    Raises
    ------
    InputError
        A plate without usable standards, or a curve that cannot be fitted.

    Notes
    -----
    Standards without a reading (``no_signal``) or saturated (``overflow``) are left out of the
    fit and named in the warnings. See the module notes for the formulas.
    """
    if out_of_range not in ("flag", "censor"):
        raise InputError(f"Expected 'flag' or 'censor', but got {out_of_range!r}")
    warnings: list[str] = []
    missing = no_signal_wells(wells)
    if missing:
        warnings.append(
            "no usable reading in used wells (flagged no_signal or overflow, left out of the fit "
            "and the means): " + ", ".join(missing)
        )
    neg = wells[(wells["flag"] == "ok") & (wells["value"] < 0)]
    if len(neg):
        warnings.append(
            "negative readings, impossible for a raw signal (the reader's own blank subtraction? "
            "a wrong column?), kept: "
            + ", ".join(
                f"{r.well} ({r.type} {r.sample}, plate {r.plate}: {r.value:g})"
                for r in neg.itertuples()
            )
        )
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in ("lev", "stdw", "smp", "smpw")}
    curves, limits, blanks = {}, {}, {}
    for plate, g in wells.groupby("plate", sort=True):
        fit, lev, stdw, smp, smpw, blank, lim = fit_plate(
            int(plate),
            g,
            model=model,
            weights=weights,
            fixed=fixed,
            subtract_blank=subtract_blank,
            lloq=lloq,
            uloq=uloq,
            cv_limit=cv_limit,
            out_of_range=out_of_range,
            warnings=warnings,
        )
        curves[int(plate)], limits[int(plate)], blanks[int(plate)] = fit, lim, blank
        for key, frame in zip(parts, (lev, stdw, smp, smpw), strict=True):
            parts[key].append(frame)
    return ElisaResult(
        model=model,
        weights=weights,
        curves=curves,
        standards=pd.concat(parts["lev"], ignore_index=True),
        standard_wells=pd.concat(parts["stdw"], ignore_index=True),
        samples=pd.concat(parts["smp"], ignore_index=True),
        sample_wells=pd.concat(parts["smpw"], ignore_index=True),
        limits=limits,
        blanks=blanks,
        warnings=warnings,
    )


def result_json(result: ElisaResult) -> dict[str, Any]:
    """The CLI's JSON: ``model, weights, params, curves, standards, samples, warnings``.

    ``params`` is the curve's ``{a, b, c, d[, g]}`` for a single plate and null for a multi-plate
    file, whose curves are in ``curves`` (``plate, params, rse, n, lloq, uloq, blank``);
    ``standards`` and ``samples`` rows carry their ``plate``.
    """
    from neuroprotect.stats.result import records

    curves = [
        {
            "plate": p,
            "params": f.params_,
            "rse": f.rse_,
            "n": f.n_,
            "lloq": result.limits[p][0],
            "uloq": result.limits[p][1],
            "blank": result.blanks[p],
        }
        for p, f in result.curves.items()
    ]
    return {
        "model": result.model,
        "weights": result.weights,
        "params": curves[0]["params"] if len(curves) == 1 else None,
        "curves": curves,
        "standards": records(
            result.standards,
            ["plate", "sample", "concentration", "n", "back_calculated", "recovery_pct"],
        ),
        "samples": records(result.samples, list(SAMPLE_COLUMNS)),
        "warnings": result.warnings,
    }

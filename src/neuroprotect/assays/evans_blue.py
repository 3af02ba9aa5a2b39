"""Evans Blue extravasation (blood-brain barrier leakage): standard curve -> µg per g tissue."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from neuroprotect.errors import InputError
from neuroprotect.schema.checks import (
    id_column,
    numeric_column,
    require_columns,
    row_number,
    unique_keys,
)

__all__ = ["StandardCurve", "compute_evans_blue", "fit_standard_curve"]

FileLike = str | PathLike[str] | None


@dataclass(frozen=True)
class StandardCurve:
    """A straight-line standard curve ``A = slope * C + intercept`` (absorbance vs µg/mL).

    Attributes
    ----------
    slope, intercept
        Least-squares line of blank-corrected absorbance on concentration.
    r2
        Coefficient of determination of the fit.
    n
        Number of standard points (replicates count separately).
    concentration_min, concentration_max
        Range of the standards' concentrations (µg/mL).
    absorbance_min, absorbance_max
        Range of the standards' blank-corrected absorbances; samples outside it are flagged.
    blank_absorbance
        Absorbance subtracted from standards and samples before fitting and converting.
    min_r2
        R² below which the curve is flagged.
    concentration, absorbance
        The standard points (absorbance as read, before blank subtraction).
    """

    slope: float
    intercept: float
    r2: float
    n: int
    concentration_min: float
    concentration_max: float
    absorbance_min: float
    absorbance_max: float
    blank_absorbance: float
    min_r2: float
    concentration: tuple[float, ...]
    absorbance: tuple[float, ...]

    @property
    def flags(self) -> list[str]:
        """Problems with the curve itself (empty when it is fine)."""
        out = []
        if self.r2 < self.min_r2:
            out.append(f"standard curve R² = {self.r2:.4f} is below {self.min_r2:g}")
        return out

    def predict(self, concentration: ArrayLike) -> np.ndarray:
        """Blank-corrected absorbance expected at ``concentration`` (µg/mL)."""
        return self.slope * np.asarray(concentration, dtype=float) + self.intercept

    def concentration_of(self, absorbance: ArrayLike) -> np.ndarray:
        """Concentration (µg/mL) of raw absorbances: ``C = (A - blank - intercept) / slope``.

        Values outside the standards' range are extrapolated along the line; check them with
        :meth:`range_flags`.
        """
        a = np.asarray(absorbance, dtype=float) - self.blank_absorbance
        return (a - self.intercept) / self.slope

    def range_flags(self, absorbance: ArrayLike) -> np.ndarray:
        """``"ok"``, ``"below_range"`` or ``"above_range"`` for each raw absorbance."""
        a = np.asarray(absorbance, dtype=float) - self.blank_absorbance
        flags = np.full(a.shape, "ok", dtype=object)
        flags[a < self.absorbance_min] = "below_range"
        flags[a > self.absorbance_max] = "above_range"
        return flags

    def points(self) -> pd.DataFrame:
        """The standards with fitted values: ``concentration_ug_ml, absorbance,
        corrected_absorbance, fitted_absorbance, residual``."""
        c = np.asarray(self.concentration, dtype=float)
        a = np.asarray(self.absorbance, dtype=float)
        corrected = a - self.blank_absorbance
        fitted = self.predict(c)
        return pd.DataFrame(
            {
                "concentration_ug_ml": c,
                "absorbance": a,
                "corrected_absorbance": corrected,
                "fitted_absorbance": fitted,
                "residual": corrected - fitted,
            }
        )


def fit_standard_curve(
    concentration: ArrayLike,
    absorbance: ArrayLike,
    *,
    blank_absorbance: float = 0.0,
    min_r2: float = 0.98,
    file: FileLike = None,
) -> StandardCurve:
    """Fit the Evans Blue standard curve by ordinary least squares.

    Parameters
    ----------
    concentration
        Evans Blue concentration of each standard, µg/mL (in the extraction solvent).
    absorbance
        Absorbance of each standard (e.g. at 620 nm). Replicate wells are separate points.
    blank_absorbance
        Reagent-blank absorbance subtracted from standards (and later samples) before fitting.
        With an intercept in the model this only shifts the intercept; the concentrations of the
        samples are unchanged.
    min_r2
        R² under which the curve is flagged (:attr:`StandardCurve.flags`).
    file
        Where the standards came from, named in errors.

    Returns
    -------
    StandardCurve

    Raises
    ------
    InputError
        Fewer than 3 standards, fewer than 2 distinct concentrations, negative or non-finite
        values, or a slope that is not positive (absorbance must rise with concentration).

    Notes
    -----
    ``A - blank = slope * C + intercept`` fitted by least squares;
    ``R² = 1 - sum(residual²) / sum((A - mean(A))²)``. Samples are converted with the inverse,
    ``C = (A - blank - intercept) / slope`` (see :func:`compute_evans_blue`).
    """
    c = np.asarray(concentration, dtype=float).ravel()
    a = np.asarray(absorbance, dtype=float).ravel()
    if c.shape != a.shape:
        raise InputError(
            f"Expected as many absorbances as concentrations, but got {a.size} and {c.size}",
            file=file,
        )
    if c.size < 3:
        raise InputError(f"Expected at least 3 standards, but got {c.size}", file=file)
    if not (np.isfinite(c).all() and np.isfinite(a).all()) or (c < 0).any():
        raise InputError("Expected finite standard absorbances and concentrations >= 0", file=file)
    if np.unique(c).size < 2:
        raise InputError(
            "Expected standards at 2 or more different concentrations, but all are equal",
            file=file,
        )
    corrected = a - float(blank_absorbance)
    slope, intercept = np.polynomial.polynomial.polyfit(c, corrected, 1)[::-1]
    if not slope > 0:
        raise InputError(
            "Expected absorbance to increase with concentration, but the fitted slope is "
            f"{slope:.4g}",
            file=file,
        )
    fitted = slope * c + intercept
    ss_res = float(np.sum((corrected - fitted) ** 2))
    ss_tot = float(np.sum((corrected - corrected.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0
    return StandardCurve(
        slope=float(slope),
        intercept=float(intercept),
        r2=r2,
        n=int(c.size),
        concentration_min=float(c.min()),
        concentration_max=float(c.max()),
        absorbance_min=float(corrected.min()),
        absorbance_max=float(corrected.max()),
        blank_absorbance=float(blank_absorbance),
        min_r2=float(min_r2),
        concentration=tuple(float(x) for x in c),
        absorbance=tuple(float(x) for x in a),
    )


def compute_evans_blue(
    samples: pd.DataFrame,
    curve: StandardCurve,
    *,
    extraction_volume_ml: float | None = None,
    dilution: float = 1.0,
    out_of_range: Literal["flag", "error"] = "flag",
    file: FileLike = None,
) -> pd.DataFrame:
    """Evans Blue content (µg per g wet tissue) of each sample.

    Parameters
    ----------
    samples
        One row per animal: ``animal_id``, ``absorbance``, and the tissue weight as
        ``tissue_weight_mg`` or ``tissue_weight_g``; optionally ``extraction_volume_ml`` per sample
        (overrides the argument) and ``source_row``.
    curve
        The standard curve from :func:`fit_standard_curve` (its blank is subtracted here too).
    extraction_volume_ml
        Volume of solvent (formamide, TCA...) the tissue was extracted in, mL.
    dilution
        Dilution factor of the extract before reading (1 = undiluted).
    out_of_range
        ``"flag"``: a sample outside the standards' absorbance range keeps its extrapolated value
        and gets ``range_flag`` ``below_range``/``above_range``; ``"error"``: raise instead.
    file
        Where the samples came from, named in errors.

    Returns
    -------
    pandas.DataFrame
        ``animal_id, absorbance, corrected_absorbance, concentration_ug_ml, tissue_weight_g,
        extraction_volume_ml, dilution, evans_blue_ug_per_g, range_flag`` (plus ``source_row``
        when given).

    Raises
    ------
    InputError
        Missing column or volume, a non-numeric cell, a tissue weight that is not positive, an
        animal listed twice, or (with ``out_of_range="error"``) a sample outside the standards.

    Notes
    -----
    ``C = (A - blank - intercept) / slope`` (µg/mL in the read extract), then
    ``EB (µg/g) = C (µg/mL) * dilution * V_extract (mL) / tissue wet weight (g)``
    (e.g. Uyama et al. 1988, J Cereb Blood Flow Metab 8:282-284; Wang and Lai 2014, Sci Rep
    4:6588).

    Examples
    --------
    >>> import pandas as pd
    >>> curve = fit_standard_curve([0, 1, 2, 4], [0.0, 0.05, 0.10, 0.20])
    >>> s = pd.DataFrame({"animal_id": ["a"], "absorbance": [0.10], "tissue_weight_mg": [500.0]})
    >>> eb = compute_evans_blue(s, curve, extraction_volume_ml=1.0)["evans_blue_ug_per_g"]
    >>> round(float(eb.iloc[0]), 6)
    4.0
    """
    require_columns(samples, ["animal_id", "absorbance"], file=file)
    ids = id_column(samples, "animal_id", file=file)
    absorbance = numeric_column(samples, "absorbance", file=file, what="an absorbance")
    if {"tissue_weight_g", "tissue_weight_mg"} <= set(samples.columns):
        raise InputError(
            "Expected one tissue weight column, but got both 'tissue_weight_g' and "
            "'tissue_weight_mg'",
            file=file,
            field="tissue_weight_g",
        )
    if "tissue_weight_g" in samples.columns:
        weight_g = numeric_column(
            samples, "tissue_weight_g", file=file, min=0, what="a weight in g > 0"
        )
        weight_col = "tissue_weight_g"
    elif "tissue_weight_mg" in samples.columns:
        weight_g = (
            numeric_column(samples, "tissue_weight_mg", file=file, min=0, what="a weight in mg > 0")
            / 1000.0
        )
        weight_col = "tissue_weight_mg"
    else:
        raise InputError(
            "Expected a column 'tissue_weight_mg' or 'tissue_weight_g', but the table has "
            + ", ".join(repr(str(c)) for c in samples.columns),
            file=file,
        )
    zero = weight_g <= 0
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        raise InputError(
            f"Expected a tissue weight > 0, but got {samples[weight_col].iloc[i]!r}",
            file=file,
            row=row_number(samples, i),
            field=weight_col,
        )
    if "extraction_volume_ml" in samples.columns:
        volume = numeric_column(
            samples,
            "extraction_volume_ml",
            file=file,
            min=1e-300,
            what="an extraction volume in mL > 0",
        )
    elif extraction_volume_ml is None:
        raise InputError(
            "Expected an extraction volume (mL) as a parameter or an 'extraction_volume_ml' "
            "column, but got neither",
            file=file,
            field="extraction_volume_ml",
        )
    else:
        if not (np.isfinite(extraction_volume_ml) and extraction_volume_ml > 0):
            raise InputError(
                f"Expected an extraction volume in mL > 0, but got {extraction_volume_ml!r}",
                field="extraction_volume_ml",
            )
        volume = np.full(len(samples), float(extraction_volume_ml))
    if not (np.isfinite(dilution) and dilution > 0):
        raise InputError(f"Expected a dilution factor > 0, but got {dilution!r}", field="dilution")
    flags = curve.range_flags(absorbance)
    if out_of_range == "error" and (flags != "ok").any():
        i = int(np.flatnonzero(flags != "ok")[0])
        raise InputError(
            f"Expected an absorbance within the standards' range "
            f"({curve.absorbance_min + curve.blank_absorbance:g} to "
            f"{curve.absorbance_max + curve.blank_absorbance:g}), but got {absorbance[i]:g}",
            file=file,
            row=row_number(samples, i),
            field="absorbance",
        )
    conc = curve.concentration_of(absorbance)
    out = pd.DataFrame(
        {
            "animal_id": ids,
            "absorbance": absorbance,
            "corrected_absorbance": absorbance - curve.blank_absorbance,
            "concentration_ug_ml": conc,
            "tissue_weight_g": weight_g,
            "extraction_volume_ml": volume,
            "dilution": float(dilution),
            "evans_blue_ug_per_g": conc * float(dilution) * volume / weight_g,
            "range_flag": flags,
        }
    )
    if "source_row" in samples.columns:
        out["source_row"] = samples["source_row"].to_numpy()
    unique_keys(out, ["animal_id"], file=file)
    return out

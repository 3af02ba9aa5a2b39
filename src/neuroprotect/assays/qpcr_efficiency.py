"""Amplification efficiency of a qPCR assay from a dilution series (standard curve)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from neuroprotect.errors import InputError

__all__ = ["AmplificationEfficiency", "compute_efficiency", "efficiency_problem"]


@dataclass(frozen=True)
class AmplificationEfficiency:
    """Standard curve of Ct on log10(input amount) and the amplification efficiency.

    Attributes
    ----------
    slope, intercept, r2
        Least-squares line ``Ct = slope·log10(quantity) + intercept`` and its R².
    efficiency
        Amplification factor per cycle ``E = 10^(−1/slope)`` (2 = 100 %).
    efficiency_pct
        ``(E − 1)·100``.
    n
        Number of wells used.
    n_undetermined
        Wells with an undetermined (NaN) Ct, left out of the fit.
    """

    gene: str
    slope: float
    intercept: float
    r2: float
    efficiency: float
    efficiency_pct: float
    n: int
    n_undetermined: int = 0


def compute_efficiency(
    quantity: ArrayLike, ct: ArrayLike, *, gene: str = ""
) -> AmplificationEfficiency:
    """Efficiency from a dilution series (Rasmussen 2001; Pfaffl 2001).

    Parameters
    ----------
    quantity
        Relative input amount (dilution factor or ng) of each well, > 0.
    ct
        Ct of each well; NaN (undetermined) wells are dropped.

    Notes
    -----
    ``E = 10^(−1/slope)``; a slope of −3.32 gives E = 2 (100 %). Matches rtpcr
    ``efficiency()`` on its ``data_efficiency1`` (slopes −3.388/−3.528/−3.415).
    """
    q = np.asarray(quantity, dtype=float)
    y = np.asarray(ct, dtype=float)
    if q.shape != y.shape:
        raise InputError(f"Expected as many quantities as Ct values, but got {q.size} and {y.size}")
    ok = np.isfinite(y) & np.isfinite(q)
    n_undetermined = int((np.isnan(y) & np.isfinite(q)).sum())
    if (q[ok] <= 0).any():
        raise InputError("Expected dilution quantities > 0, but got a value <= 0", field="quantity")
    x, y = np.log10(q[ok]), y[ok]
    if np.unique(x).size < 2:
        raise InputError(
            f"Expected at least two dilution levels for {gene or 'the gene'}, but got {np.unique(x).size}"
        )
    fit = stats.linregress(x, y)
    e = 10 ** (-1 / fit.slope)
    return AmplificationEfficiency(
        gene=gene,
        slope=float(fit.slope),
        intercept=float(fit.intercept),
        r2=float(fit.rvalue**2),
        efficiency=float(e),
        efficiency_pct=float((e - 1) * 100),
        n=int(x.size),
        n_undetermined=n_undetermined,
    )


def efficiency_problem(slope: float, *, quantity: str = "quantity") -> str | None:
    """What is wrong with a standard curve's slope, or None when its efficiency is 90-110 %.

    A slope >= 0 (Ct rising with the quantity) usually means the quantity column holds dilution
    factors (more dilution = less template) instead of input amounts.
    """
    pct = (10 ** (-1 / slope) - 1) * 100 if slope < 0 else float("nan")
    if slope >= 0:
        return (
            f"Ct rises with the quantity (slope {slope:+.3g}), so the efficiency is meaningless; "
            f"is '{quantity}' a dilution factor (more dilution = less template)? Give the input "
            "amount, e.g. 1/dilution"
        )
    if not 90 <= pct <= 110:
        return (
            f"efficiency {pct:.3g} % is outside 90-110 % (slope {slope:.3g}; -3.32 is 100 %): "
            "check the dilution series"
        )
    return None

"""Receptor binding: competition curves (IC50 -> Ki) and saturation binding (Kd, Bmax).

Competition binding fits the drc log-logistic curve of
:mod:`neuroprotect.stats.dose_response` (``LL.4``: ``f(x) = c + (d - c) / (1 + (x / e)^b)``)
to bound radioligand against competitor concentration; the IC50 is ``e``, and the inhibition
constant follows from Cheng & Prusoff (1973): ``Ki = IC50 / (1 + [L] / Kd)``.

Saturation binding fits the one-site hyperbola ``B = Bmax x / (Kd + x)`` to specific binding, by
least squares with R ``nls``'s standard errors (``sigma^2 (J'J)^-1``) and t-based Wald intervals.
When total and nonspecific binding are given instead, specific = total - nonspecific at each
concentration (rows paired in order within a concentration).

The sigma-1 receptor example in the knowledge base (igmesine, IC50 39 +/- 8 nM, rat brain
membranes; radioligand not stated) would give, *if* the assay used 3 nM of a radioligand whose
Kd is 3 nM (illustrative numbers), ``Ki = 39 / (1 + 3/3) = 19.5`` nM:

>>> from neuroprotect.stats.dose_response import ki_from_ic50
>>> ki_from_ic50(39.0, radioligand_conc=3.0, kd=3.0)
19.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats

from neuroprotect.errors import InputError
from neuroprotect.stats.dose_response import LL3Fitter, LL4Fitter, LogLogisticFitter, ki_from_ic50

__all__ = [
    "CompetitionResult",
    "SaturationBindingFitter",
    "analyse_competition_binding",
    "specific_binding",
]


@dataclass
class CompetitionResult:
    """Outcome of :func:`analyse_competition_binding`.

    Attributes
    ----------
    fit
        The fitted log-logistic curve (drc parameters in ``fit.params_``).
    ic50, ic50_se, ic50_ci
        IC50 (the curve's ``e``), its delta-method SE and t-based CI (drc ``ED(fit, 50)``).
    ki, ki_ci
        Cheng-Prusoff Ki and its CI (the IC50 interval divided by ``1 + [L]/Kd``, an exact
        rescaling that treats [L] and Kd as known constants); None when [L]/Kd are not given.
    hill_slope
        Pseudo-Hill coefficient ``-b`` (negative for a falling competition curve, as GraphPad
        Prism reports it; about -1 for a single site under the law of mass action).
    """

    fit: LogLogisticFitter
    ic50: float
    ic50_se: float
    ic50_ci: tuple[float, float]
    ki: float | None
    ki_ci: tuple[float, float] | None
    hill_slope: float
    radioligand_conc: float | None
    kd: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.fit.model,
            "params": self.fit.params_,
            "ic50": self.ic50,
            "ic50_se": self.ic50_se,
            "ic50_ci_low": self.ic50_ci[0],
            "ic50_ci_high": self.ic50_ci[1],
            "hill_slope": self.hill_slope,
            "ki": self.ki,
            "ki_ci_low": None if self.ki_ci is None else self.ki_ci[0],
            "ki_ci_high": None if self.ki_ci is None else self.ki_ci[1],
            "radioligand_conc": self.radioligand_conc,
            "kd": self.kd,
            "n": self.fit.n_,
            "rse": self.fit.rse_,
        }


def analyse_competition_binding(
    concentration: ArrayLike,
    bound: ArrayLike,
    *,
    radioligand_conc: float | None = None,
    kd: float | None = None,
    model: Literal["ll4", "ll3"] = "ll4",
    conf_level: float = 0.95,
) -> CompetitionResult:
    """IC50 of a competitor from a competition (displacement) curve, and its Ki.

    Parameters
    ----------
    concentration
        Competitor concentration per well/tube (>= 0; 0 = no competitor, total binding).
    bound
        Bound radioligand (cpm, dpm, fmol/mg or % of specific binding), one per concentration.
    radioligand_conc, kd
        Free radioligand concentration [L] and its Kd (same unit) for the Cheng-Prusoff Ki; give
        both or neither.
    model
        ``"ll4"`` (bottom and top estimated) or ``"ll3"`` (bottom fixed at 0, e.g. specific
        binding after nonspecific subtraction).
    conf_level
        Confidence level of the intervals.

    Returns
    -------
    CompetitionResult

    Notes
    -----
    ``Ki = IC50 / (1 + [L]/Kd)`` (Cheng & Prusoff 1973, Biochem Pharmacol 22:3099), valid for
    competitive binding at equilibrium with little ligand depletion. IC50 SE and CI are drc's
    delta-method ones (``ED(fit, 50, interval = "delta")``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0, 1, 3, 10, 30, 100, 300, 1000.0])  # nM
    >>> y = 100 / (1 + x / 39.0)  # one site, IC50 = 39 nM
    >>> res = analyse_competition_binding(
    ...     np.repeat(x, 2), np.repeat(y, 2) + np.tile([0.5, -0.5], 8),
    ...     radioligand_conc=3.0, kd=3.0)
    >>> round(res.ic50, 1), round(res.ki, 2)
    (39.0, 19.5)
    """
    if (radioligand_conc is None) != (kd is None):
        raise InputError("Expected both the radioligand concentration and its Kd, or neither")
    key = model.lower().replace(".", "")
    if key not in ("ll4", "ll3"):
        raise InputError(f"Expected model 'll4' or 'll3', but got {model!r}", field="model")
    cls = LL4Fitter if key == "ll4" else LL3Fitter
    fit = cls(conf_level=conf_level).fit(
        np.asarray(concentration, dtype=float), np.asarray(bound, dtype=float)
    )
    ed = fit.ed(50).iloc[0]
    ic50, se = float(ed["estimate"]), float(ed["se"])
    ci = (float(ed["ci_low"]), float(ed["ci_high"]))
    ki = ki_ci = None
    if radioligand_conc is not None and kd is not None:
        ki = float(ki_from_ic50(ic50, radioligand_conc=radioligand_conc, kd=kd))
        factor = 1 + radioligand_conc / kd
        ki_ci = (ci[0] / factor, ci[1] / factor)
    return CompetitionResult(
        fit=fit,
        ic50=ic50,
        ic50_se=se,
        ic50_ci=ci,
        ki=ki,
        ki_ci=ki_ci,
        hill_slope=-fit.params_["b"],
        radioligand_conc=radioligand_conc,
        kd=kd,
    )


def specific_binding(
    data: pd.DataFrame, *, concentration: str, total: str, nonspecific: str
) -> pd.DataFrame:
    """Specific = total - nonspecific binding, row by row.

    Returns
    -------
    pandas.DataFrame
        ``concentration, total, nonspecific, specific``.
    """
    for col in (concentration, total, nonspecific):
        if col not in data.columns:
            raise InputError(
                f"Expected a column {col!r}, but the table has {', '.join(map(str, data.columns))}",
                field=col,
            )
    out = pd.DataFrame(
        {
            "concentration": pd.to_numeric(data[concentration], errors="coerce"),
            "total": pd.to_numeric(data[total], errors="coerce"),
            "nonspecific": pd.to_numeric(data[nonspecific], errors="coerce"),
        }
    )
    bad = out.isna().any(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("Expected numbers for concentration, total and nonspecific", row=i + 1)
    out["specific"] = out["total"] - out["nonspecific"]
    return out


class SaturationBindingFitter:
    """One-site saturation binding ``B = Bmax x / (Kd + x)`` (specific binding).

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict
        ``bmax`` (unit of the binding) and ``kd`` (unit of the concentration).
    vcov_ : pandas.DataFrame
        ``sigma^2 (J'J)^-1`` (R ``nls``).
    rss_, rse_, df_, n_
        Residual sum of squares, residual SE, residual df, number of points.

    Notes
    -----
    Least squares on the untransformed data (no Scatchard linearisation, which distorts the
    error structure). Starting values from the Lineweaver-Burk line. The same algebra is the
    Michaelis-Menten enzyme model (``Vm = Bmax``, ``K = Kd``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.5, 1, 2, 4, 8, 16.0])
    >>> fit = SaturationBindingFitter().fit(x, 1200 * x / (2.0 + x) + np.tile([5, -5], 3))
    >>> round(fit.params_["kd"], 1), round(fit.params_["bmax"], -1)
    (2.0, 1200.0)
    """

    def __init__(self, *, conf_level: float = 0.95) -> None:
        self.conf_level = conf_level

    def fit(self, concentration: ArrayLike, specific: ArrayLike) -> SaturationBindingFitter:
        """Fit Bmax and Kd to specific binding at each free radioligand concentration."""
        x = np.asarray(concentration, dtype=float).ravel()
        y = np.asarray(specific, dtype=float).ravel()
        if x.size != y.size:
            raise InputError(f"Expected one binding value per concentration, got {y.size}/{x.size}")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise InputError("Expected finite concentrations and binding values, but got NaN")
        if (x < 0).any():
            raise InputError(f"Expected concentrations >= 0, but got {x[x < 0][0]:g}")
        if np.unique(x[x > 0]).size < 2 or x.size < 3:
            raise InputError(
                "Expected at least 2 distinct concentrations > 0 and 3 points for a saturation fit"
            )
        pos = (x > 0) & (y > 0)
        if pos.sum() >= 2:
            slope, icpt = np.polyfit(1 / x[pos], 1 / y[pos], 1)
            bmax0 = 1 / icpt if icpt > 0 else float(y.max()) * 1.5
            kd0 = slope * bmax0 if slope > 0 else float(np.median(x[x > 0]))
        else:
            bmax0, kd0 = float(y.max()) * 1.5, float(np.median(x[x > 0]))

        def model(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            bmax, kd = q[0], np.exp(q[1])
            f = bmax * x / (kd + x)
            jac = np.column_stack([x / (kd + x), -bmax * x / (kd + x) ** 2 * kd])
            return f, jac

        res = optimize.least_squares(
            lambda q: model(q)[0] - y,
            [bmax0, np.log(max(kd0, 1e-12))],
            jac=lambda q: model(q)[1],
            method="lm",
            xtol=1e-15,
            ftol=1e-15,
            gtol=1e-15,
        )
        if not res.success:
            raise InputError("Expected saturation data a one-site curve fits, but it did not")
        bmax, kd = float(res.x[0]), float(np.exp(res.x[1]))
        if not bmax > 0:
            raise InputError(
                f"Expected specific binding that rises with the concentration (Bmax > 0), but the "
                f"fit gives Bmax = {bmax:.4g}: are total and nonspecific binding swapped?",
                field="specific",
            )
        r = y - bmax * x / (kd + x)
        j = np.column_stack([x / (kd + x), -bmax * x / (kd + x) ** 2])
        self.n_ = int(x.size)
        self.df_ = int(x.size - 2)
        self.rss_ = float(r @ r)
        self.rse_ = float(np.sqrt(self.rss_ / self.df_)) if self.df_ > 0 else float("nan")
        self.params_ = {"bmax": bmax, "kd": kd}
        vcov = self.rse_**2 * np.linalg.inv(j.T @ j)
        self.vcov_ = pd.DataFrame(vcov, index=["bmax", "kd"], columns=["bmax", "kd"])
        self.concentration_, self.specific_ = x, y
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """``param, estimate, se, dof, ci_low, ci_high`` (t-based Wald intervals)."""
        est = np.array([self.params_["bmax"], self.params_["kd"]])
        se = np.sqrt(np.diag(self.vcov_.to_numpy()))
        q = float(stats.t.ppf(0.5 + self.conf_level / 2, self.df_))
        return pd.DataFrame(
            {
                "param": ["bmax", "kd"],
                "estimate": est,
                "se": se,
                "dof": self.df_,
                "ci_low": est - q * se,
                "ci_high": est + q * se,
            }
        )

    def predict(self, concentration: ArrayLike) -> np.ndarray:
        """Specific binding on the fitted curve."""
        x = np.asarray(concentration, dtype=float)
        return self.params_["bmax"] * x / (self.params_["kd"] + x)

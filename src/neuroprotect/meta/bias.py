"""Small-study effects / publication bias: Egger's regression, Begg's rank test, trim-and-fill."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.meta._rma import fit_rma, resolve_test
from neuroprotect.meta.models import RandomEffectsMeta, check_yi_vi

Predictor = Literal["sei", "vi", "ninv", "sqrtninv"]

__all__ = [
    "EggerResult",
    "TrimFillResult",
    "egger_test",
    "rank_correlation_test",
    "trim_and_fill",
]


@dataclass(frozen=True)
class EggerResult:
    """Regression test for funnel-plot asymmetry.

    ``statistic`` is z (``model="rma"``) or t with ``dof`` degrees of freedom (``model="lm"`` or
    Knapp-Hartung); ``limit_estimate`` is the intercept, the effect expected as the predictor goes
    to 0 (an infinitely large study).
    """

    model: str
    predictor: str
    method: str
    statistic: float
    dof: int | None
    p_val: float
    slope: float
    slope_se: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _predictor(vi: np.ndarray, predictor: str, ni: Sequence[float] | None) -> np.ndarray:
    if predictor == "sei":
        return np.sqrt(vi)
    if predictor == "vi":
        return vi
    if predictor in ("ninv", "sqrtninv"):
        if ni is None:
            raise InputError(
                f"Expected total sample sizes ni for predictor {predictor!r}, but got none"
            )
        n = np.asarray(ni, float)
        if n.size != vi.size or (n <= 0).any():
            raise InputError(f"Expected {vi.size} positive sample sizes, but got {list(n)}")
        return 1 / n if predictor == "ninv" else 1 / np.sqrt(n)
    raise InputError(f"Expected predictor sei, vi, ninv or sqrtninv, but got {predictor!r}")


def egger_test(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    *,
    model: Literal["rma", "lm"] = "rma",
    predictor: Predictor = "sei",
    method: str = "REML",
    knapp_hartung: bool = False,
    ni: Sequence[float] | None = None,
    level: float = 0.95,
    test: str | None = None,
) -> EggerResult:
    """Egger's regression test for funnel-plot asymmetry (metafor ``regtest``).

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances; k >= 3.
    model
        ``"rma"`` (metafor's default): the meta-regression ``yi ~ predictor`` with the same
        tau^2 estimator as the main model, z-test on the slope. ``"lm"``: the classic Egger test,
        weighted least squares with weights 1/vi and a multiplicative dispersion, t(k - 2).
    predictor
        ``"sei"`` (standard error, default), ``"vi"``, ``"ninv"`` (1/n) or ``"sqrtninv"``
        (1/sqrt(n); recommended for SMDs, Zwetsloot et al. 2017, eLife 6:e24260).
    method
        tau^2 estimator of the ``"rma"`` model (REML, ML, DL, HE, SJ, PM, EB or FE).
    knapp_hartung
        Knapp-Hartung t-test for the ``"rma"`` model (synonym of ``test="knha"``).
    test
        ``"z"``, ``"knha"`` or ``"adhoc"`` for the ``"rma"`` model (metafor ``regtest`` uses the
        test of the model it is given).
    ni
        Total sample size of each study (for the ``n`` predictors).

    Returns
    -------
    EggerResult

    Notes
    -----
    Egger et al. (1997) BMJ 315:629; Sterne & Egger (2005). The ``lm`` variant is identical to
    regressing ``yi/sei`` on ``1/sei`` with the roles of slope and intercept exchanged.
    """
    y, v = check_yi_vi(yi, vi, min_k=3)
    pred = _predictor(v, predictor, ni)
    x = np.column_stack([np.ones_like(y), pred])
    method = method.upper()
    try:
        test_name = resolve_test(test, knapp_hartung)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if model == "lm":
        fit = fit_rma(y, v, x, method="FE", test="knha")
    elif model == "rma":
        fit = fit_rma(y, v, x, method=method, test=test_name)
    else:
        raise InputError(f"Expected Egger model 'rma' or 'lm', but got {model!r}")
    se = fit.se
    stat = float(fit.beta[1] / se[1])
    p_val = float(fit.p_values()[1])
    crit = fit.crit(level)
    return EggerResult(
        model=model,
        predictor=predictor,
        method="FE" if model == "lm" else method,
        statistic=stat,
        dof=fit.dof if fit.knapp_hartung else None,
        p_val=p_val,
        slope=float(fit.beta[1]),
        slope_se=float(se[1]),
        limit_estimate=float(fit.beta[0]),
        limit_ci_low=float(fit.beta[0] - crit * se[0]),
        limit_ci_high=float(fit.beta[0] + crit * se[0]),
    )


def rank_correlation_test(
    yi: Sequence[float] | np.ndarray, vi: Sequence[float] | np.ndarray
) -> dict[str, float]:
    """Begg and Mazumdar's rank correlation test (metafor ``ranktest``).

    Returns
    -------
    dict
        ``tau`` (Kendall's tau between standardised effects and variances) and ``p_val``
        (exact when k < 50 without ties, as R's ``cor.test``; otherwise normal approximation).

    Notes
    -----
    ``y*_i = (y_i - b_FE) / sqrt(v_i - var(b_FE))`` (Begg & Mazumdar 1994, Biometrics 50:1088).
    """
    y, v = check_yi_vi(yi, vi, min_k=3)
    fit = fit_rma(y, v, method="FE")
    ystar = (y - fit.beta[0]) / np.sqrt(v - fit.vcov[0, 0])
    ties = len(np.unique(ystar)) < y.size or len(np.unique(v)) < v.size
    how = "exact" if (y.size < 50 and not ties) else "asymptotic"
    res = stats.kendalltau(ystar, v, method=how)
    return {"tau": float(res.statistic), "p_val": float(res.pvalue)}


@dataclass
class TrimFillResult:
    """Trim-and-fill: number of imputed studies and the model refitted with them."""

    k0: int
    se_k0: float
    side: str
    estimator: str
    model: RandomEffectsMeta
    filled: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        m = self.model
        return {
            "k0": self.k0,
            "se_k0": self.se_k0,
            "side": self.side,
            "estimator": self.estimator,
            "method": m.method,
            "k": m.k_,
            "estimate": m.estimate_,
            "se": m.se_,
            "ci_low": m.ci_[0],
            "ci_high": m.ci_[1],
            "tau2": m.tau2_,
            "filled": [
                {"yi": float(a), "vi": float(b)}
                for a, b in zip(self.filled["yi"], self.filled["vi"], strict=True)
            ],
        }


def trim_and_fill(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    estimator: Literal["L0", "R0"] = "L0",
    side: Literal["left", "right"] | None = None,
    knapp_hartung: bool = False,
    maxiter: int = 100,
) -> TrimFillResult:
    """Duval and Tweedie's trim-and-fill (metafor ``trimfill``).

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances; k >= 3.
    method
        tau^2 estimator used for every fit (REML, DL, PM, FE); the number of missing studies
        depends on it (dat.bcg: REML k0 = 1, FE k0 = 4).
    estimator
        ``"L0"`` (default) or ``"R0"``.
    side
        Side on which studies are missing. None (default) chooses as metafor does: ``"right"``
        if the slope of the Egger ``rma`` regression on sqrt(vi) is negative, else ``"left"``.
    knapp_hartung
        Knapp-Hartung inference in the refitted model (metafor 3.8 ``trimfill`` always refits
        with z-based inference; the default False matches it).

    Returns
    -------
    TrimFillResult
        ``k0``, its SE, the side, the refitted :class:`RandomEffectsMeta` on observed + filled
        studies, and the ``filled`` studies (``yi``, ``vi``).

    Notes
    -----
    Iterate: fit on the k - k0 least extreme studies, centre all studies on that estimate, rank
    ``|y - b|``, ``S_r`` = sum of the positive signed ranks,
    ``L0 = (4 S_r - k(k+1)) / (2k - 1)``, ``R0 = k - (longest run of top ranks) - 1``, rounded
    and floored at 0, until k0 stops changing. The k0 most extreme studies are then mirrored
    about the estimate (Duval & Tweedie 2000, Biometrics 56:455).
    """
    y0, v0 = check_yi_vi(yi, vi, min_k=3)
    method = method.upper()
    if side is None:
        x = np.column_stack([np.ones_like(y0), np.sqrt(v0)])
        slope = fit_rma(y0, v0, x, method=method).beta[1]
        side = "right" if slope < 0 else "left"
    if side not in ("left", "right"):
        raise InputError(f"Expected side 'left' or 'right', but got {side!r}")
    if estimator not in ("L0", "R0"):
        raise InputError(f"Expected estimator 'L0' or 'R0', but got {estimator!r}")
    flip = -1.0 if side == "right" else 1.0
    y = flip * y0
    order = np.argsort(y, kind="stable")
    y, v = y[order], v0[order]
    k = y.size
    k0, k0_prev, se_k0, beta = 0, -1, 0.0, 0.0
    for _ in range(maxiter):
        if k0 == k0_prev:
            break
        k0_prev = k0
        beta = float(fit_rma(y[: k - k0], v[: k - k0], method=method).beta[0])
        centred = y - beta
        ranks = stats.rankdata(np.abs(centred), method="ordinal")
        signed = np.sign(centred) * ranks
        if estimator == "L0":
            s_r = float(signed[signed > 0].sum())
            est = (4 * s_r - k * (k + 1)) / (2 * k - 1)
            var_sr = (
                k * (k + 1) * (2 * k + 1)
                + 10 * est**3
                + 27 * est**2
                + 17 * est
                - 18 * k * est**2
                - 18 * k * est
                + 6 * k**2 * est
            ) / 24
            se_k0 = 4 * np.sqrt(max(var_sr, 0.0)) / (2 * k - 1)
        else:
            neg = -signed[signed < 0]
            est = k - (neg.max() if neg.size else 0) - 1
            se_k0 = np.sqrt(2 * max(0.0, est) + 2)
        k0 = max(0, int(np.round(est)))
        se_k0 = max(0.0, float(se_k0))
    if k0 > 0:
        # mirror the k0 most extreme studies about the trimmed estimate, in the original scale
        fill_y = flip * (2 * beta - y[k - k0 :])
        fill_v = v[k - k0 :]
    else:
        fill_y = np.empty(0)
        fill_v = np.empty(0)
    model = RandomEffectsMeta(method, knapp_hartung=knapp_hartung).fit(
        np.concatenate([y0, fill_y]), np.concatenate([v0, fill_v])
    )
    return TrimFillResult(
        k0=k0,
        se_k0=se_k0,
        side=side,
        estimator=estimator,
        model=model,
        filled=pd.DataFrame({"yi": fill_y, "vi": fill_v}),
    )

"""Weighted (mixed-effects) meta-regression engine shared by models, subgroups and bias tests.

Private: the public interface is :class:`neuroprotect.meta.models.RandomEffectsMeta`. The
formulas follow metafor's ``rma.uni`` (Viechtbauer 2010, J Stat Softw 36(3)) so that the numbers
agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

METHODS: tuple[str, ...] = ("FE", "DL", "REML", "PM")

REML_TOL = 1e-10
REML_MAXITER = 1000


@dataclass(frozen=True)
class RmaFit:
    """Coefficients and heterogeneity of one weighted fit (metafor ``rma.uni`` names noted)."""

    beta: np.ndarray  # b
    vcov: np.ndarray  # vb (scaled by s2w for Knapp-Hartung)
    tau2: float
    se_tau2: float
    weights: np.ndarray  # 1 / (vi + tau2)
    q: float  # QE, Cochran's Q with fixed-effect weights
    q_p_val: float
    dof: int  # k - p
    i2: float  # percent
    h2: float
    knapp_hartung: bool
    converged: bool
    iterations: int

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov))

    def crit(self, level: float = 0.95) -> float:
        """Two-sided critical value: normal, or t(k - p) with Knapp-Hartung."""
        if self.knapp_hartung:
            return float(stats.t.ppf(0.5 + level / 2, self.dof))
        return float(stats.norm.ppf(0.5 + level / 2))

    def p_values(self) -> np.ndarray:
        stat = self.beta / self.se
        if self.knapp_hartung:
            return 2 * stats.t.sf(np.abs(stat), self.dof)
        return 2 * stats.norm.sf(np.abs(stat))


def _p_matrix(vi: np.ndarray, x: np.ndarray, tau2: float) -> tuple[np.ndarray, np.ndarray]:
    """``P = W - W X (X'WX)^-1 X'W`` with ``W = diag(1/(vi + tau2))``; returns (P, (X'WX)^-1)."""
    w = 1 / (vi + tau2)
    xtw = x.T * w
    inv = np.linalg.inv(xtw @ x)
    p = np.diag(w) - xtw.T @ inv @ xtw
    return p, inv


def q_generalised(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, tau2: float) -> float:
    """Generalised Q statistic ``Y' P(tau2) Y``: the weighted residual sum of squares.

    Computed from the residuals (never negative), not through P.
    """
    w = 1 / (vi + tau2)
    xtw = x.T * w
    beta = np.linalg.solve(xtw @ x, xtw @ yi)
    return float(np.sum(w * (yi - x @ beta) ** 2))


def _tau2_dl(yi: np.ndarray, vi: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """DerSimonian-Laird tau^2 (moment estimator) and metafor's SE of it."""
    k, p_ = x.shape
    p, _ = _p_matrix(vi, x, 0.0)
    rss = q_generalised(yi, vi, x, 0.0)
    tr_p = float(np.trace(p))
    tau2 = max(0.0, (rss - (k - p_)) / tr_p)
    se = np.sqrt(
        1 / tr_p**2 * (2 * (k - p_) + 4 * tau2 * tr_p + 2 * tau2**2 * float(np.sum(p * p)))
    )
    return tau2, float(se)


def _tau2_pm(yi: np.ndarray, vi: np.ndarray, x: np.ndarray) -> float:
    """Paule-Mandel tau^2: the root of ``Q(tau2) = k - p`` (0 when Q(0) < k - p)."""
    k, p_ = x.shape
    target = k - p_

    def f(t: float) -> float:
        return q_generalised(yi, vi, x, t) - target

    if f(0.0) <= 0:
        return 0.0
    hi = max(1.0, float(np.var(yi)) * 10)
    while f(hi) > 0:
        hi *= 10
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-14, maxiter=500))


def reml_loglik(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, tau2: float) -> float:
    """Restricted log-likelihood of tau^2 (up to a constant)."""
    p, inv = _p_matrix(vi, x, tau2)
    return float(-0.5 * (np.sum(np.log(vi + tau2)) - np.linalg.slogdet(inv)[1] + yi @ p @ yi))


def _tau2_reml(yi: np.ndarray, vi: np.ndarray, x: np.ndarray) -> tuple[float, bool, int]:
    """REML tau^2 by Fisher scoring (metafor's algorithm), converged to ``REML_TOL``.

    The update is ``tau2 += (Y'PPY - tr P) / tr(PP)``, halved while it would leave
    ``tau2 >= 0``. When the score at 0 is not positive the estimate is 0 (boundary).
    """
    p0, _ = _p_matrix(vi, x, 0.0)
    if float(yi @ p0 @ p0 @ yi - np.trace(p0)) <= 0:
        return 0.0, True, 0
    tau2 = max(_tau2_dl(yi, vi, x)[0], 1e-8 * float(np.mean(vi)))
    for it in range(1, REML_MAXITER + 1):
        p, _ = _p_matrix(vi, x, tau2)
        pp = p @ p
        adj = float((yi @ pp @ yi - np.trace(p)) / np.sum(p * p))
        while tau2 + adj < 0:
            adj /= 2
        tau2 += adj
        if abs(adj) < REML_TOL:
            return tau2, True, it
    # Fisher scoring did not settle: maximise the restricted likelihood directly.
    hi = max(1.0, float(np.var(yi)) * 10)
    res = optimize.minimize_scalar(
        lambda t: -reml_loglik(yi, vi, x, t),
        bounds=(0.0, hi),
        method="bounded",
        options={"xatol": REML_TOL},
    )
    return float(res.x), bool(res.success), REML_MAXITER


def fit_rma(
    yi: np.ndarray,
    vi: np.ndarray,
    x: np.ndarray | None = None,
    *,
    method: str = "REML",
    knapp_hartung: bool = False,
    tau2: float | None = None,
) -> RmaFit:
    """Fit ``yi = X b + u + e`` with ``u ~ N(0, tau2)``, ``e ~ N(0, vi)`` (metafor ``rma.uni``).

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances (length k).
    x
        Design matrix (k, p); None means an intercept only.
    method
        ``"FE"``, ``"DL"``, ``"REML"`` or ``"PM"``.
    knapp_hartung
        Scale the covariance by ``s2w = sum w (y - Xb)^2 / (k - p)`` and use t(k - p)
        (metafor ``test="knha"``).
    tau2
        Fix tau^2 instead of estimating it.
    """
    yi = np.asarray(yi, float)
    vi = np.asarray(vi, float)
    k = yi.size
    x = np.ones((k, 1)) if x is None else np.asarray(x, float)
    p_ = x.shape[1]
    converged, iterations, se_tau2 = True, 0, float("nan")
    if tau2 is not None:
        t2 = float(tau2)
    elif method == "FE":
        t2 = 0.0
    elif method == "DL":
        t2, se_tau2 = _tau2_dl(yi, vi, x)
    elif method == "PM":
        t2 = _tau2_pm(yi, vi, x)
    elif method == "REML":
        t2, converged, iterations = _tau2_reml(yi, vi, x)
    else:
        raise ValueError(f"Expected method one of {', '.join(METHODS)}, but got {method!r}")
    if method == "REML" and tau2 is None:
        p, _ = _p_matrix(vi, x, t2)
        se_tau2 = float(np.sqrt(2 / np.sum(p * p)))
    w = 1 / (vi + t2)
    xtw = x.T * w
    vcov = np.linalg.inv(xtw @ x)
    beta = vcov @ xtw @ yi
    if knapp_hartung:
        resid = yi - x @ beta
        s2w = float(np.sum(w * resid**2) / (k - p_))
        vcov = vcov * s2w
    # Cochran's Q and the typical within-study variance use fixed-effect weights.
    p_fe, _ = _p_matrix(vi, x, 0.0)
    q = q_generalised(yi, vi, x, 0.0)
    dof = k - p_
    q_p = float(stats.chi2.sf(q, dof)) if dof > 0 else float("nan")
    if method == "FE" and tau2 is None:
        i2 = max(0.0, 100 * (q - dof) / q) if q > 0 else 0.0
        h2 = q / dof if dof > 0 else float("nan")
    else:
        s2 = dof / float(np.trace(p_fe)) if dof > 0 else float("nan")
        i2 = 100 * t2 / (s2 + t2)
        h2 = (s2 + t2) / s2
    return RmaFit(
        beta=beta,
        vcov=vcov,
        tau2=t2,
        se_tau2=se_tau2,
        weights=w,
        q=q,
        q_p_val=q_p,
        dof=dof,
        i2=i2,
        h2=h2,
        knapp_hartung=knapp_hartung,
        converged=converged,
        iterations=iterations,
    )


def tau2_q_profile_ci(
    yi: np.ndarray, vi: np.ndarray, *, level: float = 0.95
) -> tuple[float, float]:
    """Q-profile confidence interval of tau^2 (Viechtbauer 2007; metafor ``confint``).

    Solves ``Q(tau2) = chi2_{1-a/2, k-1}`` (lower) and ``chi2_{a/2, k-1}`` (upper); a bound is
    0 when Q(0) is already below its target.
    """
    yi = np.asarray(yi, float)
    vi = np.asarray(vi, float)
    x = np.ones((yi.size, 1))
    dof = yi.size - 1
    alpha = 1 - level

    def solve(target: float) -> float:
        def f(t: float) -> float:
            return q_generalised(yi, vi, x, t) - target

        if f(0.0) <= 0:
            return 0.0
        hi = max(1.0, float(np.var(yi)) * 10)
        while f(hi) > 0:
            hi *= 10
        return float(optimize.brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-14, maxiter=500))

    return solve(float(stats.chi2.ppf(1 - alpha / 2, dof))), solve(
        float(stats.chi2.ppf(alpha / 2, dof))
    )

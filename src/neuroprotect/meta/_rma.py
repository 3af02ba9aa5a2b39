"""Weighted (mixed-effects) meta-regression engine shared by models, subgroups and bias tests.

Private: the public interface is :class:`neuroprotect.meta.models.RandomEffectsMeta`. The
formulas follow metafor's ``rma.uni`` (Viechtbauer 2010, J Stat Softw 36(3)) so that the numbers
agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from neuroprotect.meta._tau2 import (
    MAXITER,
    METHODS,
    Tau2Estimate,
    loglik,
    q_generalised,
    tau2_dl,
    tau2_he,
    tau2_likelihood,
    tau2_pm,
    tau2_sj,
)

__all__ = ["METHODS", "TESTS", "RmaFit", "fit_rma", "q_generalised", "tau2_q_profile_ci"]

#: Inference for the coefficients: normal (z), Knapp-Hartung (knha), Knapp-Hartung with the
#: ad hoc correction s2w >= 1 (adhoc), all as metafor's ``rma.uni(test=...)``.
TESTS: tuple[str, ...] = ("z", "knha", "adhoc")

REML_MAXITER = MAXITER


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
    test: str  # z, knha or adhoc
    converged: bool
    iterations: int
    method: str = "REML"
    loglik: float = float("nan")
    warnings: tuple[str, ...] = ()

    @property
    def knapp_hartung(self) -> bool:
        """True for the t-based tests (``knha``, ``adhoc``)."""
        return self.test != "z"

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


def reml_loglik(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, tau2: float) -> float:
    """Restricted log-likelihood of tau^2 (metafor's ``logLik`` of a REML fit)."""
    return loglik(yi, vi, x, tau2, reml=True)


def resolve_test(test: str | None, knapp_hartung: bool) -> str:
    """The test name from ``test`` (z, knha, adhoc) or the ``knapp_hartung`` synonym."""
    if test is None:
        return "knha" if knapp_hartung else "z"
    t = str(test).lower()
    if t not in TESTS:
        raise ValueError(f"Expected test one of {', '.join(TESTS)}, but got {test!r}")
    if knapp_hartung and t == "z":
        raise ValueError("Expected either knapp_hartung=True or test='z', but got both")
    return t


def estimate_tau2(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, method: str) -> Tau2Estimate:
    """tau^2 by one of :data:`METHODS` (metafor ``rma.uni(method=...)``)."""
    if method == "FE":
        return Tau2Estimate(0.0)
    if method == "DL":
        return Tau2Estimate(tau2_dl(yi, vi, x)[0])
    if method == "HE":
        return Tau2Estimate(tau2_he(yi, vi, x))
    if method == "SJ":
        return Tau2Estimate(tau2_sj(yi, vi, x))
    if method in ("PM", "EB"):
        return Tau2Estimate(tau2_pm(yi, vi, x))
    if method in ("ML", "REML"):
        return tau2_likelihood(yi, vi, x, reml=method == "REML", maxiter=REML_MAXITER)
    raise ValueError(f"Expected method one of {', '.join(METHODS)}, but got {method!r}")


def _se_tau2(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, method: str, tau2: float) -> float:
    """metafor's SE of tau^2: DL by its moment formula, ML/REML from the Fisher information."""
    if method == "DL":
        return tau2_dl(yi, vi, x)[1]
    if method == "REML":
        p, _ = _p_matrix(vi, x, tau2)
        return float(np.sqrt(2 / np.sum(p * p)))
    if method == "ML":
        return float(np.sqrt(2 / np.sum((1 / (vi + tau2)) ** 2)))
    return float("nan")


def fit_rma(
    yi: np.ndarray,
    vi: np.ndarray,
    x: np.ndarray | None = None,
    *,
    method: str = "REML",
    knapp_hartung: bool = False,
    test: str | None = None,
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
        One of :data:`METHODS` (FE, DL, HE, SJ, ML, REML, PM, EB).
    knapp_hartung
        Synonym of ``test="knha"``.
    test
        ``"z"`` (normal), ``"knha"`` (covariance scaled by ``s2w = sum w (y - Xb)^2 / (k - p)``,
        t(k - p)) or ``"adhoc"`` (the same with ``s2w`` raised to at least 1; Knapp and Hartung
        2003, Roever et al. 2015).
    tau2
        Fix tau^2 instead of estimating it.
    """
    yi = np.asarray(yi, float)
    vi = np.asarray(vi, float)
    k = yi.size
    x = np.ones((k, 1)) if x is None else np.asarray(x, float)
    p_ = x.shape[1]
    method = str(method).upper()
    test_name = resolve_test(test, knapp_hartung)
    if tau2 is not None:
        est = Tau2Estimate(float(tau2))
    else:
        est = estimate_tau2(yi, vi, x, method)
    t2 = est.tau2
    se_tau2 = _se_tau2(yi, vi, x, method, t2) if tau2 is None else float("nan")
    w = 1 / (vi + t2)
    xtw = x.T * w
    vcov = np.linalg.inv(xtw @ x)
    beta = vcov @ xtw @ yi
    if test_name != "z":
        resid = yi - x @ beta
        s2w = float(np.sum(w * resid**2) / (k - p_))
        if test_name == "adhoc":
            s2w = max(1.0, s2w)
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
        test=test_name,
        converged=est.converged,
        iterations=est.iterations,
        method=method,
        loglik=est.loglik,
        warnings=est.warnings,
    )


def tau2_q_profile_ci(
    yi: np.ndarray, vi: np.ndarray, x: np.ndarray | None = None, *, level: float = 0.95
) -> tuple[float, float]:
    """Q-profile confidence interval of tau^2 (Viechtbauer 2007; metafor ``confint``).

    Solves ``Q(tau2) = chi2_{1-a/2, k-p}`` (lower) and ``chi2_{a/2, k-p}`` (upper) with the
    generalised Q of the model's design ``x`` (intercept only by default); a bound is 0 when
    Q(0) is already below its target.
    """
    yi = np.asarray(yi, float)
    vi = np.asarray(vi, float)
    x = np.ones((yi.size, 1)) if x is None else np.asarray(x, float)
    dof = yi.size - x.shape[1]
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

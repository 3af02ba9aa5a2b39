"""Estimators of the between-study variance tau^2, as metafor's ``rma.uni`` defines them.

Private: used by :func:`neuroprotect.meta._rma.fit_rma`. Every estimator takes effect sizes
``yi``, sampling variances ``vi`` and a design matrix ``x`` (k, p) and returns tau^2 >= 0.

The likelihood estimators (ML, REML) are maximised globally: Fisher scoring (metafor's update,
step halving at the boundary) from several starting values, plus a bracketed 1-D scan of the
log-likelihood over tau^2 >= 0 whose local maxima are refined and polished. The highest maximum
wins; when several distinct maxima exist, or the likelihood is flat around the estimate, the
result carries a warning. References: Viechtbauer (2005) J Educ Behav Stat 30:261-293;
Viechtbauer (2010) J Stat Softw 36(3); metafor 4.6 documentation of ``rma.uni``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

#: tau^2 estimators offered (metafor names).
METHODS: tuple[str, ...] = ("FE", "DL", "HE", "SJ", "ML", "REML", "PM", "EB")

#: Fisher scoring stops when tau^2 changes by less than this (metafor's default is 1e-5; a
#: tighter threshold moves the estimate closer to the exact maximum, never further from it).
THRESHOLD = 1e-10
MAXITER = 1000
#: Log-likelihood drop below which the likelihood counts as flat (see ``_flatness``).
FLAT_DROP = 0.01


@dataclass(frozen=True)
class Tau2Estimate:
    """An estimate of tau^2 with how it was found."""

    tau2: float
    converged: bool = True
    iterations: int = 0
    loglik: float = float("nan")
    warnings: tuple[str, ...] = ()


def _weights_p(vi: np.ndarray, x: np.ndarray, tau2: float) -> tuple[np.ndarray, np.ndarray]:
    """``w = 1/(vi + tau2)`` and ``P = W - W X (X'WX)^-1 X'W``."""
    w = 1 / (vi + tau2)
    xtw = x.T * w
    p = np.diag(w) - xtw.T @ np.linalg.solve(xtw @ x, xtw)
    return w, p


def q_generalised(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, tau2: float) -> float:
    """Generalised Q ``Y' P(tau2) Y``: the weighted residual sum of squares (never negative)."""
    w = 1 / (vi + tau2)
    xtw = x.T * w
    beta = np.linalg.solve(xtw @ x, xtw @ yi)
    return float(np.sum(w * (yi - x @ beta) ** 2))


def tau2_dl(yi: np.ndarray, vi: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """DerSimonian-Laird (moment) tau^2 and metafor's SE of it."""
    k, p_ = x.shape
    _, p = _weights_p(vi, x, 0.0)
    rss = q_generalised(yi, vi, x, 0.0)
    tr_p = float(np.trace(p))
    tau2 = max(0.0, (rss - (k - p_)) / tr_p)
    se = np.sqrt(
        1 / tr_p**2 * (2 * (k - p_) + 4 * tau2 * tr_p + 2 * tau2**2 * float(np.sum(p * p)))
    )
    return tau2, float(se)


def tau2_he(yi: np.ndarray, vi: np.ndarray, x: np.ndarray) -> float:
    """Hedges (1983) estimator: ``(RSS_OLS - tr(P_OLS V)) / (k - p)``, truncated at 0.

    ``P_OLS = I - X (X'X)^-1 X'`` is the ordinary least-squares residual maker.
    """
    k, p_ = x.shape
    p_ols = np.eye(k) - x @ np.linalg.solve(x.T @ x, x.T)
    rss = float(yi @ p_ols @ yi)
    return max(0.0, (rss - float(np.sum(np.diag(p_ols) * vi))) / (k - p_))


def tau2_sj(yi: np.ndarray, vi: np.ndarray, x: np.ndarray) -> float:
    """Sidik-Jonkman (2005) estimator ``tau0 Q(tau0) / (k - p)`` with ``tau0 = sum (y - ybar)^2/k``.

    Sidik K, Jonkman JN (2005), J Biopharm Stat 15:823-838; metafor ``method="SJ"``.
    """
    k, p_ = x.shape
    tau0 = float(np.sum((yi - yi.mean()) ** 2) / k)
    if tau0 <= 0:
        return 0.0
    return tau0 * q_generalised(yi, vi, x, tau0) / (k - p_)


def _bracket_root(f: Callable[[float], float], hi: float) -> float:
    while f(hi) > 0:
        hi *= 10
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-14, maxiter=500))


def tau2_pm(yi: np.ndarray, vi: np.ndarray, x: np.ndarray) -> float:
    """Paule-Mandel tau^2: the root of ``Q(tau2) = k - p`` (0 when Q(0) <= k - p).

    The empirical Bayes estimator (Morris 1983; metafor ``method="EB"``) solves the same
    equation at convergence, so it gives the same value (checked in tests/meta/test_tau2.py).
    """
    k, p_ = x.shape

    def f(t: float) -> float:
        return q_generalised(yi, vi, x, t) - (k - p_)

    if f(0.0) <= 0:
        return 0.0
    return _bracket_root(f, max(1.0, float(np.var(yi)) * 10))


def loglik(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, tau2: float, *, reml: bool) -> float:
    """Log-likelihood (ML) or restricted log-likelihood (REML) at tau^2, as metafor's logLik."""
    k, p_ = x.shape
    w = 1 / (vi + tau2)
    xtw = x.T * w
    xtwx = xtw @ x
    beta = np.linalg.solve(xtwx, xtw @ yi)
    rss = float(np.sum(w * (yi - x @ beta) ** 2))
    sum_log_v = float(np.sum(np.log(vi + tau2)))
    if not reml:
        return -0.5 * (k * np.log(2 * np.pi) + sum_log_v + rss)
    return float(
        -0.5 * (k - p_) * np.log(2 * np.pi)
        + 0.5 * np.linalg.slogdet(x.T @ x)[1]
        - 0.5 * sum_log_v
        - 0.5 * np.linalg.slogdet(xtwx)[1]
        - 0.5 * rss
    )


def _loglik_grid(
    yi: np.ndarray, vi: np.ndarray, x: np.ndarray, taus: np.ndarray, *, reml: bool
) -> np.ndarray:
    """:func:`loglik` at many tau^2 values at once (the scan of :func:`tau2_likelihood`)."""
    k, p_ = x.shape
    w = 1 / (vi[None, :] + taus[:, None])  # (G, k)
    xtwx = np.einsum("gk,ki,kj->gij", w, x, x)
    xtwy = np.einsum("gk,ki,k->gi", w, x, yi)
    beta = np.linalg.solve(xtwx, xtwy[..., None])[..., 0]
    rss = np.sum(w * (yi[None, :] - beta @ x.T) ** 2, axis=1)
    sum_log_v = np.sum(np.log(vi[None, :] + taus[:, None]), axis=1)
    if not reml:
        return -0.5 * (k * np.log(2 * np.pi) + sum_log_v + rss)
    return (
        -0.5 * (k - p_) * np.log(2 * np.pi)
        + 0.5 * np.linalg.slogdet(x.T @ x)[1]
        - 0.5 * sum_log_v
        - 0.5 * np.linalg.slogdet(xtwx)[1]
        - 0.5 * rss
    )


def _score_step(yi: np.ndarray, vi: np.ndarray, x: np.ndarray, tau2: float, reml: bool) -> float:
    """Fisher scoring step (metafor): REML ``(Y'PPY - tr P)/tr PP``; ML ``(Y'PPY - sum w)/sum w^2``."""
    w, p = _weights_p(vi, x, tau2)
    py = p @ yi
    if reml:
        return float((py @ py - np.trace(p)) / np.sum(p * p))
    return float((py @ py - w.sum()) / np.sum(w**2))


def _fisher(
    yi: np.ndarray, vi: np.ndarray, x: np.ndarray, start: float, reml: bool, maxiter: int
) -> tuple[float, bool, int]:
    """Fisher scoring from ``start``; the step is halved while it would make tau^2 negative."""
    tau2 = max(0.0, start)
    for it in range(1, maxiter + 1):
        adj = _score_step(yi, vi, x, tau2, reml)
        if tau2 == 0 and adj <= 0:  # at the boundary with the score pointing out of it
            return 0.0, True, it
        while tau2 + adj < 0:
            adj /= 2
        tau2 += adj
        if abs(adj) < THRESHOLD:
            return tau2, True, it
    return tau2, False, maxiter


def _scale(yi: np.ndarray, vi: np.ndarray) -> float:
    """Upper end of the scan: far beyond any plausible tau^2 of these data."""
    return 100.0 * (float(np.var(yi)) + float(np.max(vi))) + 1.0


def _scan_maxima(
    yi: np.ndarray, vi: np.ndarray, x: np.ndarray, reml: bool
) -> list[tuple[float, float]]:
    """Local maxima of the log-likelihood on a log-spaced grid over [0, upper], refined."""
    hi = _scale(yi, vi)
    grid = np.concatenate([[0.0], np.geomspace(1e-8 * hi, hi, 240)])
    ll = _loglik_grid(yi, vi, x, grid, reml=reml)
    found = []
    for i in range(grid.size):
        left = ll[i - 1] if i > 0 else -np.inf
        right = ll[i + 1] if i + 1 < grid.size else -np.inf
        if ll[i] >= left and ll[i] >= right:
            lo_t, hi_t = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
            res = optimize.minimize_scalar(
                lambda t: -loglik(yi, vi, x, t, reml=reml),
                bounds=(lo_t, hi_t),
                method="bounded",
                options={"xatol": 1e-12 * max(1.0, hi_t)},
            )
            found.append((float(res.x), -float(res.fun)))
    return found


def _flatness(
    yi: np.ndarray, vi: np.ndarray, x: np.ndarray, tau2: float, ll_max: float, reml: bool
) -> str | None:
    """A warning when halving and doubling tau^2 both change the log-likelihood by < 0.01."""
    if tau2 <= 0:
        return None
    drops = [ll_max - loglik(yi, vi, x, f * tau2, reml=reml) for f in (0.5, 2.0)]
    if max(drops) < FLAT_DROP:
        return (
            f"the {'restricted ' if reml else ''}likelihood is flat in tau^2: halving or doubling "
            f"tau^2 = {tau2:.4g} changes the log-likelihood by less than {FLAT_DROP}; tau^2 is "
            "poorly determined by these studies"
        )
    return None


def tau2_likelihood(
    yi: np.ndarray, vi: np.ndarray, x: np.ndarray, *, reml: bool, maxiter: int = MAXITER
) -> Tau2Estimate:
    """Global ML or REML estimate of tau^2 (see the module notes for the search)."""
    name = "REML" if reml else "ML"
    starts = {0.0, tau2_he(yi, vi, x), tau2_dl(yi, vi, x)[0], tau2_sj(yi, vi, x)}
    starts.add(float(np.var(yi)) + float(np.mean(vi)))
    candidates: list[tuple[float, float, bool, int]] = []
    for s in sorted(starts):
        t, ok, it = _fisher(yi, vi, x, s, reml, maxiter)
        candidates.append((t, loglik(yi, vi, x, t, reml=reml), ok, it))
    for t0, _ in _scan_maxima(yi, vi, x, reml):
        t, ok, it = _fisher(yi, vi, x, t0, reml, maxiter)
        if not ok:  # not polished: the scan's own refinement stands in, as a fallback only
            t = t0
        candidates.append((t, loglik(yi, vi, x, t, reml=reml), ok, it))
    # the boundary tau^2 = 0 is a maximum when the score there is not positive (metafor ll0check)
    if _score_step(yi, vi, x, 0.0, reml) <= 0:
        candidates.append((0.0, loglik(yi, vi, x, 0.0, reml=reml), True, 0))
    converged = [c for c in candidates if c[2]] or candidates
    best = max(converged, key=lambda c: c[1])
    maxima: list[tuple[float, float]] = []
    for t, ll, _, _ in sorted(converged):
        if all(abs(t - m) > 1e-6 * max(1.0, abs(m)) for m, _ in maxima):
            maxima.append((t, ll))
    warnings: list[str] = []
    others = [(t, ll) for t, ll in maxima if abs(t - best[0]) > 1e-6 * max(1.0, best[0])]
    if others:
        listed = ", ".join(f"tau^2 = {t:.4g} (log-likelihood {ll:.4f})" for t, ll in others)
        warnings.append(
            f"the {'restricted ' if reml else ''}likelihood has {len(others) + 1} local maxima: "
            f"the global one, tau^2 = {best[0]:.4g} (log-likelihood {best[1]:.4f}), is reported; "
            f"also {listed}. A {name} fit from a single start could stop at another one"
        )
    flat = _flatness(yi, vi, x, best[0], best[1], reml)
    if flat:
        warnings.append(flat)
    if not any(c[2] for c in candidates):
        warnings.append(f"{name} Fisher scoring did not converge in {maxiter} iterations")
    return Tau2Estimate(
        tau2=best[0],
        converged=any(c[2] for c in candidates),
        iterations=best[3],
        loglik=best[1],
        warnings=tuple(warnings),
    )

"""REML quantities of a linear mixed model with independent subjects, computed block by block.

The model is ``y_i = X_i beta + Z_i b_i + e_i`` with ``b_i ~ N(0, G)``, ``e_i ~ N(0, sigma2 I)``, so
``V_i = Z_i G Z_i' + sigma2 I``. The variance parameters ``theta`` are the lower-triangle
elements of ``G`` (row by row) followed by ``sigma2``; ``V`` is linear in them.

Used by :mod:`neuroprotect.stats.repeated` to polish the statsmodels REML optimum with Newton steps
(analytic gradient and observed information) and to compute Satterthwaite degrees of freedom.

Notes
-----
With ``W = V^-1``, ``C = (X' W X)^-1``, ``P = W - W X C X' W`` and ``D_j = dV/dtheta_j``:

- REML log-likelihood: ``l = -1/2 [log|V| + log|X'WX| + y'Py + (n - p) log(2 pi)]``;
- gradient: ``dl/dtheta_j = -1/2 [tr(P D_j) - y'P D_j P y]``;
- observed information: ``I_jk = y'P D_j P D_k P y - 1/2 tr(P D_j P D_k)``;
- ``dC/dtheta_j = C (X'W D_j W X) C``.

Satterthwaite (1946) degrees of freedom of a coefficient ``l``: ``2 C_ll^2 / (g' I^-1 g)`` with
``g_j = (dC/dtheta_j)_ll``, the method of lmerTest (Kuznetsova et al. 2017, J Stat Softw 82(13)),
which uses the numerically differentiated Hessian of the REML deviance instead of the analytic one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

Array = NDArray[np.float64]


@dataclass
class RemlState:
    """REML quantities at one value of the variance parameters."""

    theta: Array
    beta: Array
    cov_beta: Array
    loglik: float
    gradient: Array
    information: Array
    dcov: list[Array]


def theta_from(g: Array, sigma2: float) -> Array:
    """Variance parameter vector from ``G`` and ``sigma2``."""
    rows, cols = np.tril_indices(g.shape[0])
    return np.append(g[rows, cols], sigma2)


def g_from(theta: Array, q: int) -> tuple[Array, float]:
    """``G`` and ``sigma2`` from the variance parameter vector."""
    g = np.zeros((q, q))
    rows, cols = np.tril_indices(q)
    g[rows, cols] = theta[:-1]
    g[cols, rows] = theta[:-1]
    return g, float(theta[-1])


def _unit(q: int, a: int, b: int) -> Array:
    e = np.zeros((q, q))
    e[a, b] = e[b, a] = 1.0
    return e


def reml_state(
    y: list[Array], x: list[Array], z: list[Array], theta: Array, *, with_information: bool = True
) -> RemlState:
    """REML log-likelihood, gradient, observed information and ``dC/dtheta`` at ``theta``.

    Parameters
    ----------
    y, x, z
        Per-subject response vectors, fixed-effect design blocks and random-effect design blocks.
    theta
        Variance parameters (lower triangle of ``G`` row by row, then ``sigma2``).
    """
    q = z[0].shape[1]
    p = x[0].shape[1]
    g, sigma2 = g_from(theta, q)
    units = [_unit(q, int(a), int(b)) for a, b in zip(*np.tril_indices(q), strict=True)]
    n_par = len(units) + 1
    n = sum(len(v) for v in y)

    w_blocks, logdet_v = [], 0.0
    xtwx, xtwy = np.zeros((p, p)), np.zeros(p)
    for yi, xi, zi in zip(y, x, z, strict=True):
        vi = zi @ g @ zi.T + sigma2 * np.eye(len(yi))
        sign, logdet = np.linalg.slogdet(vi)
        if sign <= 0:
            raise np.linalg.LinAlgError("V is not positive definite")
        logdet_v += logdet
        wi = np.linalg.inv(vi)
        w_blocks.append(wi)
        xtwx += xi.T @ wi @ xi
        xtwy += xi.T @ wi @ yi
    cov_beta = np.asarray(np.linalg.inv(xtwx), dtype=np.float64)
    beta = np.asarray(cov_beta @ xtwy, dtype=np.float64)
    resid = [yi - xi @ beta for yi, xi in zip(y, x, strict=True)]
    r = [wi @ ei for wi, ei in zip(w_blocks, resid, strict=True)]  # P y, block by block
    ypy = float(sum(ei @ ri for ei, ri in zip(resid, r, strict=True)))
    loglik = -0.5 * (logdet_v + np.linalg.slogdet(xtwx)[1] + ypy + (n - p) * np.log(2 * np.pi))

    # D_j blocks: Z E_ab Z' for G elements, identity for sigma2
    def d_block(j: int, zi: Array) -> Array:
        return zi @ units[j] @ zi.T if j < len(units) else np.eye(zi.shape[0])

    tr_wd = np.zeros(n_par)
    q_mats = [np.zeros((p, p)) for _ in range(n_par)]
    rdr = np.zeros(n_par)
    d_all = [[d_block(j, zi) for j in range(n_par)] for zi in z]
    for i, (wi, xi, ri) in enumerate(zip(w_blocks, x, r, strict=True)):
        wx = wi @ xi
        for j in range(n_par):
            dij = d_all[i][j]
            tr_wd[j] += np.sum(wi * dij)
            q_mats[j] += wx.T @ dij @ wx
            rdr[j] += ri @ dij @ ri
    tr_pd = tr_wd - np.array([np.sum(cov_beta * qm.T) for qm in q_mats])
    gradient = -0.5 * (tr_pd - rdr)
    dcov = [cov_beta @ qm @ cov_beta for qm in q_mats]

    information = np.full((n_par, n_par), np.nan)
    if with_information:
        tr_wdwd = np.zeros((n_par, n_par))
        r_mats = [[np.zeros((p, p)) for _ in range(n_par)] for _ in range(n_par)]
        awa = np.zeros((n_par, n_par))
        xwa = [np.zeros(p) for _ in range(n_par)]
        for i, (wi, xi, ri) in enumerate(zip(w_blocks, x, r, strict=True)):
            wd = [wi @ d_all[i][j] for j in range(n_par)]
            wx = wi @ xi
            a = [d_all[i][j] @ ri for j in range(n_par)]
            for j in range(n_par):
                xwa[j] += xi.T @ (wi @ a[j])
                for k in range(j, n_par):
                    tr_wdwd[j, k] += np.sum(wd[j] * wd[k].T)
                    r_mats[j][k] += wx.T @ d_all[i][j] @ wd[k] @ wx
                    awa[j, k] += a[j] @ wi @ a[k]
        for j in range(n_par):
            for k in range(j, n_par):
                tr_pdpd = (
                    tr_wdwd[j, k]
                    - 2 * np.sum(cov_beta * r_mats[j][k].T)
                    + np.sum((cov_beta @ q_mats[j]) * (cov_beta @ q_mats[k]).T)
                )
                ypdpdpy = awa[j, k] - xwa[j] @ cov_beta @ xwa[k]
                information[j, k] = information[k, j] = ypdpdpy - 0.5 * tr_pdpd
    return RemlState(theta, beta, cov_beta, float(loglik), gradient, information, dcov)


def polish_theta(
    y: list[Array], x: list[Array], z: list[Array], theta: Array, *, steps: int = 8
) -> RemlState:
    """Newton steps on the REML log-likelihood from a nearby optimum (e.g. statsmodels').

    A step is taken only if it raises the log-likelihood and keeps ``G`` positive semi-definite
    and ``sigma2`` positive; otherwise the current point is kept.
    """
    q = z[0].shape[1]
    state = reml_state(y, x, z, theta)
    for _ in range(steps):
        try:
            step = np.linalg.solve(state.information, state.gradient)
        except np.linalg.LinAlgError:
            break
        accepted = False
        for shrink in (1.0, 0.5, 0.25):
            cand = state.theta + shrink * step
            g, s2 = g_from(cand, q)
            if s2 <= 0 or np.linalg.eigvalsh(g).min() < 0:
                continue
            try:
                new = reml_state(y, x, z, cand)
            except np.linalg.LinAlgError:
                continue
            if new.loglik >= state.loglik - 1e-12 * abs(state.loglik):
                accepted = True
                break
        if not accepted:
            break
        done = np.max(np.abs(new.theta - state.theta) / np.maximum(np.abs(state.theta), 1e-12))
        state = new
        if done < 1e-12:
            break
    return state


def optimize_theta(y: list[Array], x: list[Array], z: list[Array], theta0: Array) -> Array:
    """Maximise the REML log-likelihood from ``theta0`` with a quasi-Newton search.

    Searches over ``log sigma2`` and the Cholesky factor of ``G / sigma2`` (so every point is a
    valid covariance); used when the statsmodels fit fails, before :func:`polish_theta`.
    """
    q = z[0].shape[1]
    rows, cols = np.tril_indices(q)
    g0, s0 = g_from(theta0, q)
    chol0 = np.linalg.cholesky(g0 / s0 + 1e-8 * np.eye(q))

    def unpack(par: Array) -> Array:
        chol = np.zeros((q, q))
        chol[rows, cols] = par[1:]
        s2 = float(np.exp(par[0]))
        return theta_from(s2 * chol @ chol.T, s2)

    def objective(par: Array) -> float:
        try:
            return -reml_state(y, x, z, unpack(par), with_information=False).loglik
        except np.linalg.LinAlgError:
            return np.inf

    start = np.r_[np.log(s0), chol0[rows, cols]]
    best = optimize.minimize(
        objective,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
    )
    return unpack(best.x)


def boundary_state(y: list[Array], x: list[Array], z: list[Array], current: RemlState) -> RemlState:
    """The REML state with all random-effect variances at zero, if it is at least as good.

    At ``G = 0`` the REML estimate of ``sigma2`` is the OLS residual variance ``RSS / (n - p)``.
    Newton steps cannot reach this boundary optimum, so it is checked explicitly.
    """
    q = z[0].shape[1]
    yy, xx = np.concatenate(y), np.vstack(x)
    if len(yy) <= xx.shape[1]:  # no residual degrees of freedom: the boundary is undefined
        return current
    beta, *_ = np.linalg.lstsq(xx, yy, rcond=None)
    rss = float(np.sum((yy - xx @ beta) ** 2))
    theta = theta_from(np.zeros((q, q)), rss / (len(yy) - xx.shape[1]))
    cand = reml_state(y, x, z, theta)
    return cand if cand.loglik >= current.loglik - 1e-10 * abs(current.loglik) else current


def satterthwaite_df(state: RemlState) -> Array:
    """Satterthwaite degrees of freedom of each fixed-effect coefficient (NaN if not computable)."""
    try:
        cov_theta = np.linalg.inv(state.information)
    except np.linalg.LinAlgError:
        return np.full(len(state.beta), np.nan)
    if not np.all(np.isfinite(cov_theta)) or np.linalg.eigvalsh(cov_theta).min() <= 0:
        return np.full(len(state.beta), np.nan)
    out = np.empty(len(state.beta))
    for ell in range(len(state.beta)):
        grad = np.array([dc[ell, ell] for dc in state.dcov])
        denom = grad @ cov_theta @ grad
        out[ell] = 2 * state.cov_beta[ell, ell] ** 2 / denom if denom > 0 else np.nan
    return out

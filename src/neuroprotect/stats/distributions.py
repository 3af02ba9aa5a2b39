"""Distribution of Dunnett's many-to-one statistic, by deterministic quadrature.

R ``multcomp`` and ``scipy.stats.dunnett`` integrate the multivariate t by randomised Monte Carlo
(Genz-Bretz), so repeated calls differ in the 4th decimal. For Dunnett's contrasts (each group
minus one shared control) the correlation matrix has the product form
``ρ_ij = λ_i λ_j`` with ``λ_i = sqrt(n_i / (n_i + n_0))``, which reduces the k-dimensional
integral to two dimensions (Dunnett 1955, section 2). We evaluate those with fixed
Gauss-Legendre rules: the result is reproducible and accurate to about 1e-9.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import optimize, special, stats

from neuroprotect.errors import InputError

__all__ = ["ALTERNATIVES", "dunnett_critical_value", "dunnett_pvalue"]

_Z_NODES = 160
_S_NODES = 160
_Z_MAX = 9.0


@lru_cache(maxsize=64)
def _s_rule(dof: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for S = sqrt(χ²_ν / ν) (density included in the weights)."""
    if not np.isfinite(dof):
        return np.array([1.0]), np.array([1.0])
    lo = np.sqrt(stats.chi2.ppf(1e-14, dof) / dof)
    hi = np.sqrt(stats.chi2.isf(1e-14, dof) / dof)
    x, w = np.polynomial.legendre.leggauss(_S_NODES)
    s = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
    dens = 2 * dof * s * stats.chi2.pdf(dof * s**2, dof)
    return s, 0.5 * (hi - lo) * w * dens


@lru_cache(maxsize=1)
def _z_rule() -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(_Z_NODES)
    z = _Z_MAX * x
    return z, _Z_MAX * w * stats.norm.pdf(z)


def _tail(c: float, lam: np.ndarray, dof: float, *, two_sided: bool = True) -> float:
    """P(max_i |T_i| > c) (two-sided) or P(max_i T_i > c) for Dunnett's correlated t's."""
    s, ws = _s_rule(float(dof))
    z, wz = _z_rule()
    tau = np.sqrt(1 - lam**2)
    cs = c * s[:, None, None]
    lz = lam[None, None, :] * z[None, :, None]
    # per-contrast probability of exceeding c given (s, z), computed as a tail for precision
    q = special.ndtr((-cs + lz) / tau)
    if two_sided:
        q = q + special.ndtr((-cs - lz) / tau)
    q = np.clip(q, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        p_any = -np.expm1(np.sum(np.log1p(-q), axis=2))
    return float(np.clip(ws @ p_any @ wz, 0.0, 1.0))


def _lambdas(n_groups: np.ndarray, n_control: int) -> np.ndarray:
    n = np.asarray(n_groups, dtype=float)
    return np.sqrt(n / (n + n_control))


ALTERNATIVES = ("two-sided", "greater", "less")


def _check_alternative(alternative: str) -> None:
    if alternative not in ALTERNATIVES:
        raise InputError(
            f"Expected an alternative among {', '.join(ALTERNATIVES)}, but got {alternative!r}",
            field="alternative",
        )


def dunnett_pvalue(
    t: float,
    *,
    n_groups: np.ndarray | list[int],
    n_control: int,
    dof: float,
    alternative: str = "two-sided",
) -> float:
    """Single-step adjusted p-value of Dunnett's test.

    Parameters
    ----------
    t
        Observed t statistic of one contrast (group minus control).
    n_groups
        Sizes of all treated groups of the family (the contrasts compared with the control).
    n_control
        Size of the control group.
    dof
        Residual degrees of freedom of the one-way ANOVA (N - k).
    alternative
        ``"two-sided"``, ``"greater"`` (group mean above control) or ``"less"``.

    Returns
    -------
    float
        ``P(max_i |T_i| >= |t|)`` (two-sided), ``P(max_i T_i >= t)`` (greater) or
        ``P(min_i T_i <= t)`` (less) under the null hypothesis, as R
        ``summary(glht(aov, mcp(g = "Dunnett"), alternative = ...))`` (single-step).

    Notes
    -----
    ``P(max |T_i| <= c) = ∫ f_S(s) ∫ φ(z) Π_i [Φ((cs - λ_i z)/τ_i) - Φ((-cs - λ_i z)/τ_i)] dz ds``
    with ``τ_i = sqrt(1 - λ_i²)``, S the chi distribution scaled by ``sqrt(ν)``
    (Dunnett 1955; Hothorn, Bretz & Westfall 2008); one-sided: ``Π_i Φ((cs - λ_i z)/τ_i)``.
    """
    _check_alternative(alternative)
    lam = _lambdas(np.asarray(n_groups), n_control)
    if alternative == "two-sided":
        return _tail(abs(float(t)), lam, dof)
    c = float(t) if alternative == "greater" else -float(t)
    return _tail(c, lam, dof, two_sided=False)


def dunnett_critical_value(
    *,
    n_groups: np.ndarray | list[int],
    n_control: int,
    dof: float,
    level: float = 0.95,
    alternative: str = "two-sided",
) -> float:
    """Critical value c of the simultaneous intervals.

    Two-sided: ``P(max |T_i| <= c) = level`` (intervals ``est ± c SE``); one-sided:
    ``P(max T_i <= c) = level`` (bounds ``est - c SE`` for "greater", ``est + c SE`` for "less").
    """
    _check_alternative(alternative)
    lam = _lambdas(np.asarray(n_groups), n_control)
    two = alternative == "two-sided"
    alpha = 1 - level
    return float(
        optimize.brentq(lambda c: _tail(c, lam, dof, two_sided=two) - alpha, 0.0, 50.0, xtol=1e-10)
    )

"""Analytic power and sample size: two-group t-test and one-way ANOVA.

The calculations reproduce R ``pwr`` (Champely, pwr 1.3-0): ``pwr.t.test``, ``pwr.t2n.test`` and
``pwr.anova.test``. :func:`neuroprotect.stats.sample_size.sample_size` wraps them for study
planning (control-comparison adjustment, attrition, rounding, method text) and is what
``neuroprotect stats power`` (and ``neuroprotect design power``) call. The power of the water-maze
design (group x day) by simulation is in :mod:`neuroprotect.stats.power_simulation`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from scipy import optimize, stats

from neuroprotect.errors import InputError

__all__ = [
    "Alternative",
    "check_alpha",
    "check_power",
    "compute_effect_size_t",
    "compute_n_anova",
    "compute_n_t",
    "compute_power_anova",
    "compute_power_t",
    "compute_power_t2n",
]

Alternative = Literal["two-sided", "greater", "less"]
TKind = Literal["two-sample", "one-sample", "paired"]
_N_MAX = 1e9  # pwr's uniroot upper bound


def check_alpha(alpha: float) -> None:
    """Refuse a significance level outside (0, 1)."""
    if not 0 < alpha < 1:
        raise InputError(f"Expected alpha between 0 and 1, but got {alpha}", field="alpha")


def _power_from_ncp(ncp: float, nu: float, alpha: float, alternative: Alternative) -> float:
    if alternative == "two-sided":
        qu = stats.t.isf(alpha / 2, nu)
        return float(stats.nct.sf(qu, nu, ncp) + stats.nct.cdf(-qu, nu, ncp))
    if alternative == "greater":
        return float(stats.nct.sf(stats.t.isf(alpha, nu), nu, ncp))
    if alternative == "less":
        return float(stats.nct.cdf(stats.t.ppf(alpha, nu), nu, ncp))
    raise InputError(
        f"Expected alternative 'two-sided', 'greater' or 'less', but got {alternative!r}",
        field="alternative",
    )


def compute_power_t(
    *,
    d: float,
    n: float,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    kind: TKind = "two-sample",
) -> float:
    """Power of a t-test (R ``pwr.t.test``).

    Parameters
    ----------
    d
        Cohen's d: difference in means divided by the (common) SD.
    n
        Animals per group (two-sample) or pairs/animals (one-sample, paired); may be fractional.
    alpha
        Significance level.
    alternative
        ``"two-sided"``, ``"greater"`` or ``"less"``.
    kind
        ``"two-sample"``, ``"one-sample"`` or ``"paired"``.

    Returns
    -------
    float
        Power, probability of rejecting H0.

    Notes
    -----
    Noncentral t: ``nu = (n - 1) * s``, ``ncp = d * sqrt(n / s)``, ``s = 2`` for two samples and 1
    otherwise; two-sided power ``P(T > t_{1-alpha/2}) + P(T < -t_{1-alpha/2})`` with
    ``T ~ t(nu, ncp)`` (Cohen 1988, ch. 2; as pwr).
    """
    check_alpha(alpha)
    s = 2 if kind == "two-sample" else 1
    if kind not in ("two-sample", "one-sample", "paired"):
        raise InputError(f"Expected a two-sample, one-sample or paired t-test, but got {kind!r}")
    if n <= 1:
        raise InputError(f"Expected n greater than 1, but got {n}", field="n")
    return _power_from_ncp(d * math.sqrt(n / s), (n - 1) * s, alpha, alternative)


def compute_power_t2n(
    *, d: float, n1: float, n2: float, alpha: float = 0.05, alternative: Alternative = "two-sided"
) -> float:
    """Power of a two-sample t-test with unequal group sizes (R ``pwr.t2n.test``).

    Notes
    -----
    ``nu = n1 + n2 - 2``, ``ncp = d / sqrt(1/n1 + 1/n2)``.
    """
    check_alpha(alpha)
    if min(n1, n2) < 2:
        raise InputError(f"Expected at least 2 animals per group, but got {n1} and {n2}")
    return _power_from_ncp(d / math.sqrt(1 / n1 + 1 / n2), n1 + n2 - 2, alpha, alternative)


def _solve(fun: Any, lo: float, hi: float) -> float:
    """Root of an increasing ``fun`` above ``lo``: bracket by doubling, then Brent."""
    b = lo + 1.0
    while fun(b) < 0:
        lo, b = b, 2 * b
        if b > hi:
            raise InputError("Expected an effect large enough to reach the power, but it is not")
    return float(optimize.brentq(fun, lo, b, xtol=1e-12, rtol=1e-14, maxiter=500))


def check_power(power: float, alpha: float) -> None:
    """Refuse a target power outside (alpha, 1)."""
    if not alpha < power < 1:
        raise InputError(
            f"Expected a target power between alpha ({alpha}) and 1, but got {power}", field="power"
        )


def compute_n_t(
    *,
    d: float,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    kind: TKind = "two-sample",
) -> float:
    """Animals per group for a t-test to reach ``power`` (R ``pwr.t.test(d=, power=)$n``).

    Returns the exact (fractional) n; round it up to plan a study. Returns 2.0 (the smallest n
    with a t-test) when even n = 2 reaches the target.
    """
    check_power(power, alpha)
    if d == 0 or not np.isfinite(d):
        raise InputError(f"Expected a non-zero effect size, but got {d}", field="effect_size")
    if alternative == "two-sided":
        d = abs(d)
    elif (alternative == "greater") != (d > 0):
        raise InputError(f"Expected an effect in the direction of {alternative!r}, but got {d}")

    def gap(n: float) -> float:
        return compute_power_t(d=d, n=n, alpha=alpha, alternative=alternative, kind=kind) - power

    lo = 2 + 1e-10
    if gap(lo) >= 0:
        return 2.0
    return _solve(gap, lo, _N_MAX)


def compute_effect_size_t(
    *,
    n: float,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    kind: TKind = "two-sample",
) -> float:
    """Smallest Cohen's d detectable with ``n`` per group (R ``pwr.t.test(n=, power=)$d``)."""
    check_power(power, alpha)
    sign = -1.0 if alternative == "less" else 1.0

    def gap(d: float) -> float:
        return (
            compute_power_t(d=sign * d, n=n, alpha=alpha, alternative=alternative, kind=kind)
            - power
        )

    return sign * _solve(gap, 1e-10, 1e3)


def compute_power_anova(*, f: float, k: int, n: float, alpha: float = 0.05) -> float:
    """Power of a balanced one-way ANOVA (R ``pwr.anova.test``).

    Parameters
    ----------
    f
        Cohen's f: SD of the group means divided by the within-group SD
        (``f = sqrt(eta2 / (1 - eta2))``).
    k
        Number of groups.
    n
        Animals per group.

    Notes
    -----
    Noncentral F with ``lambda = k * n * f^2``, ``df = (k - 1, k (n - 1))`` (Cohen 1988, ch. 8).
    """
    check_alpha(alpha)
    if k < 2:
        raise InputError(f"Expected at least 2 groups, but got {k}", field="groups")
    if n <= 1:
        raise InputError(f"Expected n greater than 1, but got {n}", field="n")
    df1, df2 = k - 1, (n - 1) * k
    crit = stats.f.isf(alpha, df1, df2)
    return float(stats.ncf.sf(crit, df1, df2, k * n * f**2))


def compute_n_anova(*, f: float, k: int, power: float = 0.8, alpha: float = 0.05) -> float:
    """Animals per group for a one-way ANOVA (R ``pwr.anova.test(k=, f=, power=)$n``)."""
    check_power(power, alpha)
    if f <= 0 or not np.isfinite(f):
        raise InputError(f"Expected a positive Cohen's f, but got {f}", field="effect_size")

    def gap(n: float) -> float:
        return compute_power_anova(f=f, k=k, n=n, alpha=alpha) - power

    lo = 2 + 1e-10
    if gap(lo) >= 0:
        return 2.0
    return _solve(gap, lo, _N_MAX)

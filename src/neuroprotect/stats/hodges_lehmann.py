"""Hodges-Lehmann location shift with its confidence interval (two independent samples).

The estimate and interval that go with the Mann-Whitney U test, as R
``wilcox.test(x, y, conf.int = TRUE)`` computes them: the median of all ``n_x n_y`` pairwise
differences ``x_i - y_j``, and the interval obtained by inverting the rank-sum test (exact when
there are no ties and both samples have fewer than 50 values, else the normal approximation with
tie and continuity corrections).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from neuroprotect.errors import InputError

__all__ = [
    "HodgesLehmann",
    "hodges_lehmann",
    "hodges_lehmann_or_point",
    "wilcoxon_rank_sum_counts",
]


@dataclass(frozen=True)
class HodgesLehmann:
    """A location shift ``x - y`` with its confidence interval.

    Attributes
    ----------
    estimate
        Median of the pairwise differences ``x_i - y_j``.
    ci_low, ci_high
        Confidence limits.
    conf_level
        The confidence level the interval has: the requested level, or (exact interval with
        very small samples, as R) the lower level that is achievable.
    exact
        True for the exact (Moses) interval, False for the normal approximation.
    """

    estimate: float
    ci_low: float
    ci_high: float
    conf_level: float
    exact: bool


def wilcoxon_rank_sum_counts(m: int, n: int) -> np.ndarray:
    """Null frequencies of the Mann-Whitney U for sample sizes ``m`` and ``n`` (no ties).

    Element ``u`` is the number of the ``C(m + n, m)`` rank arrangements with ``U = u``
    (R ``dwilcox(u, m, n) * choose(m + n, m)``). Uses the recursion of the number of partitions
    of ``u`` into at most ``m`` parts no larger than ``n`` (Gaussian binomial coefficient).
    """
    # Coefficients of prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i), one factor at a time, in exact
    # integer arithmetic (the counts reach C(98, 49) ~ 2.5e28).
    size = m * n + 1
    counts = [1] + [0] * (size - 1)
    for i in range(1, m + 1):
        shift = n + i  # multiply by (1 - q^shift) ...
        for k in range(size - 1, shift - 1, -1):
            counts[k] -= counts[k - shift]
        for k in range(i, size):  # ... and divide by (1 - q^i)
            counts[k] += counts[k - i]
    return np.array(counts, dtype=float)


def _exact_ci(diffs: np.ndarray, m: int, n: int, conf_level: float) -> tuple[float, float, float]:
    """R's exact interval: ``(D[qu], D[m n - qu + 1])`` with ``qu = qwilcox(alpha / 2, m, n)``."""
    alpha = 1 - conf_level
    counts = wilcoxon_rank_sum_counts(m, n)
    cdf = np.cumsum(counts) / counts.sum()
    qu = int(np.argmax(cdf >= alpha / 2 - 10 * np.finfo(float).eps))  # R qwilcox
    qu = max(qu, 1)
    achieved_alpha = 2 * float(cdf[qu - 1])  # R: 2 * pwilcox(qu - 1, m, n)
    level = conf_level
    if achieved_alpha - alpha > alpha / 2:  # R: "requested conf.level not achievable"
        level = 1 - float(f"{achieved_alpha:.2g}")
    return float(diffs[qu - 1]), float(diffs[m * n - qu]), level


def _asymptotic_ci(
    x: np.ndarray, y: np.ndarray, diffs: np.ndarray, conf_level: float
) -> tuple[float, float]:
    """R's normal-approximation interval, found exactly instead of by ``uniroot``.

    R solves ``W(d) = z`` for the continuity-corrected standardised rank sum ``W`` of
    ``x - d`` against ``y``. ``W`` is a decreasing step function of ``d`` that jumps only at
    pairwise differences, so each root is the pairwise difference at which ``W`` crosses
    ``z``; ``uniroot`` (tolerance 1e-4) finds the same point up to that tolerance.
    """
    m, n = len(x), len(y)
    big_n = m + n

    def w(d: float) -> float:
        ranks = stats.rankdata(np.concatenate([x - d, y]))
        _, ties = np.unique(ranks, return_counts=True)
        dz = ranks[:m].sum() - m * (m + 1) / 2 - m * n / 2
        sigma = np.sqrt(
            (m * n / 12) * ((big_n + 1) - np.sum(ties**3 - ties) / (big_n * (big_n - 1)))
        )
        return float((dz - np.sign(dz) * 0.5) / sigma)

    points = np.unique(diffs)
    # W between consecutive jump points (constant there), and beyond both ends
    mids = np.concatenate([[points[0] - 1.0], (points[:-1] + points[1:]) / 2, [points[-1] + 1.0]])
    w_mid = np.array([w(d) for d in mids])
    lo_d, hi_d = float(diffs[0]), float(diffs[-1])  # R's mumin, mumax

    def root(zq: float) -> float:
        if w(lo_d) - zq <= 0:
            return lo_d
        if w(hi_d) - zq >= 0:
            return hi_d
        # first interval where W <= zq: the crossing is at the jump point on its left
        k = int(np.argmax(w_mid - zq <= 0))
        return float(points[k - 1])

    z = float(stats.norm.isf((1 - conf_level) / 2))
    return root(z), root(-z)


def hodges_lehmann(
    x: np.ndarray | list[float],
    y: np.ndarray | list[float],
    *,
    conf_level: float = 0.95,
    exact: bool | None = None,
) -> HodgesLehmann:
    """Hodges-Lehmann shift ``x - y`` and its two-sided confidence interval (R ``wilcox.test``).

    Parameters
    ----------
    x, y
        The two samples (finite values).
    conf_level
        Confidence level of the interval.
    exact
        Exact interval; default (None) as R: exact when both samples have fewer than 50 values
        and there are no ties. An exact interval with ties is refused (R would silently fall back).
        Two samples that each hold one repeated value are refused, as by R (no interval).

    Returns
    -------
    HodgesLehmann
        Estimate = median of the pairwise differences (R ``estimate``, "difference in location").
        Exact interval: ``(D_(k), D_(mn + 1 - k))`` with ``k = qwilcox(alpha / 2, m, n)``
        (Bauer 1972; Hollander & Wolfe 1973, sec. 4.3). Normal approximation: the pairwise
        differences at which the continuity-corrected, tie-corrected z of the rank-sum test of
        ``x - d`` against ``y`` crosses ``-/+ z_{1 - alpha/2}``.

    Notes
    -----
    For the normal approximation R finds the estimate by ``uniroot`` of the uncorrected z
    (tolerance 1e-4); when ``m n`` is even the root is not unique (any point between the two
    middle differences) and we report the midpoint, i.e. the median of the differences. The
    limits agree with R to ``uniroot``'s tolerance.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 1 or len(y) < 1:
        raise InputError(f"Expected values in both samples, but got {len(x)} and {len(y)}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError("Expected finite values for the Hodges-Lehmann shift, but got NaN/inf")
    if not 0 < conf_level < 1:
        raise InputError(f"Expected a confidence level between 0 and 1, but got {conf_level}")
    both = np.concatenate([x, y])
    has_ties = len(np.unique(both)) < len(both)
    if exact is None:
        exact = len(x) < 50 and len(y) < 50 and not has_ties
    elif exact and has_ties:
        raise InputError("Expected no ties for the exact interval, but the samples have ties")
    if np.ptp(both) == 0:
        raise InputError(
            "Expected values that are not all equal, but every value is "
            f"{both[0]:g} (no confidence interval for the shift)"
        )
    if np.ptp(x) == 0 and np.ptp(y) == 0:  # R: "cannot compute confidence interval when all
        # observations are tied" (the shifted samples are all equal at the ends of the range)
        raise InputError(
            "Expected variation within at least one sample, but each holds one repeated value "
            f"({x[0]:g} and {y[0]:g}): the shift is {x[0] - y[0]:g} with no confidence interval"
        )
    diffs = np.sort(np.subtract.outer(x, y).ravel())
    estimate = float(np.median(diffs))
    if exact:
        low, high, level = _exact_ci(diffs, len(x), len(y), conf_level)
    else:
        low, high = _asymptotic_ci(x, y, diffs, conf_level)
        level = conf_level
    return HodgesLehmann(estimate, low, high, level, bool(exact))


def hodges_lehmann_or_point(
    x: np.ndarray | list[float], y: np.ndarray | list[float], *, conf_level: float = 0.95
) -> HodgesLehmann:
    """:func:`hodges_lehmann`, or, when each sample holds one repeated value, the shift without
    an interval.

    Then every pairwise difference is the same number: it is the estimate, and ``ci_low``,
    ``ci_high`` and ``conf_level`` are NaN (R ``wilcox.test(conf.int = TRUE)`` stops there).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) and len(y) and np.ptp(x) == 0 and np.ptp(y) == 0:
        return HodgesLehmann(float(x[0] - y[0]), np.nan, np.nan, np.nan, exact=False)
    return hodges_lehmann(x, y, conf_level=conf_level)

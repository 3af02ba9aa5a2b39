"""Jonckheere-Terpstra test of a monotone trend in location across ordered doses.

Part of the trend tests of :mod:`neuroprotect.stats.trend` (which re-exports these names).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats._dose_groups import Alternative, check_alternative, dose_groups

__all__ = ["EXACT_MAX_N", "jonckheere_null_distribution", "jonckheere_terpstra"]

EXACT_MAX_N = 100


def _gaussian_binomial(n_total: int, k: int) -> list[int]:
    """Coefficients of the Gaussian binomial [n_total choose k]_q (Mann-Whitney U counts)."""
    poly = [1]
    for i in range(1, k + 1):
        a = n_total - k + i
        new = poly + [0] * a
        for j, coef in enumerate(poly):
            new[j + a] -= coef
        for j in range(i, len(new)):  # exact division by (1 - q^i)
            new[j] += new[j - i]
        poly = new[: len(poly) + a - i]
    return poly


def _convolve(p: list[int], q: list[int]) -> list[int]:
    out = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return out


def jonckheere_null_distribution(sizes: list[int] | tuple[int, ...]) -> np.ndarray:
    """Exact null distribution of the Jonckheere-Terpstra J for groups of these sizes (no ties).

    Returns
    -------
    numpy.ndarray
        ``P(J = j)`` for j = 0 .. sum_{i<l} n_i n_l.

    Notes
    -----
    Under H0 the Mann-Whitney count of group l against the pooled groups 1..l-1 is independent of
    the earlier counts, and its distribution is given by the Gaussian binomial coefficient; J is
    their sum, so its counts are the product of Gaussian binomials (integer arithmetic, then
    divided by the multinomial coefficient).
    """
    counts = [1]
    pooled = sizes[0]
    for n in sizes[1:]:
        counts = _convolve(counts, _gaussian_binomial(pooled + n, n))
        pooled += n
    total = sum(counts)
    return np.array([c / total for c in counts])


def jonckheere_terpstra(
    data: pd.DataFrame,
    *,
    dv: str,
    dose: str,
    alternative: Alternative = "two-sided",
    method: Literal["auto", "exact", "normal"] = "auto",
) -> pd.DataFrame:
    """Jonckheere-Terpstra test of a monotone trend of the response with dose.

    Parameters
    ----------
    data
        One row per animal.
    dv
        Response column.
    dose
        Numeric dose column; groups are ordered by increasing dose.
    alternative
        ``"increasing"`` (response rises with dose), ``"decreasing"`` or ``"two-sided"``.
    method
        ``"auto"``: exact when there are no ties and N < 100, else the normal approximation;
        ``"exact"`` (no ties only) or ``"normal"``.

    Returns
    -------
    pandas.DataFrame
        One row: ``test`` ("jonckheere-terpstra"), ``statistic`` (J), ``mean`` and ``variance`` of J
        under H0, ``z`` (standardised J), ``p_val``, ``alternative``, ``method`` ("exact" or
        "normal"), ``n``, ``n_groups``.

    Notes
    -----
    J = sum over dose pairs i < l of #{(a, b): a in group i, b in group l, a < b} + 0.5 #{a = b}.
    E(J) = (N^2 - sum n_i^2) / 4. The variance is Hollander & Wolfe (1999, eq. 6.19), which corrects
    for ties (t_j = sizes of tied runs):
    [N(N-1)(2N+5) - sum n_i(n_i-1)(2n_i+5) - sum t_j(t_j-1)(2t_j+5)] / 72
    + [sum n_i(n_i-1)(n_i-2)] [sum t_j(t_j-1)(t_j-2)] / [36 N(N-1)(N-2)]
    + [sum n_i(n_i-1)] [sum t_j(t_j-1)] / [8 N(N-1)].
    The normal approximation uses no continuity correction. The exact p-value sums the exact null
    distribution (:func:`jonckheere_null_distribution`); two-sided p = min(1, 2 min(P(J <= j),
    P(J >= j))), as R clinfun/PMCMRplus.

    References
    ----------
    Hollander M, Wolfe DA (1999) Nonparametric Statistical Methods, 2nd ed., Section 6.2 (Example
    6.2: J = 79, E = 54, Var = 150.29, J* = 2.04, one-sided p = 0.0207).
    """
    check_alternative(alternative)
    if method not in ("auto", "exact", "normal"):
        raise InputError(
            f"Expected method auto, exact or normal, but got {method!r}", field="method"
        )
    groups = dose_groups(data, dv=dv, dose=dose).samples
    sizes = np.array([g.size for g in groups])
    n_all = int(sizes.sum())
    j_stat = 0.0
    for i in range(len(groups)):
        for k in range(i + 1, len(groups)):
            a, b = groups[i][:, None], groups[k][None, :]
            j_stat += float((a < b).sum() + 0.5 * (a == b).sum())
    pooled = np.concatenate(groups)
    _, ties = np.unique(pooled, return_counts=True)
    has_ties = bool((ties > 1).any())
    mean = (n_all**2 - float((sizes**2).sum())) / 4
    nn, tt = sizes.astype(float), ties.astype(float)
    big_n = float(n_all)
    var = (
        big_n * (big_n - 1) * (2 * big_n + 5)
        - (nn * (nn - 1) * (2 * nn + 5)).sum()
        - (tt * (tt - 1) * (2 * tt + 5)).sum()
    ) / 72
    var += (
        (nn * (nn - 1) * (nn - 2)).sum()
        * (tt * (tt - 1) * (tt - 2)).sum()
        / (36 * big_n * (big_n - 1) * (big_n - 2))
    )
    var += (nn * (nn - 1)).sum() * (tt * (tt - 1)).sum() / (8 * big_n * (big_n - 1))
    z = (j_stat - mean) / np.sqrt(var) if var > 0 else float("nan")
    if method == "exact" and has_ties:
        raise InputError("Expected no tied responses for the exact test, but the data have ties")
    use_exact = method == "exact" or (method == "auto" and not has_ties and n_all < EXACT_MAX_N)
    if use_exact:
        pmf = jonckheere_null_distribution(sizes.tolist())
        j = int(round(j_stat))
        upper, lower = float(pmf[j:].sum()), float(pmf[: j + 1].sum())
    else:
        upper, lower = float(stats.norm.sf(z)), float(stats.norm.cdf(z))
    p = {"increasing": upper, "decreasing": lower}.get(alternative, min(1.0, 2 * min(upper, lower)))
    return pd.DataFrame(
        [
            {
                "test": "jonckheere-terpstra",
                "statistic": j_stat,
                "mean": mean,
                "variance": float(var),
                "z": float(z),
                "p_val": min(p, 1.0),
                "alternative": alternative,
                "method": "exact" if use_exact else "normal",
                "n": n_all,
                "n_groups": len(groups),
            }
        ]
    )

"""Trend across ordered doses: Jonckheere-Terpstra, Williams-type contrasts, polynomial contrasts.

A claim that an effect is "dose-dependent" needs a test of an ordered alternative, not only pairwise
comparisons against vehicle. Three complementary tests are offered, all on a tidy table with a
numeric
dose column (the lowest dose is the control):

- :func:`jonckheere_terpstra`: rank-based test of a monotone trend in location.
- :func:`williams_contrasts`: multcomp's "Williams" contrasts (control vs the weighted mean of the
  top 1, 2, ... dose groups) on the one-way ANOVA, single-step (max-t) adjusted.
- :func:`polynomial_contrasts`: orthogonal polynomial (linear, quadratic, ...) contrasts on the
  one-way ANOVA, as emmeans ``contrast(em, "poly")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats.descriptive import drop_missing, numeric_response

__all__ = [
    "DoseGroups",
    "dose_groups",
    "jonckheere_terpstra",
    "jonckheere_null_distribution",
    "williams_contrasts",
    "polynomial_contrasts",
]

Alternative = Literal["two-sided", "increasing", "decreasing"]
_ALTERNATIVES = ("two-sided", "increasing", "decreasing")
EXACT_MAX_N = 100


@dataclass
class DoseGroups:
    """The response split by dose, in increasing dose order.

    Attributes
    ----------
    levels
        ``(dose, values)`` per dose level.
    warnings
        Notes from preparing the data (rows left out for a missing response or dose).
    """

    levels: list[tuple[float, np.ndarray]]
    warnings: list[str] = field(default_factory=list)

    @property
    def samples(self) -> list[np.ndarray]:
        return [g for _, g in self.levels]


def dose_groups(data: pd.DataFrame, *, dv: str, dose: str) -> DoseGroups:
    """Validate a tidy table and split the response by dose, in increasing dose order.

    Rows with a missing response or dose are left out, and a warning says how many (as
    :func:`~neuroprotect.stats.descriptive.prepare_groups` does for group comparisons).

    Raises
    ------
    InputError
        Missing column, non-numeric or infinite values, fewer than 2 dose levels, n < 2 in a level.
    """
    for col in (dv, dose):
        if col not in data.columns:
            raise InputError(
                f"Expected a column {col!r}, but the table has "
                f"{', '.join(map(repr, data.columns))}",
                field=col,
            )
    response = numeric_response(data, dv)
    doses = pd.to_numeric(data[dose], errors="coerce")
    bad_dose = doses.isna() & data[dose].notna()
    for col, bad in ((dv, np.isinf(response)), (dose, bad_dose | np.isinf(doses.fillna(0)))):
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            row = int(data["source_row"].iloc[i]) if "source_row" in data.columns else i + 1
            raise InputError(
                f"Expected a number, but got {data[col].iloc[i]!r}", row=row, field=col
            )
    kept_y, kept_dose, warnings = drop_missing(response, doses, dv=dv, by=dose)
    y, x = kept_y.to_numpy(float), kept_dose.to_numpy(float)
    levels = np.unique(x)
    if levels.size < 2:
        raise InputError(
            f"Expected at least two dose levels in {dose!r}, but got {levels.size}", field=dose
        )
    groups = [(float(lv), y[x == lv]) for lv in levels]
    small = [lv for lv, g in groups if g.size < 2]
    if small:
        raise InputError(
            f"Expected at least 2 observations per dose, but dose {small[0]:g} has 1", field=dose
        )
    return DoseGroups(groups, warnings)


def _check_alternative(alternative: str) -> None:
    if alternative not in _ALTERNATIVES:
        raise InputError(
            f"Expected alternative {', '.join(_ALTERNATIVES)}, but got {alternative!r}",
            field="alternative",
        )


# ------------------------------------------------------------------------------ Jonckheere-Terpstra
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
    _check_alternative(alternative)
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


# ---------------------------------------------------------------------------- ANOVA-based contrasts
def _anova_parts(groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, float, int]:
    means = np.array([g.mean() for g in groups])
    sizes = np.array([g.size for g in groups], dtype=float)
    dof = int(sizes.sum() - len(groups))
    if dof < 1:
        raise InputError("Expected more observations than dose groups, but got too few")
    sse = float(sum(((g - g.mean()) ** 2).sum() for g in groups))
    if sse <= 0:
        raise InputError(
            "Expected a response that varies within doses, but every group is constant"
        )
    return means, sizes, sse / dof, dof


def _contrast_table(
    cmat: np.ndarray, means: np.ndarray, sizes: np.ndarray, mse: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    est = cmat @ means
    cov = mse * (cmat / sizes) @ cmat.T
    se = np.sqrt(np.diag(cov))
    corr = cov / np.outer(se, se)
    return est, se, est / se, corr


def _max_t_p(
    t_obs: np.ndarray, corr: np.ndarray, dof: int, alternative: str, seed: int
) -> np.ndarray:
    """Single-step adjusted p-values P(max_j T_j >= t) under the multivariate t (multcomp)."""
    m = t_obs.size
    out = np.empty(m)
    for i, t in enumerate(t_obs):
        if alternative == "two-sided":
            upper, lower = np.full(m, abs(t)), np.full(m, -abs(t))
        elif alternative == "increasing":
            upper, lower = np.full(m, t), np.full(m, -np.inf)
        else:
            upper, lower = np.full(m, np.inf), np.full(m, t)
        if m == 1:
            inside = stats.t.cdf(upper[0], dof) - stats.t.cdf(lower[0], dof)
        else:
            dist = stats.multivariate_t(loc=np.zeros(m), shape=corr, df=dof, seed=seed)
            inside = dist.cdf(upper, lower_limit=lower, random_state=seed, maxpts=50000 * m)
        out[i] = min(1.0, max(0.0, 1.0 - float(inside)))
    return out


def williams_contrasts(
    data: pd.DataFrame,
    *,
    dv: str,
    dose: str,
    alternative: Alternative = "increasing",
    seed: int = 0,
) -> pd.DataFrame:
    """Williams-type contrasts of the control (lowest dose) against the top dose groups.

    Parameters
    ----------
    data, dv, dose
        As in :func:`jonckheere_terpstra`.
    alternative
        ``"increasing"`` (multcomp ``alternative = "greater"``), ``"decreasing"`` ("less") or
        ``"two-sided"``.
    seed
        Seed of the quasi-Monte-Carlo integration of the multivariate t (p-values vary at ~1e-5).

    Returns
    -------
    pandas.DataFrame
        One row per contrast ``C 1 .. C k-1``: ``test`` ("williams"), ``contrast`` (e.g.
        "doses 1, 2 vs 0"), ``group`` (the doses pooled), ``control``, ``estimate`` (weighted mean
        of the pooled doses minus the control mean), ``se``, ``statistic`` (t), ``dof``, ``p_val``
        (unadjusted, same direction), ``p_adj`` (single-step max-t adjusted), ``n``.

    Notes
    -----
    These are the contrasts of R ``multcomp::contrMat(n, type = "Williams")``: contrast j compares
    the control with the n-weighted mean of the j highest doses. Tested with ``glht(aov(y ~ dose),
    mcp(dose = "Williams"))`` on the pooled-variance one-way ANOVA; the adjusted p-value is
    1 - P(all T_j < t_obs) under the multivariate t with the contrasts' correlation and the residual
    df (Genz-Bretz integration in scipy, as mvtnorm in R). This is not Williams' (1971) isotonic
    regression test; it is its contrast form (Bretz 1999).
    """
    _check_alternative(alternative)
    levels = dose_groups(data, dv=dv, dose=dose).levels
    groups = [g for _, g in levels]
    means, sizes, mse, dof = _anova_parts(groups)
    k = len(groups)
    rows = []
    for j in range(1, k):
        c = np.zeros(k)
        c[0] = -1
        c[k - j :] = sizes[k - j :] / sizes[k - j :].sum()
        rows.append(c)
    cmat = np.array(rows)
    est, se, t, corr = _contrast_table(cmat, means, sizes, mse)
    if alternative == "increasing":
        p_raw = stats.t.sf(t, dof)
    elif alternative == "decreasing":
        p_raw = stats.t.cdf(t, dof)
    else:
        p_raw = 2 * stats.t.sf(np.abs(t), dof)
    p_adj = _max_t_p(t, corr, dof, alternative, seed)
    control = levels[0][0]
    out = []
    for j in range(k - 1):
        pooled = [lv for lv, _ in levels[k - 1 - j :]]
        label = ", ".join(f"{d:g}" for d in pooled)
        out.append(
            {
                "test": "williams",
                "contrast": f"C {j + 1}: dose {label} vs {control:g}",
                "group": label,
                "control": f"{control:g}",
                "estimate": float(est[j]),
                "se": float(se[j]),
                "statistic": float(t[j]),
                "dof": dof,
                "p_val": float(p_raw[j]),
                "p_adj": float(p_adj[j]),
                "n": int(sizes[0] + sizes[k - 1 - j :].sum()),
            }
        )
    return pd.DataFrame(out)


_DEGREE_NAMES = ("linear", "quadratic", "cubic", "quartic")


def _poly_coefficients(k: int, max_degree: int) -> np.ndarray:
    """Orthogonal polynomial contrasts on equally spaced levels, scaled to integers (emmeans)."""
    x = np.arange(1, k + 1, dtype=float)
    vander = np.vander(x - x.mean(), max_degree + 1, increasing=True)
    q, _ = np.linalg.qr(vander)
    rows = []
    for d in range(1, max_degree + 1):
        con = q[:, d] * np.sign(q[-1, d])
        con = con / con[con > 0.01].min()
        z = np.max(np.abs(con - np.round(con)))
        while z > 0.05:
            con = con / z
            z = np.max(np.abs(con - np.round(con)))
        rows.append(np.round(con))
    return np.array(rows)


def polynomial_contrasts(
    data: pd.DataFrame,
    *,
    dv: str,
    dose: str,
    max_degree: int | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Orthogonal polynomial trend contrasts across the ordered dose groups.

    Parameters
    ----------
    data, dv, dose
        As in :func:`jonckheere_terpstra`.
    max_degree
        Highest degree (default min(k - 1, 4) for k dose levels).
    conf_level
        Level of the t confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per degree: ``test`` ("polynomial"), ``contrast`` ("linear", "quadratic", ...),
        ``coefficients`` (text), ``estimate, se, statistic`` (t), ``dof, p_val`` (two-sided,
        unadjusted), ``ci_low, ci_high``, ``n``.

    Notes
    -----
    Doses are treated as equally spaced ordered levels (the spacing of the actual doses is ignored),
    and each contrast is scaled to integer coefficients, as R ``emmeans::contrast(em, "poly")``
    (e.g. -1, 0, 1 and 1, -2, 1 for three doses). Pooled one-way ANOVA variance, residual df N - k.
    """
    groups = dose_groups(data, dv=dv, dose=dose).samples
    k = len(groups)
    degree = min(k - 1, 4) if max_degree is None else int(max_degree)
    if not 1 <= degree <= k - 1:
        raise InputError(
            f"Expected a degree between 1 and {k - 1}, but got {max_degree}", field="max_degree"
        )
    means, sizes, mse, dof = _anova_parts(groups)
    cmat = _poly_coefficients(k, degree)
    est, se, t, _ = _contrast_table(cmat, means, sizes, mse)
    q = float(stats.t.ppf(0.5 + conf_level / 2, dof))
    return pd.DataFrame(
        {
            "test": "polynomial",
            "contrast": [
                _DEGREE_NAMES[d] if d < len(_DEGREE_NAMES) else f"degree {d + 1}"
                for d in range(degree)
            ],
            "coefficients": [", ".join(f"{c + 0.0:g}" for c in row) for row in cmat],
            "estimate": est,
            "se": se,
            "statistic": t,
            "dof": dof,
            "p_val": 2 * stats.t.sf(np.abs(t), dof),
            "ci_low": est - q * se,
            "ci_high": est + q * se,
            "n": int(sizes.sum()),
        }
    )

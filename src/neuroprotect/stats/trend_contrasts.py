"""ANOVA-based trend contrasts across ordered doses: Williams-type and orthogonal polynomial.

Part of the trend tests of :mod:`neuroprotect.stats.trend` (which re-exports these names).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats._dose_groups import Alternative, check_alternative, dose_groups

__all__ = ["polynomial_contrasts", "williams_contrasts"]


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
    check_alternative(alternative)
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

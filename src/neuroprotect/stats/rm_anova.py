"""Classical repeated-measures ANOVA (optionally split-plot) with the Greenhouse-Geisser correction.

:func:`rm_anova` is re-exported from :mod:`neuroprotect.stats.repeated`, which describes both
repeated-measures analyses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats._long_table import prepare_long_table

__all__ = ["RM_ANOVA_COLUMNS", "rm_anova"]

RM_ANOVA_COLUMNS = (
    "effect",
    "F",
    "num_df",
    "den_df",
    "p_val",
    "correction",
    "eps",
    "p_unc",
    "p_gg",
    "ss",
    "ss_error",
    "pes",
    "ges",
)


def _orthonormal_contrasts(k: int) -> np.ndarray:
    """k x (k-1) matrix with orthonormal columns orthogonal to the constant."""
    basis = np.linalg.qr(np.column_stack([np.ones(k), np.eye(k)[:, : k - 1]]))[0]
    return basis[:, 1:]


def _hypothesis_ss(z: np.ndarray, x: np.ndarray, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Hypothesis and error SSP matrices for the coefficients ``rows`` in ``Z = X B + E``."""
    xtx_inv = np.linalg.inv(x.T @ x)
    b = xtx_inv @ x.T @ z
    resid = z - x @ b
    err = resid.T @ resid
    lb = b[rows]
    hyp = lb.T @ np.linalg.solve(xtx_inv[np.ix_(rows, rows)], lb)
    return hyp, err


def rm_anova(
    data: pd.DataFrame,
    *,
    dv: str,
    subject: str,
    within: str,
    between: str | None = None,
) -> pd.DataFrame:
    """Repeated-measures ANOVA (within factor categorical) with the Greenhouse-Geisser correction.

    Parameters
    ----------
    data
        Long table, one row per measurement. Several rows per animal and within level (trials)
        are averaged first, as afex does.
    dv, subject, within
        Response, animal and repeated-factor columns.
    between
        Optional between-animal factor (mixed, split-plot design).

    Returns
    -------
    pandas.DataFrame
        One row per effect (``between``, ``within``, ``between:within``), columns:
        ``effect``; ``F``; ``num_df``, ``den_df``, ``p_val`` as reported, i.e. multiplied by the
        GG epsilon for within effects (``correction`` ``"GG"``) and uncorrected for the between
        effect and for a 2-level within factor (``correction`` ``"none"``); ``eps`` (GG epsilon,
        NaN for the between effect); ``p_unc`` (assuming sphericity); ``p_gg``; ``ss`` and
        ``ss_error`` (type III sums of squares); ``pes`` (partial eta squared); ``ges``
        (generalised eta squared, Olejnik & Algina 2003). ``attrs`` holds ``n_subjects`` and
        ``dropped_subjects`` (animals without a value at every within level).

    Raises
    ------
    InputError
        As :func:`fit_mixed_model`, or fewer than 2 complete animals (or none left in a group).

    Notes
    -----
    Animals missing any within level are left out (complete cases, as afex). The tests are the
    univariate tests of the multivariate linear model of the ``k - 1`` orthonormal within
    contrasts on the between factor with sum-to-zero coding (type III sums of squares, as
    ``car::Anova`` under afex): ``F = (tr H / df_h) / (tr E / df_e)``. The GG epsilon is
    ``tr(E)^2 / ((k - 1) tr(E^2))`` (Greenhouse & Geisser 1959) from the pooled within-group error
    SSP matrix ``E``. The between effect is the one-way ANOVA of the animal means.
    ``ges = SS_effect / (SS_effect + SS_error,between + SS_error,within)``.
    """
    table = prepare_long_table(data, dv=dv, subject=subject, within=within, between=between)
    df = table.data
    keys = [subject] + ([between] if between is not None else [])
    cell = df.groupby(keys + [within], sort=False)[dv].mean().reset_index()
    wide = cell.pivot_table(index=keys, columns=within, values=dv, aggfunc="first")
    wide = wide.reindex(columns=table.within_levels)
    complete = wide.notna().all(axis=1)
    dropped = [str(k[0] if isinstance(k, tuple) else k) for k in wide.index[~complete]]
    wide = wide[complete]
    n = len(wide)
    if n < 2:
        raise InputError(
            f"Expected at least 2 subjects with a value at every {within!r} level, but got {n}",
            field=subject,
        )
    y = wide.to_numpy(float)
    k = y.shape[1]
    if between is not None:
        grp = wide.index.get_level_values(between).astype(str)
        levels = [lv for lv in table.between_levels if lv in set(grp)]
        if len(levels) < 2:
            raise InputError(
                f"Expected complete animals in at least 2 levels of {between!r}, but got {levels}",
                field=between,
            )
        x = np.ones((n, len(levels)))
        for j, lv in enumerate(levels[:-1]):  # sum-to-zero coding (R contr.sum)
            x[:, j + 1] = (grp == lv).astype(float) - (grp == levels[-1]).astype(float)
        g = len(levels)
    else:
        x = np.ones((n, 1))
        g = 1
    df_err = n - g
    if df_err < 1:
        raise InputError(
            f"Expected more animals than groups, but got {n} animals in {g} groups", field=subject
        )
    effect_rows = list(range(1, g))

    # between-animal stratum: animal sums scaled by 1/sqrt(k)
    s = (y.sum(axis=1) / np.sqrt(k))[:, None]
    # within-animal stratum: orthonormal contrasts
    zc = y @ _orthonormal_contrasts(k)
    h_within, e_within = _hypothesis_ss(zc, x, [0])
    ss_err_w = float(np.trace(e_within))
    eps = float(np.trace(e_within) ** 2 / ((k - 1) * np.trace(e_within @ e_within)))
    if not np.isfinite(eps):
        raise InputError(f"Expected {dv!r} to vary within animals, but it does not", field=dv)
    ss_err_b = float(_hypothesis_ss(s, x, [0])[1][0, 0])

    rows: list[dict[str, Any]] = []
    specs: list[tuple[str, float, float, float, float, bool]] = []
    if between is not None:
        h_b, _ = _hypothesis_ss(s, x, effect_rows)
        specs.append((between, float(h_b[0, 0]), ss_err_b, g - 1, df_err, False))
    specs.append((within, float(np.trace(h_within)), ss_err_w, k - 1, df_err * (k - 1), True))
    if between is not None:
        h_i, _ = _hypothesis_ss(zc, x, effect_rows)
        specs.append(
            (
                f"{between}:{within}",
                float(np.trace(h_i)),
                ss_err_w,
                (g - 1) * (k - 1),
                df_err * (k - 1),
                True,
            )
        )
    for name, ss, ss_error, df1, df2, is_within in specs:
        f_val = (ss / df1) / (ss_error / df2)
        p_unc = float(stats.f.sf(f_val, df1, df2))
        correct = is_within and k > 2
        e = eps if is_within else np.nan
        p_gg = float(stats.f.sf(f_val, df1 * eps, df2 * eps)) if is_within else np.nan
        rows.append(
            {
                "effect": name,
                "F": f_val,
                "num_df": df1 * eps if correct else float(df1),
                "den_df": df2 * eps if correct else float(df2),
                "p_val": p_gg if correct else p_unc,
                "correction": "GG" if correct else "none",
                "eps": e,
                "p_unc": p_unc,
                "p_gg": p_gg,
                "ss": ss,
                "ss_error": ss_error,
                "pes": ss / (ss + ss_error),
                "ges": ss / (ss + ss_err_b + ss_err_w),
            }
        )
    out = pd.DataFrame(rows, columns=list(RM_ANOVA_COLUMNS))
    out.attrs["n_subjects"] = n
    out.attrs["dropped_subjects"] = dropped
    return out

"""Assumption checks of a one-way layout: normal residuals and equal variances."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ASSUMPTION_COLUMNS", "brown_forsythe", "check_assumptions", "shapiro_residuals"]

#: Columns of the assumption-check table (``note``: why a check could not be computed, else "").
ASSUMPTION_COLUMNS: tuple[str, ...] = ("check", "group", "statistic", "p_val", "passed", "note")


def _residuals(samples: list[np.ndarray], *, scaled: bool) -> np.ndarray:
    if scaled:
        # a group of 2 always gives the scaled residuals -1/sqrt(2), +1/sqrt(2): no information
        parts = [
            (s - s.mean()) / np.std(s, ddof=1) for s in samples if len(s) >= 3 and np.ptp(s) > 0
        ]
    else:
        parts = [s - s.mean() for s in samples]
    return np.concatenate(parts) if parts else np.array([])


def _shapiro_note(samples: list[np.ndarray], *, scaled: bool) -> str:
    """Why Shapiro-Wilk on these residuals cannot be computed."""
    if scaled:
        return "no group of 3 or more values varies"
    resid = _residuals(samples, scaled=False)
    if len(resid) < 3:
        return f"only {len(resid)} residuals, 3 needed"
    return "every residual is 0: each group holds one repeated value"


def _brown_forsythe_note(samples: list[np.ndarray]) -> str:
    """Why the Brown-Forsythe test cannot be computed."""
    if min(len(s) for s in samples) < 3:
        return "a group has fewer than 3 values"
    return "every value equals its group median"


def shapiro_residuals(samples: list[np.ndarray], *, scaled: bool = False) -> tuple[float, float]:
    """Shapiro-Wilk W and p of the one-way ANOVA residuals (value minus its group mean).

    Parameters
    ----------
    samples
        Response values per group.
    scaled
        Divide each group's residuals by that group's SD, so that unequal variances alone do not
        make the pooled residuals look non-normal. Groups with SD 0 are left out, and so are
        groups of 2, whose two scaled residuals are always -1/sqrt(2) and +1/sqrt(2) whatever
        the data (they would make any data look non-normal).

    Notes
    -----
    Same algorithm (Royston 1995, AS R94) as R ``shapiro.test(residuals(aov(y ~ g)))``; the
    scaled variant is ``shapiro.test(unlist(tapply(y, g, function(v) (v - mean(v)) / sd(v))))``
    over the groups of 3 or more values that vary.
    Needs 3 to 5000 residuals; returns NaN otherwise or when all residuals are zero.
    """
    resid = _residuals(samples, scaled=scaled)
    if len(resid) < 3 or np.ptp(resid) == 0:
        return np.nan, np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.shapiro(resid)
    return float(res.statistic), float(res.pvalue)


def brown_forsythe(samples: list[np.ndarray]) -> tuple[float, float]:
    """Brown-Forsythe test of equal variances (Levene's test on deviations from the median).

    Notes
    -----
    One-way ANOVA F on ``|y - median(group)|`` (Brown & Forsythe 1974); the default of R
    ``car::leveneTest(y ~ g)`` (``center = median``). NaN when all deviations are zero, or when a
    group has fewer than 3 values: the two deviations of a pair from its median are always equal,
    so the F would be infinite (p = 0) whatever the variances.
    """
    if min(len(s) for s in samples) < 3:
        return np.nan, np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.levene(*samples, center="median")
    return float(res.statistic), float(res.pvalue)


def check_assumptions(samples: list[np.ndarray], *, alpha: float = 0.05) -> pd.DataFrame:
    """Run the checks of a one-way ANOVA.

    Parameters
    ----------
    samples
        Response values per group.
    alpha
        A check passes when its p-value is >= alpha (or could not be computed).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ASSUMPTION_COLUMNS`, ``group`` is ``"all"``; rows
        ``shapiro_wilk_residuals`` (normality of the pooled residuals),
        ``shapiro_wilk_scaled_residuals`` (the same after dividing each group's residuals by its
        SD) and ``brown_forsythe`` (equal variances). A check that cannot be computed has NaN
        statistic and p, counts as passed, and its ``note`` says why (e.g. "a group has fewer
        than 3 values").
    """
    w, p_w = shapiro_residuals(samples)
    ws, p_ws = shapiro_residuals(samples, scaled=True)
    f, p_f = brown_forsythe(samples)
    checks = [
        ("shapiro_wilk_residuals", w, p_w, lambda: _shapiro_note(samples, scaled=False)),
        ("shapiro_wilk_scaled_residuals", ws, p_ws, lambda: _shapiro_note(samples, scaled=True)),
        ("brown_forsythe", f, p_f, lambda: _brown_forsythe_note(samples)),
    ]
    rows = [
        {
            "check": name,
            "group": "all",
            "statistic": stat,
            "p_val": p,
            "passed": bool(np.isnan(p) or p >= alpha),
            "note": note() if np.isnan(p) else "",
        }
        for name, stat, p, note in checks
    ]
    return pd.DataFrame(rows, columns=list(ASSUMPTION_COLUMNS))

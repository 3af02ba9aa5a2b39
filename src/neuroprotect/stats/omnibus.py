"""One-way omnibus tests: classical ANOVA, Welch ANOVA, Kruskal-Wallis."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from neuroprotect.stats.effect_size import (
    epsilon_squared,
    epsilon_squared_ci,
    eta_squared,
    eta_squared_ci,
)

__all__ = ["kruskal_wallis", "one_way_anova", "welch_anova"]


def one_way_anova(samples: list[np.ndarray]) -> dict[str, Any]:
    """Classical one-way ANOVA, as R ``summary(aov(y ~ g))``.

    Returns
    -------
    dict
        ``test, statistic`` (F), ``dof`` ``(k - 1, N - k)``, ``p_val``, ``effect_size`` (η²),
        ``effect_type``, ``effect_ci_low``/``effect_ci_high`` (95% CI of η², noncentral F, see
        :func:`~neuroprotect.stats.effect_size.eta_squared_ci`).
    """
    res = stats.f_oneway(*samples)
    k = len(samples)
    n_total = sum(len(s) for s in samples)
    ci = eta_squared_ci(float(res.statistic), k - 1, n_total - k)
    return {
        "test": "one-way ANOVA",
        "statistic": float(res.statistic),
        "dof": (k - 1, n_total - k),
        "p_val": float(res.pvalue),
        "effect_size": eta_squared(samples),
        "effect_type": "eta_squared",
        "effect_ci_low": ci[0],
        "effect_ci_high": ci[1],
    }


def welch_anova(samples: list[np.ndarray]) -> dict[str, Any]:
    """Welch's one-way ANOVA (unequal variances), as R ``oneway.test(y ~ g, var.equal = FALSE)``.

    Notes
    -----
    ``w_i = n_i / s_i²``, ``ȳ_w = Σ w_i ȳ_i / Σ w_i``, ``A = Σ w_i (ȳ_i - ȳ_w)² / (k - 1)``,
    ``h = Σ (1 - w_i / Σw)² / (n_i - 1)``, ``F = A / (1 + 2 (k - 2) h / (k² - 1))`` on
    ``(k - 1, (k² - 1) / (3 h))`` degrees of freedom (Welch 1951). Effect size: η² of the
    classical layout with its noncentral-F interval (as :func:`one_way_anova`).
    """
    k = len(samples)
    n = np.array([len(s) for s in samples], dtype=float)
    means = np.array([s.mean() for s in samples])
    var = np.array([np.var(s, ddof=1) for s in samples])
    w = n / var
    sw = w.sum()
    grand = np.sum(w * means) / sw
    a = np.sum(w * (means - grand) ** 2) / (k - 1)
    h = np.sum((1 - w / sw) ** 2 / (n - 1))
    f = a / (1 + 2 * (k - 2) * h / (k**2 - 1))
    df2 = (k**2 - 1) / (3 * h)
    classical = one_way_anova(samples)
    return {
        "test": "Welch ANOVA",
        "statistic": float(f),
        "dof": (k - 1, float(df2)),
        "p_val": float(stats.f.sf(f, k - 1, df2)),
        "effect_size": classical["effect_size"],
        "effect_type": "eta_squared",
        "effect_ci_low": classical["effect_ci_low"],
        "effect_ci_high": classical["effect_ci_high"],
    }


def kruskal_wallis(samples: list[np.ndarray]) -> dict[str, Any]:
    """Kruskal-Wallis H test with the tie correction, as R ``kruskal.test(y ~ g)``.

    Notes
    -----
    ``H = [12 / (N(N+1)) Σ R_i² / n_i - 3 (N+1)] / (1 - Σ(t³ - t) / (N³ - N))`` referred to χ²
    with k - 1 degrees of freedom. Effect size ε² = H / (N - 1) (Tomczak & Tomczak 2014) with
    a seeded stratified percentile-bootstrap 95% interval
    (:func:`~neuroprotect.stats.effect_size.epsilon_squared_ci`).
    """
    res = stats.kruskal(*samples)
    n_total = sum(len(s) for s in samples)
    ci = epsilon_squared_ci(samples)
    return {
        "test": "Kruskal-Wallis",
        "statistic": float(res.statistic),
        "dof": len(samples) - 1,
        "p_val": float(res.pvalue),
        "effect_size": epsilon_squared(float(res.statistic), n_total),
        "effect_type": "epsilon_squared",
        "effect_ci_low": ci[0],
        "effect_ci_high": ci[1],
    }

"""One-way omnibus tests: classical ANOVA, Welch ANOVA, Kruskal-Wallis."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from neuroprotect.stats.effect_size import epsilon_squared, eta_squared

__all__ = ["kruskal_wallis", "one_way_anova", "welch_anova"]


def one_way_anova(samples: list[np.ndarray]) -> dict[str, Any]:
    """Classical one-way ANOVA, as R ``summary(aov(y ~ g))``.

    Returns
    -------
    dict
        ``test, statistic`` (F), ``dof`` ``(k - 1, N - k)``, ``p_val``, ``effect_size`` (η²),
        ``effect_type``.
    """
    res = stats.f_oneway(*samples)
    k = len(samples)
    n_total = sum(len(s) for s in samples)
    return {
        "test": "one-way ANOVA",
        "statistic": float(res.statistic),
        "dof": (k - 1, n_total - k),
        "p_val": float(res.pvalue),
        "effect_size": eta_squared(samples),
        "effect_type": "eta_squared",
    }


def welch_anova(samples: list[np.ndarray]) -> dict[str, Any]:
    """Welch's one-way ANOVA (unequal variances), as R ``oneway.test(y ~ g, var.equal = FALSE)``.

    Notes
    -----
    ``w_i = n_i / s_i²``, ``ȳ_w = Σ w_i ȳ_i / Σ w_i``, ``A = Σ w_i (ȳ_i - ȳ_w)² / (k - 1)``,
    ``h = Σ (1 - w_i / Σw)² / (n_i - 1)``, ``F = A / (1 + 2 (k - 2) h / (k² - 1))`` on
    ``(k - 1, (k² - 1) / (3 h))`` degrees of freedom (Welch 1951). Effect size: η² of the
    classical layout (descriptive).
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
    return {
        "test": "Welch ANOVA",
        "statistic": float(f),
        "dof": (k - 1, float(df2)),
        "p_val": float(stats.f.sf(f, k - 1, df2)),
        "effect_size": eta_squared(samples),
        "effect_type": "eta_squared",
    }


def kruskal_wallis(samples: list[np.ndarray]) -> dict[str, Any]:
    """Kruskal-Wallis H test with the tie correction, as R ``kruskal.test(y ~ g)``.

    Notes
    -----
    ``H = [12 / (N(N+1)) Σ R_i² / n_i - 3 (N+1)] / (1 - Σ(t³ - t) / (N³ - N))`` referred to χ²
    with k - 1 degrees of freedom. Effect size ε² = H / (N - 1) (Tomczak & Tomczak 2014).
    """
    res = stats.kruskal(*samples)
    n_total = sum(len(s) for s in samples)
    return {
        "test": "Kruskal-Wallis",
        "statistic": float(res.statistic),
        "dof": len(samples) - 1,
        "p_val": float(res.pvalue),
        "effect_size": epsilon_squared(float(res.statistic), n_total),
        "effect_type": "epsilon_squared",
    }

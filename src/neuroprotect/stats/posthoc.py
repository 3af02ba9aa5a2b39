"""Contrasts after a one-way omnibus test: Dunnett, Tukey, Games-Howell and Dunn.

Every function takes the validated groups (:class:`~neuroprotect.stats.descriptive.GroupedData`)
and a list of ``(group, reference)`` pairs and returns one row per pair in the columns
:data:`CONTRAST_COLUMNS` (the fixed result columns plus ``se``, ``effect_ci_low`` and
``effect_ci_high``). ``estimate`` is always *group minus reference*.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.schema.columns import RESULT_COLUMNS
from neuroprotect.stats.descriptive import GroupedData
from neuroprotect.stats.distributions import dunnett_critical_value, dunnett_pvalue
from neuroprotect.stats.effect_size import EffectSize, hedges_g, rank_biserial
from neuroprotect.stats.hodges_lehmann import hodges_lehmann_or_point
from neuroprotect.stats.multiplicity import P_ADJUST_LABELS, p_adjust

__all__ = [
    "CONTRAST_COLUMNS",
    "all_pairs",
    "dunn",
    "dunn_interval_level",
    "dunn_interval_sentence",
    "dunnett",
    "games_howell",
    "pairs_vs_control",
    "tukey",
]

#: Columns of a contrast table: the fixed result columns, then the extras. ``ci_level`` is the
#: confidence level of ``ci_low``/``ci_high``: the simultaneous level of the family for Dunnett,
#: Tukey and Games-Howell, the level of each interval for Dunn (Bonferroni-adjusted) and for
#: two groups.
CONTRAST_COLUMNS: tuple[str, ...] = (
    *RESULT_COLUMNS,
    "se",
    "effect_ci_low",
    "effect_ci_high",
    "ci_level",
)

Pair = tuple[str, str]


def pairs_vs_control(order: list[str], control: str) -> list[Pair]:
    """``(group, control)`` for every other group, in ``order``."""
    return [(g, control) for g in order if g != control]


def all_pairs(order: list[str]) -> list[Pair]:
    """All pairs ``(later, earlier)`` in ``order``, as R ``TukeyHSD`` lists them ("B-A")."""
    return [(order[j], order[i]) for i in range(len(order)) for j in range(i + 1, len(order))]


def _row(
    test: str,
    pair: Pair,
    *,
    estimate: float,
    se: float,
    statistic: float,
    dof: float,
    p_val: float,
    p_adj: float,
    ci: tuple[float, float],
    effect: EffectSize,
    n: int,
    ci_level: float,
) -> dict[str, Any]:
    g, ref = pair
    return {
        "test": test,
        "contrast": f"{g} - {ref}",
        "group": g,
        "control": ref,
        "estimate": float(estimate),
        "statistic": float(statistic),
        "dof": float(dof),
        "p_val": float(p_val),
        "p_adj": float(p_adj),
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
        "effect_size": effect.value,
        "effect_type": effect.kind,
        "n": int(n),
        "se": float(se),
        "effect_ci_low": effect.ci_low,
        "effect_ci_high": effect.ci_high,
        "ci_level": float(ci_level),
    }


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(CONTRAST_COLUMNS))


def pooled_mse(grouped: GroupedData) -> tuple[float, int]:
    """Residual mean square and residual degrees of freedom (N - k) of the one-way ANOVA."""
    samples = grouped.samples
    dof = sum(len(s) for s in samples) - len(samples)
    sse = sum(float(np.sum((s - s.mean()) ** 2)) for s in samples)
    return sse / dof, dof


def dunnett(
    grouped: GroupedData,
    *,
    control: str,
    level: float = 0.95,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Dunnett's many-to-one comparisons after a one-way ANOVA (two-sided, single-step).

    Parameters
    ----------
    alternative
        ``"two-sided"`` (default), ``"greater"`` (group above control) or ``"less"``; one-sided
        tests give one-sided simultaneous bounds (the other limit is infinite).

    Returns
    -------
    pandas.DataFrame
        One row per group other than ``control`` (:data:`CONTRAST_COLUMNS`): ``estimate`` is the
        difference of means (group - control), ``statistic`` the t value with the pooled residual
        variance, ``dof = N - k``, ``p_val`` the unadjusted t-test p, ``p_adj`` the single-step
        adjusted p, ``ci_low``/``ci_high`` the simultaneous interval; effect size Hedges g.

    Notes
    -----
    ``t_i = (ȳ_i - ȳ_0) / sqrt(MSE (1/n_i + 1/n_0))``; ``p_adj = P(max_j |T_j| >= |t_i|)`` and the
    interval ``est ± c SE`` with ``c`` the 95% quantile of ``max_j |T_j|`` from
    :mod:`neuroprotect.stats.distributions` (Dunnett 1955). Same quantities as R
    ``multcomp::glht(aov(y ~ g), linfct = mcp(g = "Dunnett"))`` with ``summary()`` and
    ``confint()``, which integrate the same distribution by Monte Carlo.
    """
    mse, dof = pooled_mse(grouped)
    pairs = pairs_vs_control(grouped.order, control)
    x0 = grouped.values[control]
    n_groups = [len(grouped.values[g]) for g, _ in pairs]
    crit = dunnett_critical_value(
        n_groups=n_groups, n_control=len(x0), dof=dof, level=level, alternative=alternative
    )
    rows = []
    for pair in pairs:
        x = grouped.values[pair[0]]
        est = x.mean() - x0.mean()
        se = np.sqrt(mse * (1 / len(x) + 1 / len(x0)))
        t = est / se
        if alternative == "two-sided":
            p_val, ci = 2 * stats.t.sf(abs(t), dof), (est - crit * se, est + crit * se)
        elif alternative == "greater":
            p_val, ci = stats.t.sf(t, dof), (est - crit * se, np.inf)
        else:
            p_val, ci = stats.t.cdf(t, dof), (-np.inf, est + crit * se)
        rows.append(
            _row(
                "Dunnett",
                pair,
                estimate=est,
                se=se,
                statistic=t,
                dof=dof,
                p_val=p_val,
                p_adj=dunnett_pvalue(
                    t, n_groups=n_groups, n_control=len(x0), dof=dof, alternative=alternative
                ),
                ci=ci,
                effect=hedges_g(x, x0, level=level),
                n=len(x),
                ci_level=level,
            )
        )
    return _frame(rows)


def tukey(
    grouped: GroupedData, *, pairs: list[Pair] | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Tukey HSD (Tukey-Kramer for unequal n) after a one-way ANOVA.

    Notes
    -----
    ``t = (ȳ_i - ȳ_j) / sqrt(MSE (1/n_i + 1/n_j))``, ``p_adj = P(Q_{k,N-k} >= sqrt(2) |t|)``
    with Q the studentized range of all k groups; interval ``est ± q_{0.95;k,N-k} / sqrt(2) SE``.
    Same as R ``TukeyHSD(aov(y ~ g))``. Default pairs: all, as ``"later - earlier"``.
    """
    mse, dof = pooled_mse(grouped)
    k = len(grouped.order)
    pairs = all_pairs(grouped.order) if pairs is None else pairs
    crit = float(stats.studentized_range.ppf(level, k, dof)) / np.sqrt(2)
    rows = []
    for pair in pairs:
        x, y = grouped.values[pair[0]], grouped.values[pair[1]]
        est = x.mean() - y.mean()
        se = np.sqrt(mse * (1 / len(x) + 1 / len(y)))
        t = est / se
        rows.append(
            _row(
                "Tukey HSD",
                pair,
                estimate=est,
                se=se,
                statistic=t,
                dof=dof,
                p_val=2 * stats.t.sf(abs(t), dof),
                p_adj=float(stats.studentized_range.sf(abs(t) * np.sqrt(2), k, dof)),
                ci=(est - crit * se, est + crit * se),
                effect=hedges_g(x, y, level=level),
                n=len(x),
                ci_level=level,
            )
        )
    return _frame(rows)


def games_howell(
    grouped: GroupedData, *, pairs: list[Pair] | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Games-Howell comparisons (unequal variances), for all pairs or a chosen subset.

    Notes
    -----
    ``t = (ȳ_i - ȳ_j) / sqrt(s_i²/n_i + s_j²/n_j)`` with Welch-Satterthwaite degrees of freedom
    ``ν = (v_i + v_j)² / (v_i²/(n_i-1) + v_j²/(n_j-1))``, ``v = s²/n``;
    ``p_adj = P(Q_{k,ν} >= sqrt(2) |t|)`` with k the number of *all* groups in the layout, and
    interval ``est ± q_{0.95;k,ν} / sqrt(2) SE`` (Games & Howell 1976). Restricting the pairs
    to "each group vs control" keeps k = all groups, which is conservative for that family.
    Same numbers as the Games-Howell test of JASP, jamovi and R ``rstatix::games_howell_test``.
    """
    k = len(grouped.order)
    pairs = all_pairs(grouped.order) if pairs is None else pairs
    rows = []
    for pair in pairs:
        x, y = grouped.values[pair[0]], grouped.values[pair[1]]
        vx, vy = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
        est = x.mean() - y.mean()
        se = np.sqrt(vx + vy)
        t = est / se
        dof = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
        crit = float(stats.studentized_range.ppf(level, k, dof)) / np.sqrt(2)
        rows.append(
            _row(
                "Games-Howell",
                pair,
                estimate=est,
                se=se,
                statistic=t,
                dof=dof,
                p_val=2 * stats.t.sf(abs(t), dof),
                p_adj=float(stats.studentized_range.sf(abs(t) * np.sqrt(2), k, dof)),
                ci=(est - crit * se, est + crit * se),
                effect=hedges_g(x, y, level=level),
                n=len(x),
                ci_level=level,
            )
        )
    return _frame(rows)


def dunn_interval_level(n_contrasts: int, p_adjust_method: str, level: float = 0.95) -> float:
    """Confidence level of each Dunn interval: Bonferroni over the family, ``1 - (1 - level) / m``.

    With ``p_adjust_method="none"`` the intervals are not adjusted either (``level``). Holm and
    Benjamini-Hochberg have no matching intervals, so they get the Bonferroni ones, which keep
    the family's coverage at ``level`` or more.
    """
    if p_adjust_method == "none" or n_contrasts <= 1:
        return level
    return 1 - (1 - level) / n_contrasts


def dunn_interval_sentence(n_contrasts: int, p_adjust_method: str, level: float = 0.95) -> str:
    """The methods sentence on Dunn's estimates and their intervals."""
    each = dunn_interval_level(n_contrasts, p_adjust_method, level)
    if each == level:
        how = f"{'unadjusted ' if n_contrasts > 1 else ''}{level:.0%} CIs"
    else:
        how = (
            f"Bonferroni-adjusted CIs (each at {100 * each:.3g}%, so jointly at least {level:.0%} "
            f"over the {n_contrasts} contrasts)"
        )
    return (
        "Estimates: Hodges-Lehmann location shifts (median of the pairwise differences between "
        f"the two groups compared) with {how} from the two-group rank-sum test, as R "
        "wilcox.test(conf.int = TRUE)."
    )


def dunn(
    grouped: GroupedData,
    *,
    pairs: list[Pair],
    p_adjust_method: str = "holm",
    level: float = 0.95,
) -> pd.DataFrame:
    """Dunn's rank comparisons after a Kruskal-Wallis test, tie-corrected.

    Returns
    -------
    pandas.DataFrame
        :data:`CONTRAST_COLUMNS`; ``estimate`` is the Hodges-Lehmann location shift of the pair
        (median of the pairwise differences group - reference) with its confidence interval at
        the Bonferroni-adjusted level :func:`dunn_interval_level` (``ci_level``: the level
        reached, lower for very small groups, NaN with the interval when each of the two groups
        holds one repeated value), ``statistic`` the z value, ``dof`` NaN, ``p_adj`` adjusted over
        the given pairs; effect size the rank-biserial r of the pair.

    Notes
    -----
    With ranks over all N values (mid-ranks for ties),
    ``z = (R̄_i - R̄_j) / sqrt((N(N+1)/12 - Σ(t³ - t) / (12 (N-1))) (1/n_i + 1/n_j))``,
    two-sided normal p (Dunn 1964), then Holm (default), Bonferroni or Benjamini-Hochberg over
    the family of pairs. Matches R ``PMCMRplus::kwAllPairsDunnTest`` /
    ``dunn.test::dunn.test`` and, against one control, ``rstatix::dunn_test`` with the
    reference group (k - 1 comparisons, as GraphPad Prism).
    The interval is that of R ``wilcox.test(x, y, conf.int = TRUE, conf.level = 1 - 0.05 / m)``
    on the two groups of the pair (:func:`~neuroprotect.stats.hodges_lehmann.hodges_lehmann`):
    it inverts the two-group rank-sum test, not Dunn's test on the pooled ranks, so it can
    exclude 0 when Dunn's adjusted p is above 0.05, or the reverse.
    """
    samples = grouped.samples
    pooled = np.concatenate(samples)
    n_total = len(pooled)
    ranks = stats.rankdata(pooled)
    _, ties = np.unique(pooled, return_counts=True)
    tie_term = float(np.sum(ties**3 - ties)) / (12 * (n_total - 1))
    mean_rank = {}
    start = 0
    for g, s in zip(grouped.order, samples, strict=True):
        mean_rank[g] = ranks[start : start + len(s)].mean()
        start += len(s)
    raw = []
    for g, ref in pairs:
        ni, nj = len(grouped.values[g]), len(grouped.values[ref])
        z = (mean_rank[g] - mean_rank[ref]) / np.sqrt(
            (n_total * (n_total + 1) / 12 - tie_term) * (1 / ni + 1 / nj)
        )
        raw.append((z, 2 * stats.norm.sf(abs(z))))
    adj = p_adjust([p for _, p in raw], method=p_adjust_method)
    label = f"Dunn ({P_ADJUST_LABELS[p_adjust_method]})"
    ci_level = dunn_interval_level(len(pairs), p_adjust_method, level)
    rows = []
    for pair, (z, p), pa in zip(pairs, raw, adj, strict=True):
        x, y = grouped.values[pair[0]], grouped.values[pair[1]]
        shift = hodges_lehmann_or_point(x, y, conf_level=ci_level)
        rows.append(
            _row(
                label,
                pair,
                estimate=shift.estimate,
                se=np.nan,
                statistic=z,
                dof=np.nan,
                p_val=p,
                p_adj=pa,
                ci=(shift.ci_low, shift.ci_high),
                effect=rank_biserial(x, y, level=level),
                n=len(x),
                ci_level=shift.conf_level,
            )
        )
    return _frame(rows)

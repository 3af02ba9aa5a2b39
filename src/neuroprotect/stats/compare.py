"""Group comparisons: each group against a control (or all pairs), with an automatic choice.

The automatic choice (``method="auto"``) follows the decision page ``docs/stats-decisions.md``:

1. ordinal response (scores) -> Kruskal-Wallis + Dunn against the control (Holm);
2. otherwise Brown-Forsythe on the variances and Shapiro-Wilk on the ANOVA residuals, each at
   ``alpha`` (when the variances differ, the residuals are first divided by their group SD,
   because unequal variances alone make pooled residuals look non-normal):
   - residuals non-normal -> Kruskal-Wallis + Dunn (Holm);
   - normal, variances unequal -> Welch ANOVA + Games-Howell against the control;
   - both pass -> one-way ANOVA + Dunnett.

The checks are always run and reported (``ComparisonResult.assumptions``), also when a method is
requested explicitly; a failed check under an explicit parametric method becomes a warning.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats.assumptions import check_assumptions
from neuroprotect.stats.descriptive import GroupedData, prepare_groups, summarize_samples
from neuroprotect.stats.effect_size import hedges_g, rank_biserial
from neuroprotect.stats.multiplicity import P_ADJUST_LABELS, P_ADJUST_METHODS
from neuroprotect.stats.omnibus import kruskal_wallis, one_way_anova, welch_anova
from neuroprotect.stats.posthoc import (
    CONTRAST_COLUMNS,
    all_pairs,
    dunn,
    dunnett,
    games_howell,
    pairs_vs_control,
    tukey,
)
from neuroprotect.stats.result import ComparisonResult

__all__ = ["COMPARE_METHODS", "compare_groups", "compare_two"]

#: Accepted values of ``method`` in :func:`compare_groups`.
COMPARE_METHODS: tuple[str, ...] = (
    "auto",
    "anova-dunnett",
    "welch",
    "kruskal-dunn",
    "tukey",
    "games-howell",
    "dunn-all",
)

_PARAMETRIC = {"anova-dunnett", "welch", "tukey", "games-howell"}
_EQUAL_VAR = {"anova-dunnett", "tukey"}

_DESCRIPTION = {
    "anova-dunnett": "one-way ANOVA followed by Dunnett's test of each group against {control!r}",
    "welch": "Welch's ANOVA (unequal variances) followed by Games-Howell comparisons of each "
    "group against {control!r}",
    "kruskal-dunn": "Kruskal-Wallis test followed by Dunn's test of each group against "
    "{control!r} ({adjust}-adjusted)",
    "tukey": "one-way ANOVA followed by Tukey's HSD test of all pairs of groups",
    "games-howell": "Welch's ANOVA followed by Games-Howell comparisons of all pairs of groups",
    "dunn-all": "Kruskal-Wallis test followed by Dunn's test of all pairs of groups "
    "({adjust}-adjusted)",
}


def _fmt_p(p: float) -> str:
    return "NA" if not np.isfinite(p) else f"{p:.3g}"


def _choose(assumptions: pd.DataFrame, *, ordinal: bool, alpha: float) -> tuple[str, str]:
    """Automatic method and the sentence saying why."""
    checks = assumptions.set_index("check")
    p_raw = float(checks.loc["shapiro_wilk_residuals", "p_val"])
    p_scaled = float(checks.loc["shapiro_wilk_scaled_residuals", "p_val"])
    p_bf = float(checks.loc["brown_forsythe", "p_val"])
    bf_ok = bool(checks.loc["brown_forsythe", "passed"])
    bf = f"Brown-Forsythe test of equal variances p = {_fmt_p(p_bf)}"
    sw = f"Shapiro-Wilk on the ANOVA residuals p = {_fmt_p(p_raw)}"
    if ordinal:
        return "kruskal-dunn", (
            f"The response is ordinal (scores), so groups were compared on ranks (for "
            f"information: {sw}; {bf})."
        )
    if bf_ok:
        sw_ok = bool(checks.loc["shapiro_wilk_residuals", "passed"])
        if not sw_ok:
            return "kruskal-dunn", (
                f"{sw} (< {alpha:g}: residuals not normal), so groups were compared on ranks "
                f"({bf})."
            )
        return "anova-dunnett", (
            f"{sw} (>= {alpha:g}: no evidence against normality) and {bf} "
            f"(>= {alpha:g}: no evidence of unequal variances), so the classical ANOVA was used."
        )
    # unequal variances alone make pooled residuals look heavy-tailed: judge normality on the
    # residuals scaled by their group SD
    sw_scaled = f"Shapiro-Wilk on the residuals scaled by their group SD p = {_fmt_p(p_scaled)}"
    if not bool(checks.loc["shapiro_wilk_scaled_residuals", "passed"]):
        return "kruskal-dunn", (
            f"{bf} (< {alpha:g}: unequal variances) and {sw_scaled} (< {alpha:g}: residuals "
            f"not normal), so groups were compared on ranks."
        )
    return "welch", (
        f"{bf} (< {alpha:g}: unequal variances) and {sw_scaled} (>= {alpha:g}: no evidence "
        f"against normality), so a test not assuming equal variances was used."
    )


def _require_within_variation(grouped: GroupedData, method: str) -> None:
    if method in _EQUAL_VAR:
        if all(np.ptp(s) == 0 for s in grouped.samples):
            raise InputError(
                f"Expected variation within groups of {grouped.dv!r} for {method}, but every "
                "group holds one repeated value"
            )
    elif method in _PARAMETRIC:
        for g in grouped.order:
            if np.ptp(grouped.values[g]) == 0:
                raise InputError(
                    f"Expected variation within every group of {grouped.dv!r} for {method} "
                    f"(unequal variances), but group {g!r} holds one repeated value; "
                    "use --method kruskal-dunn"
                )


def _warnings(
    grouped: GroupedData,
    assumptions: pd.DataFrame,
    *,
    method: str,
    requested: str,
    ordinal: bool,
    alpha: float,
) -> list[str]:
    notes = list(grouped.warnings)
    for g in grouped.order:
        n = len(grouped.values[g])
        if n < 3:
            notes.append(f"Group {g!r} has only n = {n}; tests and checks have little power.")
    if requested == "auto":
        return notes
    checks = assumptions.set_index("check")
    if ordinal and method in _PARAMETRIC:
        notes.append(f"The response is ordinal but {method} (a test of means) was requested.")
    normality = (
        "shapiro_wilk_residuals"
        if bool(checks.loc["brown_forsythe", "passed"])
        else "shapiro_wilk_scaled_residuals"
    )
    if method in _PARAMETRIC and not bool(checks.loc[normality, "passed"]):
        p = float(checks.loc[normality, "p_val"])
        scaled = " (scaled by group SD)" if normality.endswith("scaled_residuals") else ""
        notes.append(
            f"Shapiro-Wilk on the residuals{scaled} p = {_fmt_p(p)} (< {alpha:g}): residuals "
            f"not normal, but {method} was requested."
        )
    if method in _EQUAL_VAR and not bool(checks.loc["brown_forsythe", "passed"]):
        p = float(checks.loc["brown_forsythe", "p_val"])
        notes.append(
            f"Brown-Forsythe p = {_fmt_p(p)} (< {alpha:g}): variances unequal, but {method} "
            "(equal variances) was requested."
        )
    return notes


def compare_groups(
    data: pd.DataFrame,
    *,
    dv: str,
    group: str,
    control: str,
    method: str = "auto",
    ordinal: bool = False,
    alpha: float = 0.05,
    order: list[str] | None = None,
    p_adjust: str = "holm",
) -> ComparisonResult:
    """Compare every group with a control group (or all pairs) on one response.

    Parameters
    ----------
    data
        Long table, one row per animal.
    dv
        Numeric response column (e.g. ``infarct_volume_mm3``, ``neuro_score``).
    group
        Grouping column.
    control
        Label of the reference group (usually the vehicle group). For all-pairs methods it only
        fixes the order (first group).
    method
        ``"auto"`` (see Notes), ``"anova-dunnett"``, ``"welch"``, ``"kruskal-dunn"`` (each
        group against the control) or ``"tukey"``, ``"games-howell"``, ``"dunn-all"`` (all pairs).
    ordinal
        The response is an ordinal score (``auto`` then compares ranks).
    alpha
        Level of the assumption checks used by ``auto``.
    order
        Groups to use, in this order (default: control first, then order of appearance).
    p_adjust
        Multiplicity adjustment of Dunn's tests: ``"holm"`` (default), ``"bonferroni"``,
        ``"bh"`` or ``"none"``. Dunnett, Tukey and Games-Howell adjust through their own
        joint distributions.

    Returns
    -------
    ComparisonResult
        ``omnibus`` (test, statistic, dof, p_val, effect_size, effect_type); ``contrasts``
        with :data:`~neuroprotect.stats.posthoc.CONTRAST_COLUMNS` (``estimate`` = group minus
        control: difference of means with its simultaneous 95% CI for the ANOVA methods,
        difference of medians without CI for Dunn; effect size Hedges g (noncentral-t CI) or
        rank-biserial r (Fisher-z CI) in ``effect_size``, ``effect_ci_low``,
        ``effect_ci_high``); ``summary`` per group; ``assumptions``; ``method_reason``;
        ``warnings``.

    Raises
    ------
    InputError
        Missing column, non-numeric response, missing control level, fewer than two groups,
        a group with n < 2, a constant response, an unknown method.

    Notes
    -----
    ``auto``: ordinal -> ``kruskal-dunn``; else Brown-Forsythe and Shapiro-Wilk on the
    residuals (scaled by group SD when Brown-Forsythe fails): non-normal -> ``kruskal-dunn``,
    normal but unequal variances -> ``welch``, both pass -> ``anova-dunnett``.
    References: Dunnett (1955), Tukey (1953) / Kramer (1956), Welch (1951),
    Games & Howell (1976), Kruskal & Wallis (1952), Dunn (1964), Holm (1979).
    The numbers match R ``multcomp::glht`` (Dunnett), ``TukeyHSD``, ``oneway.test``,
    ``kruskal.test`` and PMCMRplus Dunn (see tests/stats).
    """
    if method not in COMPARE_METHODS:
        raise InputError(
            f"Expected a method among {', '.join(COMPARE_METHODS)}, but got {method!r}",
            field="method",
        )
    if p_adjust not in P_ADJUST_METHODS:
        raise InputError(
            f"Expected p_adjust among {', '.join(P_ADJUST_METHODS)}, but got {p_adjust!r}",
            field="p_adjust",
        )
    if not 0 < alpha < 1:
        raise InputError(f"Expected alpha between 0 and 1, but got {alpha!r}", field="alpha")
    grouped = prepare_groups(
        data,
        dv=dv,
        group=group,
        control=control,
        order=order,
        min_groups=2,
        min_n=2,
        require_variation=True,
    )
    control = str(control)
    samples = grouped.samples
    assumptions = check_assumptions(samples, alpha=alpha)
    if method == "auto":
        chosen, why = _choose(assumptions, ordinal=ordinal, alpha=alpha)
    else:
        chosen = method
        checks = assumptions.set_index("check")
        why = (
            f"Requested explicitly (method = {method!r}); checks for information: Shapiro-Wilk "
            f"on the residuals p = {_fmt_p(float(checks.loc['shapiro_wilk_residuals', 'p_val']))}"
            f", Brown-Forsythe p = {_fmt_p(float(checks.loc['brown_forsythe', 'p_val']))}."
        )
    _require_within_variation(grouped, chosen)
    omnibus: dict[str, Any]
    vs_control = pairs_vs_control(grouped.order, control)
    if chosen == "anova-dunnett":
        omnibus, contrasts = one_way_anova(samples), dunnett(grouped, control=control)
    elif chosen == "tukey":
        omnibus, contrasts = one_way_anova(samples), tukey(grouped)
    elif chosen == "welch":
        omnibus, contrasts = welch_anova(samples), games_howell(grouped, pairs=vs_control)
    elif chosen == "games-howell":
        omnibus, contrasts = welch_anova(samples), games_howell(grouped)
    else:
        pairs = vs_control if chosen == "kruskal-dunn" else all_pairs(grouped.order)
        omnibus = kruskal_wallis(samples)
        contrasts = dunn(grouped, pairs=pairs, p_adjust_method=p_adjust)
    description = _DESCRIPTION[chosen].format(control=control, adjust=P_ADJUST_LABELS[p_adjust])
    reason = f"{description[0].upper()}{description[1:]}. {why}"
    return ComparisonResult(
        method=chosen,
        method_reason=reason,
        omnibus=omnibus,
        contrasts=contrasts,
        summary=summarize_samples(grouped),
        assumptions=assumptions,
        warnings=_warnings(
            grouped, assumptions, method=chosen, requested=method, ordinal=ordinal, alpha=alpha
        ),
        dv=dv,
        group_col=group,
        control=control,
    )


def compare_two(
    data: pd.DataFrame,
    *,
    dv: str,
    group: str,
    a: str,
    b: str,
    ordinal: bool = False,
) -> ComparisonResult:
    """Compare two groups (e.g. vehicle ``a`` against sham ``b``: did the model work?).

    Parameters
    ----------
    data
        Long table; rows of other groups are ignored.
    dv, group
        Response and grouping columns.
    a, b
        The two group labels; the estimate is ``a`` minus ``b``.
    ordinal
        Use the Mann-Whitney U test (ranks) instead of Welch's t-test.

    Returns
    -------
    ComparisonResult
        ``method`` ``"welch-t"`` or ``"mann-whitney"``; one contrast row (the omnibus repeats the
        test). Welch: ``estimate`` = mean(a) - mean(b) with its 95% CI, ``statistic`` t, ``dof``
        Welch-Satterthwaite, effect size Hedges g. Mann-Whitney: ``statistic`` W (= U of
        ``a``), ``estimate`` = median(a) - median(b) without CI, effect size rank-biserial r.

    Raises
    ------
    InputError
        Missing column or level, non-numeric or constant response, n < 2 in a group.

    Notes
    -----
    Welch (1947) t-test, as R ``t.test(a, b)`` (``var.equal = FALSE``). Mann-Whitney as R
    ``wilcox.test(a, b)``: the exact distribution when both groups have fewer than 50 values
    and there are no ties, else the normal approximation with tie and continuity corrections.
    """
    a, b = str(a), str(b)
    if a == b:
        raise InputError(f"Expected two different groups, but got {a!r} twice", field=group)
    grouped = prepare_groups(
        data,
        dv=dv,
        group=group,
        control=b,
        order=[a, b],
        min_groups=2,
        min_n=2,
        require_variation=True,
    )
    x, y = grouped.values[a], grouped.values[b]
    assumptions = check_assumptions(grouped.samples)
    if ordinal:
        has_ties = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
        exact = len(x) < 50 and len(y) < 50 and not has_ties
        res = stats.mannwhitneyu(
            x,
            y,
            alternative="two-sided",
            use_continuity=True,
            method="exact" if exact else "asymptotic",
        )
        method, test = "mann-whitney", "Mann-Whitney U"
        statistic, dof, p = float(res.statistic), np.nan, float(res.pvalue)
        estimate, ci = float(np.median(x) - np.median(y)), (np.nan, np.nan)
        effect = rank_biserial(x, y)
        se = np.nan
        how = (
            "exact distribution"
            if exact
            else "normal approximation with tie and continuity corrections"
        )
        reason = f"Mann-Whitney U test of {a!r} against {b!r} (ordinal response; {how})."
    else:
        if np.ptp(x) == 0 and np.ptp(y) == 0:
            raise InputError(
                f"Expected variation within {a!r} or {b!r} for a t-test, but both groups hold one "
                "repeated value"
            )
        res = stats.ttest_ind(x, y, equal_var=False)
        ci_res = res.confidence_interval(0.95)
        method, test = "welch-t", "Welch t-test"
        statistic, dof, p = float(res.statistic), float(res.df), float(res.pvalue)
        estimate, ci = float(x.mean() - y.mean()), (float(ci_res.low), float(ci_res.high))
        se = (
            estimate / statistic
            if statistic != 0
            else np.sqrt(np.var(x, ddof=1) / len(x) + np.var(y, ddof=1) / len(y))
        )
        effect = hedges_g(x, y)
        reason = f"Welch's t-test of {a!r} against {b!r} (does not assume equal variances)."
    row = {
        "test": test,
        "contrast": f"{a} - {b}",
        "group": a,
        "control": b,
        "estimate": estimate,
        "statistic": statistic,
        "dof": dof,
        "p_val": p,
        "p_adj": p,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "effect_size": effect.value,
        "effect_type": effect.kind,
        "n": len(x),
        "se": float(se),
        "effect_ci_low": effect.ci_low,
        "effect_ci_high": effect.ci_high,
    }
    return ComparisonResult(
        method=method,
        method_reason=reason,
        omnibus={"test": test, "statistic": statistic, "dof": dof, "p_val": p},
        contrasts=pd.DataFrame([row], columns=list(CONTRAST_COLUMNS)),
        summary=summarize_samples(grouped),
        assumptions=assumptions,
        warnings=_warnings(
            grouped, assumptions, method=method, requested="auto", ordinal=ordinal, alpha=0.05
        ),
        dv=dv,
        group_col=group,
        control=b,
    )

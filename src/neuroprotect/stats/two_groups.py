"""Two-group comparison: Welch's t-test or Mann-Whitney U (e.g. sham against vehicle)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats.assumptions import check_assumptions
from neuroprotect.stats.choice import comparison_warnings, effect_sentence
from neuroprotect.stats.descriptive import prepare_groups, summarize_samples
from neuroprotect.stats.effect_size import hedges_g, rank_biserial
from neuroprotect.stats.hodges_lehmann import hodges_lehmann_or_point
from neuroprotect.stats.posthoc import CONTRAST_COLUMNS
from neuroprotect.stats.result import ComparisonResult

__all__ = ["compare_two"]


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
        ``a``), ``estimate`` = Hodges-Lehmann shift (median of all differences ``a_i - b_j``)
        with its 95% CI (:func:`~neuroprotect.stats.hodges_lehmann.hodges_lehmann`, as R
        ``wilcox.test(a, b, conf.int = TRUE)``), effect size rank-biserial r.

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
    a, b = str(a).strip(), str(b).strip()
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
    notes: list[str] = []
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
        shift = hodges_lehmann_or_point(x, y)  # exact in the same cases as the test
        estimate, ci = shift.estimate, (shift.ci_low, shift.ci_high)
        ci_level = shift.conf_level
        effect = rank_biserial(x, y)
        se = np.nan
        how = (
            "exact distribution"
            if exact
            else "normal approximation with tie and continuity corrections"
        )
        interval = (
            f" with its {'exact' if exact else 'normal-approximation'} {shift.conf_level:.0%} "
            "CI, as R wilcox.test(conf.int = TRUE)."
            if np.isfinite(shift.conf_level)
            else ", without a CI because each group holds one repeated value."
        )
        reason = (
            f"Mann-Whitney U test of {a!r} against {b!r} (ordinal response; {how}); estimate: "
            f"Hodges-Lehmann shift (median of the pairwise differences){interval}"
        )
        if shift.conf_level < 0.95:
            notes.append(
                f"With n = {len(x)} and {len(y)} the exact 95% CI of the Hodges-Lehmann shift is "
                f"not achievable; the interval shown is the {shift.conf_level:.0%} interval "
                "(smallest to largest pairwise difference)."
            )
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
        ci_level = 0.95
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
        "ci_level": ci_level,
    }
    return ComparisonResult(
        method=method,
        method_reason=f"{reason} {effect_sentence(pd.DataFrame([{'effect_type': effect.kind}]))}",
        omnibus={
            "test": test,
            "statistic": statistic,
            "dof": dof,
            "p_val": p,
            "effect_size": effect.value,
            "effect_type": effect.kind,
            "effect_ci_low": effect.ci_low,
            "effect_ci_high": effect.ci_high,
        },
        contrasts=pd.DataFrame([row], columns=list(CONTRAST_COLUMNS)),
        summary=summarize_samples(grouped),
        assumptions=assumptions,
        warnings=comparison_warnings(
            grouped, assumptions, method=method, requested="auto", ordinal=ordinal, alpha=0.05
        )
        + notes,
        dv=dv,
        group_col=group,
        control=b,
    )

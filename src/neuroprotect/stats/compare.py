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

from neuroprotect.errors import InputError
from neuroprotect.stats.assumptions import check_assumptions
from neuroprotect.stats.choice import (
    check_text,
    choose_method,
    comparison_warnings,
    effect_sentence,
    require_within_variation,
)
from neuroprotect.stats.descriptive import prepare_groups, summarize_samples
from neuroprotect.stats.distributions import ALTERNATIVES
from neuroprotect.stats.multiplicity import P_ADJUST_LABELS, P_ADJUST_METHODS
from neuroprotect.stats.omnibus import kruskal_wallis, one_way_anova, welch_anova
from neuroprotect.stats.posthoc import (
    all_pairs,
    dunn,
    dunn_interval_level,
    dunn_interval_sentence,
    dunnett,
    games_howell,
    pairs_vs_control,
    tukey,
)
from neuroprotect.stats.result import ComparisonResult
from neuroprotect.stats.two_groups import compare_two

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


def method_description(method: str, *, control: str, p_adjust: str = "holm") -> str:
    """The sentence that opens ``method_reason``: the procedure, its post-hoc test and control."""
    return _DESCRIPTION[method].format(control=control, adjust=P_ADJUST_LABELS[p_adjust])


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
    alternative: str = "two-sided",
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
        Groups to use, in this order (default: control first, then order of appearance). Use
        it to leave groups out of the family, e.g. ``["vehicle", "low", "high", "edaravone"]``
        so that the sham group neither enters the residual variance nor the contrasts.
    p_adjust
        Multiplicity adjustment of Dunn's tests: ``"holm"`` (default), ``"bonferroni"``,
        ``"bh"`` or ``"none"``. Dunnett, Tukey and Games-Howell adjust through their own
        joint distributions.
    alternative
        ``"two-sided"`` (default) or, for ``anova-dunnett`` only, ``"greater"`` / ``"less"``
        (group above / below control; one-sided simultaneous bounds). Use one-sided tests only
        when the direction was fixed before the data were seen.

    Returns
    -------
    ComparisonResult
        ``omnibus`` (test, statistic, dof, p_val, effect_size, effect_type); ``contrasts``
        with :data:`~neuroprotect.stats.posthoc.CONTRAST_COLUMNS` (``estimate`` = group minus
        control: difference of means with its simultaneous 95% CI for the ANOVA methods,
        Hodges-Lehmann shift with its Bonferroni-adjusted CI for Dunn (level in ``ci_level``,
        see :func:`~neuroprotect.stats.posthoc.dunn`); effect size Hedges g (noncentral-t CI) or
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
    if alternative not in ALTERNATIVES:
        raise InputError(
            f"Expected an alternative among {', '.join(ALTERNATIVES)}, but got {alternative!r}",
            field="alternative",
        )
    if alternative != "two-sided" and method != "anova-dunnett":
        raise InputError(
            f"Expected method 'anova-dunnett' for a one-sided alternative, but got {method!r}",
            field="alternative",
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
    control = str(control).strip()
    samples = grouped.samples
    assumptions = check_assumptions(samples, alpha=alpha)
    if method == "auto":
        chosen, why = choose_method(assumptions, ordinal=ordinal, alpha=alpha)
        constant = [g for g in grouped.order if np.ptp(grouped.values[g]) == 0]
        if chosen == "welch" and constant:
            chosen = "kruskal-dunn"
            why = why.replace(
                "so a test not assuming equal variances was used.",
                f"but group(s) {', '.join(repr(g) for g in constant)} hold one repeated value "
                "(zero variance), which Welch's test cannot use, so groups were compared on ranks.",
            )
    else:
        chosen = method
        sw = check_text(assumptions, "shapiro_wilk_residuals", "Shapiro-Wilk on the residuals")
        bf = check_text(assumptions, "brown_forsythe", "Brown-Forsythe")
        why = f"Requested explicitly (method = {method!r}); checks for information: {sw}, {bf}."
    require_within_variation(grouped, chosen, auto=method == "auto")
    omnibus: dict[str, Any]
    estimates = ""
    interval_notes: list[str] = []
    vs_control = pairs_vs_control(grouped.order, control)
    if chosen == "anova-dunnett":
        omnibus = one_way_anova(samples)
        contrasts = dunnett(grouped, control=control, alternative=alternative)
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
        estimates = f"{dunn_interval_sentence(len(pairs), p_adjust)} "
        interval_notes = _dunn_interval_notes(
            contrasts, dunn_interval_level(len(pairs), p_adjust), grouped.values
        )
    description = method_description(chosen, control=control, p_adjust=p_adjust)
    if alternative != "two-sided":
        description += (
            f" (one-sided: group {'above' if alternative == 'greater' else 'below'} control)"
        )
    reason = (
        f"{description[0].upper()}{description[1:]}. {why} {estimates}{effect_sentence(contrasts)}"
    )
    return ComparisonResult(
        method=chosen,
        method_reason=reason,
        omnibus=omnibus,
        contrasts=contrasts,
        summary=summarize_samples(grouped),
        assumptions=assumptions,
        warnings=comparison_warnings(
            grouped, assumptions, method=chosen, requested=method, ordinal=ordinal, alpha=alpha
        )
        + interval_notes,
        dv=dv,
        group_col=group,
        control=control,
    )


def _dunn_interval_notes(
    contrasts: pd.DataFrame, wanted: float, values: dict[str, np.ndarray]
) -> list[str]:
    """Warnings for Dunn intervals below the wanted level (tiny groups) or not computable."""
    notes = []
    for row in contrasts.itertuples():
        if not np.isfinite(row.ci_level):
            notes.append(
                f"{row.contrast}: each group holds one repeated value, so the shift is "
                f"{row.estimate:g} with no confidence interval."
            )
        elif row.ci_level < wanted - 1e-12:
            notes.append(
                f"{row.contrast}: with n = {len(values[str(row.group)])} and "
                f"{len(values[str(row.control)])} the exact {100 * wanted:.3g}% interval of the "
                f"Hodges-Lehmann shift is not achievable; the interval shown is the "
                f"{100 * row.ci_level:.3g}% one."
            )
    return notes

"""Study planning: animals per group (or power) with adjustment, attrition and rounding.

:func:`sample_size` wraps the analytic calculations of :mod:`neuroprotect.stats.power` (R ``pwr``)
for a planned comparison of groups and writes the sentence for the methods section; it is what
``neuroprotect stats power`` (and ``neuroprotect design power``) call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from neuroprotect.errors import InputError
from neuroprotect.stats.power import (
    Alternative,
    check_alpha,
    check_power,
    compute_n_anova,
    compute_n_t,
    compute_power_anova,
    compute_power_t,
)

__all__ = ["SampleSizeResult", "manifest_snippet", "sample_size"]


@dataclass
class SampleSizeResult:
    """A sample-size (or power) calculation for a planned study.

    Attributes
    ----------
    n_per_group
        Animals to analyse per group, rounded up.
    n_per_group_exact
        The solution before rounding (``None`` when ``n`` was given).
    n_total
        ``n_per_group * groups``.
    n_total_with_attrition
        Animals to randomise: ``ceil(n_per_group * groups / (1 - attrition))``.
    power_achieved
        Power at the rounded ``n_per_group``.
    alpha_per_test
        Significance level each test is planned at (``alpha / (groups - 1)`` with the
        control-comparison adjustment).
    method
        One or two sentences for the report.
    """

    test: str
    effect_size: float
    effect_type: str
    groups: int
    alpha: float
    alpha_per_test: float
    power_target: float | None
    n_per_group_exact: float | None
    n_per_group: int
    power_achieved: float
    attrition: float
    n_total: int
    n_total_with_attrition: int
    method: str
    alternative: Alternative = "two-sided"

    def to_dict(self) -> dict[str, Any]:
        """The layout of ``neuroprotect stats power --json``."""
        return {
            "n_per_group": self.n_per_group,
            "n_total_with_attrition": self.n_total_with_attrition,
            "power_achieved": self.power_achieved,
            "method": self.method,
            "test": self.test,
            "effect_size": self.effect_size,
            "effect_type": self.effect_type,
            "groups": self.groups,
            "alpha": self.alpha,
            "alpha_per_test": self.alpha_per_test,
            "power_target": self.power_target,
            "n_per_group_exact": self.n_per_group_exact,
            "n_total": self.n_total,
            "attrition": self.attrition,
            "alternative": self.alternative,
        }


def sample_size(
    test: Literal["t", "anova"],
    *,
    effect_size: float | None = None,
    difference: float | None = None,
    sd: float | None = None,
    groups: int = 2,
    alpha: float = 0.05,
    power: float | None = 0.8,
    n: int | None = None,
    attrition: float = 0.0,
    adjust_vs_control: bool = False,
    alternative: Alternative = "two-sided",
) -> SampleSizeResult:
    """Animals per group (or the power of a given n) for a planned comparison of groups.

    Parameters
    ----------
    test
        ``"t"``: two-sample t-test between a treated group and the control
        (``groups - 1`` such comparisons if ``groups > 2``); ``"anova"``: one-way ANOVA F-test
        across ``groups``.
    effect_size
        Cohen's d for ``"t"``, Cohen's f for ``"anova"``. Give it, or ``difference`` and ``sd``.
    difference, sd
        Expected difference in means (treated vs control, e.g. infarct volume in mm3) and
        within-group SD, same unit. For ``"t"``: ``d = difference / sd``. For ``"anova"``:
        ``f = (difference / sd) * sqrt(1 / (2 * groups))``, Cohen's (1988, sec. 8.2) minimum
        variability pattern (two groups differ by ``difference``, the others in the middle),
        the most conservative f for that range of means.
    groups
        Number of groups (k), >= 2.
    alpha
        Family significance level.
    power
        Target power; ignored when ``n`` is given.
    n
        Animals per group; if given, the power at this n is computed instead of n.
    attrition
        Expected fraction of randomised animals lost before analysis (e.g. MCAO mortality), in
        ``[0, 1)``.
    adjust_vs_control
        For ``"t"`` with ``groups > 2``: each of the ``groups - 1`` comparisons against the
        control is planned at ``alpha / (groups - 1)``. This Bonferroni level is a conservative
        approximation of Dunnett's test (exact Dunnett critical values are slightly smaller).
    alternative
        For ``"t"``: ``"two-sided"`` (default), or one-sided ``"greater"`` (treated > control)
        or ``"less"`` (treated < control). The effect size (or difference) is then taken as a
        magnitude in the direction of the alternative; power and n are the same for both
        one-sided directions (R ``pwr.t.test(alternative = "greater")`` with ``d > 0``).

    Returns
    -------
    SampleSizeResult
        ``n_per_group = ceil(n_exact)``, ``n_total = n_per_group * groups``,
        ``n_total_with_attrition = ceil(n_per_group * groups / (1 - attrition))``,
        ``power_achieved`` at the rounded n, and the method text.

    Raises
    ------
    InputError
        Missing or contradictory effect size, non-positive SD, alpha/power/attrition out of range,
        fewer than 2 groups, adjustment requested for the ANOVA.

    Notes
    -----
    Same numbers as R ``pwr.t.test(d=, sig.level=, power=)$n`` and
    ``pwr.anova.test(k=, f=, sig.level=, power=)$n`` before rounding up.
    """
    if test not in ("t", "anova"):
        raise InputError(f"Expected test 't' or 'anova', but got {test!r}", field="test")
    if groups < 2:
        raise InputError(f"Expected at least 2 groups, but got {groups}", field="groups")
    if not 0 <= attrition < 1:
        raise InputError(
            f"Expected attrition as a fraction in [0, 1), but got {attrition}", field="attrition"
        )
    check_alpha(alpha)
    if alternative not in ("two-sided", "greater", "less"):
        raise InputError(
            f"Expected alternative 'two-sided', 'greater' or 'less', but got {alternative!r}",
            field="alternative",
        )
    if test == "anova" and alternative != "two-sided":
        raise InputError(
            f"Expected alternative 'two-sided' for the ANOVA F-test (it has no direction), but "
            f"got {alternative!r}",
            field="alternative",
        )
    # one-sided: the magnitude in the direction tested; 'less' with -d is 'greater' with d
    side: Alternative = "two-sided" if alternative == "two-sided" else "greater"
    if effect_size is not None and (difference is not None or sd is not None):
        raise InputError("Expected either an effect size or a difference and SD, but got both")
    if effect_size is None:
        if difference is None or sd is None:
            raise InputError(
                "Expected an effect size, or a difference and an SD, but got neither",
                field="effect_size",
            )
        if not sd > 0:
            raise InputError(f"Expected a positive SD, but got {sd}", field="sd")
        d = abs(difference) / sd
        effect_size = d if test == "t" else d * math.sqrt(1 / (2 * groups))
        origin = (
            f"d = {abs(difference):g} / {sd:g}"
            if test == "t"
            else f"f = ({abs(difference):g} / {sd:g}) x sqrt(1 / (2 x {groups})) "
            "(Cohen's minimum-variability pattern)"
        )
    else:
        effect_size = abs(float(effect_size))
        origin = f"{'d' if test == 't' else 'f'} = {effect_size:g}"
    if not effect_size > 0 or not np.isfinite(effect_size):
        raise InputError(f"Expected a positive effect size, but got {effect_size}")
    if adjust_vs_control and test == "anova":
        raise InputError(
            "Expected test 't' for the adjustment for comparisons against the control, but got "
            "'anova' (the F-test is a single test)",
            field="adjust_vs_control",
        )
    adjust_vs_control = adjust_vs_control and groups > 2  # one comparison: nothing to adjust
    alpha_per = alpha / (groups - 1) if adjust_vs_control else alpha

    def power_at(m: float) -> float:
        if test == "t":
            return compute_power_t(d=effect_size, n=m, alpha=alpha_per, alternative=side)
        return compute_power_anova(f=effect_size, k=groups, n=m, alpha=alpha_per)

    if n is not None:
        if n < 2 or int(n) != n:
            raise InputError(
                f"Expected a whole number of at least 2 animals, but got {n}", field="n"
            )
        n_exact, n_round, target = None, int(n), None
    else:
        if power is None:
            raise InputError("Expected a target power or n, but got neither", field="power")
        check_power(power, alpha_per)
        if test == "t":
            n_exact = compute_n_t(d=effect_size, power=power, alpha=alpha_per, alternative=side)
        else:
            n_exact = compute_n_anova(f=effect_size, k=groups, power=power, alpha=alpha_per)
        n_round, target = math.ceil(n_exact - 1e-9), power
    achieved = power_at(n_round)
    n_total = n_round * groups
    n_attr = math.ceil(n_total / (1 - attrition) - 1e-9)

    if test == "t":
        what = (
            "two-sided two-sample t-test"
            if alternative == "two-sided"
            else f"one-sided two-sample t-test (alternative {alternative!r}: treated "
            f"{'>' if alternative == 'greater' else '<'} control)"
        )
        what += " (noncentral t, as R pwr.t.test)"
        if groups > 2:
            what += f" for each of the {groups - 1} comparisons against the control"
    else:
        what = f"one-way ANOVA F-test across {groups} groups (noncentral F, as R pwr.anova.test)"
    level = f"alpha {alpha:g}"
    if adjust_vs_control:
        level += (
            f" / {groups - 1} = {alpha_per:.4g} per comparison (Bonferroni approximation of "
            "Dunnett's adjustment, slightly conservative)"
        )
    goal = f"power {target:g}" if target is not None else f"n = {n_round} per group"
    method = f"{what}, {origin}, {level}, {goal}"
    method += "; n per group rounded up." if target is not None else "."
    if attrition:
        method += (
            f" Randomise {n_attr} animals in total to allow for {attrition:.0%} attrition "
            f"(ceil({n_round} x {groups} / (1 - {attrition:g})))."
        )
    return SampleSizeResult(
        test=test,
        effect_size=float(effect_size),
        effect_type="cohen_d" if test == "t" else "cohen_f",
        groups=groups,
        alpha=alpha,
        alpha_per_test=alpha_per,
        power_target=target,
        n_per_group_exact=n_exact,
        n_per_group=n_round,
        power_achieved=achieved,
        attrition=attrition,
        n_total=n_total,
        n_total_with_attrition=n_attr,
        method=method,
        alternative=alternative,
    )


def _rounded(value: float) -> float:
    """Four significant digits, unless that would reach 1 (power and attrition stay below 1)."""
    short = float(f"{value:.4g}")
    return short if short < 1 or value >= 1 else value


def manifest_snippet(
    method: str,
    *,
    alpha: float,
    power: float | None,
    attrition: float,
    effect_size: float | None = None,
) -> str:
    """The ``design: sample_size:`` block of a study.yaml recording this calculation.

    Fields follow :class:`neuroprotect.schema.manifest.SampleSize`; a power of 1 (which the
    manifest does not accept) is left out.

    Examples
    --------
    >>> print(manifest_snippet("two-sample t", alpha=0.05, power=0.8, attrition=0.2, effect_size=1.2))
    design:
      sample_size:
        method: two-sample t
        effect_size: 1.2
        alpha: 0.05
        power: 0.8
        attrition: 0.2
    <BLANKLINE>
    """
    import yaml

    fields: dict[str, Any] = {"method": method}
    if effect_size is not None:
        fields["effect_size"] = _rounded(effect_size)
    fields["alpha"] = alpha
    if power is not None and 0 < power < 1:
        fields["power"] = _rounded(power)
    fields["attrition"] = _rounded(attrition)
    return yaml.safe_dump(
        {"design": {"sample_size": fields}}, sort_keys=False, allow_unicode=True, width=1000
    )

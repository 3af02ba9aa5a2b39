"""Statistics: group comparisons, descriptive summaries, effect sizes, multiplicity.

Main entry points: :func:`describe_groups`, :func:`compare_groups` (each group against a control,
or all pairs, with a documented automatic choice, see ``docs/stats-decisions.md``) and
:func:`compare_two` (e.g. sham against vehicle). All return unrounded numbers in the fixed
result columns of :mod:`neuroprotect.schema.columns`.
"""

from typing import TYPE_CHECKING

from neuroprotect._lazy import lazy_exports

if TYPE_CHECKING:
    from neuroprotect.stats.assumptions import (
        ASSUMPTION_COLUMNS,
        brown_forsythe,
        check_assumptions,
        shapiro_residuals,
    )
    from neuroprotect.stats.compare import COMPARE_METHODS, compare_groups
    from neuroprotect.stats.descriptive import describe_groups
    from neuroprotect.stats.distributions import dunnett_critical_value, dunnett_pvalue
    from neuroprotect.stats.effect_size import (
        EffectSize,
        epsilon_squared,
        epsilon_squared_ci,
        eta_squared,
        eta_squared_ci,
        hedges_g,
        rank_biserial,
    )
    from neuroprotect.stats.multiplicity import P_ADJUST_METHODS, p_adjust
    from neuroprotect.stats.omnibus import kruskal_wallis, one_way_anova, welch_anova
    from neuroprotect.stats.posthoc import CONTRAST_COLUMNS, dunn, dunnett, games_howell, tukey
    from neuroprotect.stats.result import ComparisonResult
    from neuroprotect.stats.two_groups import compare_two

#: Public name -> submodule, imported on first use (keeps pandas/scipy out of start-up).
_EXPORTS = {
    "ASSUMPTION_COLUMNS": "neuroprotect.stats.assumptions",
    "brown_forsythe": "neuroprotect.stats.assumptions",
    "check_assumptions": "neuroprotect.stats.assumptions",
    "shapiro_residuals": "neuroprotect.stats.assumptions",
    "COMPARE_METHODS": "neuroprotect.stats.compare",
    "compare_groups": "neuroprotect.stats.compare",
    "describe_groups": "neuroprotect.stats.descriptive",
    "dunnett_critical_value": "neuroprotect.stats.distributions",
    "dunnett_pvalue": "neuroprotect.stats.distributions",
    "EffectSize": "neuroprotect.stats.effect_size",
    "epsilon_squared": "neuroprotect.stats.effect_size",
    "epsilon_squared_ci": "neuroprotect.stats.effect_size",
    "eta_squared": "neuroprotect.stats.effect_size",
    "eta_squared_ci": "neuroprotect.stats.effect_size",
    "hedges_g": "neuroprotect.stats.effect_size",
    "rank_biserial": "neuroprotect.stats.effect_size",
    "P_ADJUST_METHODS": "neuroprotect.stats.multiplicity",
    "p_adjust": "neuroprotect.stats.multiplicity",
    "kruskal_wallis": "neuroprotect.stats.omnibus",
    "one_way_anova": "neuroprotect.stats.omnibus",
    "welch_anova": "neuroprotect.stats.omnibus",
    "CONTRAST_COLUMNS": "neuroprotect.stats.posthoc",
    "dunn": "neuroprotect.stats.posthoc",
    "dunnett": "neuroprotect.stats.posthoc",
    "games_howell": "neuroprotect.stats.posthoc",
    "tukey": "neuroprotect.stats.posthoc",
    "ComparisonResult": "neuroprotect.stats.result",
    "compare_two": "neuroprotect.stats.two_groups",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "ASSUMPTION_COLUMNS",
    "COMPARE_METHODS",
    "CONTRAST_COLUMNS",
    "P_ADJUST_METHODS",
    "ComparisonResult",
    "EffectSize",
    "brown_forsythe",
    "check_assumptions",
    "compare_groups",
    "compare_two",
    "describe_groups",
    "dunn",
    "dunnett",
    "dunnett_critical_value",
    "dunnett_pvalue",
    "epsilon_squared",
    "epsilon_squared_ci",
    "eta_squared",
    "eta_squared_ci",
    "games_howell",
    "hedges_g",
    "kruskal_wallis",
    "one_way_anova",
    "p_adjust",
    "rank_biserial",
    "shapiro_residuals",
    "tukey",
    "welch_anova",
]

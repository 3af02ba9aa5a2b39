"""Statistics: group comparisons, descriptive summaries, effect sizes, multiplicity.

Main entry points: :func:`describe_groups`, :func:`compare_groups` (each group against a control,
or all pairs, with a documented automatic choice, see ``docs/stats-decisions.md``) and
:func:`compare_two` (e.g. sham against vehicle). All return unrounded numbers in the fixed
result columns of :mod:`neuroprotect.schema.columns`.
"""

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

"""Statistics: group comparisons, descriptive summaries, effect sizes, multiplicity."""

from neuroprotect.stats.assumptions import brown_forsythe, check_assumptions, shapiro_residuals
from neuroprotect.stats.compare import COMPARE_METHODS, compare_groups, compare_two
from neuroprotect.stats.descriptive import describe_groups
from neuroprotect.stats.distributions import dunnett_critical_value, dunnett_pvalue
from neuroprotect.stats.effect_size import EffectSize, hedges_g, rank_biserial
from neuroprotect.stats.multiplicity import p_adjust
from neuroprotect.stats.omnibus import kruskal_wallis, one_way_anova, welch_anova
from neuroprotect.stats.result import ComparisonResult

__all__ = [
    "COMPARE_METHODS",
    "ComparisonResult",
    "EffectSize",
    "brown_forsythe",
    "check_assumptions",
    "compare_groups",
    "compare_two",
    "describe_groups",
    "dunnett_critical_value",
    "dunnett_pvalue",
    "hedges_g",
    "kruskal_wallis",
    "one_way_anova",
    "p_adjust",
    "rank_biserial",
    "shapiro_residuals",
    "welch_anova",
]

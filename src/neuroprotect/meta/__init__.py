"""Meta-analysis of preclinical evidence (CAMARADES / SyRF style).

Effect sizes (:mod:`~neuroprotect.meta.effect_sizes`), fixed- and random-effects pooling
(:class:`RandomEffectsMeta`), stratified analysis (:func:`compute_subgroups`), small-study tests
(:func:`egger_test`, :func:`rank_correlation_test`, :func:`trim_and_fill`) and plots. Numbers match
metafor 3.8 (tests/meta).
"""

from neuroprotect.meta.analysis import meta_analyse
from neuroprotect.meta.bias import (
    EggerResult,
    TrimFillResult,
    egger_test,
    rank_correlation_test,
    trim_and_fill,
)
from neuroprotect.meta.effect_sizes import (
    compute_effect_sizes,
    compute_md,
    compute_nmd,
    compute_rom,
    compute_smd,
    correct_shared_control,
    hedges_correction,
)
from neuroprotect.meta.models import RandomEffectsMeta
from neuroprotect.meta.plots import plot_forest, plot_funnel
from neuroprotect.meta.regression import MetaRegressionResult, meta_regression, moderator_matrix
from neuroprotect.meta.subgroups import SubgroupResult, compute_subgroups

__all__ = [
    "EggerResult",
    "MetaRegressionResult",
    "RandomEffectsMeta",
    "SubgroupResult",
    "TrimFillResult",
    "compute_effect_sizes",
    "compute_md",
    "compute_nmd",
    "compute_rom",
    "compute_smd",
    "compute_subgroups",
    "correct_shared_control",
    "egger_test",
    "hedges_correction",
    "meta_analyse",
    "meta_regression",
    "moderator_matrix",
    "plot_forest",
    "plot_funnel",
    "rank_correlation_test",
    "trim_and_fill",
]

"""Meta-analysis of preclinical evidence (CAMARADES / SyRF style).

Effect sizes (:mod:`~neuroprotect.meta.effect_sizes`), fixed- and random-effects pooling
(:class:`RandomEffectsMeta`), stratified analysis (:func:`compute_subgroups`), small-study tests
(:func:`egger_test`, :func:`rank_correlation_test`, :func:`trim_and_fill`), plots, and readers of
SyRF and CAMARADES exports (:func:`from_syrf`, :func:`from_camarades`). Numbers match metafor 3.8
on dat.bcg and metafor 4.6 on pymare's 180-fit grid (tests/meta; docs/meta-analysis.md).
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
from neuroprotect.meta.exports import ExportTable, from_camarades, from_syrf, read_export
from neuroprotect.meta.models import RandomEffectsMeta
from neuroprotect.meta.plots import plot_forest, plot_funnel
from neuroprotect.meta.regression import (
    MetaRegressionResult,
    design_matrix,
    meta_regression,
    moderator_matrix,
)
from neuroprotect.meta.subgroups import SubgroupResult, compute_subgroups

__all__ = [
    "EggerResult",
    "ExportTable",
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
    "design_matrix",
    "egger_test",
    "from_camarades",
    "from_syrf",
    "hedges_correction",
    "meta_analyse",
    "meta_regression",
    "moderator_matrix",
    "plot_forest",
    "plot_funnel",
    "rank_correlation_test",
    "read_export",
    "trim_and_fill",
]

"""Repeated measures: water-maze acquisition (latency by day and group, animal as subject).

Two analyses of the same long table (one row per animal and day, or per trial):

- :func:`fit_mixed_model`: a linear mixed model with a random intercept per animal (REML), the
  within factor (day) numeric unless asked otherwise, treatment coding with the control group as
  reference; fixed effects with Satterthwaite t-tests, as ``lmerTest::lmer`` in R.
- :func:`rm_anova`: the classical repeated-measures ANOVA (within factor categorical), optionally a
  mixed (split-plot) design with one between factor, with the Greenhouse-Geisser correction, as
  ``afex::aov_ez`` in R.

They live in :mod:`~neuroprotect.stats.mixed_model` and :mod:`~neuroprotect.stats.rm_anova`
(long-table preparation in ``_long_table``); this module re-exports them.
"""

from __future__ import annotations

from neuroprotect.stats.mixed_model import FIXED_EFFECT_COLUMNS as FIXED_EFFECT_COLUMNS
from neuroprotect.stats.mixed_model import MixedModelResult, fit_mixed_model
from neuroprotect.stats.rm_anova import RM_ANOVA_COLUMNS as RM_ANOVA_COLUMNS
from neuroprotect.stats.rm_anova import rm_anova

__all__ = ["MixedModelResult", "fit_mixed_model", "rm_anova"]

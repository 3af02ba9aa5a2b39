"""Trend across ordered doses: Jonckheere-Terpstra, Williams-type contrasts, polynomial contrasts.

A claim that an effect is "dose-dependent" needs a test of an ordered alternative, not only pairwise
comparisons against vehicle. Three complementary tests are offered, all on a tidy table with a
numeric
dose column (the lowest dose is the control):

- :func:`jonckheere_terpstra`: rank-based test of a monotone trend in location.
- :func:`williams_contrasts`: multcomp's "Williams" contrasts (control vs the weighted mean of the
  top 1, 2, ... dose groups) on the one-way ANOVA, single-step (max-t) adjusted.
- :func:`polynomial_contrasts`: orthogonal polynomial (linear, quadratic, ...) contrasts on the
  one-way ANOVA, as emmeans ``contrast(em, "poly")``.

The tests live in :mod:`~neuroprotect.stats.jonckheere` and
:mod:`~neuroprotect.stats.trend_contrasts` (dose grouping in ``_dose_groups``); this module
re-exports them.
"""

from __future__ import annotations

from neuroprotect.stats._dose_groups import Alternative as Alternative
from neuroprotect.stats._dose_groups import DoseGroups, dose_groups
from neuroprotect.stats.jonckheere import EXACT_MAX_N as EXACT_MAX_N
from neuroprotect.stats.jonckheere import (
    jonckheere_null_distribution,
    jonckheere_terpstra,
)
from neuroprotect.stats.trend_contrasts import polynomial_contrasts, williams_contrasts

__all__ = [
    "DoseGroups",
    "dose_groups",
    "jonckheere_terpstra",
    "jonckheere_null_distribution",
    "williams_contrasts",
    "polynomial_contrasts",
]

"""Statistics: group comparisons, descriptive summaries, effect sizes."""

from neuroprotect.stats.result import ComparisonResult

__all__ = ["ComparisonResult"]

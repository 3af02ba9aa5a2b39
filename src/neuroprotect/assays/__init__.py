"""Bench assays: brain water content, Evans Blue extravasation."""

from neuroprotect.assays.brain_water import compute_brain_water
from neuroprotect.assays.evans_blue import StandardCurve, compute_evans_blue, fit_standard_curve

__all__ = ["StandardCurve", "compute_brain_water", "compute_evans_blue", "fit_standard_curve"]

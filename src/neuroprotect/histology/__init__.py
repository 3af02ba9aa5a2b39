"""Histology readouts: TTC infarct volumetry."""

from neuroprotect.histology.ttc import TTC_METHODS, compute_infarct_volumes, compute_slice_areas

__all__ = ["TTC_METHODS", "compute_infarct_volumes", "compute_slice_areas"]

"""Canonical column names, units, and the study manifest models."""

from neuroprotect.schema import columns
from neuroprotect.schema.manifest import Group, Readout, Role, Study, load_study

__all__ = ["Group", "Readout", "Role", "Study", "columns", "load_study"]

"""Fuzz tests: select the hypothesis profile (``NEUROPROTECT_FUZZ=long`` for >= 1,000 cases)."""

from hypothesis import settings

from tests.fuzz._mutate import PROFILE

settings.load_profile(PROFILE)

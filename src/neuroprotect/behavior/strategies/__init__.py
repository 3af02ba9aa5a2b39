"""Search-strategy classification of water maze swims.

* :mod:`~neuroprotect.behavior.strategies.garthe2009`: the rule-based classes of Garthe et al.
  (2009), one call per trial;
* :mod:`~neuroprotect.behavior.strategies.gehring2015`: overlapping path segments (Gehring et
  al. 2015) classified by a small shipped model trained on their expert labels, with
  camera-independent features (:mod:`~neuroprotect.behavior.strategies.gehring_features`), an
  ``unclassified`` call below probability 0.4, and its validation across cohorts and rigs
  (:mod:`~neuroprotect.behavior.strategies.gehring_validation`, ``train_gehring``).
"""

from neuroprotect.behavior.strategies.garthe2009 import (
    GARTHE_STRATEGIES,
    classify_garthe2009,
    compute_garthe_features,
)
from neuroprotect.behavior.strategies.gehring2015 import (
    GEHRING_CODES,
    UNCLASSIFIED,
    classify_gehring2015,
    compute_segment_features,
    load_gehring_model,
    segment_tracks,
    summarise_segments,
)

__all__ = [
    "GARTHE_STRATEGIES",
    "GEHRING_CODES",
    "UNCLASSIFIED",
    "classify_garthe2009",
    "classify_gehring2015",
    "compute_garthe_features",
    "compute_segment_features",
    "load_gehring_model",
    "segment_tracks",
    "summarise_segments",
]

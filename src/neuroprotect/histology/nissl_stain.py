"""Cresyl-violet stain signal of brightfield Nissl images: stain vector and concentration.

Colour deconvolution with one stain (Ruifrok & Johnston 2001): optical density projected on the
stain's unit OD vector, minus a smooth background, so somata are bright on a flat neuropil.
Used by :func:`~neuroprotect.histology.neurons.count_neurons` and the trainable detector.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroprotect.errors import InputError
from neuroprotect.histology import _cells

__all__ = ["CRESYL_VIOLET_OD", "HEMATOXYLIN_OD", "estimate_stain_vector", "nissl_signal"]

#: Approximate optical-density vector (R, G, B) of cresyl violet in white light: it absorbs
#: most around 590-600 nm (red and green channels) and little in blue, hence violet. Scanners
#: differ; the default ``stain="estimate"`` measures the vector on the image itself.
CRESYL_VIOLET_OD = (0.54, 0.80, 0.26)
#: Haematoxylin OD vector of Ruifrok & Johnston (2001), as in ``skimage.color.rgb_from_hed``.
HEMATOXYLIN_OD = (0.65, 0.70, 0.29)


def estimate_stain_vector(od: np.ndarray, *, top_fraction: float = 0.05) -> np.ndarray:
    """Stain OD vector of a single-stain image: the mean direction of its darkest pixels.

    The unit OD vectors of the ``top_fraction`` of pixels with the largest total OD (the stain,
    not the glass or the pale neuropil) are averaged and renormalised. A one-stain version of the
    estimate QuPath offers for brightfield images.
    """
    flat = od.reshape(-1, 3)
    step = max(1, flat.shape[0] // 500_000)
    flat = flat[::step]
    total = flat.sum(axis=1)
    cut = np.quantile(total, 1.0 - top_fraction)
    top = flat[total >= cut]
    top = top[top.sum(axis=1) > 0.1]
    if len(top) < 10:
        return np.asarray(CRESYL_VIOLET_OD) / np.linalg.norm(CRESYL_VIOLET_OD)
    vec = (top / np.linalg.norm(top, axis=1, keepdims=True)).mean(axis=0)
    return vec / np.linalg.norm(vec)


def _stain_vector(stain: Any, od_sample: np.ndarray | None) -> np.ndarray | int:
    if isinstance(stain, str):
        if stain == "estimate":
            assert od_sample is not None
            return estimate_stain_vector(od_sample)
        if stain in ("cresyl_violet", "hematoxylin"):
            vec = CRESYL_VIOLET_OD if stain == "cresyl_violet" else HEMATOXYLIN_OD
            return _cells.unit_vector(vec, field="stain")
        raise InputError(
            "Expected stain 'estimate', 'cresyl_violet', 'hematoxylin', a channel index 0-2 or "
            f"an RGB OD vector, but got {stain!r}",
            field="stain",
        )
    if isinstance(stain, (int, np.integer)) and not isinstance(stain, bool):
        if stain not in (0, 1, 2):
            raise InputError(f"Expected a channel index 0, 1 or 2, but got {stain}", field="stain")
        return int(stain)
    return _cells.unit_vector(stain, field="stain")


def nissl_signal(
    rgb: np.ndarray,
    *,
    stain_vector: np.ndarray | int,
    white: np.ndarray,
    background_radius_px: float,
) -> np.ndarray:
    """Background-subtracted stain concentration (OD units) of an RGB tile.

    ``c = OD . v`` (projection of the per-channel optical density on the unit stain vector, or
    the OD of one channel), minus its smooth background (:func:`_cells.background`), so somata
    are bright on a flat, near-zero neuropil.
    """
    od = _cells.optical_density(rgb, white=tuple(white))
    conc = od[..., stain_vector] if isinstance(stain_vector, int) else od @ stain_vector
    conc = conc.astype(np.float32)
    return conc - _cells.background(conc, radius_px=background_radius_px)

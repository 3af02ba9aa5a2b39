"""Cresyl-violet stain signal of brightfield Nissl images: stain vector and concentration.

Colour deconvolution with one stain (Ruifrok & Johnston 2001): optical density projected on the
stain's unit OD vector, minus a smooth background, so somata are bright on a flat neuropil.
Used by :func:`~neuroprotect.histology.neurons.count_neurons` and the trainable detector.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import watershed

from neuroprotect.errors import InputError
from neuroprotect.histology import _cells

__all__ = [
    "CRESYL_VIOLET_OD",
    "HEMATOXYLIN_OD",
    "estimate_stain_vector",
    "grow_fragments",
    "nissl_signal",
    "with_pale_somata",
]

#: Approximate optical-density vector (R, G, B) of cresyl violet in white light: it absorbs
#: most around 590-600 nm (red and green channels) and little in blue, hence violet. Scanners
#: differ; the default ``stain="estimate"`` measures the vector on the image itself.
CRESYL_VIOLET_OD = (0.54, 0.80, 0.26)
#: Haematoxylin OD vector of Ruifrok & Johnston (2001), as in ``skimage.color.rgb_from_hed``.
HEMATOXYLIN_OD = (0.65, 0.70, 0.29)

#: Pale somata: pixels above this fraction of the (Otsu) threshold, away from dark somata.
PALE_FRACTION = 0.5
#: Gap (fraction of the soma radius) kept between dark somata and pale ones added beside them.
PALE_GAP = 0.15
#: Objects below the minimum soma area grow this many soma radii at most, into pale pixels.
FRAGMENT_REACH = 1.0
#: The growth of a fragment is kept when the pale body it added beyond its own blurred edge is
#: at least this fraction of the fragment (a halo of blur adds nothing beyond that edge).
BODY_RATIO = 0.25
#: A pale soma's outline is where its smoothed stain falls to this fraction of its own mean.
OWN_CONTRAST_FRACTION = 0.5


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


def with_pale_somata(signal: np.ndarray, *, radius_px: float, threshold: float) -> np.ndarray:
    """Foreground: pixels above ``threshold`` plus pale somata below it.

    Otsu's threshold separates the dark, Nissl-rich somata from everything else; pale somata
    (large neurons with dispersed Nissl substance, lightly stained or thin cells) lie between the
    two classes and would be missed whole. Pixels of the smoothed signal above
    :data:`PALE_FRACTION` of the threshold and more than :data:`PALE_GAP` soma radii from the
    dark foreground (so the blurred edge of a dark soma is not taken for a pale one) form
    patches; each keeps its pixels at or above :data:`OWN_CONTRAST_FRACTION` of its own mean
    stain (a local threshold: the outline near the half-height of its own edge), holes filled.
    Dark somata keep exactly their outline at ``threshold``; thin leftovers are removed by the
    opening and the area filter of the segmentation.
    """
    sm = ndi.gaussian_filter(signal.astype(np.float32), sigma=max(0.5, 0.1 * radius_px))
    dark = sm > threshold
    # pale pixels away from the blurred edge of the dark somata (their skirt is not a soma)
    skirt = max(1, int(round(PALE_GAP * radius_px)))
    low = (sm > PALE_FRACTION * threshold) & ~ndi.binary_dilation(dark, iterations=skirt)
    patches, n = ndi.label(low)
    if n == 0:
        return dark
    flat = patches.ravel()
    mean = np.bincount(flat, weights=sm.ravel(), minlength=n + 1) / np.maximum(
        np.bincount(flat, minlength=n + 1), 1
    )
    pale = (patches > 0) & (sm >= OWN_CONTRAST_FRACTION * mean[patches])
    return dark | ndi.binary_fill_holes(pale)


def grow_fragments(
    labels: np.ndarray,
    signal: np.ndarray,
    *,
    radius_px: float,
    threshold: float,
    min_area_px: float,
) -> np.ndarray:
    """Objects smaller than ``min_area_px`` grown into the pale pixels around them.

    A soma whose Nissl substance is dark only in a small cap (the rest of its cytoplasm pale)
    passes the threshold in that cap alone: the object is then too small and would be rejected
    as a glial nucleus or speck, losing the soma. Each object below ``min_area_px`` is grown by
    a watershed on the smoothed signal over pixels above :data:`PALE_FRACTION` of the threshold
    (the pale level of :func:`with_pale_somata`), not in another object or within
    :data:`PALE_GAP` soma radii of one (its blurred edge is no soma) and at most
    :data:`FRAGMENT_REACH` soma radii from it. The growth is kept when the pixels it added
    beyond the fragment's own blurred edge (:data:`PALE_GAP` radii) are at least
    :data:`BODY_RATIO` of the fragment's (a pale body, not a halo of blur); the object is then
    filtered on its grown area. Objects
    at or above ``min_area_px`` are unchanged, and a small object on clear neuropil (a glial
    nucleus, a speck) has nothing to grow into and stays small.
    """
    areas = np.bincount(labels.ravel())
    areas[0] = np.iinfo(np.int64).max  # background never counts as a fragment
    small = areas[labels] < min_area_px
    if not small.any():
        return labels
    sm = ndi.gaussian_filter(signal.astype(np.float32), sigma=max(0.5, 0.1 * radius_px))
    near = ndi.distance_transform_edt(~small) <= FRAGMENT_REACH * radius_px
    free = (labels == 0) | small
    # not into the blurred edge of the somata already whole (a glial nucleus beside a soma)
    skirt = max(1, int(round(PALE_GAP * radius_px)))
    whole_edge = ndi.binary_dilation(~free, iterations=skirt)
    room = (near & (sm > PALE_FRACTION * threshold) & free & ~whole_edge) | small
    seeds = np.where(small, labels, 0)
    grown = watershed(-sm, seeds, mask=room)
    # a pale body beyond the fragment's own blurred edge, at least as large as the fragment
    own_edge = ndi.binary_dilation(small, iterations=skirt)
    n = int(labels.max()) + 1
    body = np.bincount(grown[~own_edge].ravel(), minlength=n)
    body[0] = 0
    keep = body >= BODY_RATIO * np.bincount(seeds.ravel(), minlength=n)
    keep[0] = False
    return np.where(free, np.where(keep[grown], grown, seeds), labels).astype(labels.dtype)

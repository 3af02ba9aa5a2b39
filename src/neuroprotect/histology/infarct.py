"""Pale (TTC-negative) infarct versus red viable tissue, by colour, adapted to each photo.

TTC is reduced to red formazan by living mitochondria; infarcted tissue stays pale. The colour
feature is the *redness* ``q = ln((R + 0.02) / (G + 0.02))`` (formazan absorbs green, not red):
it does not change when the light is brighter or dimmer (a ratio), and a camera's white balance
only shifts it by a constant, which is removed using the plate's colour when the plate is neutral
(black, grey or white). The threshold is not fixed: it is fitted to each photo by two-class
clustering of the tissue's redness (see :func:`fit_colour_model`), so stain intensity, exposure
and camera differences move the threshold with the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

__all__ = ["ColourModel", "compute_redness", "fit_colour_model", "segment_pale"]

_EPS = 0.02


@dataclass(frozen=True)
class ColourModel:
    """The fitted colour rule of one photo.

    Attributes
    ----------
    white_balance
        Gains ``(R, G, B)`` divided out before the redness (from a neutral plate, else 1).
    white_balance_source
        ``background`` or ``none`` (plate too dark or coloured to serve as a white reference).
    viable_redness, pale_redness
        Centres of the two classes (``pale_redness`` is ``None`` when no pale class was found).
    threshold
        Redness below which tissue is called pale (infarct).
    method
        ``two-class`` (threshold half-way between the fitted class centres) or ``half-viable``
        (no pale class: threshold at half the viable redness).
    """

    white_balance: tuple[float, float, float]
    white_balance_source: str
    viable_redness: float
    pale_redness: float | None
    threshold: float
    method: str


def compute_redness(
    rgb: np.ndarray, *, white_balance: tuple[float, float, float] = (1.0, 1.0, 1.0)
) -> np.ndarray:
    """Redness ``ln((R/wR + 0.02) / (G/wG + 0.02))`` of an RGB image with values in 0..1."""
    r = rgb[..., 0] / white_balance[0]
    g = rgb[..., 1] / white_balance[1]
    return np.log((r + _EPS) / (g + _EPS)).astype(np.float32)


def _white_balance(background_rgb: np.ndarray) -> tuple[tuple[float, float, float], str]:
    bg = np.asarray(background_rgb, float)
    level = float(bg.mean())
    if level < 0.08 or np.any(bg <= 0):
        return (1.0, 1.0, 1.0), "none"
    gains = bg / level
    if np.max(np.abs(np.log(gains))) > 0.3:
        return (1.0, 1.0, 1.0), "none"
    return (float(gains[0]), float(gains[1]), float(gains[2])), "background"


def fit_colour_model(
    rgb: np.ndarray,
    tissue: np.ndarray,
    *,
    background_rgb: np.ndarray,
    min_pale_fraction: float = 0.002,
    separation: float = 4.0,
) -> ColourModel:
    """Fit the pale-versus-red rule to the tissue of one photo.

    Parameters
    ----------
    rgb
        ``(row, col, 3)`` float image, values 0..1 (lightly smoothed).
    tissue
        ``(row, col)`` bool tissue mask.
    background_rgb
        Plate colour (see :class:`~neuroprotect.histology.slices.TissueMask`).
    min_pale_fraction
        Smallest share of the tissue the pale class must have to count as a class.
    separation
        Smallest distance between class centres, in robust SDs of the viable class.

    Returns
    -------
    ColourModel

    Notes
    -----
    Interior tissue pixels (2 pixels in from the edge) are used. Two-class clustering of their
    redness (k-means with k = 2 but class *medians* as centres, so the soft infarct border and
    the paler white matter do not drag the centres) starts from 0 (neutral: unstained tissue) and the median (most of a slice, all of the
    contralateral hemisphere, is viable). The pale class is accepted when it holds at least
    ``min_pale_fraction`` of the tissue, its centre is less than half as red as the viable centre
    and the centres are at least ``separation`` robust SDs of the viable class apart; the
    threshold is then half-way between the centres (where a pixel is equally far from both,
    i.e. at half the staining). Otherwise (a sham animal, or a photo without infarct) the
    threshold is half the viable redness. Pale but stained white matter (corpus callosum, about
    60 % of the grey matter's staining) stays above that threshold.
    """
    wb, wb_source = _white_balance(background_rgb)
    inner = ndi.binary_erosion(tissue, iterations=2)
    if inner.sum() < 50:
        inner = tissue
    q = compute_redness(rgb, white_balance=wb)[inner]
    if q.size > 400_000:
        q = q[:: q.size // 400_000 + 1]
    v = float(np.median(q))
    p = 0.0
    for _ in range(50):
        t = (p + v) / 2.0
        low, high = q[q < t], q[q >= t]
        if low.size == 0 or high.size == 0:
            break
        p_new, v_new = float(np.median(low)), float(np.median(high))
        if abs(p_new - p) < 1e-5 and abs(v_new - v) < 1e-5:
            break
        p, v = p_new, v_new
    high = q[q >= (p + v) / 2.0]
    spread = 1.4826 * float(np.median(np.abs(high - np.median(high)))) if high.size else 0.0
    frac = float(np.mean(q < (p + v) / 2.0))
    viable = float(np.median(high)) if high.size else v
    if frac >= min_pale_fraction and p <= 0.5 * v and (v - p) >= separation * max(spread, 1e-3):
        return ColourModel(wb, wb_source, v, p, (p + v) / 2.0, "two-class")
    viable = float(np.median(q))
    return ColourModel(wb, wb_source, viable, None, 0.5 * viable, "half-viable")


def segment_pale(
    rgb: np.ndarray,
    tissue: np.ndarray,
    model: ColourModel,
) -> np.ndarray:
    """Pale tissue of a photo: redness below the model's threshold, cleaned of edge rims.

    Returns
    -------
    numpy.ndarray
        ``(row, col)`` bool, True on pale tissue. A binary opening (3 x 3) removes one- and
        two-pixel rims where tissue meets the plate and mixed pixels look pale; small specks
        (glare) are removed per slice by the caller (:func:`~neuroprotect.histology.ttc_images`).
    """
    q = compute_redness(rgb, white_balance=model.white_balance)
    pale = (q < model.threshold) & tissue
    return ndi.binary_opening(pale, structure=np.ones((3, 3), bool))

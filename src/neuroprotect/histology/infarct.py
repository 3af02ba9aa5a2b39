"""Pale (TTC-negative) infarct versus red viable tissue, by colour, adapted to each photo.

TTC is reduced to red formazan by living mitochondria; infarcted tissue stays pale. The photo is
first converted to linear light (``x ** 2.2``), where a border pixel that is part infarct and part
viable tissue has the proportional mix of both colours. The colour feature is the *redness*
``(R - G) / R`` (formazan absorbs green, not red; 1 for pure red, 0 for white or grey, like the
HSV saturation that ImageJ users threshold, but in linear light): a ratio, so it does not change
when the light is brighter or dimmer, and a camera's white balance, which scales R and G, is
divided out using the plate's colour when the plate is neutral (black, grey or white). The
threshold is not fixed: it is fitted to each photo by two-class clustering of the tissue's redness
(see :func:`fit_colour_model`), so stain intensity, exposure and camera differences move the
threshold with the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

__all__ = ["ColourModel", "compute_redness", "fit_colour_model", "linearize", "segment_pale"]

_EPS = 0.01
GAMMA = 2.2


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


def linearize(rgb: np.ndarray) -> np.ndarray:
    """Camera (gamma-encoded, 0..1) values to linear light: ``x ** 2.2`` (sRGB-like)."""
    return np.power(np.clip(rgb, 0.0, 1.0), GAMMA, dtype=np.float32)


def compute_redness(
    linear_rgb: np.ndarray, *, white_balance: tuple[float, float, float] = (1.0, 1.0, 1.0)
) -> np.ndarray:
    """Redness ``(R' - G') / (R' + 0.01)`` of linear RGB, with ``R' = R / wR``, ``G' = G / wG``.

    1 for pure red, 0 for white or grey; like HSV saturation of a red hue, but computed in linear
    light, where a pixel that is part infarct and part viable tissue has the proportional mix of
    the two colours, so the half-way threshold splits border pixels fairly.
    """
    r = linear_rgb[..., 0] / white_balance[0]
    g = linear_rgb[..., 1] / white_balance[1]
    return ((r - g) / (r + _EPS)).astype(np.float32)


def _white_balance(background_rgb: np.ndarray) -> tuple[tuple[float, float, float], str]:
    bg = np.asarray(linearize(np.asarray(background_rgb, np.float32)), float)
    level = float(bg.mean())
    if level < 0.01 or np.any(bg <= 0):
        return (1.0, 1.0, 1.0), "none"
    gains = bg / level
    if np.max(np.abs(np.log(gains))) > 0.6:
        return (1.0, 1.0, 1.0), "none"
    return (float(gains[0]), float(gains[1]), float(gains[2])), "background"


def fit_colour_model(
    linear_rgb: np.ndarray,
    tissue: np.ndarray,
    *,
    background_rgb: np.ndarray,
    min_pale_fraction: float = 0.002,
    separation: float = 4.0,
) -> ColourModel:
    """Fit the pale-versus-red rule to the tissue of one photo.

    Parameters
    ----------
    linear_rgb
        ``(row, col, 3)`` image in linear light (:func:`linearize`), lightly smoothed.
    tissue
        ``(row, col)`` bool tissue mask.
    background_rgb
        Plate colour as recorded (gamma-encoded; see
        :class:`~neuroprotect.histology.slices.TissueMask`).
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
    threshold is then the redness of a half-and-half mixture of the two classes (in linear
    light), so a border pixel is called infarct when more than half of it is pale. Redness is
    not linear in the mixture because pale tissue reflects more red light than viable tissue:
    with class centres ``p`` and ``v`` and ``rho`` the red reflectance of pale over viable
    tissue, the half-and-half mixture has redness ``(rho p + v) / (rho + 1)``. ``rho`` is
    measured across the pale regions' borders (pixels 6-14 inside against 6-14 outside), where
    the light falling on both is the same. Otherwise (a sham animal, or a photo without infarct) the
    threshold is half the viable redness. Pale but stained white matter (corpus callosum, about
    60 % of the grey matter's staining) stays above that threshold.
    """
    wb, wb_source = _white_balance(background_rgb)
    inner = ndi.binary_erosion(tissue, iterations=2)
    if inner.sum() < 50:
        inner = tissue
    colours = linear_rgb[inner]
    if len(colours) > 400_000:
        colours = colours[:: len(colours) // 400_000 + 1]
    q = compute_redness(colours, white_balance=wb)
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
        rho = _red_ratio_at_border(linear_rgb, tissue, wb, (p + v) / 2.0)
        if rho is None:
            cut = (p + v) / 2.0
            rho = float(np.median(colours[q < cut, 0]) / max(np.median(colours[q >= cut, 0]), 1e-6))
        t = (rho * p + v) / (rho + 1.0)
        return ColourModel(wb, wb_source, v, p, float(t), "two-class")
    viable = float(np.median(q))
    return ColourModel(wb, wb_source, viable, None, 0.5 * viable, "half-viable")


def _red_ratio_at_border(
    linear_rgb: np.ndarray, tissue: np.ndarray, wb: tuple[float, float, float], cut: float
) -> float | None:
    """Red reflectance of pale over viable tissue, compared across the pale borders.

    Pixels 6-14 pixels inside the provisional pale regions against pixels 6-14 pixels outside them
    (within the tissue), so uneven light cancels. ``None`` when either band is too small.
    """
    pale = (compute_redness(linear_rgb, white_balance=wb) < cut) & tissue
    rows, cols = np.nonzero(pale.any(axis=1))[0], np.nonzero(pale.any(axis=0))[0]
    if len(rows) == 0:
        return None
    m = 16  # work in the pale regions' bounding box (plus the outer band)
    box = (
        slice(max(0, rows[0] - m), rows[-1] + m + 1),
        slice(max(0, cols[0] - m), cols[-1] + m + 1),
    )
    pale, tissue = pale[box], tissue[box]
    inner = ndi.binary_erosion(pale, iterations=6) & ~ndi.binary_erosion(pale, iterations=14)
    outer = ndi.binary_dilation(pale, iterations=14) & ~ndi.binary_dilation(pale, iterations=6)
    outer &= ndi.binary_erosion(tissue, iterations=2)
    if inner.sum() < 20 or outer.sum() < 20:
        return None
    red = linear_rgb[box][..., 0]
    return float(np.median(red[inner]) / max(float(np.median(red[outer])), 1e-6))


def segment_pale(
    linear_rgb: np.ndarray,
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
    q = compute_redness(linear_rgb, white_balance=model.white_balance)
    pale = (q < model.threshold) & tissue
    return ndi.binary_opening(pale, structure=np.ones((3, 3), bool))

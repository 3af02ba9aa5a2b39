"""Finding brain slices on a photographed plate and ordering them rostral to caudal.

Tissue is told from background by its colour distance to a background model fitted to the photo
itself (no fixed threshold), so a black, grey or coloured plate under uneven light all work as long
as the slices do not touch each other or the image border.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu

from neuroprotect.errors import InputError

__all__ = ["TissueMask", "find_scale_bar", "find_slices", "order_slices", "segment_tissue"]


@dataclass(frozen=True)
class TissueMask:
    """Tissue/background split of a photo.

    Attributes
    ----------
    mask
        ``(row, col)`` bool, True on tissue (holes filled).
    background_rgb
        Median colour of the image border (values 0..1), the plate's colour.
    threshold
        Colour distance (RGB, 0..1 scale) above which a pixel is tissue.
    """

    mask: np.ndarray
    background_rgb: np.ndarray
    threshold: float


def _border(rgb: np.ndarray, frac: float = 0.03) -> np.ndarray:
    rows, cols = rgb.shape[:2]
    k = max(2, int(round(frac * min(rows, cols))))
    return np.concatenate(
        [
            rgb[:k].reshape(-1, 3),
            rgb[-k:].reshape(-1, 3),
            rgb[:, :k].reshape(-1, 3),
            rgb[:, -k:].reshape(-1, 3),
        ]
    )


def _background_surface(
    sample: np.ndarray, background: np.ndarray, step: int, shape: tuple[int, int]
) -> np.ndarray:
    """Quadratic surface per channel fitted to background pixels (uneven illumination).

    ``sample`` and ``background`` are the image and its background mask taken every ``step``
    pixels; the surface is evaluated on the full ``shape``.
    """
    rows, cols = shape
    yy, xx = np.mgrid[0 : sample.shape[0], 0 : sample.shape[1]] * step
    x, y = xx[background] / cols - 0.5, yy[background] / rows - 0.5
    if len(x) < 50:
        return np.broadcast_to(np.median(_border(sample), axis=0).astype(np.float32), (*shape, 3))
    design = np.column_stack([np.ones_like(x), x, y, x * x, x * y, y * y])
    coef, *_ = np.linalg.lstsq(design, sample[background].astype(float), rcond=None)
    fx = (np.arange(cols, dtype=np.float32) / cols - 0.5)[None, :]
    fy = (np.arange(rows, dtype=np.float32) / rows - 0.5)[:, None]
    out = np.empty((rows, cols, 3), np.float32)
    for c in range(3):
        k = coef[:, c].astype(np.float32)
        out[..., c] = (
            k[0] + k[1] * fx + k[2] * fy + k[3] * fx * fx + k[4] * fx * fy + k[5] * fy * fy
        )
    return out


def _distance_threshold(dist: np.ndarray, border: np.ndarray) -> float:
    """Otsu on the colour distance, but never above the background's noise ceiling."""
    sample = dist[:: max(1, dist.size // 400_000 + 1)] if dist.ndim == 1 else dist
    otsu = float(threshold_otsu(sample))
    mad = float(np.median(np.abs(border - np.median(border)))) * 1.4826
    ceiling = float(np.median(border)) + 8.0 * mad + 0.03
    return min(otsu, max(ceiling, 0.05))


def segment_tissue(rgb: np.ndarray, *, smooth_px: float = 1.0) -> TissueMask:
    """Split a photo of slices into tissue and background.

    Parameters
    ----------
    rgb
        ``(row, col, 3)`` float image with values in 0..1.
    smooth_px
        Gaussian smoothing (pixels) before the colour distance, against noise.

    Returns
    -------
    TissueMask

    Raises
    ------
    InputError
        When nothing stands out from the background.

    Notes
    -----
    1. The background colour is the median of a frame 3 % wide along the image border (the plate
       around the slices). Each pixel's Euclidean RGB distance to it is thresholded with Otsu's
       method, capped at the border's median + 8 robust SD (+0.03) so that a pale infarct is not
       split from red tissue when the background is a small part of the photo.
    2. A quadratic surface per channel is fitted to the background pixels of step 1 (light
       falloff, vignetting) and step 1 is repeated against that surface.
    3. Holes are filled (ventricles, pale regions inside a slice belong to the slice) and a
       binary opening of 2 pixels removes dust and noise.
    """
    rgb = rgb.astype(np.float32, copy=False)
    img = (
        ndi.gaussian_filter(rgb, sigma=(smooth_px, smooth_px, 0), truncate=2.5)
        if smooth_px > 0
        else rgb
    )
    border = _border(img)
    bg = np.median(border, axis=0)
    step = max(1, min(img.shape[:2]) // 300)
    sample = img[::step, ::step]
    dist1 = np.sqrt(((sample - bg) ** 2).sum(axis=-1))
    t1 = _distance_threshold(dist1, np.sqrt(((border - bg) ** 2).sum(axis=-1)))
    first = dist1 > t1
    if not first.any():
        raise InputError("Expected slices that stand out from the background, but found none")
    first = ndi.binary_dilation(first, iterations=2)
    surface = _background_surface(sample, ~first, step, img.shape[:2])
    dist = np.sqrt(((img - surface) ** 2).sum(axis=-1))
    border2 = np.sqrt(((_border(img) - _border(surface)) ** 2).sum(axis=-1))
    t2 = _distance_threshold(dist[::step, ::step], border2)
    mask = dist > t2
    mask = ndi.binary_opening(mask, structure=np.ones((3, 3), bool), iterations=1)
    mask = ndi.binary_fill_holes(mask)
    # Edge pixels mix tissue and plate: keep those at least half-way to the nearby tissue colour.
    raw = np.sqrt(((rgb - surface) ** 2).sum(axis=-1)) if smooth_px > 0 else dist
    local = ndi.maximum_filter(np.where(mask, ndi.uniform_filter(raw, 3), 0.0), size=7)
    edge = mask & ~ndi.binary_erosion(mask, iterations=2)
    mask &= ~(edge & (raw < 0.5 * local))
    mask = ndi.binary_fill_holes(ndi.binary_opening(mask))
    return TissueMask(mask=mask, background_rgb=bg.astype(float), threshold=float(t2))


def find_slices(
    mask: np.ndarray, *, min_fraction: float = 0.15, min_pixels: int = 200
) -> tuple[np.ndarray, int]:
    """Label the slices of a tissue mask in reading order (see :func:`order_slices`).

    Parameters
    ----------
    mask
        ``(row, col)`` bool tissue mask.
    min_fraction
        Components smaller than this fraction of the largest one are debris and dropped.
    min_pixels
        Components smaller than this are dropped too.

    Returns
    -------
    (labels, n)
        ``int32`` label image with slices numbered 1..n in reading order (0 = background).

    Raises
    ------
    InputError
        When no slice is found.
    """
    labels, n = ndi.label(mask)
    if n == 0:
        raise InputError("Expected at least one brain slice in the image, but found none")
    sizes = np.bincount(labels.ravel())[1:]
    keep = (sizes >= max(min_pixels, min_fraction * sizes.max())).nonzero()[0] + 1
    if len(keep) == 0:
        raise InputError("Expected at least one brain slice in the image, but found none")
    boxes = ndi.find_objects(labels)
    extents = [boxes[k - 1] for k in keep]
    centroids = ndi.center_of_mass(mask, labels, keep)
    order = order_slices(
        [(float(c[0]), float(c[1])) for c in centroids],
        [(e[0].start, e[0].stop) for e in extents],
    )
    relabel = np.zeros(n + 1, np.int32)
    for new, idx in enumerate(order, start=1):
        relabel[keep[idx]] = new
    return relabel[labels], len(keep)


def order_slices(
    centroids_rc: Sequence[tuple[float, float]], row_extents: Sequence[tuple[int, int]]
) -> list[int]:
    """Reading order of slices on a plate: rows top to bottom, left to right within a row.

    Two slices share a row when their vertical extents overlap by more than half of the smaller
    one. This is the order in which labs lay slices out, rostral to caudal; a plate laid out
    otherwise is corrected with the ``order`` override.

    Returns
    -------
    list of int
        Indices into ``centroids_rc`` in reading order.
    """
    idx = sorted(range(len(centroids_rc)), key=lambda i: centroids_rc[i][0])
    rows: list[list[int]] = []
    for i in idx:
        top, bottom = row_extents[i]
        placed = False
        for row in rows:
            r_top = min(row_extents[j][0] for j in row)
            r_bottom = max(row_extents[j][1] for j in row)
            overlap = min(bottom, r_bottom) - max(top, r_top)
            if overlap > 0.5 * min(bottom - top, r_bottom - r_top):
                row.append(i)
                placed = True
                break
        if not placed:
            rows.append([i])
    return [i for row in rows for i in sorted(row, key=lambda j: centroids_rc[j][1])]


def find_scale_bar(
    mask: np.ndarray, slices: np.ndarray, *, min_aspect: float = 8.0
) -> float | None:
    """Length in pixels of the scale bar: the longest thin straight object that is not a slice.

    Parameters
    ----------
    mask
        Tissue/foreground mask (:func:`segment_tissue`): a bar that stands out from the plate is
        in it, like the slices.
    slices
        Slice labels (:func:`find_slices`); their pixels are not candidates.
    min_aspect
        Smallest length-to-width ratio of a bar.

    Returns
    -------
    float or None
        Extent along the object's long axis, ``max - min + 1`` of the pixel centres' projections
        (exact for an axis-aligned bar, within a pixel otherwise), or ``None`` when no object is
        thin enough.
    """
    labels, n = ndi.label(mask & (slices == 0))
    best = None
    for k, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None:
            continue
        ys, xs = np.nonzero(labels[box] == k)
        if len(xs) < 20:
            continue
        coords = np.column_stack([xs - xs.mean(), ys - ys.mean()]).astype(float)
        evals, evecs = np.linalg.eigh(coords.T @ coords / len(xs))
        major = evecs[:, 1]
        along = coords @ major
        length = float(along.max() - along.min() + 1.0)
        width = len(xs) / length
        if length / max(width, 1e-9) >= min_aspect and (best is None or length > best):
            best = length
    return best

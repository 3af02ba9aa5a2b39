"""Candidate animal blobs in one window of a frame, found coarse and placed at full resolution.

Finding: the window is read every ``step``-th pixel (``step`` chosen so the animal stays at
least ~10 coarse pixels across), thresholded against the background's per-pixel threshold,
opened (drops noise and the thin tail) and labelled; this keeps the per-frame cost small next to
decoding. Placing: in each blob's box at full resolution, the pixels that reach half the blob's
peak contrast form the body's outline (a soft shadow or the blur around the animal passes the
noise threshold but not half of the animal's own contrast); the body centre is the centroid of
that outline, restricted to the coarse blob so a neighbouring object cannot pull it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Blob", "find_blobs"]

_OPEN = np.ones((3, 3), bool)


@dataclass(frozen=True)
class Blob:
    """A connected foreground region: body centre (x, y in frame pixels), area (full-resolution
    px), contrast (mean of difference / threshold over its pixels), bounding box (frame
    rows, cols slices)."""

    x: float
    y: float
    area: float
    contrast: float
    box: tuple[slice, slice]


def find_blobs(
    difference: np.ndarray,
    threshold: np.ndarray,
    full_difference: object,
    *,
    origin: tuple[int, int],
    step: int,
    allowed: np.ndarray | None,
    min_area: float,
    max_area: float,
) -> list[Blob]:
    """Blobs of a plausible size in a window.

    Parameters
    ----------
    difference, threshold
        The coarse window (every ``step``-th pixel): difference to the background towards the
        animal's contrast, and the per-pixel threshold.
    full_difference
        ``full_difference(rows, cols) -> (difference, threshold)`` at full resolution for a box
        of the frame (slices in frame pixels).
    origin
        (row, col) in the frame of the window's top-left pixel (a multiple of ``step``).
    allowed
        The coarse window's mask of pixels where the animal may be, or None.
    min_area, max_area
        Size gate in full-resolution pixels.
    """
    from scipy import ndimage

    mask = difference > threshold
    if allowed is not None:
        mask &= allowed
    mask = ndimage.binary_opening(mask, structure=_OPEN)
    labels, n = ndimage.label(mask)
    if n == 0:
        return []
    cell = step * step
    areas = np.bincount(labels.ravel()) * cell
    boxes = ndimage.find_objects(labels)
    r0, c0 = origin
    out = []
    for label in np.nonzero((areas >= min_area) & (areas <= max_area))[0]:
        if label == 0:
            continue
        rows, cols = boxes[label - 1]
        part = labels[rows, cols] == label
        coarse_diff = difference[rows, cols][part]
        contrast = float(np.mean(coarse_diff / threshold[rows, cols][part]))
        peak = float(np.percentile(coarse_diff, 95))
        # the same box at full resolution, grown by one coarse pixel (clipped at the frame edge)
        top, left = r0 + (rows.start - 1) * step, c0 + (cols.start - 1) * step
        fr = slice(max(0, top), r0 + (rows.stop + 1) * step)
        fc = slice(max(0, left), c0 + (cols.stop + 1) * step)
        # every `fine`-th pixel: the centroid of thousands of pixels needs no finer grid
        fine = max(1, step // 4)
        fr, fc = slice(fr.start, fr.stop, fine), slice(fc.start, fc.stop, fine)
        diff, thr = full_difference(fr, fc)  # type: ignore[operator]
        grown = ndimage.binary_dilation(np.pad(part, 1), structure=_OPEN)
        near = np.repeat(np.repeat(grown, step // fine, axis=0), step // fine, axis=1)
        skip_r, skip_c = (fr.start - top) // fine, (fc.start - left) // fine
        near = near[skip_r:, skip_c:][: diff.shape[0], : diff.shape[1]]
        if near.shape != diff.shape:  # the frame ends inside the grown box
            diff, thr = diff[: near.shape[0], : near.shape[1]], thr[: near.shape[0], : near.shape[1]]
        body = near & (diff > thr)
        if not body.any():
            continue
        core = body & (diff > 0.5 * peak)
        rr, cc = np.nonzero(core if core.sum() >= 0.25 * body.sum() else body)
        out.append(
            Blob(
                x=float(cc.mean()) * fine + fc.start,
                y=float(rr.mean()) * fine + fr.start,
                area=float(areas[label]),
                contrast=contrast,
                box=(slice(fr.start, fr.stop), slice(fc.start, fc.stop)),
            )
        )
    return out

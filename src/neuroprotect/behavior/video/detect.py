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


_CROSS = np.array(
    [[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool
)  # 4-connected, as ndimage.label's default


def _erode(mask: np.ndarray) -> np.ndarray:
    """3x3 binary erosion (pixels outside the array count as background); shifted views are
    much cheaper than a general morphology call on the small windows tracked per frame."""
    out = mask.copy()
    out[1:, :] &= mask[:-1, :]
    out[:-1, :] &= mask[1:, :]
    out[0, :] = out[-1, :] = False
    rows = out.copy()
    out[:, 1:] &= rows[:, :-1]
    out[:, :-1] &= rows[:, 1:]
    out[:, 0] = out[:, -1] = False
    return out


def _dilate(mask: np.ndarray) -> np.ndarray:
    """3x3 binary dilation (the counterpart of :func:`_erode`)."""
    out = mask.copy()
    out[1:, :] |= mask[:-1, :]
    out[:-1, :] |= mask[1:, :]
    rows = out.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


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
    mask = _dilate(_erode(mask))  # 3x3 opening: drops noise and the thin tail
    labels, n = ndimage.label(mask, structure=_CROSS)
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
        top = int(0.95 * (coarse_diff.size - 1))  # the body's own contrast: its 95th percentile
        peak = float(np.partition(coarse_diff, top)[top])
        # the same box at full resolution, grown by one coarse pixel, read every `fine`-th
        # pixel (the centroid of thousands of pixels needs no finer grid)
        gr = slice(max(0, rows.start - 1), rows.stop + 1)
        gc = slice(max(0, cols.start - 1), cols.stop + 1)
        grown = _dilate(labels[gr, gc] == label)
        fine = max(1, step // 4) if step % max(1, step // 4) == 0 else 1
        fr = slice(r0 + gr.start * step, r0 + gr.stop * step, fine)
        fc = slice(c0 + gc.start * step, c0 + gc.stop * step, fine)
        diff, thr = full_difference(fr, fc)  # type: ignore[operator]
        near = np.repeat(np.repeat(grown, step // fine, axis=0), step // fine, axis=1)
        near = near[: diff.shape[0], : diff.shape[1]]  # the frame may end inside the box
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

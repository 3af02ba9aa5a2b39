"""Candidate animal blobs in one window of a frame, and the body centre of a blob.

The body centre is not the blob's centroid: a rodent's blob carries the head (and, before the
thin tail is opened away, part of the tail) on one side of the torso. The torso is the thickest
part of the body, so the centre is taken as the centroid of the blob's *core*: the pixels at least
half the maximum depth inside the blob (distance to its edge). That point is insensitive to the
head's and tail's share of the outline, and for a symmetric body it is the centre itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Blob", "find_blobs", "body_centre"]

#: Share of the blob's maximum depth a pixel needs to belong to its core.
CORE_DEPTH = 0.3


@dataclass(frozen=True)
class Blob:
    """A connected foreground region: body centre (x, y in frame pixels), area (px), contrast
    (median of difference / threshold over its pixels), bounding box (rows, cols slices)."""

    x: float
    y: float
    area: float
    contrast: float
    length: float
    box: tuple[slice, slice]


def body_centre(mask: np.ndarray) -> tuple[float, float]:
    """Centre (x, y) of the blob's core, in the mask's pixel coordinates (see the module)."""
    from scipy import ndimage

    depth = ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    core = depth >= CORE_DEPTH * depth.max()
    rows, cols = np.nonzero(core)
    return float(cols.mean()), float(rows.mean())


def _half_contrast(part: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """The blob's pixels that reach half its peak contrast (its largest such piece).

    A soft shadow or the blur around the animal passes the noise threshold but not half of the
    animal's own contrast; cutting there keeps the outline of the body itself."""
    from scipy import ndimage

    peak = float(np.percentile(diff[part], 95))
    core = part & (diff > 0.5 * peak)
    core = ndimage.binary_opening(core, structure=np.ones((3, 3), bool))
    labels, n = ndimage.label(core)
    if n == 0:
        return part
    if n > 1:
        core = labels == 1 + int(np.argmax(np.bincount(labels.ravel())[1:]))
    return core


def find_blobs(
    diff: np.ndarray,
    threshold: np.ndarray,
    *,
    origin: tuple[int, int],
    allowed: np.ndarray | None,
    min_area: float,
) -> list[Blob]:
    """Foreground blobs of at least ``min_area`` pixels in a window.

    Parameters
    ----------
    diff, threshold
        The window's difference to the background (towards the animal's contrast) and the
        per-pixel threshold (see :class:`~neuroprotect.behavior.video.background.Background`).
    origin
        (row, col) of the window's top-left pixel in the frame.
    allowed
        The window's mask of pixels where the animal may be, or None.
    """
    from scipy import ndimage

    mask = diff > threshold
    if allowed is not None:
        mask &= allowed
    # opening drops single-pixel noise and the thin tail; the body survives
    mask = ndimage.binary_opening(mask, structure=np.ones((3, 3), bool))
    labels, n = ndimage.label(mask)
    if n == 0:
        return []
    areas = np.bincount(labels.ravel())
    out = []
    r0, c0 = origin
    boxes = ndimage.find_objects(labels)
    for label in np.nonzero(areas >= min_area)[0]:
        if label == 0:
            continue
        box = boxes[label - 1]
        part = labels[box] == label
        ratio = diff[box][part] / threshold[box][part]
        part = _half_contrast(part, diff[box])
        x, y = body_centre(part)
        rows, cols = box
        height, width = rows.stop - rows.start, cols.stop - cols.start
        out.append(
            Blob(
                x=x + cols.start + c0,
                y=y + rows.start + r0,
                area=float(areas[label]),
                contrast=float(np.median(ratio)),
                length=float(np.hypot(height, width)),
                box=(
                    slice(rows.start + r0, rows.stop + r0),
                    slice(cols.start + c0, cols.stop + c0),
                ),
            )
        )
    return out

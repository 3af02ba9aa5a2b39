"""Quality-control overlays for cell counts: what was counted, what was rejected, the regions.

Functions return uint8 RGB arrays (the caller writes them); large images are shown downsampled.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from skimage.segmentation import find_boundaries

from neuroprotect.histology.roi import Region

__all__ = ["fluorescence_composite", "render_overlay"]

GREEN = (0, 230, 0)
RED = (255, 40, 40)
CYAN = (0, 200, 255)
YELLOW = (255, 220, 0)
BLUE = (40, 80, 255)


def fluorescence_composite(
    image: np.ndarray, *, nuclear_channel: int, marker_channel: int
) -> np.ndarray:
    """RGB view of a two-channel image: nuclear channel blue, marker green (1-99.8 % stretch)."""
    out = np.zeros((*image.shape[:2], 3), np.uint8)
    for ch, dest in ((nuclear_channel, 2), (marker_channel, 1)):
        x = image[..., ch].astype(np.float32)
        lo, hi = np.percentile(x[::4, ::4], [1, 99.8])
        out[..., dest] = np.clip((x - lo) / max(hi - lo, 1e-6) * 255, 0, 255).astype(np.uint8)
    return out


def render_overlay(
    rgb: np.ndarray,
    *,
    pixel_size_um: float,
    outlines: Sequence[tuple[np.ndarray, tuple[int, int, int]]] = (),
    points: Sequence[tuple[np.ndarray, tuple[int, int, int]]] = (),
    tint: tuple[np.ndarray, tuple[int, int, int]] | None = None,
    regions: Sequence[Region] = (),
    max_size: int = 2048,
) -> np.ndarray:
    """Draw object outlines, centre marks, a tinted mask and region outlines on an RGB image.

    Parameters
    ----------
    rgb
        ``(rows, cols, 3)`` uint8 image.
    outlines
        ``(label_image, colour)`` pairs: boundaries of labelled objects.
    points
        ``(xy, colour)`` pairs: ``(n, 2)`` centres (pixels, x = column) drawn as small squares.
    tint
        ``(mask, colour)``: pixels blended 50 % with the colour.
    regions
        Region outlines drawn in yellow.
    max_size
        The image is downsampled by an integer factor so its longer side is at most this.
    """
    f = max(1, int(np.ceil(max(rgb.shape[:2]) / max_size)))
    out = np.ascontiguousarray(rgb[::f, ::f, :3]).astype(np.uint8).copy()
    shape = out.shape[:2]
    if tint is not None:
        mask, colour = tint
        m = mask[::f, ::f]
        out[m] = (0.5 * out[m] + 0.5 * np.asarray(colour)).astype(np.uint8)
    for labels, colour in outlines:
        sub = labels[::f, ::f]
        # a dark rim just outside each outline keeps it visible on bright objects too (a cyan
        # line on a saturated white nucleus differs in one channel only)
        out[find_boundaries(sub, mode="outer") & (sub == 0)] = 0
        out[find_boundaries(sub, mode="inner")] = colour
    for region in regions:
        small = Region(region.name, region.kind, region.points / f, region.width_um)
        mask = small.mask(shape, pixel_size_um=pixel_size_um * f)
        out[find_boundaries(mask, mode="inner")] = YELLOW
        if region.kind == "band":
            line = Region(region.name, "band", region.points / f, 1e-9)
            out[line.mask(shape, pixel_size_um=pixel_size_um * f)] = YELLOW
    half = 1 if f > 1 else 2
    for xy, colour in points:
        for x, y in np.asarray(xy, dtype=float).reshape(-1, 2) / f:
            r, c = int(round(y)), int(round(x))
            out[max(0, r - half) : r + half + 1, max(0, c - half) : c + half + 1] = colour
    return out

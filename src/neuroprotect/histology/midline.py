"""The midline of a coronal brain slice: where the two hemispheres meet.

Found from the slice outline alone (a mask), in two steps: the axis of mirror symmetry, then the
dorsal and ventral interhemispheric notches near that axis. The notches mark the anatomical midline
even when the ischemic hemisphere is swollen (edema shifts the symmetry axis of the outline, not
the notches). Slices are assumed photographed dorsal side up (within about 30 degrees).

Angles are in degrees clockwise from the image's vertical (as seen on screen, rows going down);
offsets in pixels along the line's normal, positive towards the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

__all__ = ["Midline", "find_midline", "midline_from_override", "side_of_midline"]


@dataclass(frozen=True)
class Midline:
    """A straight midline through ``point`` (x, y pixels) at ``angle_deg`` from vertical.

    ``method`` says how it was found: ``notches`` (dorsal and ventral notch), ``dorsal notch`` or
    ``ventral notch`` (one notch, symmetry angle), ``symmetry`` (mirror axis) or ``user``.
    ``symmetry`` is the overlap (intersection over union) of the outline with its mirror image.
    """

    point: tuple[float, float]
    angle_deg: float
    method: str
    symmetry: float = float("nan")

    def normal(self) -> tuple[float, float]:
        t = np.deg2rad(self.angle_deg)
        return float(np.cos(t)), float(np.sin(t))

    def offset_from(self, centre_xy: tuple[float, float]) -> float:
        """Signed distance (pixels) of the line from ``centre_xy`` along its normal."""
        nx, ny = self.normal()
        return (self.point[0] - centre_xy[0]) * nx + (self.point[1] - centre_xy[1]) * ny

    def scaled(self, factor: float) -> Midline:
        """The same line in an image ``factor`` times larger (pixel centres kept aligned)."""
        x, y = self.point
        return Midline(
            ((x + 0.5) * factor - 0.5, (y + 0.5) * factor - 0.5),
            self.angle_deg,
            self.method,
            self.symmetry,
        )

    def segment(self, half_length: float) -> tuple[tuple[float, float], tuple[float, float]]:
        """End points (dorsal, ventral) of a segment of the line centred on ``point``."""
        t = np.deg2rad(self.angle_deg)
        dx, dy = np.sin(t) * half_length, -np.cos(t) * half_length
        x, y = self.point
        return (x + dx, y + dy), (x - dx, y - dy)


def side_of_midline(midline: Midline, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Signed distance of pixels from the midline: > 0 on the image-right hemisphere."""
    nx, ny = midline.normal()
    return (x - midline.point[0]) * nx + (y - midline.point[1]) * ny


def midline_from_override(
    centre_xy: tuple[float, float], *, angle_deg: float, offset_px: float
) -> Midline:
    """A user's midline: ``offset_px`` from the slice centre along the normal, at ``angle_deg``."""
    t = np.deg2rad(angle_deg)
    point = (centre_xy[0] + offset_px * np.cos(t), centre_xy[1] + offset_px * np.sin(t))
    return Midline((float(point[0]), float(point[1])), float(angle_deg), "user")


def _rotated(
    mask: np.ndarray, centre: tuple[float, float], angle: float, radius: int
) -> np.ndarray:
    """Mask resampled in the frame of a line at ``angle``: columns u, rows v (v down)."""
    t = np.deg2rad(angle)
    v, u = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(float)
    x = centre[0] + u * np.cos(t) - v * np.sin(t)
    y = centre[1] + u * np.sin(t) + v * np.cos(t)
    return ndi.map_coordinates(mask.astype(np.float32), [y, x], order=1, cval=0.0) > 0.5


def _best_mirror(rot: np.ndarray) -> tuple[float, float]:
    """Column of the vertical mirror axis of ``rot`` that maximises overlap, and the IoU."""
    cols = rot.shape[1]
    f = np.fft.rfft(rot.astype(float), n=2 * cols, axis=1)
    g = np.fft.rfft(rot[:, ::-1].astype(float), n=2 * cols, axis=1)
    corr = np.fft.irfft(f * np.conj(g), n=2 * cols, axis=1).sum(axis=0)
    shift = int(np.argmax(corr))
    s = shift if shift < cols else shift - 2 * cols
    overlap = float(corr[shift])
    area = float(rot.sum())
    iou = overlap / max(2 * area - overlap, 1.0)
    # rot[:, c] matches rot[:, cols - 1 - c + s]: the axis sits at (cols - 1 + s) / 2
    return (cols - 1 + s) / 2.0, iou


def _block_mean(mask: np.ndarray, f: int) -> np.ndarray:
    rows, cols = mask.shape
    pad = np.zeros((-(-rows // f) * f, -(-cols // f) * f), np.float32)
    pad[:rows, :cols] = mask
    return pad.reshape(pad.shape[0] // f, f, pad.shape[1] // f, f).mean(axis=(1, 3))


def _search_tilt(mask: np.ndarray, max_angle_deg: float) -> float:
    """Tilt (degrees) whose mirror axis best overlaps the mask with its reflection."""
    ys, xs = np.nonzero(mask)
    centre = (float(xs.mean()), float(ys.mean()))
    radius = int(np.ceil(np.hypot(xs - centre[0], ys - centre[1]).max())) + 2

    def score(angle: float) -> float:
        return _best_mirror(_rotated(mask, centre, angle, radius))[1]

    coarse = np.arange(-max_angle_deg, max_angle_deg + 1e-9, 2.0)
    best = float(max(coarse, key=lambda a: score(float(a))))
    fine = np.arange(best - 1.5, best + 1.5 + 1e-9, 0.5)
    return float(max(fine, key=lambda a: score(float(a))))


def find_midline(
    mask: np.ndarray,
    *,
    max_angle_deg: float = 30.0,
    notch_window: float = 0.12,
    search_px: int = 96,
) -> Midline:
    """Midline of one slice from its binary outline.

    Parameters
    ----------
    mask
        ``(row, col)`` bool mask of a single slice (holes filled).
    max_angle_deg
        Largest tilt from vertical searched.
    notch_window
        Half-width, as a fraction of the slice width, of the band around the symmetry axis in
        which the notches are looked for.
    search_px
        The tilt is searched on a copy block-averaged to about this many pixels across.

    Returns
    -------
    Midline
        In the pixel coordinates of ``mask`` (x = column, y = row).

    Notes
    -----
    1. Mirror symmetry: for tilts from ``-max_angle_deg`` to ``+max_angle_deg`` (2-degree steps,
       then 0.5-degree steps around the best) the mask is resampled in the tilted frame and the
       mirror axis maximising the overlap of the mask with its reflection is found by
       cross-correlation of the mask with its left-right flip (FFT along columns).
    2. Notches: in the best frame (full resolution), within ``notch_window`` of the axis, the
       dorsal notch is the column whose first tissue row is lowest, the ventral notch the column
       whose last tissue row is highest; a notch counts when it is at least 2 % of the slice
       height (and 2 pixels) deep and not at the edge of the window. The midline goes through
       both notches, or through the one found at the symmetry angle, or is the symmetry axis
       when none is found.
    """
    ys, xs = np.nonzero(mask)
    if len(xs) < 10:
        cx, cy = (float(xs.mean()), float(ys.mean())) if len(xs) else (0.0, 0.0)
        return Midline((cx, cy), 0.0, "symmetry")
    extent = max(int(np.ptp(xs)), int(np.ptp(ys))) + 1
    f = max(1, int(np.ceil(extent / search_px)))
    small = _block_mean(mask, f) > 0.5 if f > 1 else mask
    angle = _search_tilt(small if small.sum() >= 10 else mask, max_angle_deg)
    centre = (float(xs.mean()), float(ys.mean()))
    radius = int(np.ceil(np.hypot(xs - centre[0], ys - centre[1]).max())) + 2
    rot = _rotated(mask, centre, angle, radius)
    axis_col, iou = _best_mirror(rot)

    def to_image(u: float, v: float) -> tuple[float, float]:
        t = np.deg2rad(angle)
        uu, vv = u - radius, v - radius
        return (
            float(centre[0] + uu * np.cos(t) - vv * np.sin(t)),
            float(centre[1] + uu * np.sin(t) + vv * np.cos(t)),
        )

    notches = _notches(rot, axis_col, notch_window)
    if len(notches) == 2:
        (ud, vd), (uv, vv) = notches["dorsal"], notches["ventral"]
        tilt = np.rad2deg(np.arctan2(uv - ud, vv - vd))  # > 0: ventral end to the right
        mid = to_image((ud + uv) / 2.0, (vd + vv) / 2.0)
        return Midline(mid, angle - float(tilt), "notches", iou)
    if len(notches) == 1:
        name, (u, v) = next(iter(notches.items()))
        return Midline(to_image(u, v), angle, f"{name} notch", iou)
    return Midline(to_image(axis_col, float(radius)), angle, "symmetry", iou)


def _notches(rot: np.ndarray, axis_col: float, window: float) -> dict[str, tuple[float, float]]:
    """Dorsal and ventral notch points (u, v) of an upright mask near its mirror axis."""
    cols_any = np.flatnonzero(rot.any(axis=0))
    rows_any = np.flatnonzero(rot.any(axis=1))
    width = cols_any[-1] - cols_any[0] + 1
    height = rows_any[-1] - rows_any[0] + 1
    half = max(2, int(round(window * width)))
    lo = max(0, int(round(axis_col)) - half)
    hi = min(rot.shape[1], int(round(axis_col)) + half + 1)
    band = rot[:, lo:hi]
    present = band.any(axis=0)
    out: dict[str, tuple[float, float]] = {}
    if present.sum() < 5:
        return out
    cols = np.arange(lo, hi)[present]
    top = band[:, present].argmax(axis=0).astype(float)
    bottom = (band.shape[0] - 1 - band[::-1, present].argmax(axis=0)).astype(float)
    edge = max(1, len(cols) // 6)
    min_depth = max(2.0, 0.02 * height)
    for name, depth, contour in (("dorsal", top, top), ("ventral", -bottom, bottom)):
        deepest = depth.max()
        at = np.flatnonzero(depth == deepest)
        if edge <= at.mean() < len(cols) - edge and deepest - depth.min() >= min_depth:
            out[name] = (float(cols[at].mean()), float(contour[at].mean()))
    return out

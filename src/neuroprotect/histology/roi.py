"""Regions of interest for histology images: polygons and bands along a polyline (CA1).

Coordinates are pixels, ``[x, y]`` with ``x`` = column and ``y`` = row (origin at the top-left
pixel's centre), as ImageJ, QuPath and napari export them. A *band* is every pixel within
``width_um / 2`` of a polyline: the usual way to outline the CA1 pyramidal layer, which also gives
the layer length for "neurons per mm of CA1".

ROI JSON (``read_roi``) accepts:

- ``[[x, y], ...]``: one polygon;
- ``{"polygon": [[x, y], ...], "name": "..."}``: one polygon;
- ``{"polyline": [[x, y], ...], "width_um": 100, "name": "CA1"}``: one band;
- ``{"regions": [<polygon or band objects>, ...]}``: several named regions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy import ndimage as ndi
from skimage.draw import line as draw_line
from skimage.draw import polygon2mask

from neuroprotect.errors import InputError

__all__ = ["Region", "parse_roi", "read_roi", "region_masks", "whole_image_region"]

FileLike = str | PathLike[str] | None


@dataclass(frozen=True)
class Region:
    """One region of interest.

    Attributes
    ----------
    name
        Label used in tables (``"roi"`` unless given).
    kind
        ``"polygon"``, ``"band"`` (pixels within ``width_um / 2`` of a polyline) or ``"image"``
        (the whole image).
    points
        ``(n, 2)`` float array of ``[x, y]`` pixel coordinates (empty for ``"image"``).
    width_um
        Band width in µm (``"band"`` only).
    source
        The ROI file it was read from, if any (for messages).
    """

    name: str
    kind: Literal["polygon", "band", "image"]
    points: np.ndarray
    width_um: float | None = None
    source: str | None = None

    def mask(self, shape: tuple[int, int], *, pixel_size_um: float) -> np.ndarray:
        """Boolean ``(rows, cols)`` mask of the region in an image of ``shape``."""
        if self.kind == "image":
            return np.ones(shape, dtype=bool)
        if self.kind == "polygon":
            return polygon2mask(shape, self.points[:, ::-1])
        assert self.width_um is not None
        line = np.zeros(shape, dtype=bool)
        pts = np.round(self.points[:, ::-1]).astype(int)
        for (r0, c0), (r1, c1) in zip(pts[:-1], pts[1:], strict=True):
            rr, cc = draw_line(r0, c0, r1, c1)
            keep = (rr >= 0) & (rr < shape[0]) & (cc >= 0) & (cc < shape[1])
            line[rr[keep], cc[keep]] = True
        if not line.any():
            return line
        half_px = self.width_um / 2.0 / pixel_size_um
        return ndi.distance_transform_edt(~line) <= half_px

    def length_mm(
        self, *, pixel_size_um: float, shape: tuple[int, int] | None = None
    ) -> float | None:
        """Length of a band's polyline in mm (``None`` for other kinds).

        With ``shape`` (image rows, cols), only the part of the polyline inside the image
        (pixel edges ``-0.5`` to ``cols - 0.5`` and ``rows - 0.5``) counts, as only that part's
        neurons can be counted.
        """
        if self.kind != "band":
            return None
        if shape is None:
            seg = np.diff(self.points, axis=0)
            return float(np.hypot(seg[:, 0], seg[:, 1]).sum() * pixel_size_um / 1000.0)
        box = (-0.5, shape[1] - 0.5, -0.5, shape[0] - 0.5)
        total = sum(
            _clipped_length(p0, p1, box)
            for p0, p1 in zip(self.points[:-1], self.points[1:], strict=True)
        )
        return float(total * pixel_size_um / 1000.0)

    def sticks_out(self, shape: tuple[int, int]) -> bool:
        """True when a vertex lies more than a pixel outside an image of ``shape``."""
        if self.kind == "image":
            return False
        x, y = self.points[:, 0], self.points[:, 1]
        return bool(
            (x < -1).any() or (y < -1).any() or (x > shape[1]).any() or (y > shape[0]).any()
        )

    def describe(self) -> str:
        """``ROI 'name' (file)`` for messages."""
        return f"ROI {self.name!r}" + (f" ({self.source})" if self.source else "")


def _clipped_length(
    p0: np.ndarray, p1: np.ndarray, box: tuple[float, float, float, float]
) -> float:
    """Length of the segment ``p0``-``p1`` inside ``box`` = (x0, x1, y0, y1) (Liang-Barsky)."""
    d = p1 - p0
    lo, hi = 0.0, 1.0
    edges = (
        (-d[0], p0[0] - box[0]),
        (d[0], box[1] - p0[0]),
        (-d[1], p0[1] - box[2]),
        (d[1], box[3] - p0[1]),
    )
    for q, r in edges:  # inside the edge where q * t <= r
        if q == 0:
            if r < 0:
                return 0.0
            continue
        t = r / q
        if q < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
    return float(np.hypot(d[0], d[1]) * max(0.0, hi - lo))


def region_masks(
    regions: Sequence[Region],
    shape: tuple[int, int],
    *,
    pixel_size_um: float,
    file: FileLike = None,
) -> tuple[list[np.ndarray], list[str]]:
    """Masks of ``regions`` in an image of ``shape``, and warnings for regions clipped to it.

    Raises
    ------
    InputError
        A region that covers no pixel of the image (drawn on another image, or in µm rather
        than pixels): counting it would give 0 or NaN, not a measurement.
    """
    rows, cols = shape
    masks = []
    warnings = []
    for region in regions:
        mask = region.mask(shape, pixel_size_um=pixel_size_um)
        if region.kind == "image":
            masks.append(mask)
            continue
        x, y = region.points[:, 0], region.points[:, 1]
        extent = f"x {x.min():g} to {x.max():g}, y {y.min():g} to {y.max():g}"
        if not mask.any():
            raise InputError(
                f"Expected {region.describe()} to overlap the image ({cols} x {rows} pixels), "
                f"but it covers none of its pixels ({extent})",
                file=file,
                field="roi",
            )
        if region.sticks_out(shape):
            warnings.append(
                f"{file or 'image'}: {region.describe()} lies partly outside the image "
                f"({cols} x {rows} pixels; ROI {extent}); it was clipped to the image"
            )
        masks.append(mask)
    return masks, warnings


def whole_image_region() -> Region:
    """The whole image as a region named ``"image"``."""
    return Region("image", "image", np.zeros((0, 2)))


def _points(value: Any, *, minimum: int, what: str, file: FileLike, field: str) -> np.ndarray:
    try:
        pts = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        pts = np.zeros((0, 0))
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < minimum or not np.isfinite(pts).all():
        raise InputError(
            f"Expected a {what} as a list of at least {minimum} [x, y] pixel pairs, "
            f"but got {json.dumps(value)[:80]}",
            file=file,
            field=field,
        )
    return pts


def _region(obj: Any, *, index: int | None, file: FileLike) -> Region:
    where = "roi" if index is None else f"regions[{index}]"
    default = "roi" if index is None else f"region_{index + 1}"
    if isinstance(obj, list):
        pts = _points(obj, minimum=3, what="polygon", file=file, field=where)
        return Region(default, "polygon", pts)
    if not isinstance(obj, dict):
        raise InputError(
            f"Expected a polygon (list of [x, y]) or an object with 'polygon' or 'polyline', "
            f"but got {type(obj).__name__}",
            file=file,
            field=where,
        )
    name = str(obj.get("name", default))
    unknown = sorted(set(obj) - {"name", "polygon", "polyline", "width_um"})
    if unknown:
        raise InputError(
            f"Expected keys among name, polygon, polyline, width_um, but got {unknown[0]!r}",
            file=file,
            field=where,
        )
    if ("polygon" in obj) == ("polyline" in obj):
        raise InputError("Expected exactly one of 'polygon' or 'polyline'", file=file, field=where)
    if "polygon" in obj:
        pts = _points(
            obj["polygon"], minimum=3, what="polygon", file=file, field=f"{where}.polygon"
        )
        return Region(name, "polygon", pts)
    pts = _points(obj["polyline"], minimum=2, what="polyline", file=file, field=f"{where}.polyline")
    width = obj.get("width_um")
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width > 0:
        raise InputError(
            f"Expected 'width_um' > 0 (band width along the polyline, µm), but got {width!r}",
            file=file,
            field=f"{where}.width_um",
        )
    return Region(name, "band", pts, float(width))


def parse_roi(obj: Any, *, file: FileLike = None) -> list[Region]:
    """Regions from parsed ROI JSON (see the module docstring for the accepted forms).

    Raises
    ------
    InputError
        Malformed points, a band without a positive width, duplicate region names.
    """
    if isinstance(obj, dict) and "regions" in obj:
        items = obj["regions"]
        if not isinstance(items, list) or not items:
            raise InputError("Expected a non-empty list of regions", file=file, field="regions")
        regions = [_region(item, index=i, file=file) for i, item in enumerate(items)]
    else:
        regions = [_region(obj, index=None, file=file)]
    names = [r.name for r in regions]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"Expected unique region names, but {dup[0]!r} repeats", file=file)
    return regions


def read_roi(path: str | PathLike[str]) -> list[Region]:
    """Read a ROI JSON file (see the module docstring)."""
    p = Path(path)
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("Expected an existing ROI file, but it does not exist", file=p) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"Expected ROI JSON, but it does not parse ({exc})", file=p) from None
    return [replace(r, source=str(p)) for r in parse_roi(obj, file=p)]

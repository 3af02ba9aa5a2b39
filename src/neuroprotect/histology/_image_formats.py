"""Format details behind :mod:`neuroprotect.histology.io`: metadata parsing and TIFF segments.

Pixel sizes from TIFF (OME-XML, ImageJ, resolution tags), PNG ``pHYs`` and JPEG JFIF/EXIF, and the
segment-by-segment decoding of TIFF pages used by :func:`~neuroprotect.histology.io.iter_tiles`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from neuroprotect.errors import InputError

_UNIT_UM = {
    # resolution units (per unit length) -> micrometres per unit
    "inch": 25_400.0,
    "centimeter": 10_000.0,
    "centimetre": 10_000.0,
    "cm": 10_000.0,
    "millimeter": 1_000.0,
    "millimetre": 1_000.0,
    "mm": 1_000.0,
    "micron": 1.0,
    "microns": 1.0,
    "micrometer": 1.0,
    "micrometre": 1.0,
    "um": 1.0,
    "µm": 1.0,
    "\u03bcm": 1.0,
    "nm": 1e-3,
    "nanometer": 1e-3,
    "m": 1e6,
    "meter": 1e6,
}


@dataclass(frozen=True)
class ImageInfo:
    """What the header says, without decoding pixels: ``(rows, cols)``, channels, dtype, size."""

    path: str
    rows: int
    cols: int
    channels: int
    dtype: np.dtype
    pixel_size_um: float | None
    n_pages: int
    format: str

    @property
    def n_pixels(self) -> int:
        return self.rows * self.cols


@dataclass(frozen=True)
class Tile:
    """A rectangular part of an image: ``array`` covers rows ``row0 ..`` and cols ``col0 ..``."""

    row0: int
    col0: int
    array: np.ndarray


def _err(path: str | PathLike[str], message: str) -> InputError:
    return InputError(message, file=path)


def _positive(value: float | None) -> float | None:
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    return float(value)


def _tiff_pixel_size_um(tf: Any, page: Any) -> float | None:
    """Pixel size from OME-XML, ImageJ metadata or the resolution tags, in that order."""
    ome = getattr(tf, "ome_metadata", None)
    if ome:
        m = re.search(r'PhysicalSizeX="([0-9.eE+-]+)"', ome)
        if m:
            unit = re.search(r'PhysicalSizeXUnit="([^"]+)"', ome)
            factor = _UNIT_UM.get(unit.group(1).lower(), None) if unit else 1.0
            if factor is not None:
                return _positive(float(m.group(1)) * factor)
    tags = page.tags
    if "XResolution" not in tags:
        return None
    num, den = tags["XResolution"].value
    if not num or not den:
        return None
    per_unit = num / den  # pixels per unit
    ij = getattr(tf, "imagej_metadata", None) or {}
    unit_name = str(ij.get("unit", "")).strip().lower() if ij else ""
    if unit_name:
        factor = _UNIT_UM.get(unit_name.replace("\\u00b5", "µ"))
        return _positive(factor / per_unit) if factor is not None else None
    res_unit = int(tags["ResolutionUnit"].value) if "ResolutionUnit" in tags else 2
    if res_unit == 2:  # inch: 72/96/300 dpi of a camera or scanner is rarely a physical scale
        return _positive(25_400.0 / per_unit) if per_unit not in (72.0, 96.0) else None
    if res_unit == 3:
        return _positive(10_000.0 / per_unit)
    return None  # 1 = no absolute unit


def _pil_pixel_size_um(img: Any, fmt: str) -> float | None:
    info = img.info
    if fmt == "png":
        # Pillow exposes pHYs in metre units as 'dpi' (converted) and the raw 'aspect'; read the
        # chunk ourselves to know whether the unit is the metre (1) or unknown (0).
        phys = info.get("pHYs_raw")
        if phys is not None:
            px_per_unit_x, _y, unit = phys
            if unit != 1 or not px_per_unit_x or round(px_per_unit_x * 0.0254) in (72, 96):
                return None  # no unit, or the 72/96 dpi screen default (2835/3780 px per metre)
            return _positive(1e6 / px_per_unit_x)
        dpi = info.get("dpi")
        if not dpi or float(dpi[0]) <= 0 or round(float(dpi[0])) in (72, 96):
            return None
        return _positive(25_400.0 / float(dpi[0]))
    # JPEG: JFIF density (unit 1 = dpi, 2 = dots per cm) or EXIF XResolution/ResolutionUnit.
    unit = info.get("jfif_unit")
    density = info.get("jfif_density")
    if unit in (1, 2) and density and density[0]:
        per_um = 25_400.0 if unit == 1 else 10_000.0
        value = float(density[0])
        if unit == 1 and value in (72.0, 96.0, 300.0):
            value = 0.0  # default "screen" densities say nothing about the scene
        if value:
            return _positive(per_um / value)
    try:
        exif = img.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block only loses the metadata
        return None
    xres, res_unit = exif.get(282), exif.get(296, 2)
    if xres:
        value = float(xres)
        if res_unit == 3 and value > 0:
            return _positive(10_000.0 / value)
    return None


def _png_phys(path: Path) -> tuple[int, int, int] | None:
    """The raw pHYs chunk (x, y pixels per unit, unit) of a PNG, read before IDAT."""
    import struct

    with open(path, "rb") as fh:
        fh.read(8)
        while True:
            head = fh.read(8)
            if len(head) < 8:
                return None
            length, ctype = struct.unpack(">I4s", head)
            if ctype == b"pHYs" and length == 9:
                x, y, unit = struct.unpack(">IIB", fh.read(9))
                return x, y, unit
            if ctype in (b"IDAT", b"IEND"):
                return None
            fh.seek(length + 4, 1)


def _cut(arr: np.ndarray, tile: int) -> Iterator[Tile]:
    rows, cols = arr.shape[:2]
    for r in range(0, rows, tile):
        for c in range(0, cols, tile):
            yield Tile(r, c, np.asarray(arr[r : r + tile, c : c + tile]))


def _tiff_segments(pg: Any, info: ImageInfo, tile: int, path: Path) -> Iterator[Tile]:
    """Decode a TIFF page segment by segment; strips are grouped into bands ~``tile`` rows high."""
    rows, cols = info.rows, info.cols
    band: list[np.ndarray] = []
    band_row0 = 0
    band_rows = 0
    try:
        for segment, index, _shape in pg.segments(maxworkers=1, buffersize=16 * 2**20):
            if segment is None:
                raise _err(path, "Expected a complete TIFF image, but a segment is missing")
            seg = np.asarray(segment)[0]  # (rows, cols, samples)
            r0, c0 = int(index[2]), int(index[3])
            seg = seg[: max(0, rows - r0), : max(0, cols - c0)]
            if info.channels == 1:
                seg = seg[..., 0]
            if pg.is_tiled:
                yield Tile(r0, c0, seg)
                continue
            if not band:
                band_row0 = r0
            band.append(seg)
            band_rows += seg.shape[0]
            if band_rows >= tile:
                yield Tile(band_row0, 0, np.concatenate(band, axis=0))
                band, band_rows = [], 0
    except KeyError as exc:
        raise _err(
            path, f"Expected a TIFF compression this installation can decode, but got {exc}"
        ) from None
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - truncated data, bad offsets
        raise _err(path, f"Expected a complete TIFF image, but decoding failed ({exc})") from None
    if band:
        yield Tile(band_row0, 0, np.concatenate(band, axis=0))

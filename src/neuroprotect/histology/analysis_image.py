"""Photos at the analysis scale: read (tile by tile when large), block-averaged in linear light.

A photo larger than ``max_side`` pixels on its long side is reduced by an integer factor with
block means computed in linear light (so a block's colour is the area-weighted mix of what it
covers) and re-encoded with the camera gamma; only one tile of the full photo is in memory at a
time.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from neuroprotect.errors import InputError
from neuroprotect.histology.infarct import GAMMA, linearize
from neuroprotect.histology.io import image_info, iter_tiles, read_image

__all__ = ["ANALYSIS_MAX_SIDE", "ImageSource", "load_analysis_image"]

ImageSource = str | PathLike[str] | np.ndarray

#: Long side (pixels) of the analysis scale: larger photos are block-averaged (in linear light)
#: down to it. The validation (docs/histology-validation.md) found the same accuracy at 1024 as
#: at 2048 for rat slices on a plate; raise it for small (mouse) slices on a large plate.
ANALYSIS_MAX_SIDE = 1024


def _to_float_rgb(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise InputError(
            f"Expected a colour (RGB) photo of TTC-stained slices, but got an array of shape "
            f"{arr.shape}",
            file=name,
        )
    arr = arr[..., :3]
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.float32) / float(np.iinfo(arr.dtype).max)
    return np.clip(arr.astype(np.float32), 0.0, 1.0)


def _linear_rgb(arr: np.ndarray, name: str) -> np.ndarray:
    """Linear-light float32 RGB of a camera array (a lookup table for 8- and 16-bit data)."""
    if arr.ndim != 3 or arr.shape[2] < 3:
        _to_float_rgb(arr, name)  # raises the one-line error
    arr = arr[..., :3]
    if arr.dtype in (np.uint8, np.uint16):
        top = np.iinfo(arr.dtype).max
        lut = linearize(np.arange(top + 1, dtype=np.float32) / top)
        return lut[arr]
    return linearize(_to_float_rgb(arr, name))


def _block_sum(arr: np.ndarray, row0: int, col0: int, f: int) -> tuple[np.ndarray, ...]:
    h, w = arr.shape[:2]
    rb = (row0 + np.arange(h)) // f
    cb = (col0 + np.arange(w)) // f
    r_start = np.flatnonzero(np.r_[True, rb[1:] != rb[:-1]])
    c_start = np.flatnonzero(np.r_[True, cb[1:] != cb[:-1]])
    part = np.add.reduceat(np.add.reduceat(arr, r_start, axis=0), c_start, axis=1)
    n = np.outer(np.diff(np.r_[r_start, h]), np.diff(np.r_[c_start, w]))
    return rb[r_start], cb[c_start], part, n


def _block_reduce(tiles: Any, rows: int, cols: int, f: int, name: str) -> np.ndarray:
    """Block means (``f`` x ``f``) in linear light of tiles ``(row0, col0, array)``, re-encoded
    with the camera gamma; memory ~ output + one tile."""
    sums = np.zeros((-(-rows // f), -(-cols // f), 3), np.float64)
    counts = np.zeros(sums.shape[:2], np.int64)
    for row0, col0, array in tiles:
        rr, cc, part, n = _block_sum(_linear_rgb(np.asarray(array), name), row0, col0, f)
        sums[rr[:, None], cc[None, :]] += part
        counts[rr[:, None], cc[None, :]] += n
    mean = (sums / np.maximum(counts, 1)[..., None]).astype(np.float32)
    return np.power(mean, 1.0 / GAMMA, dtype=np.float32)


def load_analysis_image(
    source: ImageSource, *, max_side: int = ANALYSIS_MAX_SIDE
) -> tuple[np.ndarray, int, float | None, str]:
    """A photo as float RGB (0..1, camera-encoded) at the analysis scale.

    Returns
    -------
    (rgb, factor, pixel_size_um, name)
        ``factor`` is the integer block size (1 when the photo's long side is <= ``max_side``);
        ``pixel_size_um`` of the full-resolution photo from its metadata (``None`` if absent).
        Blocks are averaged in linear light (so a block's colour is the area-weighted mix of
        what it covers) and re-encoded with the camera gamma.
    """
    if isinstance(source, np.ndarray):
        f = max(1, int(np.ceil(max(source.shape[:2]) / max_side)))
        if f == 1:
            return _to_float_rgb(source, "array"), 1, None, "array"
        rows, cols = source.shape[:2]
        step = 1024
        tiles = (
            (r, c, source[r : r + step, c : c + step])
            for r in range(0, rows, step)
            for c in range(0, cols, step)
        )
        return _block_reduce(tiles, rows, cols, f, "array"), f, None, "array"
    path = Path(source)
    info = image_info(path)
    f = max(1, int(np.ceil(max(info.rows, info.cols) / max_side)))
    if info.channels < 3:
        raise InputError(
            "Expected a colour (RGB) photo of TTC-stained slices, but it is grey", file=path
        )
    if f == 1:
        rgb = _to_float_rgb(read_image(path).array, str(path))
    else:
        tiles = ((t.row0, t.col0, t.array) for t in iter_tiles(path, tile=max(1024, f * 128)))
        rgb = _block_reduce(tiles, info.rows, info.cols, f, str(path))
    return rgb, f, info.pixel_size_um, path.name

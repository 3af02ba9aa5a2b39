"""Western blot image densitometry: lanes, band profiles, background, band volumes.

Image convention: a 2-D array (rows, cols); rows run down the gel (direction of migration),
columns across the lanes. Signal is "bright band on dark background" (digital imagers); film or
inverted scans (dark bands on light) are inverted first (``invert="auto"`` decides from the
median: a background brighter than mid-range means film). Volumes are pixel sums in the image's
own units above the background; they are relative, so only ratios between lanes mean anything.

Steps
-----
1. **Lanes** (:func:`detect_lanes`): the column projection (sum over rows of the signal) is
   smoothed and its peaks are the lane centres (scipy ``find_peaks``); or the user gives the
   number of lanes (the ``n`` most prominent peaks; more peaks of similar strength, at least
   half the median kept prominence, are an error: a lane not in the layout) or their centres.
   A lane spans ``lane_fraction`` (default 0.8) of the median spacing between centres.
2. **Band profiles**: per lane, the sum across the lane's columns for every row.
3. **Background** (``background=``): ``"rolling_ball"`` subtracts skimage's rolling-ball
   background (Sternberg 1983, as ImageJ "Subtract Background") from the whole image first;
   ``"lane_edge"`` draws a straight baseline under each band between the profile values at the
   band window's two ends (ImageJ Gel Analyzer's straight-line baseline); ``"none"``.
4. **Bands**: windows given as ``{target: (first_row, last_row)}``, or found as peaks of the
   summed profile of all lanes, each window reaching ±3 SD (from the peak's half width) and at
   most the midpoint to the next band. Volume = sum over the window of (profile − baseline).
5. **Saturation**: a band whose window holds a pixel at the saturation level (default: the
   integer dtype's maximum, or the image maximum of a film at 0) is flagged ``saturated``; its
   volume underestimates the protein.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy import ndimage, signal

from neuroprotect.errors import InputError

__all__ = [
    "IMAGE_SUFFIXES",
    "detect_lanes",
    "measure_blot_image",
    "measure_bands",
    "read_blot_image",
    "to_signal",
]

Background = Literal["rolling_ball", "lane_edge", "none"]


def to_signal(
    image: np.ndarray, *, invert: bool | Literal["auto"] = "auto"
) -> tuple[np.ndarray, bool]:
    """Float signal image (bright bands) and whether it was inverted."""
    img = np.asarray(image)
    if img.ndim == 3:  # RGB scan: mean of the channels
        img = img[..., :3].mean(axis=2)
    if img.ndim != 2 or min(img.shape) < 3:
        raise InputError(f"Expected a 2-D grey image, but got shape {np.asarray(image).shape}")
    x = img.astype(float)
    if invert == "auto":
        lo, hi = float(x.min()), float(x.max())
        invert = bool(np.median(x) > lo + 0.5 * (hi - lo))
    if invert:
        top = (
            float(np.iinfo(img.dtype).max)
            if np.issubdtype(img.dtype, np.integer)
            else float(x.max())
        )
        x = top - x
    return x, bool(invert)


def detect_lanes(
    image: np.ndarray,
    *,
    n_lanes: int | None = None,
    centers: Sequence[float] | None = None,
    lane_fraction: float = 0.8,
    invert: bool | Literal["auto"] = "auto",
) -> pd.DataFrame:
    """Lane positions from the column projection profile (or from given centres).

    Returns
    -------
    pandas.DataFrame
        ``lane`` (1-based, left to right), ``center``, ``left``, ``right`` (column indices,
        ``right`` exclusive).
    """
    sig, _ = to_signal(image, invert=invert)
    n_cols = sig.shape[1]
    if centers is None:
        proj = sig.sum(axis=0)
        proj = ndimage.uniform_filter1d(proj - np.median(proj), size=5)
        peaks, props = signal.find_peaks(
            proj, prominence=max(float(np.ptp(proj)) * 0.05, 1e-12), distance=5
        )
        if n_lanes is not None:
            if len(peaks) < n_lanes:
                raise InputError(
                    f"Expected {n_lanes} lanes, but the projection profile shows {len(peaks)}"
                )
            order = np.argsort(props["prominences"])[::-1]
            kept = props["prominences"][order[:n_lanes]]
            strong = props["prominences"] >= 0.5 * float(np.median(kept))
            if strong.sum() > n_lanes:
                raise InputError(
                    f"Expected {n_lanes} lanes, but the image shows {int(strong.sum())} lanes of "
                    f"similar strength (centres near columns "
                    f"{', '.join(str(int(c)) for c in peaks[strong])}); give one layout row per "
                    "lane, or the lanes to measure in the layout's 'center' column",
                    field="lane",
                )
            peaks = np.sort(peaks[order[:n_lanes]])
        if len(peaks) == 0:
            raise InputError("Expected lanes in the image, but the projection profile has no peaks")
        # centre = middle of the peak at half height (robust on flat-topped lanes)
        _, _, left_ips, right_ips = signal.peak_widths(proj, peaks, rel_height=0.5)
        found = (left_ips + right_ips) / 2
    else:
        found = np.sort(np.asarray(centers, dtype=float))
    spacing = float(np.median(np.diff(found))) if found.size > 1 else float(n_cols)
    half = 0.5 * lane_fraction * spacing
    left = np.clip(np.round(found - half), 0, n_cols).astype(int)
    right = np.clip(np.round(found + half) + 1, 0, n_cols).astype(int)
    return pd.DataFrame(
        {"lane": np.arange(1, found.size + 1), "center": found, "left": left, "right": right}
    )


def _band_windows(profile: np.ndarray, n_bands: int | None) -> list[tuple[int, int]]:
    base = ndimage.uniform_filter1d(profile, size=3)
    base = base - np.percentile(base, 10)
    peaks, props = signal.find_peaks(base, prominence=max(float(base.max()) * 0.05, 1e-12))
    if n_bands is not None:
        keep = np.argsort(props["prominences"])[::-1][:n_bands]
        peaks = np.sort(peaks[keep])
    if peaks.size == 0:
        raise InputError("Expected bands in the lanes, but the lane profile has no peaks")
    widths = signal.peak_widths(base, peaks, rel_height=0.5)[0]
    sd = widths / 2.3548
    windows = []
    for i, p in enumerate(peaks):
        lo = p - 3 * sd[i]
        hi = p + 3 * sd[i]
        if i > 0:
            lo = max(lo, (peaks[i - 1] + p) / 2)
        if i < peaks.size - 1:
            hi = min(hi, (peaks[i + 1] + p) / 2)
        windows.append((int(max(np.floor(lo), 0)), int(min(np.ceil(hi), profile.size - 1))))
    return windows


def measure_bands(
    image: np.ndarray,
    lanes: pd.DataFrame,
    *,
    bands: Mapping[str, tuple[int, int]] | None = None,
    n_bands: int | None = None,
    background: Background = "lane_edge",
    rolling_ball_radius: float = 25.0,
    invert: bool | Literal["auto"] = "auto",
    saturation_level: float | None = None,
) -> pd.DataFrame:
    """Band volumes per lane and band.

    Parameters
    ----------
    image
        Blot image (rows, cols).
    lanes
        Output of :func:`detect_lanes` (``lane, left, right``).
    bands
        ``{target: (first_row, last_row)}`` windows (inclusive); default: found from the
        profile, named ``band1``, ``band2``... from the top.
    n_bands
        Keep the ``n_bands`` most prominent bands when finding them.
    background
        ``rolling_ball``, ``lane_edge`` or ``none`` (see the module docstring).
    rolling_ball_radius
        Ball radius in pixels (larger than the band height).
    saturation_level
        Raw pixel value meaning clipped; default the integer dtype's maximum (or 0 for an
        inverted film scan); for float images none unless given.

    Returns
    -------
    pandas.DataFrame
        ``lane, target, volume, first_row, last_row, saturated, background``.
    """
    raw = np.asarray(image)
    sig, inverted = to_signal(raw, invert=invert)
    if background not in ("rolling_ball", "lane_edge", "none"):
        raise InputError(
            f"Expected background rolling_ball, lane_edge or none, but got {background!r}"
        )
    if background == "rolling_ball":
        from skimage.restoration import rolling_ball

        # the ball rolls under a 3x3-smoothed copy (as ImageJ), so noise does not lower it
        smooth = ndimage.uniform_filter(sig, size=3)
        sig = sig - rolling_ball(smooth, radius=rolling_ball_radius)
    grey = raw[..., :3].mean(axis=2) if raw.ndim == 3 else raw
    if saturation_level is None and np.issubdtype(raw.dtype, np.integer):
        saturation_level = 0.0 if inverted else float(np.iinfo(raw.dtype).max)
    profiles = {
        int(r.lane): sig[:, int(r.left) : int(r.right)].sum(axis=1) for r in lanes.itertuples()
    }
    if bands is None:
        windows = _band_windows(np.sum(list(profiles.values()), axis=0), n_bands)
        named = {f"band{i + 1}": w for i, w in enumerate(windows)}
    else:
        named = {str(k): (int(v[0]), int(v[1])) for k, v in bands.items()}
        for name, (a, b) in named.items():
            if not 0 <= a < b < sig.shape[0]:
                raise InputError(
                    f"Expected rows 0 <= first < last < {sig.shape[0]} for band {name!r}, but got ({a}, {b})"
                )
    records = []
    for r in lanes.itertuples():
        prof = profiles[int(r.lane)]
        for name, (a, b) in named.items():
            seg = prof[a : b + 1]
            if background == "lane_edge":
                base = np.linspace(seg[0], seg[-1], seg.size)
            else:
                base = np.zeros_like(seg)
            block = grey[a : b + 1, int(r.left) : int(r.right)]
            if saturation_level is None:
                saturated = False
            elif inverted:
                saturated = bool((block <= saturation_level).any())
            else:
                saturated = bool((block >= saturation_level).any())
            records.append(
                {
                    "lane": int(r.lane),
                    "target": name,
                    "volume": float((seg - base).sum()),
                    "first_row": a,
                    "last_row": b,
                    "saturated": saturated,
                    "background": background,
                }
            )
    return pd.DataFrame(records)


IMAGE_SUFFIXES = frozenset({".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp"})


def read_blot_image(path: str | PathLike[str]) -> np.ndarray:
    """Read a blot image file (TIFF, PNG, JPEG, BMP) as an array, unchanged (skimage.io)."""
    from skimage import io as skio

    try:
        return np.asarray(skio.imread(Path(path)))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"Expected a readable image (TIFF, PNG, JPEG) ({exc})", file=path
        ) from None


def measure_blot_image(
    image: np.ndarray | str | PathLike[str],
    *,
    n_lanes: int | None = None,
    centers: Sequence[float] | None = None,
    bands: Mapping[str, tuple[int, int]] | None = None,
    background: Background = "lane_edge",
    rolling_ball_radius: float = 25.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lanes and band volumes of one blot image: :func:`detect_lanes` then :func:`measure_bands`.

    Returns
    -------
    (bands, lanes)
        The band table of :func:`measure_bands` and the lane table of :func:`detect_lanes`.
    """
    if isinstance(image, np.ndarray):
        file, img = None, image
    else:
        file, img = image, read_blot_image(image)
    try:
        lanes = detect_lanes(img, n_lanes=n_lanes, centers=centers)
        measured = measure_bands(
            img, lanes, bands=bands, background=background, rolling_ball_radius=rolling_ball_radius
        )
    except InputError as exc:
        if file is None or exc.file is not None:
            raise
        raise InputError(exc.message, file=file, field=exc.field) from None
    return measured, lanes

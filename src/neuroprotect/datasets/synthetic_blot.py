"""Seeded synthetic Western blot images with exactly known band volumes.

A digital-imager style image (bright bands on a dark background, float counts): each band is a
separable shape, a Gaussian of SD ``band_sd_px`` down the lane times a flat-topped lane profile
across it, scaled so that its pixel sum is exactly the requested volume (the band is rendered
alone and its sum renormalised). The background is a constant plus an optional vertical gradient,
plus seeded Gaussian noise. ``film=True`` returns the film-like inverse (dark bands on light).

Used by the tests of :mod:`neuroprotect.assays.western_image`: a band-volume measurement is
checked against ``SyntheticBlot.volumes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SyntheticBlot", "make_synthetic_blot"]


@dataclass(frozen=True)
class SyntheticBlot:
    """A synthetic blot and its ground truth.

    Attributes
    ----------
    image
        (rows, cols) float array; rows run down the gel (migration), columns across lanes.
    volumes
        ``lane`` (1-based), ``target``, ``volume`` (background-free pixel sum of the band).
    lane_centers
        Column of each lane's centre.
    band_rows
        Row of each target's band centre.
    background
        The noise-free background image that was added.
    saturation_level
        Pixel value at which the imager clips (``None`` when nothing was clipped).
    """

    image: np.ndarray
    volumes: pd.DataFrame
    lane_centers: tuple[float, ...]
    band_rows: dict[str, float]
    background: np.ndarray
    saturation_level: float | None


def _lane_profile(cols: np.ndarray, center: float, half_width: float, edge: float) -> np.ndarray:
    """Flat top of width 2·half_width with smooth (logistic) edges of scale ``edge`` px."""
    return 1.0 / (1 + np.exp((np.abs(cols - center) - half_width) / edge))


def make_synthetic_blot(
    volumes: Sequence[Sequence[float]] | np.ndarray,
    *,
    targets: Sequence[str] = ("target",),
    band_rows: Mapping[str, float] | None = None,
    shape: tuple[int, int] | None = None,
    lane_spacing_px: float = 40.0,
    lane_half_width_px: float = 12.0,
    band_sd_px: float = 3.0,
    background: float = 100.0,
    gradient: float = 0.0,
    noise_sd: float = 0.0,
    saturation_level: float | None = None,
    film: bool = False,
    seed: int = 0,
) -> SyntheticBlot:
    """Render a blot with given band volumes.

    Parameters
    ----------
    volumes
        (n_lanes, n_targets) band volumes (pixel sums above background).
    targets
        Target names, one per column of ``volumes`` (e.g. ``("Bax", "beta-actin")``).
    band_rows
        Row of each target's band; default evenly spaced down the image.
    shape
        Image (rows, cols); default fits the lanes and bands.
    lane_spacing_px, lane_half_width_px, band_sd_px
        Geometry: lane centres are ``spacing/2 + i·spacing``; bands are Gaussian down the lane.
    background, gradient
        Background = ``background + gradient·row`` counts per pixel.
    noise_sd
        SD of the additive Gaussian noise (seeded).
    saturation_level
        Clip the image at this value (an imager's full well); volumes stay the unclipped truth.
    film
        Return ``image.max() + background − image``-style inverse: dark bands on light background.
    seed
        Seed of ``numpy.random.default_rng``.
    """
    vol = np.atleast_2d(np.asarray(volumes, dtype=float))
    n_lanes, n_targets = vol.shape
    if len(targets) != n_targets:
        raise ValueError(f"Expected {n_targets} target names, but got {len(targets)}")
    if (vol < 0).any():
        raise ValueError("Expected band volumes >= 0")
    rows_needed = int(40 + 40 * n_targets)
    n_rows, n_cols = shape or (rows_needed, int(lane_spacing_px * n_lanes))
    if band_rows is None:
        band_rows = {t: 30.0 + 40.0 * i for i, t in enumerate(targets)}
    centers = tuple(lane_spacing_px / 2 + i * lane_spacing_px for i in range(n_lanes))
    rr = np.arange(n_rows, dtype=float)[:, None]
    cc = np.arange(n_cols, dtype=float)[None, :]
    signal = np.zeros((n_rows, n_cols))
    records = []
    for i, c in enumerate(centers):
        across = _lane_profile(cc, c, lane_half_width_px, 1.0)
        for j, t in enumerate(targets):
            down = np.exp(-0.5 * ((rr - band_rows[t]) / band_sd_px) ** 2)
            band = down * across
            total = band.sum()
            if vol[i, j] > 0:
                signal += band * (vol[i, j] / total)
            records.append({"lane": i + 1, "target": t, "volume": float(vol[i, j])})
    bg = np.broadcast_to(background + gradient * rr, (n_rows, n_cols)).astype(float)
    rng = np.random.default_rng(seed)
    image = signal + bg + (rng.normal(0.0, noise_sd, (n_rows, n_cols)) if noise_sd > 0 else 0.0)
    if saturation_level is not None:
        image = np.minimum(image, saturation_level)
    if film:
        top = saturation_level if saturation_level is not None else float(image.max())
        image = top - image
    return SyntheticBlot(
        image=image,
        volumes=pd.DataFrame(records),
        lane_centers=centers,
        band_rows=dict(band_rows),
        background=np.array(bg),
        saturation_level=saturation_level,
    )

"""Seeded synthetic photographs of TTC-stained coronal brain slices, with exact ground truth.

A *scene* describes a plate in millimetres: a series of brain-shaped coronal slices laid out
rostral to caudal in reading order (left to right, top to bottom), each with its own size, a small
rotation, a swollen ipsilateral hemisphere (edema) and a pale infarct in the MCA territory of the
ipsilateral hemisphere (cortex and striatum, often reaching the lateral surface). The scene is
rendered at any pixel size, whole or one region (tile) at a time, so the same scene can be a 2k or
a 10k photograph.

What makes it hard (so a fixed threshold fails):

- TTC staining modelled with Beer-Lambert absorbance of red formazan on cream tissue, with
  per-plate stain intensity, smooth and fine tissue texture, a paler (but stained) white-matter
  band in both hemispheres, and a soft infarct border (a penumbra-like ramp);
- uneven illumination (a linear gradient and vignetting), per-photo exposure and camera white
  balance (independent red and blue channel gains), a black, grey or blue background, sensor
  noise, a slight lens blur and small specular glare spots on the tissue.

Ground truth
------------
Labels are evaluated at pixel centres: background 0; for slice ``k`` (1-based, rostral to caudal)
``10 k + 1`` contralateral tissue, ``10 k + 2`` viable ipsilateral tissue, ``10 k + 3``
ipsilateral infarct. The infarct border is soft: the reflectance there is a mixture of infarct
core and viable tissue (as where an oblique border runs through the slab), and the boundary is
where the mixture is half and half. The hemispheres meet at the slice's midline,
the line through its dorsal and ventral notches. Areas are label counts x pixel area, exact for the
rendered image.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from neuroprotect.datasets._ttc_geometry import (
    _labels_and_density,
    _value_noise,
)

__all__ = [
    "SyntheticSlice",
    "SyntheticTTCPlate",
    "TTCScene",
    "make_ttc_plate",
    "make_ttc_scene",
    "render_ttc_scene",
    "ttc_ground_truth",
    "write_ttc_scene_tiff",
]

BACKGROUNDS = {
    "black": (0.02, 0.02, 0.02),
    "dark_grey": (0.08, 0.08, 0.08),
    "grey": (0.25, 0.25, 0.25),
    "blue": (0.05, 0.09, 0.22),
}


@dataclass(frozen=True)
class SyntheticSlice:
    """One coronal slice on the plate (lengths in mm, angle clockwise from upright in degrees)."""

    centre_mm: tuple[float, float]
    half_width_mm: float
    half_height_mm: float
    angle_deg: float = 0.0
    #: The ipsilateral hemisphere is (1 + edema) times wider than the contralateral one.
    edema: float = 0.0
    #: Infarct ``(cx, cy, rx, ry, phase1, phase2)``: centre and radii as fractions of the
    #: half-width and half-height (cx measured towards the lesion side), boundary wobble phases.
    infarct: tuple[float, float, float, float, float, float] | None = None


@dataclass(frozen=True)
class TTCScene:
    """A plate of slices and the photographic conditions (see the module docstring)."""

    width_mm: float
    height_mm: float
    slices: tuple[SyntheticSlice, ...]
    lesion_side: Literal["left", "right"] = "right"
    stain: float = 1.0
    infarct_stain: float = 0.08
    background: tuple[float, float, float] = BACKGROUNDS["black"]
    white_balance: tuple[float, float, float] = (1.0, 1.0, 1.0)
    exposure: float = 1.0
    gradient: tuple[float, float] = (0.0, 0.0)
    vignette: float = 0.0
    noise: float = 2.0
    blur_px: float = 0.6
    glare_mm: tuple[tuple[float, float, float], ...] = field(default_factory=tuple)
    seed: int = 0
    #: Length of a white scale bar (0.5 mm thick) drawn below the slices at the bottom right.
    scale_bar_mm: float | None = None

    def shape(self, pixel_size_mm: float) -> tuple[int, int]:
        """Image size ``(rows, cols)`` at this pixel size."""
        return (round(self.height_mm / pixel_size_mm), round(self.width_mm / pixel_size_mm))


@dataclass(frozen=True)
class SyntheticTTCPlate:
    """A rendered plate: the photo, its label image, the per-slice truth and the scene."""

    image: np.ndarray
    labels: np.ndarray
    truth: pd.DataFrame
    scene: TTCScene
    pixel_size_mm: float


def make_ttc_scene(
    seed: int,
    *,
    n_slices: int = 6,
    per_row: int = 3,
    infarct: bool = True,
    background: str | None = None,
) -> TTCScene:
    """A random plate: slice sizes, layout, lesion, stain and photographic conditions from ``seed``.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``.
    n_slices
        Slices on the plate (rostral to caudal in reading order).
    per_row
        Slices per row of the plate.
    infarct
        False for a sham animal (no infarct, no edema).
    background
        One of ``black, dark_grey, grey, blue``; random when ``None``.
    """
    rng = np.random.default_rng(seed)
    a0 = rng.uniform(6.3, 7.5)
    severity = rng.uniform(0.35, 1.0) if infarct else 0.0
    side: Literal["left", "right"] = "left" if rng.random() < 0.5 else "right"
    n_rows = int(np.ceil(n_slices / per_row))
    cell_w, cell_h = 2.7 * a0, 2.1 * a0
    margin = 0.5 * a0
    slices = []
    for i in range(n_slices):
        shape_factor = 0.78 + 0.22 * np.sin(np.pi * (i + 0.5) / n_slices)
        a = a0 * shape_factor * rng.uniform(0.97, 1.03)
        b = a * rng.uniform(0.66, 0.74)
        row, col = divmod(i, per_row)
        cx = margin + (col + 0.5) * cell_w + rng.uniform(-0.06, 0.06) * a0
        cy = margin + (row + 0.5) * cell_h + rng.uniform(-0.06, 0.06) * a0
        extent = severity * np.sin(np.pi * (i + 0.7) / (n_slices + 0.4)) ** 1.5
        lesion = None
        if infarct and extent > 0.12:
            rx = 0.12 + 0.24 * extent
            ry = 0.25 + 0.4 * extent
            icx = 0.12 + 1.25 * rx + rng.uniform(0.0, 0.12)
            lesion = (
                float(icx),
                float(rng.uniform(-0.12, 0.25)),
                float(rx),
                float(ry),
                float(rng.uniform(0, 2 * np.pi)),
                float(rng.uniform(0, 2 * np.pi)),
            )
        slices.append(
            SyntheticSlice(
                centre_mm=(float(cx), float(cy)),
                half_width_mm=float(a),
                half_height_mm=float(b),
                angle_deg=float(rng.uniform(-8, 8)),
                edema=float(rng.uniform(0.03, 0.14) * severity) if infarct else 0.0,
                infarct=lesion,
            )
        )
    bg_name = background or str(rng.choice(list(BACKGROUNDS)))
    bg = tuple(float(v) * rng.uniform(0.9, 1.1) for v in BACKGROUNDS[bg_name])
    glare = []
    for s in slices:
        for _ in range(int(rng.integers(0, 3))):
            r, t = rng.uniform(0, 0.7), rng.uniform(0, 2 * np.pi)
            glare.append(
                (
                    s.centre_mm[0] + r * s.half_width_mm * np.cos(t),
                    s.centre_mm[1] + r * s.half_height_mm * np.sin(t),
                    rng.uniform(0.04, 0.12),
                )
            )
    return TTCScene(
        width_mm=float(2 * margin + per_row * cell_w),
        height_mm=float(2 * margin + n_rows * cell_h),
        slices=tuple(slices),
        lesion_side=side,
        stain=float(rng.uniform(0.55, 1.3)),
        infarct_stain=float(rng.uniform(0.03, 0.14)),
        background=(bg[0], bg[1], bg[2]),
        white_balance=(
            float(np.exp(rng.uniform(-0.2, 0.2))),
            1.0,
            float(np.exp(rng.uniform(-0.2, 0.2))),
        ),
        exposure=float(rng.uniform(0.75, 1.1)),
        gradient=(float(rng.uniform(-0.25, 0.25)), float(rng.uniform(-0.25, 0.25))),
        vignette=float(rng.uniform(0.0, 0.2)),
        noise=float(rng.uniform(1.0, 4.0)),
        glare_mm=tuple((float(x), float(y), float(r)) for x, y, r in glare),
        seed=seed,
    )


# --- deterministic texture (independent of tiling) -----------------------------------------------
# --- geometry ------------------------------------------------------------------------------------
def render_ttc_scene(
    scene: TTCScene,
    *,
    pixel_size_mm: float,
    region: tuple[int, int, int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Render a scene (or the region ``(row0, col0, rows, cols)`` of it).

    Returns
    -------
    (image, labels)
        ``uint8`` RGB photo ``(rows, cols, 3)`` and ``int32`` labels (see the module docstring).
        Pixel noise is seeded by the region, so a region rendered alone matches the whole image
        except for noise and the blur at its edges.
    """
    rows, cols = scene.shape(pixel_size_mm)
    r0, c0, h, w = region if region is not None else (0, 0, rows, cols)
    m = int(np.ceil(3 * scene.blur_px)) + 1
    labels, refl, tissue = _labels_and_density(
        scene, pixel_size_mm, r0 - m, c0 - m, h + 2 * m, w + 2 * m
    )
    yy = (np.arange(r0 - m, r0 + h + m) + 0.5)[:, None] * pixel_size_mm
    xx = (np.arange(c0 - m, c0 + w + m) + 0.5)[None, :] * pixel_size_mm
    yy, xx = np.broadcast_arrays(yy, xx)
    bg = (
        np.asarray(scene.background)
        * (1.0 + 0.05 * _value_noise(xx, yy, 1.5, scene.seed + 2))[..., None]
    )
    img = np.where(tissue[..., None], refl, bg)
    if scene.scale_bar_mm:
        x1 = scene.width_mm - 3.0
        y0 = scene.height_mm - 2.5
        bar = (xx >= x1 - scene.scale_bar_mm) & (xx < x1) & (np.abs(yy - y0) < 0.25)
        img = np.where(bar[..., None], 0.85, img)
    for gx, gy, gr in scene.glare_mm:
        spot = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * gr**2))
        img = img + 0.9 * (spot * tissue)[..., None]
    xr, yr = xx / scene.width_mm - 0.5, yy / scene.height_mm - 0.5
    light = (1.0 + scene.gradient[0] * xr * 2 + scene.gradient[1] * yr * 2) * (
        1.0 - scene.vignette * (xr**2 + yr**2) * 2
    )
    img = img * (scene.exposure * light)[..., None] * np.asarray(scene.white_balance)
    if scene.blur_px > 0:
        img = ndi.gaussian_filter(img, sigma=(scene.blur_px, scene.blur_px, 0))
    img = img[m:-m, m:-m]
    rng = np.random.default_rng([scene.seed, r0, c0])
    out = np.clip(img, 0.0, 1.0) ** (1 / 2.2) * 255.0 + rng.normal(0.0, scene.noise, img.shape)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8), labels[m:-m, m:-m]


def _regions(shape: tuple[int, int], tile: int) -> Iterator[tuple[int, int, int, int]]:
    for r in range(0, shape[0], tile):
        for c in range(0, shape[1], tile):
            yield r, c, min(tile, shape[0] - r), min(tile, shape[1] - c)


def ttc_ground_truth(scene: TTCScene, *, pixel_size_mm: float, tile: int = 2048) -> pd.DataFrame:
    """Exact per-slice areas of the rendered scene, counted region by region (bounded memory).

    Returns
    -------
    pandas.DataFrame
        ``slice`` (1-based, rostral to caudal), ``ipsilateral_area_mm2``,
        ``contralateral_area_mm2``, ``infarct_area_mm2``, ``lesion_side`` (image side).
    """
    n = len(scene.slices)
    counts = np.zeros(10 * (n + 1) + 4, np.int64)
    for r, c, h, w in _regions(scene.shape(pixel_size_mm), tile):
        labels, _d, _t = _labels_and_density(scene, pixel_size_mm, r, c, h, w, colours=False)
        counts += np.bincount(labels.ravel(), minlength=counts.size)
    px2 = pixel_size_mm**2
    k = np.arange(1, n + 1)
    return pd.DataFrame(
        {
            "slice": k,
            "ipsilateral_area_mm2": (counts[10 * k + 2] + counts[10 * k + 3]) * px2,
            "contralateral_area_mm2": counts[10 * k + 1] * px2,
            "infarct_area_mm2": counts[10 * k + 3] * px2,
            "lesion_side": scene.lesion_side,
        }
    )


def make_ttc_plate(
    seed: int,
    *,
    pixel_size_mm: float = 0.04,
    n_slices: int = 6,
    per_row: int = 3,
    infarct: bool = True,
    background: str | None = None,
    **overrides: object,
) -> SyntheticTTCPlate:
    """Make and render a random plate; ``overrides`` replace scene fields (e.g. ``stain=0.6``).

    Examples
    --------
    >>> plate = make_ttc_plate(1, pixel_size_mm=0.08)
    >>> plate.image.shape[2], list(plate.truth["slice"])
    (3, [1, 2, 3, 4, 5, 6])
    """
    scene = make_ttc_scene(
        seed, n_slices=n_slices, per_row=per_row, infarct=infarct, background=background
    )
    if overrides:
        scene = replace(scene, **overrides)  # type: ignore[arg-type]
    image, labels = render_ttc_scene(scene, pixel_size_mm=pixel_size_mm)
    truth = ttc_ground_truth(scene, pixel_size_mm=pixel_size_mm)
    return SyntheticTTCPlate(image, labels, truth, scene, pixel_size_mm)


def write_ttc_scene_tiff(
    scene: TTCScene, path: str | Path, *, pixel_size_mm: float, tile: int = 512
) -> pd.DataFrame:
    """Write a scene as a tiled, zlib-compressed RGB TIFF region by region; return its truth.

    The TIFF carries its pixel size (resolution tags in pixels per cm), so readers find the scale.
    Memory stays bounded by a strip of tiles, so a 10k x 10k plate can be written on a laptop.
    """
    import tifffile

    rows, cols = scene.shape(pixel_size_mm)
    band = 4 * tile

    def tiles() -> Iterator[np.ndarray]:
        for r in range(0, rows, tile):
            h = min(tile, rows - r)
            for c0 in range(0, cols, band):
                w = min(band, cols - c0)
                img, _ = render_ttc_scene(scene, pixel_size_mm=pixel_size_mm, region=(r, c0, h, w))
                for c in range(0, w, tile):
                    t = np.zeros((tile, tile, 3), np.uint8)
                    part = img[:, c : c + tile]
                    t[: part.shape[0], : part.shape[1]] = part
                    yield t

    per_cm = 10.0 / pixel_size_mm
    tifffile.imwrite(
        path,
        tiles(),
        shape=(rows, cols, 3),
        dtype=np.uint8,
        tile=(tile, tile),
        photometric="rgb",
        compression="zlib",
        resolution=(per_cm, per_cm),
        resolutionunit="CENTIMETER",
    )
    return ttc_ground_truth(scene, pixel_size_mm=pixel_size_mm)

"""Nucleus segmentation and counts on a nuclear stain (DAPI, Hoechst, propidium iodide).

The one nucleus segmentation of the package: :func:`count_nuclei` (in vitro and tissue nucleus
counts, ``neuroprotect histology nuclei``) and
:func:`~neuroprotect.histology.fluorescence.count_positive_nuclei` (TUNEL, Ki-67) both call
:func:`segment_nuclei`. The nucleus size is estimated from the image
(:func:`~neuroprotect.histology.cell_size.estimate_cell_diameter`) unless it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from neuroprotect.errors import InputError
from neuroprotect.histology import _cells
from neuroprotect.histology.cell_size import (
    CellSizeEstimate,
    estimate_cell_diameter,
    size_warnings,
)
from neuroprotect.histology.roi import Region, region_masks, whole_image_region

__all__ = ["NucleusCount", "NucleusSegmentation", "count_nuclei", "segment_nuclei"]

FileLike = str | PathLike[str] | None

#: Nucleus diameters (µm) plausible for a nuclear stain; an estimate outside is warned about.
PLAUSIBLE_DIAMETER_UM = (5.0, 25.0)
#: Used (with a warning) when no size can be estimated and none is given.
FALLBACK_DIAMETER_UM = 10.0
#: Default area limits as fractions of the typical nucleus area ``pi d^2 / 4``: down to
#: micronuclei and fragments, up to unsplit clumps of about 4 nuclei.
MIN_AREA_FRACTION = 0.02
MAX_AREA_FRACTION = 4.0
#: Foreground threshold = this fraction of Otsu's (dim nuclei are kept; noise floor 4 SD).
OTSU_FRACTION = 0.5
#: Seed landscape: blob scales (fractions of the radius) and minimum seed spacing (x radius).
SEED_SCALES = (0.35, 0.5)
SEED_SPACING = 0.2
#: Background radius, in nucleus diameters.
BACKGROUND_DIAMETERS = 2.5


@dataclass
class NucleusSegmentation:
    """Result of :func:`segment_nuclei`.

    Attributes
    ----------
    labels
        ``(rows, cols)`` int32 label image of the kept nuclei (0 = background).
    nuclei
        One row per kept nucleus: ``label``, ``x``, ``y`` (centroid, pixels: column, row),
        ``area_um2``, ``mean_intensity`` (background-subtracted nuclear signal).
    signal
        The background-subtracted nuclear channel (float32).
    diameter_um
        Nucleus diameter used (µm).
    diameter_source
        ``"given"``, ``"estimated"`` or ``"fallback"`` (no estimate possible).
    size_estimate
        The image's estimate (also when a diameter was given), or ``None`` when not computed.
    threshold, min_area_um2, max_area_um2
        Foreground threshold and the area limits applied.
    warnings
        Implausible or unsupported size estimates.
    """

    labels: np.ndarray
    nuclei: pd.DataFrame
    signal: np.ndarray
    diameter_um: float
    diameter_source: str
    size_estimate: CellSizeEstimate | None
    threshold: float
    min_area_um2: float
    max_area_um2: float
    warnings: list[str] = field(default_factory=list)

    def method(self) -> dict[str, Any]:
        """Parameters used, for a result's ``method`` entry."""
        est = self.size_estimate
        return {
            "segmentation": "LoG+distance seeded watershed, convex equal-brightness merge",
            "nucleus_diameter_um": self.diameter_um,
            "nucleus_diameter_source": self.diameter_source,
            "nucleus_diameter_estimate": est.as_dict() if est is not None else None,
            "nuclear_threshold": self.threshold,
            "min_area_um2": self.min_area_um2,
            "max_area_um2": self.max_area_um2,
        }


def _check_limits(min_area_um2: float | None, max_area_um2: float | None) -> None:
    for name, v in (("min_area_um2", min_area_um2), ("max_area_um2", max_area_um2)):
        if v is not None and not (isinstance(v, (int, float)) and 0 <= v < np.inf):
            raise InputError(f"Expected an area in µm² >= 0, but got {v!r}", field=name)
    if min_area_um2 is not None and max_area_um2 is not None and min_area_um2 >= max_area_um2:
        raise InputError(
            f"Expected 0 < min_area_um2 < max_area_um2, but got {min_area_um2} and {max_area_um2}",
            field="min_area_um2",
        )


def _split(signal: np.ndarray, *, radius_px: float, threshold: float) -> np.ndarray:
    """Foreground, seeded watershed at fine blob scales, then merge of over-split nuclei."""
    sm = ndi.gaussian_filter(signal, sigma=max(0.5, 0.1 * radius_px))
    fg = ndi.binary_opening(ndi.binary_fill_holes(sm > threshold), iterations=1)
    if not fg.any():
        return np.zeros(signal.shape, np.int32)
    dist = ndi.distance_transform_edt(fg).astype(np.float32)
    clipped = np.where(fg, np.maximum(sm, threshold), 0).astype(np.float32)
    blob = _cells._blob_response(clipped, radius_px, scales=SEED_SCALES)
    labels = _cells._seeded_watershed(fg, dist, blob, radius_px, spacing=SEED_SPACING)
    area_px = np.pi * radius_px**2
    labels = _cells.merge_oversplit(labels, sm, max_area_px=3.0 * area_px)
    # Outline at half each nucleus' median: the low detection threshold would inflate the
    # areas of bright nuclei (their blurred edges cross it far out).
    half = 0.5 * _cells.label_medians(sm, labels)
    return np.where(sm >= np.maximum(half[labels], threshold), labels, 0).astype(np.int32)


def segment_nuclei(
    channel: np.ndarray,
    *,
    pixel_size_um: float,
    nucleus_diameter_um: float | None = None,
    min_area_um2: float | None = None,
    max_area_um2: float | None = None,
    threshold: float | None = None,
    mask: np.ndarray | None = None,
    file: FileLike = None,
) -> NucleusSegmentation:
    """Segment the nuclei of one nuclear-stain channel.

    Parameters
    ----------
    channel
        ``(rows, cols)`` fluorescence image of the nuclear stain (nuclei bright).
    pixel_size_um
        µm per pixel.
    nucleus_diameter_um
        Typical nucleus diameter; ``None`` (default) = estimated from the image
        (:func:`~neuroprotect.histology.cell_size.estimate_cell_diameter`). A given value wins.
    min_area_um2, max_area_um2
        Area limits of a nucleus; default ``0.02`` and ``4`` x the typical area ``pi d^2 / 4``.
    threshold
        Foreground threshold above the background; default ``0.5 x`` Otsu's, at least 4 noise
        SDs.
    mask
        Only nuclei whose centroid is in this ``(rows, cols)`` mask are kept (the ROI union);
        it also restricts the size estimate.

    Returns
    -------
    NucleusSegmentation

    Notes
    -----
    1. Size: the response-weighted median scale of the image's scale-normalised LoG blobs
       (Lindeberg 1998), warned about outside 5-25 µm.
    2. Uneven illumination: a smooth background (greyscale opening with a disk of 2.5 nucleus
       diameters, smoothed; rolling-ball-like) is subtracted.
    3. Foreground: Gaussian smoothing (0.1 r), ``0.5 x`` Otsu's (1979) threshold (nuclei differ
       several-fold in brightness; Otsu alone loses the dim ones) with a floor of 4 x the
       noise SD (Immerkaer 1996), holes filled, one opening.
    4. Touching nuclei: marker-controlled watershed (Beucher & Meyer 1993) on
       ``0.5 min(dist / r, 1) + 0.5 LoG`` (distance transform and normalised LoG at 0.35 r
       and 0.5 r), seeds >= 0.2 r apart: this over-splits elongated nuclei on purpose; then two
       adjacent pieces are merged back when their union is convex (solidity >= 0.9), no
       darker valley separates them (boundary median >= 0.95 x the dimmer one's median) and they are
       equally bright (within 1.3x) and together at most 3 typical nucleus areas
       (:func:`~neuroprotect.histology._cells.merge_oversplit`).
    5. Outline: the pixels of each nucleus above half its median (smoothed) intensity, so
       areas do not grow with brightness.
    Chosen on seeded synthetic nuclei and the BBBC039 Hoechst images
    (docs/histology-validation-cells.md).
    """
    ps = _cells.check_pixel_size(pixel_size_um, file=file)
    _check_limits(min_area_um2, max_area_um2)
    sig0 = np.asarray(channel, dtype=np.float32)
    if sig0.ndim != 2 or min(sig0.shape) < 8:
        raise InputError(
            f"Expected a 2-D nuclear channel of at least 8 x 8 pixels, but got shape {sig0.shape}",
            file=file,
        )
    if not np.isfinite(sig0).all():
        raise InputError("Expected finite pixel values, but the image has NaN or inf", file=file)
    warnings: list[str] = []
    estimate: CellSizeEstimate | None = None
    where = f"{file}: " if file is not None else ""
    if nucleus_diameter_um is None:
        estimate = estimate_cell_diameter(sig0, pixel_size_um=ps, mask=mask)
        warnings += [where + w for w in size_warnings(estimate, plausible_um=PLAUSIBLE_DIAMETER_UM)]
        if np.isfinite(estimate.diameter_um):
            diameter, source = estimate.diameter_um, "estimated"
        else:
            diameter, source = FALLBACK_DIAMETER_UM, "fallback"
            warnings.append(f"{where}using a nucleus diameter of {diameter:g} µm")
    else:
        if not (isinstance(nucleus_diameter_um, (int, float)) and 0 < nucleus_diameter_um < 1e4):
            raise InputError(
                f"Expected a nucleus diameter in µm > 0, but got {nucleus_diameter_um!r}",
                field="nucleus_diameter_um",
            )
        diameter, source = float(nucleus_diameter_um), "given"
    radius = diameter / 2.0 / ps
    area = np.pi * (diameter / 2.0) ** 2
    lo = MIN_AREA_FRACTION * area if min_area_um2 is None else float(min_area_um2)
    hi = MAX_AREA_FRACTION * area if max_area_um2 is None else float(max_area_um2)
    if lo >= hi:
        raise InputError(
            f"Expected min_area_um2 < max_area_um2, but got {lo:g} and {hi:g} (the default "
            f"limit from the {diameter:.3g} µm nucleus diameter)",
            field="min_area_um2" if min_area_um2 is not None else "max_area_um2",
        )
    sig = sig0 - _cells.background(sig0, radius_px=BACKGROUND_DIAMETERS * diameter / ps)
    thr = (
        float(threshold)
        if threshold is not None
        else _cells.auto_threshold(sig, otsu_fraction=OTSU_FRACTION)
    )
    labels = _split(sig, radius_px=radius, threshold=thr) if np.isfinite(thr) else None
    if labels is None:
        labels = np.zeros(sig.shape, np.int32)
    obj = _cells.measure_objects(labels, pixel_size_um=ps, intensity=sig, shape=False)
    ok = ((obj["area_um2"] >= lo) & (obj["area_um2"] <= hi)).to_numpy()
    if mask is not None:
        ok &= _cells.centroid_in(mask, obj["x"].to_numpy(), obj["y"].to_numpy())
    obj = obj[ok].reset_index(drop=True)
    labels = np.where(np.isin(labels, obj["label"].to_numpy()), labels, 0).astype(np.int32)
    return NucleusSegmentation(
        labels=labels,
        nuclei=obj[["label", "x", "y", "area_um2", "mean_intensity"]],
        signal=sig,
        diameter_um=diameter,
        diameter_source=source,
        size_estimate=estimate,
        threshold=thr,
        min_area_um2=lo,
        max_area_um2=hi,
        warnings=warnings,
    )


@dataclass
class NucleusCount:
    """Result of :func:`count_nuclei`.

    Attributes
    ----------
    count
        Nuclei in the union of the regions.
    cells
        One row per nucleus: ``x``, ``y`` (centroid, pixels), ``area_um2``,
        ``mean_intensity``.
    regions
        One row per region: ``region``, ``kind``, ``count``, ``area_mm2``,
        ``density_per_mm2``.
    labels
        Label image of the counted nuclei.
    area_mm2, density_per_mm2
        Over the union of the regions.
    diameter_um, diameter_source, size_estimate
        See :class:`NucleusSegmentation`.
    method, warnings
        Parameters used; warnings (size estimate, clipped or empty ROIs).
    """

    count: int
    cells: pd.DataFrame
    regions: pd.DataFrame
    labels: np.ndarray
    area_mm2: float
    density_per_mm2: float
    diameter_um: float
    diameter_source: str
    size_estimate: CellSizeEstimate | None
    method: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def nuclear_channel(image: np.ndarray, channel: int | None, *, file: FileLike = None) -> np.ndarray:
    """The 2-D nuclear channel of a grey or multi-channel ``(rows, cols[, channels])`` image.

    ``channel=None`` takes a grey image as is, and a multi-channel image only when all its
    channels are equal (grey saved as RGB); otherwise the channel must be named.
    """
    arr = np.asarray(image)
    if arr.dtype.kind not in "uif" or arr.ndim not in (2, 3):
        raise InputError(
            f"Expected a grey (rows, cols) or multi-channel (rows, cols, channels) image, but "
            f"got shape {arr.shape} of dtype {arr.dtype}",
            file=file,
        )
    if arr.ndim == 2:
        if channel not in (None, 0):
            raise InputError(
                f"Expected no channel for a single-channel image, but got {channel!r}",
                file=file,
                field="channel",
            )
        return arr.astype(np.float32)
    if channel is None:
        if arr.shape[2] == 1 or all(
            np.array_equal(arr[..., 0], arr[..., k]) for k in range(1, arr.shape[2])
        ):
            return arr[..., 0].astype(np.float32)
        raise InputError(
            f"Expected --channel for an image with {arr.shape[2]} different channels (0-based "
            f"index of the nuclear stain)",
            file=file,
            field="channel",
        )
    if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)):
        raise InputError(f"Expected a channel index, but got {channel!r}", field="channel")
    if not 0 <= channel < arr.shape[2]:
        raise InputError(
            f"Expected a channel index between 0 and {arr.shape[2] - 1}, but got {channel}",
            file=file,
            field="channel",
        )
    return arr[..., channel].astype(np.float32)


def count_nuclei(
    image: np.ndarray,
    *,
    pixel_size_um: float,
    channel: int | None = None,
    roi: Sequence[Region] | None = None,
    nucleus_diameter_um: float | None = None,
    min_area_um2: float | None = None,
    max_area_um2: float | None = None,
    threshold: float | None = None,
    file: FileLike = None,
) -> NucleusCount:
    """Count nuclei on a nuclear stain; density per mm² per region.

    Parameters
    ----------
    image
        Grey ``(rows, cols)`` or ``(rows, cols, channels)`` fluorescence image.
    pixel_size_um
        µm per pixel.
    channel
        0-based index of the nuclear stain in a multi-channel image (see
        :func:`nuclear_channel`).
    roi
        Regions; ``None`` = whole image. A nucleus belongs to a region when its centroid does.
    nucleus_diameter_um, min_area_um2, max_area_um2, threshold
        See :func:`segment_nuclei`; by default all derived from the image.

    Returns
    -------
    NucleusCount

    Examples
    --------
    >>> from neuroprotect.datasets.synthetic_cells import make_fluorescence_image
    >>> s = make_fluorescence_image(seed=0)
    >>> res = count_nuclei(s.image, pixel_size_um=s.pixel_size_um, channel=0)
    >>> abs(res.count - len(s.cells)) <= 0.05 * len(s.cells)
    True
    """
    ps = _cells.check_pixel_size(pixel_size_um, file=file)
    sig = nuclear_channel(image, channel, file=file)
    regions = list(roi) if roi else [whole_image_region()]
    masks, warnings = region_masks(regions, sig.shape, pixel_size_um=ps, file=file)
    union = np.logical_or.reduce(masks)
    seg = segment_nuclei(
        sig,
        pixel_size_um=ps,
        nucleus_diameter_um=nucleus_diameter_um,
        min_area_um2=min_area_um2,
        max_area_um2=max_area_um2,
        threshold=threshold,
        mask=None if union.all() else union,
        file=file,
    )
    cells = seg.nuclei[["x", "y", "area_um2", "mean_intensity"]].reset_index(drop=True)
    x, y = cells["x"].to_numpy(), cells["y"].to_numpy()
    rows = []
    for region, mask in zip(regions, masks, strict=True):
        n = int(_cells.centroid_in(mask, x, y).sum())
        area = float(mask.sum()) * ps * ps / 1e6
        rows.append(
            {
                "region": region.name,
                "kind": region.kind,
                "count": n,
                "area_mm2": area,
                "density_per_mm2": n / area if area > 0 else float("nan"),
            }
        )
    table = pd.DataFrame(rows)
    area_all = float(union.sum()) * ps * ps / 1e6
    warnings = seg.warnings + warnings
    warnings += _cells.empty_region_warnings(
        table, cell_diameter_um=seg.diameter_um, what="nuclei", file=file
    )
    return NucleusCount(
        count=len(cells),
        cells=cells,
        regions=table,
        labels=seg.labels,
        area_mm2=area_all,
        density_per_mm2=len(cells) / area_all if area_all > 0 else float("nan"),
        diameter_um=seg.diameter_um,
        diameter_source=seg.diameter_source,
        size_estimate=seg.size_estimate,
        method=seg.method(),
        warnings=warnings,
    )

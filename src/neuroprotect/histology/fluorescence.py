"""TUNEL and immunofluorescence: fraction of marker-positive nuclei in two-channel images.

Nuclei are segmented on the nuclear counterstain (DAPI, Hoechst, propidium iodide); each
nucleus is called positive when its mean marker intensity (above the local background) passes a
threshold; results per region of interest.
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
from neuroprotect.histology._cells import threshold_otsu
from neuroprotect.histology.nuclei import BACKGROUND_DIAMETERS, segment_nuclei
from neuroprotect.histology.roi import Region, region_masks, whole_image_region

__all__ = ["PositiveNuclei", "count_positive_nuclei"]


@dataclass
class PositiveNuclei:
    """Result of :func:`count_positive_nuclei`.

    Attributes
    ----------
    nuclei
        One row per nucleus in the union of the regions: ``x``, ``y`` (centroid, pixels),
        ``area_um2``, ``marker_mean`` (mean marker intensity above background), ``positive``.
    regions
        One row per region: ``region``, ``kind``, ``n_nuclei``, ``n_positive``,
        ``positive_pct`` (100 * n_positive / n_nuclei), ``area_mm2``, ``nuclei_per_mm2``,
        ``positive_per_mm2``.
    labels
        Label image of the kept nuclei.
    marker_threshold
        Threshold applied to ``marker_mean``.
    n_nuclei, n_positive, positive_pct, area_mm2
        Over the union of the regions.
    method
        Parameters used (threshold method, noise floor, filters).
    warnings
        ROIs clipped to the image (see :func:`~neuroprotect.histology.roi.region_masks`).
    """

    nuclei: pd.DataFrame
    regions: pd.DataFrame
    labels: np.ndarray
    marker_threshold: float
    n_nuclei: int
    n_positive: int
    positive_pct: float
    area_mm2: float
    method: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _channel(image: np.ndarray, index: int, name: str, file: Any) -> np.ndarray:
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise InputError(f"Expected a channel index, but got {index!r}", field=name)
    if not 0 <= index < image.shape[2]:
        raise InputError(
            f"Expected a channel index between 0 and {image.shape[2] - 1}, but got {index}",
            file=file,
            field=name,
        )
    return image[..., index].astype(np.float32)


def _log_otsu(means: np.ndarray, *, floor: float) -> float:
    """Otsu's threshold on ``log(max(mean, floor))``; ``inf`` when all values are equal."""
    logs = np.log(np.maximum(means, floor))
    if logs.size == 0 or np.ptp(logs) == 0:
        return float("inf")
    return float(np.exp(threshold_otsu(logs)))


def count_positive_nuclei(
    image: np.ndarray,
    *,
    pixel_size_um: float,
    nuclear_channel: int = 0,
    marker_channel: int = 1,
    roi: Sequence[Region] | None = None,
    nucleus_diameter_um: float | None = None,
    min_area_um2: float | None = None,
    max_area_um2: float | None = None,
    marker_threshold: float | str = "auto",
    background_k: float = 5.0,
    nuclear_threshold: float | None = None,
    file: str | PathLike[str] | None = None,
) -> PositiveNuclei:
    """Segment nuclei and call each one marker-positive or negative (TUNEL %, Ki-67 %, ...).

    Parameters
    ----------
    image
        ``(rows, cols, channels)`` fluorescence image, channels last (at least 2).
    pixel_size_um
        µm per pixel.
    nuclear_channel, marker_channel
        0-based channel indices of the counterstain and of the marker.
    roi
        Regions; ``None`` = whole image. A nucleus belongs to a region when its centroid does.
    nucleus_diameter_um
        Typical nucleus diameter (rodent brain: 8-12 µm; cultured cells: 10-20 µm); default
        estimated from the nuclear channel (reported in ``method``; warned about outside
        5-25 µm). A given value wins.
    min_area_um2, max_area_um2
        Area limits of a nucleus (smaller: debris; larger: unsplit clumps); default 0.02 and 4
        x the typical nucleus area.
    marker_threshold
        ``"auto"`` (default), ``"otsu"`` or a number (marker intensity above local background,
        image units).
    background_k
        For ``"auto"``: the noise floor is ``median + background_k * SD`` of the marker outside
        nuclei.
    nuclear_threshold
        Threshold of the nuclear channel above its background; default 0.5 x Otsu with a
        noise floor.

    Returns
    -------
    PositiveNuclei

    Notes
    -----
    Nuclei are segmented on the nuclear channel by
    :func:`~neuroprotect.histology.nuclei.segment_nuclei` (the package's one nucleus
    segmentation, also behind ``histology nuclei``). Both channels have their smooth
    background (2.5 nucleus diameters, rolling-ball-like) subtracted. ``marker_mean`` is the mean background-subtracted marker intensity over the
    nucleus' pixels. Thresholds:

    - ``"otsu"``: Otsu's (1979) threshold on the logarithm of the per-nucleus means (clipped
      below at ``SD_bg``): marker intensities of positive nuclei spread over a decade, and on
      the log scale Otsu falls between the two populations; it always splits, even when no
      nucleus is positive;
    - ``"auto"``: ``max(otsu, median_bg + k * SD_bg)`` where ``median_bg`` and ``SD_bg``
      (1.4826 x MAD) are taken over marker pixels at least 2 px away from any nucleus; ``k = 5``
      leaves room for counterstain bleed-through into the marker channel, so an image without
      positives stays near 0 %;
    - a number: fixed, for thresholds set on controls (recommended for group comparisons:
      the same threshold for every section of a study).

    ``positive_pct = 100 * n_positive / n_nuclei``, per region; sections are not animals, so
    average per animal before statistics (the ``tunel_images`` readout does this).
    """
    ps = _cells.check_pixel_size(pixel_size_um, file=file)
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] < 2 or min(arr.shape[:2]) < 8:
        raise InputError(
            f"Expected a multi-channel image (rows, cols, channels >= 2), but got shape "
            f"{arr.shape}",
            file=file,
        )
    if nuclear_channel == marker_channel:
        raise InputError(
            f"Expected different nuclear and marker channels, but both are {nuclear_channel}",
            field="marker_channel",
        )
    nuc = _channel(arr, nuclear_channel, "nuclear_channel", file)
    mark = _channel(arr, marker_channel, "marker_channel", file)
    regions = list(roi) if roi else [whole_image_region()]
    masks, warnings = region_masks(regions, nuc.shape, pixel_size_um=ps, file=file)
    union = np.logical_or.reduce(masks)
    seg = segment_nuclei(
        nuc,
        pixel_size_um=ps,
        nucleus_diameter_um=nucleus_diameter_um,
        min_area_um2=min_area_um2,
        max_area_um2=max_area_um2,
        threshold=nuclear_threshold,
        mask=None if union.all() else union,
        file=file,
    )
    warnings = seg.warnings + warnings
    labels = seg.labels
    bg_radius = BACKGROUND_DIAMETERS * seg.diameter_um / ps
    mark_sig = mark - _cells.background(mark, radius_px=bg_radius)
    obj = seg.nuclei.drop(columns="mean_intensity")
    if len(obj):
        obj["mean_intensity"] = ndi.mean(mark_sig, labels, obj["label"].to_numpy())
    else:
        obj["mean_intensity"] = pd.Series(dtype=float)
    outside = ~ndi.binary_dilation(labels > 0, iterations=2) & union
    bg_vals = mark_sig[outside] if outside.any() else mark_sig.ravel()
    bg_med = float(np.median(bg_vals))
    bg_sd = float(1.4826 * np.median(np.abs(bg_vals - bg_med)))
    floor = bg_med + background_k * bg_sd
    means = obj["mean_intensity"].to_numpy()
    if isinstance(marker_threshold, str):
        if marker_threshold not in ("auto", "otsu"):
            raise InputError(
                f"Expected marker_threshold 'auto', 'otsu' or a number, but got "
                f"{marker_threshold!r}",
                field="marker_threshold",
            )
        otsu = _log_otsu(means, floor=max(bg_sd, 1e-6))
        thr_m = otsu if marker_threshold == "otsu" else max(otsu, floor)
        if marker_threshold == "auto" and not np.isfinite(otsu):
            thr_m = floor
    else:
        thr_m = float(marker_threshold)
    positive = means > thr_m
    nuclei = pd.DataFrame(
        {
            "x": obj["x"],
            "y": obj["y"],
            "area_um2": obj["area_um2"],
            "marker_mean": means,
            "positive": positive,
        }
    )
    rows = []
    x, y = nuclei["x"].to_numpy(), nuclei["y"].to_numpy()
    for region, mask in zip(regions, masks, strict=True):
        inside = _cells.centroid_in(mask, x, y)
        n, k = int(inside.sum()), int((inside & positive).sum())
        area = float(mask.sum()) * ps * ps / 1e6
        if n == 0:
            warnings.append(
                f"{region.name}: no nuclei found, so % positive is NA; check the nuclear channel, "
                "the pixel size and the nucleus size limits"
            )
        rows.append(
            {
                "region": region.name,
                "kind": region.kind,
                "n_nuclei": n,
                "n_positive": k,
                "positive_pct": 100.0 * k / n if n else float("nan"),
                "area_mm2": area,
                "nuclei_per_mm2": n / area if area > 0 else float("nan"),
                "positive_per_mm2": k / area if area > 0 else float("nan"),
            }
        )
    n_all, k_all = len(nuclei), int(positive.sum())
    return PositiveNuclei(
        nuclei=nuclei,
        regions=pd.DataFrame(rows),
        labels=labels,
        marker_threshold=thr_m,
        n_nuclei=n_all,
        n_positive=k_all,
        positive_pct=100.0 * k_all / n_all if n_all else float("nan"),
        area_mm2=float(union.sum()) * ps * ps / 1e6,
        method={
            "marker_threshold_method": marker_threshold
            if isinstance(marker_threshold, str)
            else "user",
            "marker_threshold": thr_m,
            "marker_background_median": bg_med,
            "marker_background_sd": bg_sd,
            "background_k": background_k,
            **seg.method(),
        },
        warnings=warnings,
    )

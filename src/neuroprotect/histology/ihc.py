"""DAB immunohistochemistry: % DAB-positive area and mean DAB optical density per region.

Colour deconvolution (Ruifrok & Johnston 2001) of a haematoxylin-DAB brightfield image into
haematoxylin and DAB optical densities, then a threshold on the DAB channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage as ndi
from skimage.color import hed_from_rgb

from neuroprotect.errors import InputError
from neuroprotect.histology import _cells
from neuroprotect.histology._cells import threshold_otsu
from neuroprotect.histology.roi import Region, region_masks, whole_image_region

__all__ = ["DAB_THRESHOLD_OD", "DabMeasures", "deconvolve_hdab", "measure_dab"]

#: Default DAB-positive threshold (optical density of the deconvolved DAB channel, log10).
DAB_THRESHOLD_OD = 0.15
#: A fixed threshold above this is not an optical density (an ImageJ 0-255 intensity, a %).
MAX_THRESHOLD_OD = 5.0


@dataclass
class DabMeasures:
    """Result of :func:`measure_dab`.

    Attributes
    ----------
    regions
        One row per region: ``region``, ``kind``, ``area_mm2``, ``positive_area_mm2``,
        ``positive_area_pct`` (100 * positive / region area), ``mean_dab_od`` (mean DAB OD over
        the region) and ``mean_dab_od_positive`` (over its positive pixels).
    positive
        Boolean mask of DAB-positive pixels.
    dab_od
        DAB optical density image (signed: noise and haematoxylin crosstalk give small
        negative values, kept so that means are unbiased).
    threshold_od
        Threshold used.
    positive_area_pct, mean_dab_od
        Over the union of the regions.
    method
        Parameters used.
    warnings
        ROIs clipped to the image (see :func:`~neuroprotect.histology.roi.region_masks`).
    """

    regions: pd.DataFrame
    positive: np.ndarray
    dab_od: np.ndarray
    threshold_od: float
    positive_area_pct: float
    mean_dab_od: float
    method: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def deconvolve_hdab(
    rgb: np.ndarray, *, white: tuple[float, float, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Haematoxylin and DAB optical densities (log10 units) of an RGB image.

    ``OD_c = log10(I0_c / I_c)`` per channel, then ``[H, E, DAB] = OD @ hed_from_rgb`` with
    scikit-image's Ruifrok & Johnston (2001) H-E-DAB matrix (Anal Quant Cytol Histol
    23:291-299). Unlike :func:`skimage.color.rgb2hed` the result is in log10 optical density
    and ``I0`` is measured per channel (see :func:`~neuroprotect.histology._cells.optical_density`).
    """
    od = _cells.optical_density(rgb, white=white)
    conc = od @ hed_from_rgb.astype(np.float32)
    return conc[..., 0], conc[..., 2]


def measure_dab(
    image: np.ndarray,
    *,
    pixel_size_um: float,
    roi: Sequence[Region] | None = None,
    threshold: float | str = DAB_THRESHOLD_OD,
    white: tuple[float, float, float] | None = None,
    smooth_px: float = 0.0,
    flat_field: np.ndarray | None = None,
    file: str | PathLike[str] | None = None,
) -> DabMeasures:
    """% DAB-positive area and mean DAB optical density, per region.

    Parameters
    ----------
    image
        ``(rows, cols, 3)`` RGB brightfield image of a haematoxylin-DAB stain.
    pixel_size_um
        µm per pixel (areas in mm²).
    roi
        Regions; ``None`` = whole image.
    threshold
        DAB OD above which a pixel is positive (default 0.15), or ``"otsu"`` (Otsu on the DAB OD
        inside the regions; always finds a split, so only for images known to hold stain).
    white
        Unstained RGB level ``I0``; default the 99.5th percentile of each channel.
    smooth_px
        Gaussian sigma (pixels) applied to the DAB OD before thresholding (noise), 0 = none.
    flat_field
        Image of an empty field (glass) taken with the same light, same shape; divides out
        uneven illumination, which otherwise adds ``log10(I_max / I(x))`` to every channel's OD
        and thus (mostly) to the DAB OD.

    Returns
    -------
    DabMeasures

    Notes
    -----
    A fixed OD threshold is the reproducible choice for comparisons between groups (the same
    value for every section of a study; set it on positive and negative controls). 0.15 is
    about 30 % light absorbed by DAB; the IHC Profiler and ImageJ "Colour Deconvolution"
    workflows apply a similar fixed cut on the DAB channel. ``mean_dab_od`` is the mean of the
    (unsmoothed) DAB OD over the region, which is proportional to the amount of DAB per area by
    the Beer-Lambert law (within the linear range of DAB, OD < about 1). Negative ODs (noise, stain-vector mismatch)
    are kept in the mean rather than clipped, so a DAB-free region averages near 0.
    """
    ps = _cells.check_pixel_size(pixel_size_um, file=file)
    rgb = _cells.check_rgb(image, file=file)
    if flat_field is not None:
        flat = _cells.check_rgb(flat_field, file=file).astype(np.float32)
        if flat.shape != rgb.shape:
            raise InputError(
                f"Expected a flat-field image of shape {rgb.shape}, but got {flat.shape}",
                field="flat_field",
            )
        flat = np.maximum(flat, 1.0)
        rgb = rgb.astype(np.float32) * (flat.reshape(-1, 3).max(axis=0) / flat)
    _, dab = deconvolve_hdab(rgb, white=white)
    regions = list(roi) if roi else [whole_image_region()]
    masks, warnings = region_masks(regions, dab.shape, pixel_size_um=ps, file=file)
    union = np.logical_or.reduce(masks)
    sm = ndi.gaussian_filter(dab, smooth_px) if smooth_px > 0 else dab
    if isinstance(threshold, str):
        if threshold != "otsu":
            raise InputError(
                f"Expected a DAB threshold (OD) or 'otsu', but got {threshold!r}",
                field="threshold",
            )
        vals = sm[union]
        thr = float(threshold_otsu(vals)) if vals.size and np.ptp(vals) > 0 else float("inf")
    else:
        if isinstance(threshold, bool) or not np.isfinite(threshold) or threshold < 0:
            raise InputError(
                f"Expected a DAB threshold OD >= 0, but got {threshold!r}", field="threshold"
            )
        if threshold > MAX_THRESHOLD_OD:
            raise InputError(
                f"Expected a DAB threshold as an optical density (typically 0.1-0.5, at most "
                f"{MAX_THRESHOLD_OD:g}), but got {threshold:g}: a 0-255 intensity or a %?",
                field="threshold",
            )
        thr = float(threshold)
    positive = (sm > thr) & union
    rows = []
    for region, mask in zip(regions, masks, strict=True):
        n = int(mask.sum())
        pos = positive & mask
        k = int(pos.sum())
        rows.append(
            {
                "region": region.name,
                "kind": region.kind,
                "area_mm2": n * ps * ps / 1e6,
                "positive_area_mm2": k * ps * ps / 1e6,
                "positive_area_pct": 100.0 * k / n if n else float("nan"),
                "mean_dab_od": float(dab[mask].mean()) if n else float("nan"),
                "mean_dab_od_positive": float(dab[pos].mean()) if k else float("nan"),
            }
        )
    n_u = int(union.sum())
    return DabMeasures(
        regions=pd.DataFrame(rows),
        positive=positive,
        dab_od=dab,
        threshold_od=thr,
        positive_area_pct=100.0 * int(positive.sum()) / n_u if n_u else float("nan"),
        mean_dab_od=float(dab[union].mean()) if n_u else float("nan"),
        method={
            "stain_matrix": "Ruifrok & Johnston 2001 H-E-DAB (skimage.color.hed_from_rgb)",
            "threshold_od": thr,
            "threshold_method": threshold if isinstance(threshold, str) else "fixed",
            "smooth_px": smooth_px,
        },
        warnings=warnings,
    )

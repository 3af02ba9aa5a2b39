"""TTC infarct areas measured from photographs of stained coronal slices.

One photo holds one slice or a plate of several. For each photo: find the slices
(:mod:`~neuroprotect.histology.slices`), split each at its midline
(:mod:`~neuroprotect.histology.midline`), call pale tissue by colour
(:mod:`~neuroprotect.histology.infarct`) and measure per slice the area of each hemisphere and of
the pale tissue in each. :func:`measure_ttc_slices` then numbers the slices of an animal rostral
to caudal, applies the user's corrections (:class:`TTCOverrides`), decides the lesion side and
returns the per-slice table that :func:`neuroprotect.histology.ttc.compute_infarct_volumes` turns
into volumes (the one implementation of volumes and edema correction).

Large photos are analysed at a block-averaged scale (at most ``max_side`` pixels on the long
side, default :data:`ANALYSIS_MAX_SIDE`), read tile by tile so memory stays bounded; blocks are
averaged in linear light, so a block's colour is the area-weighted mix of what it covers and the
half-and-half rules of tissue and infarct edges keep areas unbiased at that scale.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from neuroprotect.errors import InputError, InputWarning
from neuroprotect.histology.analysis_image import (
    ANALYSIS_MAX_SIDE,
    ImageSource,
    load_analysis_image,
)
from neuroprotect.histology.infarct import (
    ColourModel,
    fit_colour_model,
    linearize,
    segment_pale,
)
from neuroprotect.histology.midline import (
    Midline,
    find_midline,
    midline_from_override,
    side_of_midline,
)
from neuroprotect.histology.slices import find_scale_bar, find_slices, segment_tissue
from neuroprotect.histology.ttc_overrides import TTCOverrides, _check_overrides

__all__ = [
    "ANALYSIS_MAX_SIDE",
    "TTCImageAnalysis",
    "TTCMeasurement",
    "TTCOverrides",
    "analyse_ttc_image",
    "load_analysis_image",
    "measure_ttc_slices",
]


@dataclass
class TTCImageAnalysis:
    """Everything measured on one photo (geometry at the analysis scale)."""

    name: str
    rgb: np.ndarray  # uint8 (row, col, 3) at the analysis scale
    factor: int
    pixel_size_mm: float
    labels: np.ndarray
    pale: np.ndarray
    midlines: dict[int, Midline]
    colour: ColourModel
    slices: pd.DataFrame
    first_slice: int = 1


@dataclass
class TTCMeasurement:
    """Per-slice areas of one animal and how they were obtained.

    ``slices`` has ``image, slice, detected, ipsilateral_area_mm2, contralateral_area_mm2,
    infarct_area_mm2, contralateral_pale_area_mm2, lesion_side, midline_angle_deg,
    midline_offset_px, midline_method, excluded`` (excluded slices are kept with
    ``excluded=True``; drop them before computing volumes, as :meth:`areas` does).
    """

    slices: pd.DataFrame
    lesion_side: str
    lesion_side_source: str
    analyses: list[TTCImageAnalysis]
    overrides: TTCOverrides
    #: QC overlay PNGs written (one per photo), when a ``qc_dir`` was given.
    qc_images: list[Path] = field(default_factory=list)

    def areas(self) -> pd.DataFrame:
        """The included slices' ``slice`` and three area columns (input of the volume step)."""
        keep = ~self.slices["excluded"].astype(bool)
        cols = ["slice", "ipsilateral_area_mm2", "contralateral_area_mm2", "infarct_area_mm2"]
        return self.slices.loc[keep, cols].reset_index(drop=True)


def _check_against_metadata(pixel_size_mm: float, meta_um: float | None, where: str) -> None:
    """Warn when the given pixel size and the one in the image metadata differ by more than 2x
    (the given one is used; 72/96 dpi screen defaults are not in ``meta_um``)."""
    if meta_um is None or not np.isfinite(pixel_size_mm) or pixel_size_mm <= 0:
        return
    meta_mm = meta_um / 1000.0
    if max(pixel_size_mm / meta_mm, meta_mm / pixel_size_mm) > 2:
        warnings.warn(
            InputWarning(
                f"{where}: the pixel size given ({pixel_size_mm:.4g} mm) differs by more than 2x "
                f"from the one in the image metadata ({meta_mm:.4g} mm); using {pixel_size_mm:.4g} mm"
            ),
            stacklevel=3,
        )


def analyse_ttc_image(
    source: ImageSource,
    *,
    pixel_size_mm: float | None = None,
    midline_overrides: Mapping[int, tuple[float, float]] | None = None,
    first_slice: int = 1,
    max_side: int = ANALYSIS_MAX_SIDE,
    scale_bar_mm: float | None = None,
) -> TTCImageAnalysis:
    """Find, split and measure the slices of one photo (lesion side not decided yet).

    Parameters
    ----------
    source
        Image file (PNG, JPEG, TIFF) or an ``(row, col, 3)`` array.
    pixel_size_mm
        Side of a full-resolution pixel in mm; taken from the file's metadata when not given.
    midline_overrides
        ``{detected: (angle_deg, offset_px)}`` (see :class:`TTCOverrides`).
    first_slice
        Detected number of this photo's first slice (photos of one animal are numbered on).
    max_side
        Long side of the analysis scale (block averaging beyond it).
    scale_bar_mm
        Length of a scale bar in the photo (a thin straight bar that contrasts with the plate,
        at least 3 analysis pixels thick); the pixel size is then measured from it (see
        :func:`~neuroprotect.histology.slices.find_scale_bar`; the bar's length is known to
        about one analysis pixel).

    Returns
    -------
    TTCImageAnalysis
        ``slices`` table: ``image, detected, left_area_mm2, right_area_mm2,
        left_pale_area_mm2, right_pale_area_mm2, centre_x_px, centre_y_px, midline_angle_deg,
        midline_offset_px, midline_method, symmetry, touches_border`` (pixel positions at full
        resolution; left/right as seen in the photo).

    Raises
    ------
    InputError
        Unreadable or grey image, no pixel size, no slice found.
    """
    rgb, f, meta_um, name = load_analysis_image(source, max_side=max_side)
    where = name if isinstance(source, np.ndarray) else str(source)
    tissue = segment_tissue(rgb)
    labels, n = find_slices(tissue.mask)
    if scale_bar_mm is not None:
        if pixel_size_mm is not None:
            raise InputError(
                "Expected either a pixel size or a scale bar length, but got both", file=where
            )
        bar_px = find_scale_bar(tissue.mask, labels)
        if bar_px is None:
            raise InputError(
                "Expected a scale bar (a thin straight bar that stands out from the plate), "
                "but found none",
                file=where,
            )
        pixel_size_mm = scale_bar_mm / (bar_px * f)
    elif pixel_size_mm is not None:
        _check_against_metadata(pixel_size_mm, meta_um, where)
    if pixel_size_mm is None:
        if meta_um is None:
            raise InputError(
                "Expected a pixel size (--pixel-size-mm or pixel_size_mm), but the image "
                "metadata has none",
                file=where,
            )
        pixel_size_mm = meta_um / 1000.0
    if not np.isfinite(pixel_size_mm) or pixel_size_mm <= 0:
        raise InputError(f"Expected a pixel size in mm > 0, but got {pixel_size_mm!r}", file=where)
    smooth = ndi.gaussian_filter(linearize(rgb), sigma=(1.0, 1.0, 0), truncate=2.5)
    colour = fit_colour_model(smooth, labels > 0, background_rgb=tissue.background_rgb)
    pale_all = segment_pale(smooth, labels > 0, colour)
    px_area = (pixel_size_mm * f) ** 2
    rows = []
    midlines: dict[int, Midline] = {}
    pale = np.zeros_like(pale_all)
    boxes = ndi.find_objects(labels)
    overrides = midline_overrides or {}
    for k in range(1, n + 1):
        box = boxes[k - 1]
        r0, c0 = box[0].start, box[1].start
        mask = labels[box] == k
        ys, xs = np.nonzero(mask)
        centre = (float(xs.mean()) + c0, float(ys.mean()) + r0)
        detected = first_slice + k - 1
        if detected in overrides:
            angle, offset = overrides[detected]
            ml = midline_from_override(centre, angle_deg=angle, offset_px=offset / f)
        else:
            local = find_midline(mask)
            ml = Midline(
                (local.point[0] + c0, local.point[1] + r0),
                local.angle_deg,
                local.method,
                local.symmetry,
            )
        midlines[detected] = ml
        yy, xx = np.mgrid[box[0], box[1]]
        right = side_of_midline(ml, xx.astype(float), yy.astype(float)) > 0
        p = pale_all[box] & mask
        lab_p, n_p = ndi.label(p)
        if n_p:
            sizes = np.bincount(lab_p.ravel())
            small = sizes < max(4.0, 0.003 * mask.sum())
            small[0] = False
            p &= ~small[lab_p]
        pale[box] |= p
        touches = (
            r0 == 0 or c0 == 0 or box[0].stop == labels.shape[0] or (box[1].stop == labels.shape[1])
        )
        full_centre = ((centre[0] + 0.5) * f - 0.5, (centre[1] + 0.5) * f - 0.5)
        rows.append(
            {
                "image": name,
                "detected": detected,
                "left_area_mm2": float((mask & ~right).sum() * px_area),
                "right_area_mm2": float((mask & right).sum() * px_area),
                "left_pale_area_mm2": float((p & ~right).sum() * px_area),
                "right_pale_area_mm2": float((p & right).sum() * px_area),
                "centre_x_px": full_centre[0],
                "centre_y_px": full_centre[1],
                "midline_angle_deg": ml.angle_deg,
                "midline_offset_px": ml.offset_from(centre) * f,
                "midline_method": ml.method,
                "symmetry": ml.symmetry,
                "touches_border": bool(touches),
            }
        )
    return TTCImageAnalysis(
        name=name,
        rgb=np.clip(np.rint(rgb * 255), 0, 255).astype(np.uint8),
        factor=f,
        pixel_size_mm=float(pixel_size_mm),
        labels=labels,
        pale=pale,
        midlines=midlines,
        colour=colour,
        slices=pd.DataFrame(rows),
        first_slice=first_slice,
    )


def measure_ttc_slices(
    images: Sequence[ImageSource],
    *,
    pixel_size_mm: float | None = None,
    lesion_side: str | None = None,
    overrides: TTCOverrides | None = None,
    qc_dir: str | PathLike[str] | None = None,
    max_side: int = ANALYSIS_MAX_SIDE,
    scale_bar_mm: float | None = None,
    progress: Callable[[str], None] | None = None,
    field_prefix: str = "overrides",
) -> TTCMeasurement:
    """Per-slice TTC areas of one animal from its photos (one plate or one slice per photo).

    Parameters
    ----------
    images
        The animal's photos, rostral first when there are several; slices within a plate are
        taken in reading order (left to right, top to bottom).
    pixel_size_mm
        Full-resolution pixel size in mm for every photo; from each file's metadata if ``None``.
    lesion_side
        ``left`` or ``right`` as seen in the photos (slices photographed dorsal side up); ``None``
        (auto): the side with more pale tissue summed over the animal's slices. An
        ``overrides.lesion_side`` wins over this argument.
    overrides
        Corrections (:class:`TTCOverrides`), recorded in the result.
    qc_dir
        When given, a QC overlay PNG per photo is written there (``<photo>_qc.png``).
    max_side
        Long side of the analysis scale in pixels.
    scale_bar_mm
        Length of the scale bar in every photo; the pixel size is measured from it.
    progress
        Called with a short message before each photo.

    Returns
    -------
    TTCMeasurement
        ``ipsilateral_area_mm2`` and ``infarct_area_mm2`` are the lesion side's hemisphere and
        pale areas, ``contralateral_area_mm2`` the other hemisphere's; pale tissue in the
        contralateral hemisphere (white matter, glare) is reported as
        ``contralateral_pale_area_mm2`` and not subtracted.
    """
    ov = overrides or TTCOverrides()
    if not images:
        raise InputError("Expected at least one image, but got none")
    analyses: list[TTCImageAnalysis] = []
    first = 1
    for source in images:
        if progress is not None:
            progress(f"TTC: {Path(source).name if not isinstance(source, np.ndarray) else 'array'}")
        a = analyse_ttc_image(
            source,
            pixel_size_mm=pixel_size_mm,
            midline_overrides=ov.midline,
            first_slice=first,
            max_side=max_side,
            scale_bar_mm=scale_bar_mm,
        )
        analyses.append(a)
        first += len(a.slices)
    table = pd.concat([a.slices for a in analyses], ignore_index=True)
    order = _check_overrides(ov, table["detected"].tolist(), field_prefix)
    position = {d: i + 1 for i, d in enumerate(order)}
    table["slice"] = table["detected"].map(position).astype(int)
    table["excluded"] = table["detected"].isin(ov.exclude)
    side = ov.lesion_side or lesion_side
    source = "user"
    if side is None:
        inc = table[~table["excluded"]]
        side = (
            "right"
            if inc["right_pale_area_mm2"].sum() > inc["left_pale_area_mm2"].sum()
            else "left"
        )
        source = "auto"
    elif side not in ("left", "right"):
        raise InputError(
            f"Expected lesion side left or right, but got {side!r}", field="lesion_side"
        )
    other = "left" if side == "right" else "right"
    out = (
        pd.DataFrame(
            {
                "image": table["image"],
                "slice": table["slice"],
                "detected": table["detected"],
                "ipsilateral_area_mm2": table[f"{side}_area_mm2"],
                "contralateral_area_mm2": table[f"{other}_area_mm2"],
                "infarct_area_mm2": table[f"{side}_pale_area_mm2"],
                "contralateral_pale_area_mm2": table[f"{other}_pale_area_mm2"],
                "lesion_side": side,
                "midline_angle_deg": table["midline_angle_deg"],
                "midline_offset_px": table["midline_offset_px"],
                "midline_method": table["midline_method"],
                "excluded": table["excluded"],
                "touches_border": table["touches_border"],
            }
        )
        .sort_values("slice", kind="stable")
        .reset_index(drop=True)
    )
    result = TTCMeasurement(out, side, source, analyses, ov)
    if qc_dir is not None:
        from neuroprotect.histology.ttc_qc import write_ttc_qc

        result.qc_images = write_ttc_qc(result, qc_dir)
    return result

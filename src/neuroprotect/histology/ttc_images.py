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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from neuroprotect.errors import InputError
from neuroprotect.histology.infarct import (
    GAMMA,
    ColourModel,
    fit_colour_model,
    linearize,
    segment_pale,
)
from neuroprotect.histology.io import image_info, iter_tiles, read_image
from neuroprotect.histology.midline import (
    Midline,
    find_midline,
    midline_from_override,
    side_of_midline,
)
from neuroprotect.histology.slices import find_scale_bar, find_slices, segment_tissue

__all__ = [
    "ANALYSIS_MAX_SIDE",
    "TTCImageAnalysis",
    "TTCMeasurement",
    "TTCOverrides",
    "analyse_ttc_image",
    "load_analysis_image",
    "measure_ttc_slices",
]

ImageSource = str | PathLike[str] | np.ndarray
#: Long side (pixels) of the analysis scale: larger photos are block-averaged (in linear light)
#: down to it. The validation (docs/histology-validation.md) found the same accuracy at 1024 as
#: at 2048 for rat slices on a plate; raise it for small (mouse) slices on a large plate.
ANALYSIS_MAX_SIDE = 1024


@dataclass(frozen=True)
class TTCOverrides:
    """A person's corrections after looking at the QC overlays (slice numbers as detected).

    Attributes
    ----------
    order
        Detected slice numbers in rostral-to-caudal order (default: photos in the given order,
        slices of a plate in reading order).
    exclude
        Detected slice numbers left out of the areas (torn, folded, missing tissue).
    lesion_side
        ``left`` or ``right`` as seen in the photos; ``None`` decides from the pale areas.
    midline
        ``{detected: (angle_deg, offset_px)}``: midline at this angle (clockwise from vertical)
        through the point ``offset_px`` full-resolution pixels from the slice centroid along the
        line's normal (positive to the right); the QC table lists the detected values.
    """

    order: tuple[int, ...] | None = None
    exclude: tuple[int, ...] = ()
    lesion_side: str | None = None
    midline: Mapping[int, tuple[float, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "order": list(self.order) if self.order is not None else None,
            "exclude": list(self.exclude),
            "lesion_side": self.lesion_side,
            "midline": {
                int(k): {"angle_deg": a, "offset_px": o} for k, (a, o) in self.midline.items()
            },
        }


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


def _check_overrides(ov: TTCOverrides, detected: list[int], where: str) -> list[int]:
    known = set(detected)
    for name, values in (
        ("exclude", ov.exclude),
        ("order", ov.order or ()),
        ("midline", ov.midline),
    ):
        for d in values:
            if d not in known:
                raise InputError(
                    f"Expected detected slice numbers among {min(known)}..{max(known)} (see the QC "
                    f"overlay), but got {d!r}",
                    field=f"{where}.{name}" if where else f"--{name}",
                )
    if ov.lesion_side not in (None, "left", "right"):
        raise InputError(
            f"Expected lesion_side left or right, but got {ov.lesion_side!r}",
            field=f"{where}.lesion_side" if where else "--lesion-side",
        )
    if ov.order is None:
        return sorted(detected)
    order = list(ov.order)
    if len(set(order)) != len(order):
        raise InputError(
            "Expected each slice once in the order, but one is repeated",
            field=f"{where}.order" if where else "--order",
        )
    missing = sorted(known - set(order) - set(ov.exclude))
    if missing:
        raise InputError(
            f"Expected the order to list every slice that is not excluded, but {missing} "
            "are missing",
            field=f"{where}.order" if where else "--order",
        )
    return order + sorted(set(ov.exclude) - set(order))


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

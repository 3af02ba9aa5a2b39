"""Nissl (cresyl violet) neuron counts: somata per region, per mm² and per mm of CA1 layer.

Pipeline (classic backend): optical density with a per-channel white point -> projection on the
cresyl-violet stain vector (colour deconvolution with one stain) -> subtraction of a smooth
background (illumination and neuropil) -> Otsu threshold plus pale somata -> hole filling ->
distance-transform watershed for touching somata -> objects below the minimum area grown into
their pale body (dark caps of pale somata) -> size and shape filters -> cells whose centroid lies
in each region. Large images are processed tile by tile with overlapping margins (bounded memory).
Optional StarDist or Cellpose backends replace the segmentation when the user has installed
them and their weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.histology import _cells
from neuroprotect.histology._backends import segment_with_backend
from neuroprotect.histology.nissl_model import NeuronModel, load_neuron_model
from neuroprotect.histology.nissl_size import soma_diameter
from neuroprotect.histology.nissl_stain import (
    CRESYL_VIOLET_OD,
    HEMATOXYLIN_OD,
    _stain_vector,
    estimate_stain_vector,
    grow_fragments,
    nissl_signal,
    with_pale_somata,
)
from neuroprotect.histology.roi import Region, region_masks, whole_image_region

__all__ = [
    "CRESYL_VIOLET_OD",
    "HEMATOXYLIN_OD",
    "NeuronCounts",
    "count_neurons",
    "estimate_stain_vector",
    "nissl_signal",
]

#: Default tile edge (pixels) above which images are processed tile by tile.
TILE_SIZE = 2048


@dataclass
class NeuronCounts:
    """Result of :func:`count_neurons`.

    Attributes
    ----------
    cells
        Counted somata (centroid in the union of the regions): ``x``, ``y`` (centroid, pixels:
        column, row), ``area_um2``, ``solidity``, ``eccentricity``.
    regions
        One row per region: ``region``, ``kind`` (polygon, band, image), ``count``,
        ``area_mm2``, ``density_per_mm2`` (count / area), ``length_mm`` (band polyline length,
        else NaN) and ``neurons_per_mm`` (count / length_mm, bands only).
    rejected
        Segmented objects removed by the filters, with ``x, y, area_um2, solidity,
        eccentricity, reason`` (``too_small``, ``too_large``, ``not_solid``, ``elongated``).
    labels
        Label image of the kept somata (``None`` when processed in tiles).
    count, density_per_mm2, area_mm2
        Over the union of the regions (the whole image when no ROI was given).
    method
        The parameters used (stain vector, threshold, filters, backend), for reports.
    warnings
        ROIs clipped to the image (see :func:`~neuroprotect.histology.roi.region_masks`); a
        cell diameter outside 4-60 µm; a region with room for 20 somata and none detected.
    """

    cells: pd.DataFrame
    regions: pd.DataFrame
    rejected: pd.DataFrame
    labels: np.ndarray | None
    count: int
    area_mm2: float
    density_per_mm2: float
    method: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _check_filters(min_area: float, max_area: float, solidity: float, ecc: float) -> None:
    if not 0 < min_area < max_area:
        raise InputError(
            f"Expected 0 < min_area_um2 < max_area_um2, but got {min_area} and {max_area}",
            field="min_area_um2",
        )
    if not 0 <= solidity <= 1 or not 0 <= ecc <= 1:
        raise InputError(
            f"Expected min_solidity and max_eccentricity in [0, 1], but got {solidity} and {ecc}",
            field="min_solidity",
        )


def _filter(objects: pd.DataFrame, limits: tuple[float, float, float, float]) -> pd.Series:
    lo, hi, sol, ecc = limits
    reason = pd.Series("", index=objects.index, dtype=object)
    reason[objects["eccentricity"] > ecc] = "elongated"
    reason[objects["solidity"] < sol] = "not_solid"
    reason[objects["area_um2"] > hi] = "too_large"
    reason[objects["area_um2"] < lo] = "too_small"
    return reason


def _default_filters(
    trained: NeuronModel | None,
    diameter_um: float,
    min_area: float | None,
    max_area: float | None,
    solidity: float | None,
    ecc: float | None,
) -> tuple[float, float, float, float]:
    """Given filters win; else size-scaled classic defaults, or the model's own limits."""
    if trained is not None:
        lo, hi, sol, el = trained.info["min_area_um2"], trained.info["max_area_um2"], 0.0, 1.0
    else:
        scale = (diameter_um / 15.0) ** 2
        lo, hi, sol, el = 50.0 * scale, 600.0 * scale, 0.8, 0.95
    return (
        float(lo if min_area is None else min_area),
        float(hi if max_area is None else max_area),
        float(sol if solidity is None else solidity),
        float(el if ecc is None else ecc),
    )


def _tiles(
    rows: int, cols: int, box: tuple[int, int, int, int], size: int
) -> Iterator[tuple[int, int, int, int]]:
    r0, r1, c0, c1 = box
    for tr in range(r0, r1, size):
        for tc in range(c0, c1, size):
            yield tr, min(tr + size, r1), tc, min(tc + size, c1)


def count_neurons(
    image: np.ndarray,
    *,
    pixel_size_um: float,
    roi: Sequence[Region] | None = None,
    stain: str | int | tuple[float, float, float] = "estimate",
    cell_diameter_um: float | None = None,
    min_area_um2: float | None = None,
    max_area_um2: float | None = None,
    min_solidity: float | None = None,
    max_eccentricity: float | None = None,
    threshold: float | None = None,
    white: tuple[float, float, float] | None = None,
    backend: str = "classic",
    model_path: str | PathLike[str] | None = None,
    model: NeuronModel | str | PathLike[str] | None = None,
    pale: bool = True,
    tile_size: int = TILE_SIZE,
    keep_labels: bool = True,
    file: str | PathLike[str] | None = None,
) -> NeuronCounts:
    """Count Nissl-stained neuronal somata in the whole image or in regions of interest.

    Parameters
    ----------
    image
        ``(rows, cols, 3)`` RGB brightfield image (uint8, uint16 or float), or an array-like
        such as a ``numpy.memmap`` (read tile by tile).
    pixel_size_um
        µm per pixel.
    roi
        Regions (:func:`~neuroprotect.histology.roi.read_roi`); ``None`` = whole image. A cell
        belongs to a region when its centroid does.
    stain
        ``"estimate"`` (stain vector measured on the image, default), ``"cresyl_violet"``,
        ``"hematoxylin"``, an RGB OD vector, or a channel index 0-2 (OD of that channel).
    cell_diameter_um
        Typical soma diameter (rat CA1 pyramidal cells: about 15 µm); sets smoothing, seed
        spacing, the background scale (2.5 diameters) and the default area limits. ``None``
        (default): measured on the image (:func:`~neuroprotect.histology.nissl_size.
        soma_diameter`, scale-space blobs), reported in ``method`` with a warning when
        implausible; with a ``model``, the median soma of its training masks.
    min_area_um2, max_area_um2, min_solidity, max_eccentricity
        Filters on the segmented objects: glial nuclei and specks fall below
        ``min_area_um2``; fibres and streaks have a high eccentricity; debris and unsplit
        clumps a low solidity or a large area. Default (classic): areas scaled with the
        soma diameter, ``50 (d / 15)^2`` and ``600 (d / 15)^2`` µm² (50 and 600 at 15 µm),
        solidity 0.8, eccentricity 0.95; with a ``model``: the area limits stored in it
        (from its training somata) and no shape filters (the model learned the shapes).
    threshold
        Foreground threshold on the background-subtracted stain OD; default Otsu with a noise
        floor (:func:`neuroprotect.histology._cells.auto_threshold`); for tiled images the
        median of the thresholds of up to 4 evenly spaced tiles, applied to every tile.
    white
        Unstained RGB level ``I0``; default the 99.5th percentile of each channel.
    backend
        ``"classic"`` (this module), ``"stardist"`` or ``"cellpose"`` (optional packages; their
        weights are read from ``model_path`` and never downloaded).
    model
        A soma detector trained on the lab's own annotated sections
        (:func:`~neuroprotect.histology.nissl_training.train_neurons`, CLI
        ``histology train-neurons``), or the path of its file; replaces the classic
        segmentation (its background radius and area limits are used).
    pale
        Also count pale somata that never reach the threshold (:func:`with_pale_somata`) and
        grow objects below the minimum area into the pale body around them
        (:func:`~neuroprotect.histology.nissl_stain.grow_fragments`); ``False`` gives the
        Otsu-only foreground of version 0.2.
    tile_size
        Images larger than this (either side) are processed in tiles of this size with a
        margin of three diameters; cells are kept by the tile that holds their centroid.
    keep_labels
        Return the label image (single-tile images only).

    Returns
    -------
    NeuronCounts

    Raises
    ------
    InputError
        Not an RGB image, a bad pixel size or filter, a missing optional backend or weights,
        a region outside the image.

    Notes
    -----
    Colour deconvolution after Ruifrok & Johnston (2001, Anal Quant Cytol Histol 23:291) with a
    single stain: ``OD_c = log10(I0_c / I_c)``, ``conc = OD . v / |v|``. Background: a
    greyscale opening (rolling-ball-like) with a disk of 2.5 soma diameters. Touching somata:
    watershed on the distance transform (see :func:`_cells.segment_blobs`). Densities:
    ``density_per_mm2 = count / area_mm2``; for a CA1 band ROI, ``neurons_per_mm = count /
    length of the polyline (mm)``, the linear density used after global ischaemia (neurons per
    mm of stratum pyramidale). Profile counts in a section are not stereological (no
    disector), so compare them only between sections cut and stained alike.
    """
    ps = _cells.check_pixel_size(pixel_size_um, file=file)
    trained = load_neuron_model(model) if isinstance(model, (str, PathLike)) else model
    if cell_diameter_um is not None and not cell_diameter_um > 0:
        raise InputError(
            f"Expected cell_diameter_um > 0, but got {cell_diameter_um}", field="cell_diameter_um"
        )
    for v in (min_area_um2, max_area_um2):  # the diameter estimate must not hide bad filters
        if v is not None and v <= 0:
            _check_filters(v, v + 1, 0.5, 0.5)
    notes = [] if cell_diameter_um is None or 4 <= cell_diameter_um <= 60 else [
        f"{file or 'image'}: cell diameter {cell_diameter_um:g} µm is outside 4-60 µm, the "
        "range of neuronal somata (fine for glia; otherwise check the unit)"
    ]  # fmt: skip
    if isinstance(image, np.ndarray):
        image = _cells.check_rgb(image, file=file)
    elif len(image.shape) != 3 or image.shape[2] < 3:
        raise InputError(f"Expected an RGB image, but got shape {image.shape}", file=file)
    rows, cols = int(image.shape[0]), int(image.shape[1])
    regions = list(roi) if roi else [whole_image_region()]
    # masks only for real ROIs: a whole-image mask of a 10k x 10k image would cost 100 MB
    drawn = [r for r in regions if r.kind != "image"]
    drawn_masks, warnings = region_masks(drawn, (rows, cols), pixel_size_um=ps, file=file)
    it = iter(drawn_masks)
    masks = [None if r.kind == "image" else next(it) for r in regions]
    union = None if not roi else np.logical_or.reduce([m for m in masks if m is not None])
    if union is None:
        box = (0, rows, 0, cols)
    elif union.any():
        rr, cc = np.nonzero(union.any(axis=1))[0], np.nonzero(union.any(axis=0))[0]
        box = (int(rr[0]), int(rr[-1]) + 1, int(cc[0]), int(cc[-1]) + 1)
    else:
        box = (0, 0, 0, 0)
    # global white point and stain vector from a strided sample of the image
    step = max(1, int(max(rows, cols) // 1024))
    sample = np.asarray(image[::step, ::step, :3])
    white_rgb = np.asarray(
        white
        if white is not None
        else np.percentile(sample.reshape(-1, 3).astype(float), _cells.WHITE_PERCENTILE, axis=0)
    )
    vector = _stain_vector(stain, _cells.optical_density(sample, white=tuple(white_rgb)))
    from_model = trained is not None and cell_diameter_um is None
    if trained is not None and cell_diameter_um is None:  # the model knows its somata
        cell_diameter_um = 2 * float(np.sqrt(trained.info["median_area_um2"] / np.pi))
    cell_diameter_um, size_info, size_notes = soma_diameter(
        image,
        pixel_size_um=ps,
        stain_vector=vector,
        white=white_rgb,
        given=cell_diameter_um,
        file=file,
    )
    notes += size_notes
    min_area_um2, max_area_um2, min_solidity, max_eccentricity = _default_filters(
        trained, cell_diameter_um, min_area_um2, max_area_um2, min_solidity, max_eccentricity
    )
    _check_filters(min_area_um2, max_area_um2, min_solidity, max_eccentricity)
    radius_px = cell_diameter_um / 2.0 / ps
    margin = int(np.ceil(3 * cell_diameter_um / ps))
    bg_radius = (
        2.5 * cell_diameter_um / ps
        if trained is None
        else float(trained.info["background_radius_um"]) / ps
    )
    limits = (min_area_um2, max_area_um2, min_solidity, max_eccentricity)
    tiles = list(_tiles(rows, cols, box, tile_size))
    single = len(tiles) == 1

    def tile_signal(t: tuple[int, int, int, int]) -> tuple[np.ndarray, tuple[int, int]]:
        a0, a1 = max(0, t[0] - margin), min(rows, t[1] + margin)
        b0, b1 = max(0, t[2] - margin), min(cols, t[3] + margin)
        rgb = np.asarray(image[a0:a1, b0:b1, :3])
        sig = nissl_signal(
            rgb, stain_vector=vector, white=white_rgb, background_radius_px=bg_radius
        )
        return sig, (a0, b0)

    thr = threshold
    if thr is None and backend == "classic" and trained is None and tiles:
        probes = tiles[:: max(1, len(tiles) // 4)][:4]
        thr = float(np.median([_cells.auto_threshold(tile_signal(t)[0]) for t in probes]))
    kept, rejected = [], []
    labels_out = None
    for t in tiles:
        if trained is not None:
            sig, (a0, b0) = tile_signal(t)
            labels = trained.segment(sig, pixel_size_um=ps)
        elif backend == "classic":
            sig, (a0, b0) = tile_signal(t)
            level = float(thr)  # type: ignore[arg-type]
            fg = with_pale_somata(sig, radius_px=radius_px, threshold=level) if pale else None
            labels = _cells.segment_blobs(sig, radius_px=radius_px, threshold=level, foreground=fg)
            if pale:  # dark caps of pale somata: grown before the area filter judges them
                labels = grow_fragments(
                    labels,
                    sig,
                    radius_px=radius_px,
                    threshold=level,
                    min_area_px=min_area_um2 / ps**2,
                )
        else:
            a0, b0 = max(0, t[0] - margin), max(0, t[2] - margin)
            rgb = np.asarray(
                image[a0 : min(rows, t[1] + margin), b0 : min(cols, t[3] + margin), :3]
            )
            labels = segment_with_backend(
                rgb, backend=backend, model_path=model_path, diameter_px=2 * radius_px
            )
        obj = _cells.measure_objects(labels, pixel_size_um=ps)
        obj["x"] += b0
        obj["y"] += a0
        own = (
            (obj["y"] >= t[0]) & (obj["y"] < t[1]) & (obj["x"] >= t[2]) & (obj["x"] < t[3])
        ).to_numpy()
        if union is not None:
            own &= _cells.centroid_in(union, obj["x"].to_numpy(), obj["y"].to_numpy())
        obj = obj[own]
        reason = _filter(obj, limits)
        good = obj[reason == ""]
        bad = obj[reason != ""].assign(reason=reason[reason != ""])
        if single and keep_labels:
            lab = np.where(np.isin(labels, good["label"].to_numpy()), labels, 0)
            labels_out = np.zeros((rows, cols), np.int32)
            h, w = lab.shape
            labels_out[a0 : a0 + h, b0 : b0 + w] = lab
        kept.append(good)
        rejected.append(bad)
    cols_out = ["x", "y", "area_um2", "solidity", "eccentricity"]
    cells = (
        pd.concat(kept, ignore_index=True)[cols_out]
        if kept
        else pd.DataFrame({c: pd.Series(dtype=float) for c in cols_out})
    )
    rej = (
        pd.concat(rejected, ignore_index=True)[[*cols_out, "reason"]]
        if rejected
        else pd.DataFrame({c: pd.Series(dtype=float) for c in [*cols_out, "reason"]})
    )
    cells = cells.sort_values(["y", "x"], kind="stable").reset_index(drop=True)
    x, y = cells["x"].to_numpy(), cells["y"].to_numpy()
    rows_out = []
    for region, mask in zip(regions, masks, strict=True):
        n = len(x) if mask is None else int(_cells.centroid_in(mask, x, y).sum())
        area = float(rows * cols if mask is None else mask.sum()) * ps * ps / 1e6
        length = region.length_mm(pixel_size_um=ps, shape=(rows, cols))
        rows_out.append(
            {
                "region": region.name,
                "kind": region.kind,
                "count": n,
                "area_mm2": area,
                "density_per_mm2": n / area if area > 0 else float("nan"),
                "length_mm": length if length is not None else float("nan"),
                "neurons_per_mm": n / length if length else float("nan"),
            }
        )
    area_union = float(rows * cols if union is None else union.sum()) * ps * ps / 1e6
    method = {
        "backend": "model" if trained is not None else backend,
        "stain_vector": vector if isinstance(vector, int) else [float(v) for v in vector],
        "white_rgb": [float(v) for v in white_rgb],
        "threshold_od": thr,
        "threshold_method": "user"
        if threshold is not None
        else "trained model"
        if trained is not None
        else "otsu (noise floor 4 sigma)",
        "cell_diameter_um": cell_diameter_um,
        "cell_diameter_source": "model" if from_model else size_info["source"],
        "size_estimate": size_info if size_info["source"] != "given" else None,
        "min_area_um2": min_area_um2,
        "max_area_um2": max_area_um2,
        "min_solidity": min_solidity,
        "max_eccentricity": max_eccentricity,
        "tiles": len(tiles),
        "pale_somata": bool(pale) and trained is None and backend == "classic",
        "model_path": str(Path(model_path)) if model_path else None,
        "model": None if trained is None else trained.summary(model),
    }
    return NeuronCounts(
        cells=cells,
        regions=pd.DataFrame(rows_out),
        rejected=rej,
        labels=labels_out,
        count=len(cells),
        area_mm2=area_union,
        density_per_mm2=len(cells) / area_union if area_union > 0 else float("nan"),
        method=method,
        warnings=notes
        + warnings
        + _cells.empty_region_warnings(
            pd.DataFrame(rows_out), cell_diameter_um=cell_diameter_um, what="neurons", file=file
        ),
    )

"""Image readouts at cell level: ``nissl_images``, ``tunel_images``, ``ihc_images``.

The readout's ``files`` are its images and ROI JSON files (globs allowed; all are hashed as raw
inputs). A *sections table* (``params.sections``, CSV/TSV/XLSX, relative to the manifest) says
which image belongs to which animal: columns ``animal_id``, ``image`` (file name or path relative
to the manifest, one of the readout's files), optional ``section``, optional ``roi`` (a JSON among
the readout's files) and optional ``pixel_size_um`` (else ``params.pixel_size_um``).

Each image (one section) is measured with the pure core; then the sections of an animal are
**averaged** (arithmetic mean of the per-section values): the animal is the experimental unit,
sections are repeated measurements of it, so they are never entered as separate observations
(pseudo-replication; Lazic 2010, BMC Neurosci 11:5). Per-section values stay in the details.

``study.yaml`` entries::

    - {id: ca1, type: nissl_images, files: ["nissl/*.png", "nissl/*.json"],
       params: {sections: nissl_sections.csv, pixel_size_um: 0.5}}
    - {id: tunel, type: tunel_images, files: ["tunel/*.tif"],
       params: {sections: tunel_sections.csv, pixel_size_um: 0.65,
                nuclear_channel: 0, marker_channel: 1}}
    - {id: gfap, type: ihc_images, files: ["ihc/*.png"],
       params: {sections: ihc_sections.csv, pixel_size_um: 0.5, marker: GFAP}}
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.histology.fluorescence import count_positive_nuclei
from neuroprotect.histology.ihc import DAB_THRESHOLD_OD, measure_dab
from neuroprotect.histology.neurons import count_neurons
from neuroprotect.histology.roi import Region, read_roi
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.readouts import ReadoutData, ReadoutType, VariableSpec, register
from neuroprotect.workflows.table_io import (
    REQUIRED,
    check_animal_ids,
    details_frame,
    display_path,
    missing_data_warning,
    param_file,
    readout_params,
    tidy_measurements,
)

__all__ = ["IHC_VARIABLES", "NISSL_VARIABLES", "TUNEL_VARIABLES", "read_image_array"]

Measured = tuple[dict[str, Any], list[str]]  # a section's values and warnings

NISSL_VARIABLES = (
    VariableSpec("neuron_density_per_mm2", "Neuron density", "neurons/mm²", lower_is_better=False),
    VariableSpec(
        "neurons_per_mm", "Neurons per mm of pyramidal layer", "neurons/mm", lower_is_better=False
    ),
)
TUNEL_VARIABLES = (
    VariableSpec("tunel_positive_pct", "TUNEL-positive nuclei", "%"),
    VariableSpec("tunel_positive_per_mm2", "TUNEL-positive nuclei per area", "nuclei/mm²"),
)
IHC_VARIABLES = (
    VariableSpec("dab_positive_area_pct", "DAB-positive area", "%"),
    VariableSpec("dab_mean_od", "Mean DAB optical density", "OD"),
)

SECTION_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("image", "str", aliases=("file", "image_file")),
    Column("section", "str", required=False, allow_missing=True),
    Column("roi", "str", required=False, allow_missing=True),
    Column("pixel_size_um", "float", required=False, allow_missing=True, min=0),
]


def read_image_array(path: Path) -> np.ndarray:
    """An image (PNG, JPEG, TIFF) as an array, channels last, through the shared histology reader
    (:func:`neuroprotect.histology.io.read_image`: one-line errors, decompression-bomb guard)."""
    from neuroprotect.histology.io import image_info, read_image

    if path.suffix.lower() in {".tif", ".tiff"}:
        # Multi-channel fluorescence TIFFs often store each channel (or each row block) as a
        # page: read the whole first series, after the shared reader has checked the file.
        import tifffile

        image_info(path)
        try:
            with tifffile.TiffFile(path) as tif:
                arr = np.asarray(tif.series[0].asarray())
        except Exception as exc:  # noqa: BLE001 - truncated strips, bad offsets...
            raise InputError(
                f"Expected a complete TIFF image, but decoding failed ({exc})", file=path
            ) from None
    else:
        arr = np.asarray(read_image(path).array)
    if arr.ndim == 3 and arr.shape[0] <= 8 and arr.shape[0] < min(arr.shape[1:]):
        arr = np.moveaxis(arr, 0, -1)  # (channels, rows, cols) TIFF -> channels last
    return arr


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value == ""


def _sections(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame, params: dict[str, Any]
) -> tuple[pd.DataFrame, Path]:
    """The sections table with resolved ``image_path``, ``rois`` and ``pixel_size_um``."""
    path = param_file(study, readout, "sections", params["sections"], "sections table")
    table = read_table(path, SECTION_COLUMNS)
    check_animal_ids(table, animals, path)
    by_name: dict[str, list[Path]] = {}
    for f in files:
        by_name.setdefault(f.name, []).append(f.resolve())

    def find(name: str, row: int, column: str) -> Path:
        full = study.resolve(name).resolve()
        if full in {p for ps in by_name.values() for p in ps}:
            return full
        hits = by_name.get(Path(name).name, [])
        if len(hits) == 1 and Path(name).name == name:
            return hits[0]
        what = "ambiguous (several readout files have this name)" if hits else "not among them"
        raise InputError(
            f"Expected a file listed in readouts.{readout.id}.files, but {name!r} is {what}",
            file=path,
            row=row,
            field=column,
        )

    images, rois, sizes = [], [], []
    for _, rec in table.iterrows():
        row = int(rec[C.SOURCE_ROW])
        images.append(find(str(rec["image"]), row, "image"))
        roi = rec.get("roi")
        rois.append(None if _missing(roi) else read_roi(find(str(roi), row, "roi")))
        size = rec.get("pixel_size_um")
        size = params["pixel_size_um"] if _missing(size) else float(size)
        if size is None or not size > 0:
            raise InputError(
                "Expected a pixel size: a pixel_size_um column value or params.pixel_size_um",
                file=path,
                row=row,
                field="pixel_size_um",
            )
        sizes.append(size)
    table["image_path"] = images
    table["regions"] = rois
    table["pixel_size_um"] = sizes
    if "section" not in table or table["section"].isna().all():
        table["section"] = table.groupby(C.ANIMAL_ID).cumcount().add(1).astype(str)
    dup = table.duplicated(subset=[C.ANIMAL_ID, "section"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"Expected one image per animal and section, but section "
            f"{table['section'].iloc[i]!r} of {table[C.ANIMAL_ID].iloc[i]!r} repeats",
            file=path,
            row=int(table[C.SOURCE_ROW].iloc[i]),
            field="section",
        )
    return table, path


def _per_section(
    table: pd.DataFrame,
    study: Study,
    measure: Callable[[np.ndarray, float, list[Region] | None, Path], Measured],
) -> tuple[pd.DataFrame, list[str]]:
    """One row per section, and the measures' warnings (ROIs clipped to their image)."""
    rows, warnings = [], []
    for _, rec in table.iterrows():
        image = read_image_array(rec["image_path"])
        values, notes = measure(image, rec["pixel_size_um"], rec["regions"], rec["image_path"])
        warnings += notes
        rows.append(
            {
                C.ANIMAL_ID: rec[C.ANIMAL_ID],
                "section": rec["section"],
                "image": display_path(rec["image_path"], study),
                "pixel_size_um": rec["pixel_size_um"],
                **values,
                C.SOURCE_ROW: int(rec[C.SOURCE_ROW]),
            }
        )
    return pd.DataFrame(rows), warnings


def _per_animal(
    sections: pd.DataFrame, variables: tuple[VariableSpec, ...], table_path: Path
) -> pd.DataFrame:
    """Mean over each animal's sections (NaN sections ignored), with ``n_sections``."""
    names = [v.name for v in variables]
    grouped = sections.groupby(C.ANIMAL_ID, sort=False)
    out = grouped[names].mean().reset_index()
    out["n_sections"] = grouped.size().to_numpy()
    out[C.SOURCE_ROW] = grouped[C.SOURCE_ROW].min().to_numpy()
    out[C.SOURCE_FILE] = [table_path] * len(out)
    return out


def _result(
    study: Study,
    readout: Readout,
    animals: pd.DataFrame,
    sections: pd.DataFrame,
    table_path: Path,
    variables: tuple[VariableSpec, ...],
    qc: dict[str, Any],
    section_warnings: list[str],
) -> ReadoutData:
    per_animal = _per_animal(sections, variables, table_path)
    keep = tuple(v for v in variables if per_animal[v.name].notna().any())
    warnings = list(section_warnings)
    warnings += missing_data_warning(readout, animals, per_animal[C.ANIMAL_ID])
    counts = per_animal["n_sections"]
    if counts.nunique() > 1:
        warnings.append(
            f"animals have different numbers of sections ({counts.min()} to "
            f"{counts.max()}); each animal's value is the mean of its own sections"
        )
    for v in keep:
        gaps = per_animal.loc[per_animal[v.name].isna(), C.ANIMAL_ID]
        if len(gaps):
            warnings.append(f"no {v.name} for {', '.join(map(str, gaps))}")
    per_animal = per_animal.dropna(subset=[v.name for v in keep], how="all")
    measurements = tidy_measurements(study, readout, animals, per_animal, keep)
    measurements = measurements.dropna(subset=[C.VALUE]).reset_index(drop=True)
    qc = {**qc, "aggregation": "mean of sections per animal (animal = experimental unit)"}
    return ReadoutData(
        measurements=measurements,
        details={
            "sections": details_frame(sections.assign(**{C.SOURCE_FILE: table_path}), study),
            "animals": details_frame(per_animal, study),
        },
        qc=qc,
        warnings=warnings,
        variables=keep,
    )


def _number_or(value: Any, words: tuple[str, ...], study: Study, field: str) -> Any:
    if isinstance(value, str) and value in words:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    raise InputError(
        f"Expected a number or one of {', '.join(words)}, but got {value!r}",
        file=study.manifest_path,
        field=field,
    )


def load_nissl_images(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Neuron density per mm² (and per mm of a CA1 band ROI) per animal from Nissl images.

    ``params``: ``sections`` (required), ``pixel_size_um``, ``cell_diameter_um`` (15),
    ``min_area_um2`` (50), ``max_area_um2`` (600), ``threshold`` (none = Otsu), ``stain``
    (``estimate``).
    """
    p = readout_params(
        study,
        readout,
        {
            "sections": (str, REQUIRED),
            "pixel_size_um": (float, None),
            "cell_diameter_um": (float, 15.0),
            "min_area_um2": (float, 50.0),
            "max_area_um2": (float, 600.0),
            "threshold": (float, None),
            "stain": (str, "estimate"),
        },
    )
    table, path = _sections(study, readout, files, animals, p)

    def measure(img: np.ndarray, ps: float, rois: list[Region] | None, f: Path) -> Measured:
        res = count_neurons(
            img,
            pixel_size_um=ps,
            roi=rois,
            stain=p["stain"],
            cell_diameter_um=p["cell_diameter_um"],
            min_area_um2=p["min_area_um2"],
            max_area_um2=p["max_area_um2"],
            threshold=p["threshold"],
            keep_labels=False,
            file=f,
        )
        bands = res.regions[res.regions["kind"] == "band"]
        length = float(bands["length_mm"].sum()) if len(bands) else float("nan")
        return {
            "count": res.count,
            "area_mm2": res.area_mm2,
            "neuron_density_per_mm2": res.density_per_mm2,
            "band_length_mm": length,
            "neurons_per_mm": float(bands["count"].sum()) / length if len(bands) else np.nan,
            "threshold_od": res.method["threshold_od"],
        }, res.warnings

    sections, notes = _per_section(table, study, measure)
    qc = {
        "method": "cresyl-violet deconvolution, Otsu threshold, distance/LoG watershed",
        "cell_diameter_um": p["cell_diameter_um"],
        "area_um2": [p["min_area_um2"], p["max_area_um2"]],
        "stain": p["stain"],
    }
    return _result(study, readout, animals, sections, path, NISSL_VARIABLES, qc, notes)


def load_tunel_images(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """% TUNEL-positive nuclei (and positives per mm²) per animal from two-channel images.

    ``params``: ``sections`` (required), ``pixel_size_um``, ``nuclear_channel`` (0),
    ``marker_channel`` (1), ``marker_threshold`` (``auto``, ``otsu`` or a number; use one
    number for the whole study when it was set on controls), ``nucleus_diameter_um`` (10).
    """
    p = readout_params(
        study,
        readout,
        {
            "sections": (str, REQUIRED),
            "pixel_size_um": (float, None),
            "nuclear_channel": (object, 0),
            "marker_channel": (object, 1),
            "marker_threshold": (object, "auto"),
            "nucleus_diameter_um": (float, 10.0),
        },
    )
    where = f"readouts.{readout.id}.params"
    thr = _number_or(p["marker_threshold"], ("auto", "otsu"), study, f"{where}.marker_threshold")
    for key in ("nuclear_channel", "marker_channel"):
        if isinstance(p[key], bool) or not isinstance(p[key], int) or p[key] < 0:
            raise InputError(
                f"Expected a channel index >= 0, but got {p[key]!r}",
                file=study.manifest_path,
                field=f"{where}.{key}",
            )
    table, path = _sections(study, readout, files, animals, p)

    def measure(img: np.ndarray, ps: float, rois: list[Region] | None, f: Path) -> Measured:
        res = count_positive_nuclei(
            img,
            pixel_size_um=ps,
            nuclear_channel=p["nuclear_channel"],
            marker_channel=p["marker_channel"],
            roi=rois,
            nucleus_diameter_um=p["nucleus_diameter_um"],
            marker_threshold=thr,
            file=f,
        )
        area = res.area_mm2
        return {
            "n_nuclei": res.n_nuclei,
            "n_positive": res.n_positive,
            "area_mm2": area,
            "tunel_positive_pct": res.positive_pct,
            "tunel_positive_per_mm2": res.n_positive / area if area > 0 else np.nan,
            "marker_threshold": res.marker_threshold,
        }, res.warnings

    sections, notes = _per_section(table, study, measure)
    qc = {
        "method": "nuclei on the counterstain, positive by mean marker intensity",
        "marker_threshold": p["marker_threshold"],
        "nuclear_channel": p["nuclear_channel"],
        "marker_channel": p["marker_channel"],
    }
    return _result(study, readout, animals, sections, path, TUNEL_VARIABLES, qc, notes)


def load_ihc_images(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """% DAB-positive area and mean DAB OD per animal from haematoxylin-DAB images.

    ``params``: ``sections`` (required), ``pixel_size_um``, ``threshold`` (DAB OD, default
    0.15, or ``otsu``), ``marker`` (name shown in labels), ``higher_is_better`` (false: e.g.
    GFAP, Iba1; true for a neuronal marker such as NeuN).
    """
    p = readout_params(
        study,
        readout,
        {
            "sections": (str, REQUIRED),
            "pixel_size_um": (float, None),
            "threshold": (object, DAB_THRESHOLD_OD),
            "marker": (str, None),
            "higher_is_better": (object, False),
        },
    )
    where = f"readouts.{readout.id}.params"
    thr = _number_or(p["threshold"], ("otsu",), study, f"{where}.threshold")
    if not isinstance(p["higher_is_better"], bool):
        raise InputError(
            f"Expected true or false, but got {p['higher_is_better']!r}",
            file=study.manifest_path,
            field=f"{where}.higher_is_better",
        )
    table, path = _sections(study, readout, files, animals, p)

    def measure(img: np.ndarray, ps: float, rois: list[Region] | None, f: Path) -> Measured:
        res = measure_dab(img, pixel_size_um=ps, roi=rois, threshold=thr, file=f)
        return {
            "area_mm2": float(res.regions["area_mm2"].sum()),
            "dab_positive_area_pct": res.positive_area_pct,
            "dab_mean_od": res.mean_dab_od,
            "threshold_od": res.threshold_od,
        }, res.warnings

    sections, notes = _per_section(table, study, measure)
    marker = p["marker"]
    variables = tuple(
        VariableSpec(
            v.name,
            f"{marker} {v.label[0].lower()}{v.label[1:]}" if marker else v.label,
            v.unit,
            lower_is_better=not p["higher_is_better"],
        )
        for v in IHC_VARIABLES
    )
    qc = {
        "method": "Ruifrok-Johnston H-DAB deconvolution, fixed DAB OD threshold",
        "threshold": p["threshold"],
        "marker": marker,
    }
    return _result(study, readout, animals, sections, path, variables, qc, notes)


register(
    ReadoutType(
        name="nissl_images",
        title="Nissl neuron counts",
        variables=NISSL_VARIABLES,
        load=load_nissl_images,
        description="Surviving neurons per mm² (and per mm of CA1) from cresyl-violet images.",
    )
)
register(
    ReadoutType(
        name="tunel_images",
        title="TUNEL-positive nuclei",
        variables=TUNEL_VARIABLES,
        load=load_tunel_images,
        description="Apoptotic (TUNEL+) nuclei as % of counterstained nuclei, per animal.",
    )
)
register(
    ReadoutType(
        name="ihc_images",
        title="DAB immunohistochemistry",
        variables=IHC_VARIABLES,
        load=load_ihc_images,
        description="% DAB-positive area and mean DAB optical density, per animal.",
    )
)

"""Sections tables of the cell-level image readouts, and the per-section to per-animal steps.

Used by :mod:`neuroprotect.workflows.histology_cells_readouts` (which describes the sections table
and re-exports :func:`read_image_array`): read and resolve the sections table, measure each
section's image, average the sections of each animal (the animal is the experimental unit) and
build the :class:`~neuroprotect.workflows.readouts.ReadoutData`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.histology.roi import Region, read_roi
from neuroprotect.io.batch import Batch
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.readouts import ReadoutData, VariableSpec
from neuroprotect.workflows.table_io import (
    check_animal_ids,
    details_frame,
    display_path,
    missing_data_warning,
    param_file,
    tidy_measurements,
)

__all__ = [
    "SECTION_COLUMNS",
    "Measured",
    "number_or",
    "per_section",
    "read_image_array",
    "readout_result",
    "sections_table",
]

Measured = tuple[dict[str, Any], list[str]]  # a section's values and warnings

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


def sections_table(
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


def per_section(
    table: pd.DataFrame,
    study: Study,
    measure: Callable[[np.ndarray, float, list[Region] | None, Path], Measured],
    batch: Batch | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """One row per section, and the measures' warnings (ROIs clipped to their image).

    With a ``batch`` (:func:`~neuroprotect.workflows.readouts.readout_batch`), an image that
    cannot be read or measured is skipped (its animal's value is the mean of its other sections)
    instead of stopping the readout; all skipped is an error.
    """
    rows, warnings = [], []
    for _, rec in table.iterrows():
        shown = display_path(rec["image_path"], study)
        with batch.item(rec["image_path"], name=shown) if batch else nullcontext():
            image = read_image_array(rec["image_path"])
            values, notes = measure(image, rec["pixel_size_um"], rec["regions"], rec["image_path"])
            warnings += notes
            rows.append(
                {
                    C.ANIMAL_ID: rec[C.ANIMAL_ID],
                    "section": rec["section"],
                    "image": shown,
                    "pixel_size_um": rec["pixel_size_um"],
                    **values,
                    C.SOURCE_ROW: int(rec[C.SOURCE_ROW]),
                }
            )
    if batch is not None:
        batch.finish(what="images")
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


def readout_result(
    study: Study,
    readout: Readout,
    animals: pd.DataFrame,
    sections: pd.DataFrame,
    table_path: Path,
    variables: tuple[VariableSpec, ...],
    qc: dict[str, Any],
    section_warnings: list[str],
    batch: Batch | None = None,
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
        skipped=list(batch.skipped) if batch is not None else [],
    )


def number_or(value: Any, words: tuple[str, ...], study: Study, field: str) -> Any:
    if isinstance(value, str) and value in words:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    raise InputError(
        f"Expected a number or one of {', '.join(words)}, but got {value!r}",
        file=study.manifest_path,
        field=field,
    )

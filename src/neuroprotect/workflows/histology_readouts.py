"""Readout ``ttc_images``: infarct volume from photos of TTC-stained slices.

Produces the same variables and tidy table as ``ttc_table`` (direct and edema-corrected infarct
volume, edema %, % of the contralateral hemisphere), computed by the same implementation
(:func:`neuroprotect.histology.ttc.compute_infarct_volumes`) from the per-slice areas that
:func:`neuroprotect.histology.ttc_images.measure_ttc_slices` measures on the photos.

``study.yaml``::

    - id: ttc
      type: ttc_images
      files: ["ttc/*.jpg"]
      params:
        slice_thickness_mm: 2
        pixel_size_mm: 0.025          # unless the images carry it in their metadata, or
        # scale_bar_mm: 10            # the length of a scale bar in every photo
        lesion_side: right            # as seen in the photos; default: the paler side per animal
        method: sum                   # or trapezoid
        qc_dir: qc/ttc                # QC overlays (default qc/<readout id>, beside study.yaml)
        max_side: 1024                # analysis scale (long side, pixels; raise for mouse slices)
        # which photo belongs to which animal: by default a file name starts with the animal id
        # (R07.jpg, R07_plate2.tif, R07-s3.png); or a regular expression with a group animal_id:
        animal_pattern: "^rat(?P<animal_id>\\d+)_"
        # or a table (CSV/XLSX) with columns animal_id, image [, order]:
        images: ttc_images.csv
        overrides:                    # after checking the QC overlays (detected slice numbers)
          R07: {exclude: [6], order: [2, 1, 3, 4, 5, 6], lesion_side: left,
                midline: {3: {angle_deg: 4.0, offset_px: -12}}}

Photos of one animal are taken in file-name order (or the table's ``order``), rostral first.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.histology.ttc import TTC_METHODS, compute_infarct_volumes
from neuroprotect.histology.ttc_images import (
    ANALYSIS_MAX_SIDE,
    TTCOverrides,
    measure_ttc_slices,
)
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.readouts import ReadoutData, ReadoutType, readout_batch, register
from neuroprotect.workflows.table_io import (
    REQUIRED,
    details_frame,
    display_path,
    missing_data_warning,
    param_file,
    readout_params,
    tidy_measurements,
)
from neuroprotect.workflows.table_readouts import TTC_VARIABLES

__all__ = ["load_ttc_images"]

IMAGE_TABLE_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("image", "str", aliases=("file", "path", "photo")),
    Column("order", "float", required=False),
]


def _animal_of_name(stem: str, animal_ids: list[str]) -> str | None:
    """The longest animal id that starts the file name and is followed by a separator or end."""
    hits = [
        a for a in animal_ids if stem == a or (stem.startswith(a) and not stem[len(a)].isalnum())
    ]
    return max(hits, key=len) if hits else None


def _images_by_animal(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame, p: dict[str, Any]
) -> dict[str, list[Path]]:
    where = f"readouts.{readout.id}.params"
    ids = animals[C.ANIMAL_ID].astype(str).tolist()
    out: dict[str, list[tuple[float, Path]]] = {}
    if p["images"] is not None:
        table_path = param_file(study, readout, "images", p["images"], "images table")
        table = read_table(table_path, IMAGE_TABLE_COLUMNS)
        by_name = {f.name: f for f in files}
        by_path = {f.resolve(): f for f in files}
        for i, row in enumerate(table.itertuples(index=False)):
            animal, image = str(getattr(row, C.ANIMAL_ID)), str(row.image)
            path = by_path.get(study.resolve(image).resolve()) or by_name.get(Path(image).name)
            if path is None:
                raise InputError(
                    f"Expected an image among the readout's files, but got {image!r}",
                    file=table_path,
                    row=int(table[C.SOURCE_ROW].iloc[i]),
                    field="image",
                )
            if animal not in ids:
                raise InputError(
                    f"Expected an animal_id listed in the animals table, but got {animal!r}",
                    file=table_path,
                    row=int(table[C.SOURCE_ROW].iloc[i]),
                    field=C.ANIMAL_ID,
                )
            order = float(row.order) if "order" in table and pd.notna(row.order) else float(i)
            out.setdefault(animal, []).append((order, path))
    else:
        pattern = None
        if p["animal_pattern"] is not None:
            try:
                pattern = re.compile(p["animal_pattern"])
            except re.error as exc:
                raise InputError(
                    f"Expected a regular expression, but got {p['animal_pattern']!r} ({exc})",
                    file=study.manifest_path,
                    field=f"{where}.animal_pattern",
                ) from None
            if "animal_id" not in pattern.groupindex:
                raise InputError(
                    "Expected a regular expression with a group (?P<animal_id>...), but it has none",
                    file=study.manifest_path,
                    field=f"{where}.animal_pattern",
                )
        for i, path in enumerate(sorted(files, key=lambda f: f.name)):
            if pattern is not None:
                m = pattern.search(path.name)
                found = m.group("animal_id") if m else None
            else:
                found = _animal_of_name(path.stem, ids)
            if found is None or found not in ids:
                raise InputError(
                    "Expected the file name to start with an animal id from the animals table "
                    f"(or to match animal_pattern), but got {path.name!r}",
                    file=path,
                )
            out.setdefault(found, []).append((float(i), path))
    return {a: [f for _, f in sorted(v, key=lambda t: t[0])] for a, v in out.items()}


def _overrides(study: Study, readout: Readout, raw: Any, animal: str) -> TTCOverrides:
    where = f"readouts.{readout.id}.params.overrides.{animal}"
    entry = (raw or {}).get(animal)
    if entry is None:
        return TTCOverrides()
    if not isinstance(entry, dict):
        raise InputError(
            f"Expected a mapping (exclude, order, lesion_side, midline), but got {entry!r}",
            file=study.manifest_path,
            field=where,
        )
    unknown = sorted(set(entry) - {"exclude", "order", "lesion_side", "midline"})
    if unknown:
        raise InputError(
            f"Expected keys among exclude, order, lesion_side, midline, but got {unknown[0]!r}",
            file=study.manifest_path,
            field=f"{where}.{unknown[0]}",
        )
    try:
        midline = {
            int(k): (float(v["angle_deg"]), float(v.get("offset_px", 0.0)))
            for k, v in (entry.get("midline") or {}).items()
        }
        order = entry.get("order")
        return TTCOverrides(
            order=tuple(int(v) for v in order) if order is not None else None,
            exclude=tuple(int(v) for v in entry.get("exclude") or ()),
            lesion_side=entry.get("lesion_side"),
            midline=midline,
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(
            "Expected exclude/order as lists of slice numbers and midline as "
            f"{{slice: {{angle_deg, offset_px}}}}, but got {entry!r} ({exc})",
            file=study.manifest_path,
            field=where,
        ) from None


def load_ttc_images(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """TTC infarct volumes from slice photos (parameters in the module docstring)."""
    p = readout_params(
        study,
        readout,
        {
            "slice_thickness_mm": (float, REQUIRED),
            "method": (str, "sum"),
            "pixel_size_mm": (float, None),
            "scale_bar_mm": (float, None),
            "lesion_side": (str, None),
            "animal_pattern": (str, None),
            "images": (str, None),
            "overrides": (object, None),
            "qc_dir": (str, None),
            "max_side": (float, float(ANALYSIS_MAX_SIDE)),
        },
    )
    where = f"readouts.{readout.id}.params"
    if p["method"] not in TTC_METHODS:
        raise InputError(
            f"Expected a method among {', '.join(TTC_METHODS)}, but got {p['method']!r}",
            file=study.manifest_path,
            field=f"{where}.method",
        )
    if p["lesion_side"] not in (None, "left", "right"):
        raise InputError(
            f"Expected lesion_side left or right, but got {p['lesion_side']!r}",
            file=study.manifest_path,
            field=f"{where}.lesion_side",
        )
    if p["overrides"] is not None and not isinstance(p["overrides"], dict):
        raise InputError(
            f"Expected overrides as a mapping animal_id -> corrections, but got {p['overrides']!r}",
            file=study.manifest_path,
            field=f"{where}.overrides",
        )
    unknown = sorted(set(p["overrides"] or {}) - set(animals[C.ANIMAL_ID].astype(str)))
    if unknown:
        raise InputError(
            f"Expected animal ids from the animals table, but got {unknown[0]!r}",
            file=study.manifest_path,
            field=f"{where}.overrides",
        )
    qc_dir = study.resolve(p["qc_dir"] or f"qc/{readout.id}")
    images = _images_by_animal(study, readout, files, animals, p)
    slices, volumes, qc_rows, notes = [], [], [], []
    links: dict[str, Path] = {}
    recorded: dict[str, Any] = {}
    # An animal whose photo cannot be read or measured is skipped whole (a volume from some of
    # its slices would be wrong, not missing); overrides naming a slice still stop the readout.
    batch = readout_batch(readout)
    measured = []
    for animal, paths in images.items():
        ov = _overrides(study, readout, p["overrides"], animal)
        members = {str(f): display_path(f, study) for f in paths}
        override_error: InputError | None = None
        first = members[str(paths[0])]
        with batch.item(paths[0], name=first, about=f"animal {animal}", members=members):
            try:
                m = measure_ttc_slices(
                    paths,
                    pixel_size_mm=p["pixel_size_mm"],
                    lesion_side=p["lesion_side"],
                    overrides=ov,
                    qc_dir=qc_dir,
                    max_side=int(p["max_side"]),
                    scale_bar_mm=p["scale_bar_mm"],
                    field_prefix=f"{where}.overrides.{animal}",
                )
            except InputError as exc:
                if exc.file is not None or exc.field is None:
                    raise  # about a photo: skipped
                override_error = InputError(  # about an override: fix the manifest
                    exc.message, file=study.manifest_path, field=exc.field
                )
            else:
                measured.append((animal, paths, ov, m))
        if override_error is not None:
            raise override_error
    batch.finish(what="animals' photos")
    for animal, paths, ov, m in measured:
        table = m.slices.assign(animal_id=animal)
        table[C.SOURCE_FILE] = [paths[0]] * len(table)
        slices.append(table)
        areas = m.areas()
        if areas.empty:
            raise InputError(
                "Expected at least one slice that is not excluded, but all are excluded",
                file=study.manifest_path,
                field=f"{where}.overrides.{animal}.exclude",
            )
        vol = compute_infarct_volumes(
            areas.assign(animal_id=animal),
            slice_thickness_mm=p["slice_thickness_mm"],
            method=p["method"],
            file=paths[0],
        )
        vol[C.SOURCE_FILE] = [paths[0]]
        vol[C.SOURCE_ROW] = 0
        vol["lesion_side"] = m.lesion_side
        vol["lesion_side_source"] = m.lesion_side_source
        volumes.append(vol)
        for image, qc in zip(paths, m.qc_images, strict=True):
            links[f"{animal}: {Path(image).name}"] = Path(qc).resolve()
            qc_rows.append(
                {
                    C.ANIMAL_ID: animal,
                    "image": display_path(image, study),
                    "qc_image": display_path(qc, study),
                }
            )
        if ov != TTCOverrides():
            recorded[animal] = ov.as_dict()
        if m.slices["touches_border"].any():
            notes.append(f"{animal}: a slice touches the photo's edge (cut off?)")
    if not volumes:
        raise InputError("Expected at least one image, but got none", file=study.manifest_path)
    per_animal = pd.concat(volumes, ignore_index=True)
    warnings = notes + missing_data_warning(readout, animals, per_animal[C.ANIMAL_ID])
    negative = per_animal.loc[per_animal["corrected_infarct_volume_mm3"] < 0, C.ANIMAL_ID]
    if len(negative):
        warnings.append(
            f"edema-corrected infarct volume < 0 (ipsilateral hemisphere larger than "
            f"contralateral without infarct) for {', '.join(map(str, negative))}"
        )
    if per_animal["n_slices"].nunique() > 1:
        warnings.append(
            f"animals have different numbers of slices "
            f"({per_animal['n_slices'].min()} to {per_animal['n_slices'].max()}); volumes of "
            "animals with missing slices are underestimated"
        )
    all_slices = pd.concat(slices, ignore_index=True)
    front = [C.ANIMAL_ID, "image", "slice", "detected"]
    all_slices = all_slices[front + [c for c in all_slices.columns if c not in front]]
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, per_animal, TTC_VARIABLES),
        details={
            "slices": details_frame(all_slices, study),
            "volumes": details_frame(per_animal, study),
            "qc_images": pd.DataFrame(qc_rows),
        },
        links=links,
        qc={
            "slice_thickness_mm": p["slice_thickness_mm"],
            "method": "sum" if p["method"] == "cavalieri" else p["method"],
            "edema_correction": "Swanson 1990: contralateral minus non-infarcted ipsilateral area",
            "hemispheric_infarct_pct_of": "contralateral hemisphere volume",
            "segmentation": "tissue by colour distance to the plate; pale = redness ln(R/G) below "
            "a threshold fitted per photo (two-class clustering); midline through the dorsal and "
            "ventral notches",
            "qc_dir": display_path(qc_dir, study),
            "analysis_max_side_px": int(p["max_side"]),
            "overrides": recorded,
        },
        warnings=warnings,
        skipped=batch.skipped,
    )


register(
    ReadoutType(
        name="ttc_images",
        title="TTC infarct volume (image analysis)",
        variables=TTC_VARIABLES,
        load=load_ttc_images,
        description="Infarct volume measured on photos of TTC-stained slices, direct and "
        "edema-corrected.",
    )
)

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
The sections table and the per-section/per-animal steps are in
:mod:`neuroprotect.workflows.histology_sections`; this module has the three loaders.

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

from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.histology.fluorescence import count_positive_nuclei
from neuroprotect.histology.ihc import DAB_THRESHOLD_OD, measure_dab
from neuroprotect.histology.neurons import count_neurons
from neuroprotect.histology.nissl_model import load_neuron_model
from neuroprotect.histology.roi import Region
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.histology_sections import (
    Measured,
    number_or,
    per_section,
    read_image_array,
    readout_result,
    sections_table,
)
from neuroprotect.workflows.readouts import (
    ReadoutData,
    ReadoutType,
    VariableSpec,
    readout_batch,
    register,
)
from neuroprotect.workflows.table_io import REQUIRED, param_file, readout_params

__all__ = ["IHC_VARIABLES", "NISSL_VARIABLES", "TUNEL_VARIABLES", "read_image_array"]

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


def load_nissl_images(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Neuron density per mm² (and per mm of a CA1 band ROI) per animal from Nissl images.

    ``params``: ``sections`` (required), ``pixel_size_um``, ``cell_diameter_um`` (measured),
    ``min_area_um2`` (50 (d / 15)^2), ``max_area_um2`` (600 (d / 15)^2), ``threshold`` (none =
    Otsu), ``stain`` (``estimate``), ``model`` (a soma detector trained with ``histology
    train-neurons``, path relative to the manifest; its area limits then apply unless given).
    """
    p = readout_params(
        study,
        readout,
        {
            "sections": (str, REQUIRED),
            "pixel_size_um": (float, None),
            "cell_diameter_um": (float, None),
            "min_area_um2": (float, None),
            "max_area_um2": (float, None),
            "threshold": (float, None),
            "stain": (str, "estimate"),
            "model": (str, None),
        },
    )
    table, path = sections_table(study, readout, files, animals, p)
    model = (
        load_neuron_model(param_file(study, readout, "model", p["model"], "neuron model"))
        if p["model"]
        else None
    )

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
            model=model,
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
            "cell_diameter_um": res.method["cell_diameter_um"],
        }, res.warnings

    batch = readout_batch(readout)  # a bad image is skipped, the others analysed
    sections, notes = per_section(table, study, measure, batch)
    qc = {
        "method": "cresyl-violet deconvolution, Otsu threshold, distance/LoG watershed"
        if model is None
        else "cresyl-violet deconvolution, trained random-forest soma detector, watershed",
        "cell_diameter_um": p["cell_diameter_um"],
        "area_um2": [p["min_area_um2"], p["max_area_um2"]],
        "model": p["model"],
        "model_provenance": None if model is None else model.info.get("training"),
        "stain": p["stain"],
    }
    return readout_result(
        study, readout, animals, sections, path, NISSL_VARIABLES, qc, notes, batch
    )


def load_tunel_images(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """% TUNEL-positive nuclei (and positives per mm²) per animal from two-channel images.

    ``params``: ``sections`` (required), ``pixel_size_um``, ``nuclear_channel`` (0),
    ``marker_channel`` (1), ``marker_threshold`` (``auto``, ``otsu`` or a number; use one
    number for the whole study when it was set on controls), ``nucleus_diameter_um`` (default
    estimated from each image; give one number to use the same size for every section).
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
            "nucleus_diameter_um": (float, None),
        },
    )
    where = f"readouts.{readout.id}.params"
    thr = number_or(p["marker_threshold"], ("auto", "otsu"), study, f"{where}.marker_threshold")
    for key in ("nuclear_channel", "marker_channel"):
        if isinstance(p[key], bool) or not isinstance(p[key], int) or p[key] < 0:
            raise InputError(
                f"Expected a channel index >= 0, but got {p[key]!r}",
                file=study.manifest_path,
                field=f"{where}.{key}",
            )
    table, path = sections_table(study, readout, files, animals, p)

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

    batch = readout_batch(readout)  # a bad image is skipped, the others analysed
    sections, notes = per_section(table, study, measure, batch)
    qc = {
        "method": "nuclei on the counterstain, positive by mean marker intensity",
        "marker_threshold": p["marker_threshold"],
        "nuclear_channel": p["nuclear_channel"],
        "marker_channel": p["marker_channel"],
        "nucleus_diameter_um": p["nucleus_diameter_um"]
        if p["nucleus_diameter_um"] is not None
        else "estimated per image",
    }
    return readout_result(
        study, readout, animals, sections, path, TUNEL_VARIABLES, qc, notes, batch
    )


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
    thr = number_or(p["threshold"], ("otsu",), study, f"{where}.threshold")
    if not isinstance(p["higher_is_better"], bool):
        raise InputError(
            f"Expected true or false, but got {p['higher_is_better']!r}",
            file=study.manifest_path,
            field=f"{where}.higher_is_better",
        )
    table, path = sections_table(study, readout, files, animals, p)

    def measure(img: np.ndarray, ps: float, rois: list[Region] | None, f: Path) -> Measured:
        res = measure_dab(img, pixel_size_um=ps, roi=rois, threshold=thr, file=f)
        return {
            "area_mm2": float(res.regions["area_mm2"].sum()),
            "dab_positive_area_pct": res.positive_area_pct,
            "dab_mean_od": res.mean_dab_od,
            "threshold_od": res.threshold_od,
        }, res.warnings

    batch = readout_batch(readout)  # a bad image is skipped, the others analysed
    sections, notes = per_section(table, study, measure, batch)
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
    return readout_result(study, readout, animals, sections, path, variables, qc, notes, batch)


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

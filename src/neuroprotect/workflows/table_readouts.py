"""Registrations of the tabular readouts (neurological score, TTC table, brain water, Evans Blue).

Each loader reads its files with :func:`~neuroprotect.io.tables.read_table`, checks that every
animal is in the study's animals table, computes the per-animal values with the pure core
(:mod:`neuroprotect.behavior.neuro_score`, :mod:`neuroprotect.histology.ttc`,
:mod:`neuroprotect.assays.brain_water`, :mod:`neuroprotect.assays.evans_blue`) and returns a tidy
measurement table in :data:`~neuroprotect.schema.columns.MEASUREMENT_COLUMNS`. Excluded animals
keep their measurements here; the analysis drops them.

``study.yaml`` entries::

    - {id: neuro, type: neuro_score, files: [neuro_scores.csv], params: {scale: longa}}
    - {id: ttc, type: ttc_table, files: [ttc_slices.csv],
       params: {slice_thickness_mm: 2, method: sum}}
    - {id: water, type: brain_water, files: [brain_water.csv]}
    - {id: eb, type: evans_blue, files: [evans_blue_samples.csv],
       params: {standards: evans_blue_standards.csv, extraction_volume_ml: 2.5}}
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from neuroprotect.assays.brain_water import compute_brain_water
from neuroprotect.assays.evans_blue import compute_evans_blue, fit_standard_curve
from neuroprotect.behavior.neuro_score import check_neuro_scores, get_scale
from neuroprotect.errors import InputError
from neuroprotect.histology.ttc import TTC_METHODS, compute_infarct_volumes, compute_slice_areas
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.readouts import (
    ReadoutData,
    ReadoutType,
    VariableSpec,
    readout_batch,
    register,
)
from neuroprotect.workflows.table_io import (
    REQUIRED,
    details_frame,
    display_path,
    missing_data_warning,
    param_file,
    read_readout_files,
    readout_params,
    tidy_measurements,
)

__all__ = ["NEURO_SCORE", "TTC_VARIABLES", "BRAIN_WATER", "EVANS_BLUE"]

NEURO_SCORE = VariableSpec(
    "neuro_score", "Neurological score", C.UNITS["neuro_score"], ordinal=True
)
TTC_VARIABLES = (
    VariableSpec("infarct_volume_mm3", "Infarct volume (direct)", C.UNITS["infarct_volume_mm3"]),
    VariableSpec(
        "corrected_infarct_volume_mm3",
        "Infarct volume (edema-corrected)",
        C.UNITS["corrected_infarct_volume_mm3"],
    ),
    VariableSpec("edema_pct", "Hemispheric swelling (edema)", C.UNITS["edema_pct"]),
    VariableSpec(
        "hemispheric_infarct_pct",
        "Infarct (% of contralateral hemisphere)",
        C.UNITS["hemispheric_infarct_pct"],
    ),
)
BRAIN_WATER = VariableSpec("brain_water_pct", "Brain water content", C.UNITS["brain_water_pct"])
EVANS_BLUE = VariableSpec(
    "evans_blue_ug_per_g", "Evans Blue extravasation", C.UNITS["evans_blue_ug_per_g"]
)

# --- neurological score --------------------------------------------------------------------------
NEURO_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("score", "float", aliases=("neuro_score", "neurological_score")),
    Column(C.TIMEPOINT, "str", required=False, allow_missing=True),
]


def load_neuro_score(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Neurological deficit scores; ``params: {scale: longa|bederson|garcia|mnss}``."""
    p = readout_params(study, readout, {"scale": (str, REQUIRED)})
    scale = get_scale(
        p["scale"], file=study.manifest_path, field=f"readouts.{readout.id}.params.scale"
    )
    batch = readout_batch(readout)  # a file that cannot be read is skipped, the others used
    table = read_readout_files(
        files,
        NEURO_COLUMNS,
        animals,
        lambda t, path: check_neuro_scores(t, scale=scale, file=path),
        [C.ANIMAL_ID, C.TIMEPOINT],
        batch=batch,
        study=study,
    )
    spec = replace(
        NEURO_SCORE,
        label=f"Neurological score ({scale.label})",
        lower_is_better=scale.higher_is_worse,
    )
    measurements = tidy_measurements(study, readout, animals, table, (spec,))
    return ReadoutData(
        measurements=measurements,
        details={},
        qc={
            "scale": scale.name,
            "scale_label": scale.label,
            "range": [scale.min, scale.max],
            "higher_is_worse": scale.higher_is_worse,
            "reference": scale.reference,
        },
        warnings=missing_data_warning(readout, animals, table[C.ANIMAL_ID]),
        variables=(spec,),
        skipped=batch.skipped,
    )


# --- TTC slice table -----------------------------------------------------------------------------
TTC_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("slice", "float"),
    Column("ipsilateral_area_mm2", "float", aliases=("ipsi_area_mm2", "ipsilateral_mm2")),
    Column("contralateral_area_mm2", "float", aliases=("contra_area_mm2", "contralateral_mm2")),
    Column("infarct_area_mm2", "float", aliases=("infarct_mm2",)),
]


def load_ttc_table(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """TTC infarct from per-slice areas; ``params: {slice_thickness_mm: 2, method: sum}``."""
    p = readout_params(
        study, readout, {"slice_thickness_mm": (float, REQUIRED), "method": (str, "sum")}
    )
    if p["method"] not in TTC_METHODS:
        raise InputError(
            f"Expected a method among {', '.join(TTC_METHODS)}, but got {p['method']!r}",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.method",
        )
    thickness = p["slice_thickness_mm"]
    slices: list[pd.DataFrame] = []

    def per_file(table: pd.DataFrame, path: Path) -> pd.DataFrame:
        volumes = compute_infarct_volumes(
            table, slice_thickness_mm=thickness, method=p["method"], file=path
        )
        per_slice = compute_slice_areas(table, file=path)
        per_slice[C.SOURCE_FILE] = [path] * len(per_slice)
        slices.append(per_slice)
        first_row = table.groupby(C.ANIMAL_ID, sort=False)[C.SOURCE_ROW].min()
        volumes[C.SOURCE_ROW] = volumes[C.ANIMAL_ID].map(first_row).astype(int)
        return volumes

    batch = readout_batch(readout)  # a file that cannot be read is skipped, the others used
    volumes = read_readout_files(
        files, TTC_COLUMNS, animals, per_file, [C.ANIMAL_ID], batch=batch, study=study
    )
    warnings = missing_data_warning(readout, animals, volumes[C.ANIMAL_ID])
    negative = volumes.loc[volumes["corrected_infarct_volume_mm3"] < 0, C.ANIMAL_ID]
    if len(negative):
        warnings.append(
            f"edema-corrected infarct volume < 0 (ipsilateral hemisphere larger than "
            f"contralateral without infarct) for {', '.join(map(str, negative))}"
        )
    counts = volumes["n_slices"]
    if counts.nunique() > 1:
        warnings.append(
            f"animals have different numbers of slices ({counts.min()} to "
            f"{counts.max()}); volumes of animals with missing slices are underestimated"
        )
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, volumes, TTC_VARIABLES),
        details={
            "slices": details_frame(pd.concat(slices, ignore_index=True), study),
            "volumes": details_frame(volumes, study),
        },
        qc={
            "slice_thickness_mm": thickness,
            "method": "sum" if p["method"] == "cavalieri" else p["method"],
            "edema_correction": "Swanson 1990: contralateral minus non-infarcted ipsilateral area",
            "hemispheric_infarct_pct_of": "contralateral hemisphere volume",
        },
        warnings=warnings,
        skipped=batch.skipped,
    )


# --- brain water ---------------------------------------------------------------------------------
WATER_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("wet_weight_mg", "float", required=False, aliases=("wet_weight", "wet_mg", "wet")),
    Column("wet_weight_g", "float", required=False, aliases=("wet_g",)),
    Column("dry_weight_mg", "float", required=False, aliases=("dry_weight", "dry_mg", "dry")),
    Column("dry_weight_g", "float", required=False, aliases=("dry_g",)),
]
#: Brain water % outside this range is warned (normal rat brain ~78-79 %, edematous ~80-85 %).
WATER_PLAUSIBLE_PCT = (70.0, 90.0)


def _weights_in_mg(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``wet_weight_mg`` and ``dry_weight_mg``, from columns in mg or in g (x 1000): a wet
    weight in mg and a dry weight in g must not be divided as they are."""
    t = table.copy()
    for kind in ("wet", "dry"):
        mg, g = f"{kind}_weight_mg", f"{kind}_weight_g"
        if mg in t.columns and g in t.columns:
            raise InputError(
                f"Expected one {kind} weight column, but got both {mg!r} and {g!r}",
                file=path,
                field=g,
            )
        if g in t.columns:
            t[mg] = t.pop(g) * 1000.0
        elif mg not in t.columns:
            shown = ", ".join(repr(c) for c in table.columns if c != C.SOURCE_ROW)
            raise InputError(
                f"Expected a column {mg!r} (or {g!r}), but the header has {shown}",
                file=path,
            )
    return t


def load_brain_water(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Brain water content (%) from wet and dry weights; no parameters."""
    readout_params(study, readout, {})
    batch = readout_batch(readout)  # a file that cannot be read is skipped, the others used
    table = read_readout_files(
        files,
        WATER_COLUMNS,
        animals,
        lambda t, path: compute_brain_water(_weights_in_mg(t, path), file=path),
        [C.ANIMAL_ID],
        batch=batch,
        study=study,
    )
    warnings = missing_data_warning(readout, animals, table[C.ANIMAL_ID])
    low, high = WATER_PLAUSIBLE_PCT
    odd = table[~table["brain_water_pct"].between(low, high)]
    if len(odd):
        warnings.append(
            f"brain water outside {low:g}-{high:g} % (normal rat brain ~78-79 %) for "
            + ", ".join(f"{r.animal_id} ({r.brain_water_pct:.4g} %)" for r in odd.itertuples())
            + ": check that wet and dry weights are in the same unit and not swapped"
        )
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, table, (BRAIN_WATER,)),
        details={"weights": details_frame(table, study)},
        qc={"method": "wet-dry weight: (wet - dry) / wet * 100"},
        warnings=warnings,
        skipped=batch.skipped,
    )


# --- Evans Blue ----------------------------------------------------------------------------------
EB_STANDARD_COLUMNS = [
    Column(
        "concentration_ug_ml",
        "float",
        min=0,
        aliases=("concentration", "conc_ug_ml", "eb_ug_ml", "concentration_ug_per_ml"),
    ),
    Column("absorbance", "float", aliases=("od", "a620", "a610", "abs")),
]
EB_SAMPLE_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("absorbance", "float", aliases=("od", "a620", "a610", "abs")),
    Column("tissue_weight_mg", "float", required=False),
    Column("tissue_weight_g", "float", required=False),
    Column("extraction_volume_ml", "float", required=False),
]


def load_evans_blue(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Evans Blue µg/g tissue from sample absorbances and a standards file.

    ``params``: ``standards`` (CSV path relative to the manifest, columns
    ``concentration_ug_ml, absorbance``), ``extraction_volume_ml`` (unless the samples have that
    column), ``dilution`` (default 1), ``blank_absorbance`` (a number, or ``zero_standard`` for the
    mean absorbance of the 0 µg/mL standards; default none), ``min_r2`` (default 0.98),
    ``out_of_range`` (``flag`` or ``error``; default flag).
    """
    p = readout_params(
        study,
        readout,
        {
            "standards": (str, REQUIRED),
            "extraction_volume_ml": (float, None),
            "dilution": (float, 1.0),
            "blank_absorbance": (object, None),
            "min_r2": (float, 0.98),
            "out_of_range": (str, "flag"),
        },
    )
    field = f"readouts.{readout.id}.params"
    if p["out_of_range"] not in ("flag", "error"):
        raise InputError(
            f"Expected 'flag' or 'error', but got {p['out_of_range']!r}",
            file=study.manifest_path,
            field=f"{field}.out_of_range",
        )
    std_path = param_file(study, readout, "standards", p["standards"], "standards file")
    standards = read_table(std_path, EB_STANDARD_COLUMNS)
    blank_param = p["blank_absorbance"]
    if blank_param is None:
        blank = 0.0
    elif blank_param == "zero_standard":
        zeros = standards.loc[standards["concentration_ug_ml"] == 0, "absorbance"]
        if zeros.empty:
            raise InputError(
                "Expected standards at 0 µg/mL for blank_absorbance: zero_standard, "
                "but there are none",
                file=std_path,
                field="concentration_ug_ml",
            )
        blank = float(zeros.mean())
    elif isinstance(blank_param, (int, float)) and not isinstance(blank_param, bool):
        blank = float(blank_param)
    else:
        raise InputError(
            f"Expected a number or 'zero_standard', but got {blank_param!r}",
            file=study.manifest_path,
            field=f"{field}.blank_absorbance",
        )
    curve = fit_standard_curve(
        standards["concentration_ug_ml"].to_numpy(),
        standards["absorbance"].to_numpy(),
        blank_absorbance=blank,
        min_r2=p["min_r2"],
        file=std_path,
    )
    batch = readout_batch(readout)  # a file that cannot be read is skipped, the others used
    table = read_readout_files(
        files,
        EB_SAMPLE_COLUMNS,
        animals,
        lambda t, path: compute_evans_blue(
            t,
            curve,
            extraction_volume_ml=p["extraction_volume_ml"],
            dilution=p["dilution"],
            out_of_range=p["out_of_range"],
            file=path,
        ),
        [C.ANIMAL_ID],
        batch=batch,
        study=study,
    )
    warnings = [str(flag) for flag in curve.flags]
    for flag, words in (("below_range", "below"), ("above_range", "above")):
        hit = table.loc[table["range_flag"] == flag, C.ANIMAL_ID]
        if len(hit):
            warnings.append(
                f"absorbance {words} the standards' range for "
                f"{', '.join(map(str, hit))} (values extrapolated from the standard curve)"
            )
    warnings += missing_data_warning(readout, animals, table[C.ANIMAL_ID])
    points = curve.points()
    points[C.SOURCE_FILE] = display_path(std_path, study)
    points[C.SOURCE_ROW] = standards[C.SOURCE_ROW].to_numpy()
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, table, (EVANS_BLUE,)),
        details={"standards": points, "samples": details_frame(table, study)},
        qc={
            "standard_curve": {
                "slope": curve.slope,
                "intercept": curve.intercept,
                "r2": curve.r2,
                "n": curve.n,
                "concentration_range_ug_ml": [curve.concentration_min, curve.concentration_max],
                "absorbance_range": [
                    curve.absorbance_min + curve.blank_absorbance,
                    curve.absorbance_max + curve.blank_absorbance,
                ],
                "blank_absorbance": curve.blank_absorbance,
                "flags": curve.flags,
            },
            "standards_file": display_path(std_path, study),
            "extraction_volume_ml": p["extraction_volume_ml"],
            "dilution": p["dilution"],
            "n_out_of_range": int((table["range_flag"] != "ok").sum()),
        },
        warnings=warnings,
        skipped=batch.skipped,
    )


register(
    ReadoutType(
        name="neuro_score",
        title="Neurological deficit score",
        variables=(NEURO_SCORE,),
        load=load_neuro_score,
        description="Ordinal deficit score (Longa 0-4, Bederson 0-3, Garcia 3-18, mNSS 0-18).",
    )
)
register(
    ReadoutType(
        name="ttc_table",
        title="TTC infarct volume",
        variables=TTC_VARIABLES,
        load=load_ttc_table,
        description="Infarct volume from per-slice TTC areas, direct and edema-corrected.",
    )
)
register(
    ReadoutType(
        name="brain_water",
        title="Brain water content",
        variables=(BRAIN_WATER,),
        load=load_brain_water,
        description="Wet-dry weight method: (wet - dry) / wet * 100.",
    )
)
register(
    ReadoutType(
        name="evans_blue",
        title="Evans Blue extravasation",
        variables=(EVANS_BLUE,),
        load=load_evans_blue,
        description="Blood-brain barrier leakage: linear standard curve, µg per g tissue.",
    )
)

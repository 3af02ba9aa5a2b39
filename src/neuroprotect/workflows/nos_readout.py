"""Readout type ``nos_activity``: NOS activity per animal by the citrulline assay or total NOx.

``study.yaml`` entries::

    - id: nos
      type: nos_activity
      files: [citrulline_counts.csv]   # animal_id, condition (complete | l-name | egta), cpm,
      params:                          #   protein_mg (mg protein in the tube)
        method: citrulline
        specific_activity_cpm_per_pmol: 200   # or total_cpm + arginine_pmol
        incubation_min: 15
    - id: nox
      type: nos_activity
      files: [nox_samples.csv]         # animal_id, absorbance_total[, absorbance_nitrite,
      params:                          #   dilution, protein_mg_ml]
        method: nox
        standards: nitrate_standards.csv      # concentration (µM), absorbance

``citrulline`` gives ``nos_activity_pmol_min_mg`` (pmol L-citrulline / min / mg protein, each
sample's L-NAME/EGTA tubes as its non-specific background; :mod:`neuroprotect.assays.nos`).
``nox`` gives ``nox_um`` (nitrite + nitrate after nitrate reduction, Griess), with protein
``nox_nmol_per_mg_protein``, and with the un-reduced reading ``nitrite_um`` and ``nitrate_um``.
A rise of NOS activity after ischaemia is the injury (NOS inhibition protected CA1 in the
gerbil), so lower is better.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.assays.colorimetric import fit_standard_curve
from neuroprotect.assays.nos import compute_citrulline_activity, compute_nox, specific_activity
from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.assay_readouts import GRIESS_STANDARD_COLUMNS
from neuroprotect.workflows.readouts import ReadoutData, ReadoutType, VariableSpec, register
from neuroprotect.workflows.table_io import (
    check_animal_ids,
    details_frame,
    display_path,
    missing_data_warning,
    param_file,
    readout_params,
    tidy_measurements,
)

__all__ = ["NOS_ACTIVITY", "NOX", "NOX_PER_PROTEIN"]

NOS_ACTIVITY = VariableSpec(
    "nos_activity_pmol_min_mg", "NOS activity (citrulline)", "pmol/min/mg protein"
)
NOX = VariableSpec("nox_um", "Total NOx (nitrite + nitrate)", "µM")
NOX_PER_PROTEIN = VariableSpec(
    "nox_nmol_per_mg_protein", "Total NOx per mg protein", "nmol/mg protein"
)
NITRITE = VariableSpec("nitrite_um", "Nitrite", "µM")
NITRATE = VariableSpec("nitrate_um", "Nitrate", "µM")

CITRULLINE_COLUMNS = [
    Column(C.ANIMAL_ID, "str", aliases=("sample",)),
    Column("condition", "str", aliases=("tube", "blank")),
    Column("cpm", "float", min=0, aliases=("counts",)),
    Column("protein_mg", "float", required=False, allow_missing=True, min=0),
]
NOX_COLUMNS = [
    Column(C.ANIMAL_ID, "str", aliases=("sample",)),
    Column("absorbance_total", "float", aliases=("a540_total", "nox_absorbance")),
    Column("absorbance_nitrite", "float", required=False, aliases=("a540_nitrite",)),
    Column("dilution", "float", required=False, min=0),
    Column("protein_mg_ml", "float", required=False, min=0),
]


def _read(files: list[Path], columns: list[Column], animals: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for path in files:
        t = read_table(path, columns)
        check_animal_ids(t, animals, path)
        t[C.SOURCE_FILE] = [path] * len(t)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def _citrulline(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame, p: dict[str, Any]
) -> ReadoutData:
    where = f"readouts.{readout.id}.params"
    sa = p["specific_activity_cpm_per_pmol"]
    if sa is None:
        if p["total_cpm"] is None or p["arginine_pmol"] is None:
            raise InputError(
                "Expected specific_activity_cpm_per_pmol, or total_cpm and arginine_pmol",
                file=study.manifest_path,
                field=f"{where}.specific_activity_cpm_per_pmol",
            )
        sa = specific_activity(p["total_cpm"], p["arginine_pmol"])
    if p["incubation_min"] is None:
        raise InputError(
            "Expected this parameter, but it is missing",
            file=study.manifest_path,
            field=f"{where}.incubation_min",
        )
    tubes = _read(files, CITRULLINE_COLUMNS, animals)
    per = compute_citrulline_activity(
        tubes,
        specific_activity_cpm_per_pmol=sa,
        incubation_min=p["incubation_min"],
        sample=C.ANIMAL_ID,
        file=files[0] if len(files) == 1 else None,
    ).rename(columns={"sample": C.ANIMAL_ID})
    first = tubes.groupby(C.ANIMAL_ID).agg(
        source_row=(C.SOURCE_ROW, "min"), source_file=(C.SOURCE_FILE, "first")
    )
    per[C.SOURCE_ROW] = per[C.ANIMAL_ID].map(first[C.SOURCE_ROW])
    per[C.SOURCE_FILE] = per[C.ANIMAL_ID].map(first[C.SOURCE_FILE])
    negative = per.loc[per[NOS_ACTIVITY.name] < 0, C.ANIMAL_ID].tolist()
    warnings = (
        [f"blank (L-NAME/EGTA) counts above the complete tubes for {', '.join(negative)}"]
        if negative
        else []
    )
    warnings += missing_data_warning(readout, animals, per[C.ANIMAL_ID])
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, per, (NOS_ACTIVITY,)),
        details={"tubes": details_frame(tubes, study), "samples": details_frame(per, study)},
        qc={
            "specific_activity_cpm_per_pmol": sa,
            "incubation_min": p["incubation_min"],
            "method": "L-[3H]arginine -> L-[3H]citrulline (Bredt & Snyder 1990): activity = "
            "(cpm complete - cpm L-NAME/EGTA blank) / specific activity / (min x mg protein)",
        },
        warnings=warnings,
        variables=(NOS_ACTIVITY,),
    )


def _nox(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame, p: dict[str, Any]
) -> ReadoutData:
    if p["standards"] is None:
        raise InputError(
            "Expected this parameter (nitrate standards CSV), but it is missing",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.standards",
        )
    curves = {}
    for name in ("standards", "nitrite_standards"):
        if p[name] is None:
            continue
        path = param_file(study, readout, name, p[name], "standards file")
        std = read_table(path, GRIESS_STANDARD_COLUMNS)
        curves[name] = fit_standard_curve(
            std["concentration"].to_numpy(),
            std["absorbance"].to_numpy(),
            blank_absorbance=float(p["blank_absorbance"] or 0.0),
            min_r2=p["min_r2"],
            file=path,
        )
    table = _read(files, NOX_COLUMNS, animals)
    dup = table[C.ANIMAL_ID].duplicated()
    if dup.any():
        raise InputError(
            f"Expected one row per animal, but {table[C.ANIMAL_ID][dup].iloc[0]!r} appears twice",
            file=table[C.SOURCE_FILE][dup].iloc[0],
            row=int(table[C.SOURCE_ROW][dup].iloc[0]),
            field=C.ANIMAL_ID,
        )
    res = compute_nox(
        table,
        curves["standards"],
        nitrite_curve=curves.get("nitrite_standards"),
        dilution=p["dilution"],
    )
    specs = [NOX]
    if NOX_PER_PROTEIN.name in res.columns:
        specs.append(NOX_PER_PROTEIN)
    if NITRITE.name in res.columns:
        specs += [NITRITE, NITRATE]
    warnings = [f"{name}: {f}" for name, c in curves.items() for f in c.flags]
    off = res.loc[res["range_flag"] != "ok", C.ANIMAL_ID].tolist()
    if off:
        warnings.append(f"NOx outside the standards (extrapolated, flagged) for {', '.join(off)}")
    warnings += missing_data_warning(readout, animals, res[C.ANIMAL_ID])
    c = curves["standards"]
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, res, tuple(specs)),
        details={"samples": details_frame(res, study), "standards": c.points()},
        qc={
            "standard_curve": {"slope": c.slope, "intercept": c.intercept, "r2": c.r2, "n": c.n},
            "standards_file": display_path(study.resolve(p["standards"]), study),
            "method": "total NOx: nitrate reduction + Griess against reduced nitrate standards; "
            "nitrate = NOx - nitrite",
        },
        warnings=warnings,
        variables=tuple(specs),
    )


def load_nos_activity(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """NOS activity per animal; ``params.method``: ``citrulline`` (default) or ``nox``."""
    p = readout_params(
        study,
        readout,
        {
            "method": (str, "citrulline"),
            "specific_activity_cpm_per_pmol": (float, None),
            "total_cpm": (float, None),
            "arginine_pmol": (float, None),
            "incubation_min": (float, None),
            "standards": (str, None),
            "nitrite_standards": (str, None),
            "blank_absorbance": (float, None),
            "dilution": (float, 1.0),
            "min_r2": (float, 0.98),
        },
    )
    if p["method"] == "citrulline":
        return _citrulline(study, readout, files, animals, p)
    if p["method"] == "nox":
        return _nox(study, readout, files, animals, p)
    raise InputError(
        f"Expected method citrulline or nox, but got {p['method']!r}",
        file=study.manifest_path,
        field=f"readouts.{readout.id}.params.method",
    )


register(
    ReadoutType(
        name="nos_activity",
        title="NOS activity",
        variables=(NOS_ACTIVITY, NOX, NOX_PER_PROTEIN, NITRITE, NITRATE),
        load=load_nos_activity,
        description="L-[3H]citrulline formation (pmol/min/mg) or total NOx by nitrate reduction + Griess.",
    )
)

"""Readout types of the plate assays: ``elisa``, ``griess`` and ``cell_viability``.

``study.yaml`` entries::

    - {id: tnf, type: elisa, files: [tnf_plate.txt],
       params: {layout: tnf_layout.csv, analyte: TNF-a, unit: pg/mL, model: 4pl}}
    - {id: no2, type: griess, files: [griess_samples.csv],
       params: {standards: nitrite_standards.csv}}
    - {id: mtt, type: cell_viability, files: [mtt_wells.csv],
       params: {control_group: normoxia, blank_absorbance: 0.05}}

``elisa``: each plate file is read with :func:`neuroprotect.assays.plates.read_plate_file` and
joined with its layout (``params.layout``: one CSV for all files, or a list with one per file;
optional for SoftMax Pro exports, whose groups are the layout). Layout ``sample`` names of
``type: sample`` wells are animal ids; ``control`` wells (kit QCs) are kept in the details only.
The per-animal value is the dilution-adjusted concentration. The joined well table (the raw
plate map with signals and flags) is kept in ``details["wells"]``.

``griess``: one row per animal with ``animal_id, absorbance`` (optional ``dilution``,
``protein_mg_ml``); variable ``nitrite_um`` and, with protein, ``nitrite_nmol_per_mg_protein``.

``cell_viability``: the experimental unit is the *culture* (an independently treated
preparation), listed in the animals table as the unit with its group; the file has one row per
well with ``animal_id`` (the culture id) and ``absorbance``. Wells of a culture are technical
replicates and are averaged first; viability = 100 * (mean A - blank) / mean over the control
group's cultures of (mean A - blank).

Competition and saturation binding are not per animal (one curve per compound and experiment)
and have no readout type: use ``neuroprotect assay binding`` or
:mod:`neuroprotect.assays.binding`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.assays.colorimetric import compute_griess_nitrite, fit_standard_curve
from neuroprotect.assays.elisa import analyse_elisa
from neuroprotect.assays.elisa_plot import plot_elisa
from neuroprotect.assays.plates import apply_layout, read_layout, read_plate_file
from neuroprotect.errors import InputError
from neuroprotect.io.batch import BatchStop
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
    check_animal_ids,
    details_frame,
    display_path,
    missing_data_warning,
    param_file,
    read_readout_files,
    readout_params,
    tidy_measurements,
)

__all__ = ["ELISA", "GRIESS", "NITRITE_PER_PROTEIN", "VIABILITY"]

ELISA = VariableSpec("concentration", "ELISA concentration", "pg/mL")
GRIESS = VariableSpec("nitrite_um", "Nitrite (Griess)", "µM")
NITRITE_PER_PROTEIN = VariableSpec(
    "nitrite_nmol_per_mg_protein", "Nitrite per mg protein", "nmol/mg protein"
)
VIABILITY = VariableSpec("viability_pct", "Cell viability", "% of control", lower_is_better=False)


def _choice(study: Study, readout: Readout, name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(
            f"Expected one of {', '.join(allowed)}, but got {value!r}",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.{name}",
        )
    return value


def _layouts(study: Study, readout: Readout, value: Any, n_files: int) -> list[Path | None]:
    field = f"readouts.{readout.id}.params.layout"
    if value is None:
        return [None] * n_files
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
        raise InputError(
            f"Expected a layout file or a list of them, but got {value!r}",
            file=study.manifest_path,
            field=field,
        )
    if len(names) not in (1, n_files):
        raise InputError(
            f"Expected one layout or one per plate file ({n_files}), but got {len(names)}",
            file=study.manifest_path,
            field=field,
        )
    paths: list[Path | None] = [study.resolve(n) for n in names]
    for p in paths:
        if p is None or not p.is_file():
            raise InputError(
                f"Expected an existing layout file, but {str(p)!r} does not exist",
                file=study.manifest_path,
                field=field,
            )
    return paths * n_files if len(paths) == 1 else paths


def load_elisa(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """ELISA concentrations per animal; ``params``: ``layout``, ``analyte``, ``unit`` (pg/mL),
    ``variable`` (concentration), ``model`` (4pl/5pl), ``weights`` (none or 1/y2),
    ``out_of_range`` (flag or censor), ``cv_limit`` (20), ``lower_is_better`` (true: a
    pro-inflammatory cytokine; false for e.g. BDNF)."""
    p = readout_params(
        study,
        readout,
        {
            "layout": (object, None),
            "analyte": (str, None),
            "unit": (str, "pg/mL"),
            "variable": (str, "concentration"),
            "model": (str, "4pl"),
            "weights": (str, "none"),
            "out_of_range": (str, "flag"),
            "cv_limit": (float, 20.0),
            "lower_is_better": (object, True),
        },
    )
    if not isinstance(p["lower_is_better"], bool):
        raise InputError(
            f"Expected true or false, but got {p['lower_is_better']!r}",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.lower_is_better",
        )
    _choice(study, readout, "model", p["model"], ("4pl", "5pl"))
    _choice(study, readout, "weights", p["weights"], ("none", "1/y2"))
    _choice(study, readout, "out_of_range", p["out_of_range"], ("flag", "censor"))
    layouts = _layouts(study, readout, p["layout"], len(files))
    known = set(animals[C.ANIMAL_ID].astype(str))
    per_animal: list[pd.DataFrame] = []
    all_wells: list[pd.DataFrame] = []
    all_std: list[pd.DataFrame] = []
    all_samples: list[pd.DataFrame] = []
    warnings: list[str] = []
    curves: dict[str, dict[str, Any]] = {}
    figures: dict[str, Any] = {}
    batch = readout_batch(readout)  # a plate file that cannot be read or fitted is skipped
    for path, layout_path in zip(files, layouts, strict=True):
        shown = display_path(path, study)
        with batch.item(path, name=shown):
            reads, export = read_plate_file(path)
            if layout_path is not None:
                layout = read_layout(layout_path)
            elif export is not None:
                layout = export.layout
            else:  # the manifest lacks a parameter: stops the readout
                raise BatchStop(
                    "Expected params.layout for a plate file that is not a SoftMax export",
                    file=study.manifest_path,
                    field=f"readouts.{readout.id}.params.layout",
                )
            wells = apply_layout(reads, layout, plate_file=path, layout_file=layout_path)
            unknown = sorted(
                set(wells.loc[wells["type"] == "sample", "sample"].astype(str)) - known
            )
            if unknown:  # a mapping to fix, not a bad plate: stops the readout
                raise BatchStop(
                    "Expected the layout's sample names to be animal ids of the animals table (use "
                    f"type 'control' for kit QCs), but got {', '.join(unknown)}",
                    file=layout_path or path,
                    field="sample",
                )
            res = analyse_elisa(
                wells,
                model=p["model"],
                weights=p["weights"],
                out_of_range=p["out_of_range"],
                cv_limit=p["cv_limit"],
            )
            warnings += [f"{shown}: {w}" for w in res.warnings]
            for plate in res.curves:
                figures[f"Standard curve: {shown}, plate {plate}"] = plot_elisa(
                    res, plate=plate, unit=p["unit"]
                )
            for plate, fit in res.curves.items():
                curves[f"{shown} plate {plate}"] = {
                    "model": res.model,
                    "weights": res.weights,
                    "params": fit.params_,
                    "rse": fit.rse_,
                    "n_standards": fit.n_,
                    "lloq": res.limits[plate][0],
                    "uloq": res.limits[plate][1],
                    "blank": res.blanks[plate],
                }
            smp = res.samples[res.samples["type"] == "sample"].copy()
            first_row = (
                wells.groupby("sample")["source_row"].min() if "source_row" in wells else None
            )
            smp[C.ANIMAL_ID] = smp["sample"].astype(str)
            smp[ELISA.name] = smp["adjusted_concentration"]
            smp[C.SOURCE_FILE] = [path] * len(smp)
            smp[C.SOURCE_ROW] = (
                smp["sample"].map(first_row).fillna(1).astype(int) if first_row is not None else 1
            )
            per_animal.append(smp)
            for frame, bucket in (
                (wells, all_wells),
                (res.standards, all_std),
                (res.samples, all_samples),
            ):
                f = frame.copy()
                f[C.SOURCE_FILE] = shown
                bucket.append(f)
    batch.finish(what="plate files")

    table = pd.concat(per_animal, ignore_index=True)
    dup = table[C.ANIMAL_ID].duplicated()
    if dup.any():
        raise InputError(
            f"Expected each animal on one plate, but {table[C.ANIMAL_ID][dup].iloc[0]!r} appears "
            "twice across the readout's plates",
            file=table[C.SOURCE_FILE][dup].iloc[0],
            field="sample",
        )
    table = (
        table.rename(columns={ELISA.name: p["variable"]}) if p["variable"] != ELISA.name else table
    )
    spec = VariableSpec(
        p["variable"],
        f"{p['analyte']} (ELISA)" if p["analyte"] else ELISA.label,
        p["unit"],
        lower_is_better=p["lower_is_better"],
    )
    flagged = table[table["flag"] != "ok"]
    measurements = tidy_measurements(
        study, readout, animals, table[np.isfinite(table[spec.name].astype(float))], (spec,)
    )
    dropped = table.loc[~np.isfinite(table[spec.name].astype(float)), C.ANIMAL_ID].tolist()
    if dropped:
        warnings.append(f"no concentration for {', '.join(dropped)} (see the samples' flags)")
    warnings += missing_data_warning(readout, animals, measurements[C.ANIMAL_ID])
    return ReadoutData(
        measurements=measurements,
        details={
            "wells": pd.concat(all_wells, ignore_index=True),
            "standards": pd.concat(all_std, ignore_index=True),
            "samples": pd.concat(all_samples, ignore_index=True),
        },
        qc={
            "analyte": p["analyte"],
            "curves": curves,
            "n_flagged_samples": int(len(flagged)),
            "flagged": dict(zip(flagged[C.ANIMAL_ID], flagged["flag"], strict=True)),
            "method": f"{p['model'].upper()} standard curve, weights {p['weights']}; "
            "concentration = mean of replicate back-calculated concentrations x dilution",
        },
        warnings=warnings,
        variables=(spec,),
        figures=figures,
        skipped=batch.skipped,
    )


GRIESS_SAMPLE_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column("absorbance", "float", aliases=("od", "a540", "abs")),
    Column("dilution", "float", required=False, min=0),
    Column("protein_mg_ml", "float", required=False, min=0),
]
GRIESS_STANDARD_COLUMNS = [
    Column("concentration", "float", min=0, aliases=("nitrite_um", "concentration_um", "conc")),
    Column("absorbance", "float", aliases=("od", "a540", "abs")),
]


def load_griess(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Griess nitrite per animal; ``params``: ``standards`` (CSV), ``blank_absorbance`` (0),
    ``dilution`` (1), ``min_r2`` (0.98)."""
    p = readout_params(
        study,
        readout,
        {
            "standards": (str, REQUIRED),
            "blank_absorbance": (object, None),
            "dilution": (float, 1.0),
            "min_r2": (float, 0.98),
        },
    )
    std_path = param_file(study, readout, "standards", p["standards"], "standards file")
    standards = read_table(std_path, GRIESS_STANDARD_COLUMNS)
    blank = p["blank_absorbance"]
    if blank is not None and (isinstance(blank, bool) or not isinstance(blank, (int, float))):
        raise InputError(
            f"Expected a number, but got {blank!r}",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.blank_absorbance",
        )
    curve = fit_standard_curve(
        standards["concentration"].to_numpy(),
        standards["absorbance"].to_numpy(),
        blank_absorbance=float(blank or 0.0),
        min_r2=p["min_r2"],
        file=std_path,
    )
    batch = readout_batch(readout)  # a file that cannot be read is skipped, the others used
    table = read_readout_files(
        files,
        GRIESS_SAMPLE_COLUMNS,
        animals,
        lambda t, path: compute_griess_nitrite(t, curve, dilution=p["dilution"], file=path),
        [C.ANIMAL_ID],
        batch=batch,
        study=study,
    )
    variables = [GRIESS]
    if "nitrite_nmol_per_mg_protein" in table.columns:
        if table["nitrite_nmol_per_mg_protein"].isna().any():
            raise InputError(
                "Expected protein_mg_ml for every sample when any has it",
                file=files[0],
                field="protein_mg_ml",
            )
        variables.append(NITRITE_PER_PROTEIN)
    warnings = [str(flag) for flag in curve.flags]
    for flag, words in (("below_range", "below"), ("above_range", "above")):
        hit = table.loc[table["range_flag"] == flag, C.ANIMAL_ID]
        if len(hit):
            warnings.append(
                f"absorbance {words} the nitrite standards for "
                f"{', '.join(map(str, hit))} (extrapolated from the line, flagged)"
            )
    warnings += missing_data_warning(readout, animals, table[C.ANIMAL_ID])
    points = curve.points().rename(columns={"concentration_ug_ml": "concentration_um"})
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, table, tuple(variables)),
        details={"standards": points, "samples": details_frame(table, study)},
        qc={
            "standard_curve": {
                "slope": curve.slope,
                "intercept": curve.intercept,
                "r2": curve.r2,
                "n": curve.n,
                "flags": curve.flags,
            },
            "standards_file": display_path(std_path, study),
            "method": "Griess: linear NaNO2 standard curve, nitrite = (A - blank - intercept) / "
            "slope x dilution",
        },
        warnings=warnings,
        variables=tuple(variables),
        skipped=batch.skipped,
    )


VIABILITY_COLUMNS = [
    Column(C.ANIMAL_ID, "str", aliases=("culture_id", "culture")),
    Column("absorbance", "float", aliases=("od", "a570", "a450", "abs")),
]


def load_cell_viability(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """MTT / CCK-8 viability (% of control) per culture; ``params``: ``control_group``
    (required), ``blank_absorbance`` (0)."""
    p = readout_params(
        study, readout, {"control_group": (str, REQUIRED), "blank_absorbance": (object, 0.0)}
    )
    blank = p["blank_absorbance"]
    if isinstance(blank, bool) or not isinstance(blank, (int, float)):
        raise InputError(
            f"Expected a number, but got {blank!r}",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.blank_absorbance",
        )
    groups = set(animals[C.GROUP].astype(str))
    if p["control_group"] not in groups:
        raise InputError(
            f"Expected a group among {', '.join(sorted(groups))}, but got {p['control_group']!r}",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.control_group",
        )
    parts = []
    batch = readout_batch(readout)  # a plate table that cannot be read is skipped
    for path in files:
        read: list[pd.DataFrame] = []
        with batch.item(path, name=display_path(path, study)):
            read.append(read_table(path, VIABILITY_COLUMNS))
        if not read:
            continue
        t = read[0]
        check_animal_ids(t, animals, path)  # a mapping to fix: stops the readout
        t[C.SOURCE_FILE] = [path] * len(t)
        parts.append(t)
    batch.finish(what="plate files")
    wells = pd.concat(parts, ignore_index=True)
    wells["corrected"] = wells["absorbance"] - float(blank)
    per = wells.groupby(C.ANIMAL_ID, sort=False).agg(
        n_wells=("corrected", "size"),
        corrected=("corrected", "mean"),
        cv_pct=("absorbance", lambda a: 100 * a.std(ddof=1) / a.mean() if len(a) > 1 else np.nan),
        source_row=(C.SOURCE_ROW, "min"),
        source_file=(C.SOURCE_FILE, "first"),
    )
    per = per.reset_index()
    group_of = animals.set_index(C.ANIMAL_ID)[C.GROUP].astype(str)
    ctrl = per.loc[per[C.ANIMAL_ID].map(group_of) == p["control_group"], "corrected"]
    if ctrl.empty or not ctrl.mean() > 0:  # at or below the blank: % would flip sign
        got = "there are none" if ctrl.empty else f"they average {ctrl.mean():.4g} after it"
        raise InputError(
            f"Expected wells of control cultures ({p['control_group']}) with a signal above the "
            f"blank ({float(blank):g}), but {got}",
            file=files[0],
        )
    per[VIABILITY.name] = 100 * per["corrected"] / ctrl.mean()
    return ReadoutData(
        measurements=tidy_measurements(study, readout, animals, per, (VIABILITY,)),
        details={"wells": details_frame(wells, study), "cultures": details_frame(per, study)},
        qc={
            "control_group": p["control_group"],
            "blank_absorbance": float(blank),
            "experimental_unit": "culture (wells averaged within culture)",
            "method": "viability = 100 x (mean A - blank) / mean over control cultures",
        },
        warnings=missing_data_warning(readout, animals, per[C.ANIMAL_ID]),
        skipped=batch.skipped,
    )


register(
    ReadoutType(
        name="elisa",
        title="ELISA",
        variables=(ELISA,),
        load=load_elisa,
        description="4PL/5PL standard curve; dilution-adjusted concentration per animal.",
    )
)
register(
    ReadoutType(
        name="griess",
        title="Nitrite (Griess)",
        variables=(GRIESS, NITRITE_PER_PROTEIN),
        load=load_griess,
        description="Griess reaction: linear nitrite standard curve, µM and nmol/mg protein.",
    )
)
register(
    ReadoutType(
        name="cell_viability",
        title="Cell viability (MTT/CCK-8)",
        variables=(VIABILITY,),
        load=load_cell_viability,
        description="Blank-corrected absorbance as % of the control cultures.",
    )
)

"""Readout types of the in vitro plate assays: ``ros_fluorescence``, ``mitochondrial_potential``,
``atp_luminescence``, ``caspase3_activity`` and ``ldh_release``.

``study.yaml`` entries (one plate file per plate; ``layout`` one CSV for all or one per file,
optional for SoftMax Pro exports)::

    - {id: ros, type: ros_fluorescence, files: [ros_plate.csv],
       params: {layout: ros_layout.csv, control_group: normoxia, normalise_by: protein_mg}}
    - {id: mmp, type: mitochondrial_potential, files: [jc1_red.csv],
       params: {probe: jc1, green: jc1_green.csv, layout: jc1_layout.csv,
                control_group: normoxia, depolarised: FCCP}}
    - {id: atp, type: atp_luminescence, files: [atp_plate.csv],
       params: {layout: atp_layout.csv, control_group: normoxia}}
    - {id: casp3, type: caspase3_activity, files: [casp3_plate.csv],
       params: {layout: casp3_layout.csv, incubation_h: 2, reaction_volume_ul: 100,
                substrate: pna, control_group: normoxia}}
    - {id: ldh, type: ldh_release, files: [ldh_plate.csv], params: {layout: ldh_layout.csv}}

The experimental unit is the *culture* (an independently treated preparation) listed in the
animals table (for an in vitro study, the cultures table) with its group: the layout's
``sample`` names of ``type: sample`` wells are those ids; its replicate wells are technical
replicates and are averaged first. Kit controls (LDH spontaneous/maximum release, FCCP) are
``type: control`` wells. Every plate is computed against its own blank, standards and control
cultures. Per-sample quantities (``protein_mg``, ``protein_mg_ml``, ``cell_count``) are layout
columns. ``saturation`` (the reader's ceiling) leaves out wells at or above it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.assays.invitro import analyse_atp, analyse_caspase3, analyse_ldh, analyse_ros
from neuroprotect.assays.mito_potential import analyse_mitochondrial_potential
from neuroprotect.assays.plate_assay import PlateAssayResult, curve_qc
from neuroprotect.assays.plates import apply_layout, read_layout, read_plate_file
from neuroprotect.design.plate_layout import edge_sample_wells
from neuroprotect.errors import InputError
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Study
from neuroprotect.workflows.assay_readouts import _layouts
from neuroprotect.workflows.readouts import ReadoutData, ReadoutType, VariableSpec, register
from neuroprotect.workflows.table_io import (
    REQUIRED,
    display_path,
    missing_data_warning,
    readout_params,
    tidy_measurements,
)

__all__ = ["ATP_PCT", "CASPASE3", "CYTOTOXICITY", "MMP", "ROS"]

ROS = VariableSpec("ros_pct_of_control", "ROS (DCF fluorescence)", "% of control")
MMP = VariableSpec(
    "mmp_pct_of_control", "Mitochondrial membrane potential", "% of control", lower_is_better=False
)
ATP = VariableSpec("atp_nmol_per_mg_protein", "ATP", "nmol/mg protein", lower_is_better=False)
ATP_UM = VariableSpec("atp_um", "ATP", "µM", lower_is_better=False)
ATP_PCT = VariableSpec("atp_pct_of_control", "ATP", "% of control", lower_is_better=False)
CASPASE3 = VariableSpec("caspase3_nmol_h_mg", "Caspase-3 activity", "nmol/h/mg protein")
CASPASE3_WELL = VariableSpec("caspase3_nmol_h", "Caspase-3 activity", "nmol/h per well")
CASPASE3_FOLD = VariableSpec("caspase3_fold_of_control", "Caspase-3 activity", "fold of control")
CYTOTOXICITY = VariableSpec("cytotoxicity_pct", "LDH release (cytotoxicity)", "%")

Analyse = Callable[[pd.DataFrame, Path, dict[str, Any], dict[str, str]], PlateAssayResult]

COMMON = {"layout": (object, None), "saturation": (float, None)}


def _plate_wells(
    study: Study, path: Path, layout_path: Path | None, readout: Readout
) -> pd.DataFrame:
    reads, export = read_plate_file(path)
    if layout_path is not None:
        layout = read_layout(layout_path)
    elif export is not None:
        layout = export.layout
    else:
        raise InputError(
            "Expected params.layout for a plate file that is not a SoftMax export",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.params.layout",
        )
    return apply_layout(reads, layout, plate_file=path, layout_file=layout_path)


def _check_samples(wells: pd.DataFrame, known: set[str], where: Path) -> None:
    unknown = sorted(set(wells.loc[wells["type"] == "sample", "sample"].astype(str)) - known)
    if unknown:
        raise InputError(
            "Expected the layout's sample names to be culture ids of the animals/cultures table "
            f"(use type 'control' for kit controls), but got {', '.join(unknown)}",
            file=where,
            field="sample",
        )


def load_plate_readout(
    study: Study,
    readout: Readout,
    files: list[Path],
    animals: pd.DataFrame,
    *,
    params: dict[str, Any],
    analyse: Analyse,
    variables: Callable[[pd.DataFrame], tuple[VariableSpec, ...]],
) -> ReadoutData:
    """Read each plate with its layout, run ``analyse`` on it and stack the cultures' values."""
    layouts = _layouts(study, readout, params["layout"], len(files))
    known = set(animals[C.ANIMAL_ID].astype(str))
    groups = dict(zip(animals[C.ANIMAL_ID].astype(str), animals[C.GROUP].astype(str), strict=True))
    parts, wells_all, warnings = [], [], []
    curves: dict[str, Any] = {}
    qc_plates: dict[str, Any] = {}
    method = ""
    for path, layout_path in zip(files, layouts, strict=True):
        wells = _plate_wells(study, path, layout_path, readout)
        _check_samples(wells, known, layout_path or path)
        res = analyse(wells, path, params, groups)
        shown = display_path(path, study)
        warnings += [f"{shown}: {w}" for w in res.warnings]
        edge = edge_sample_wells(wells)
        if edge:
            warnings.append(
                f"{shown}: {len(edge)} sample well(s) on the plate edge ({', '.join(edge[:8])}"
                f"{', ...' if len(edge) > 8 else ''}): edge wells evaporate faster; check them, or "
                "lay out plates with `neuroprotect design randomize --edges avoid`"
            )
        method = res.method
        curves.update({f"{shown} plate {p}": curve_qc(c) for p, c in res.curves.items()})
        qc_plates[shown] = {"blanks": res.blanks, **res.qc, "edge_sample_wells": edge}
        smp = res.samples[res.samples["type"] == "sample"].copy()
        first_row = wells.groupby("sample")["source_row"].min()
        smp[C.ANIMAL_ID] = smp["sample"].astype(str)
        smp[C.SOURCE_FILE] = [path] * len(smp)
        smp[C.SOURCE_ROW] = smp["sample"].map(first_row).fillna(1).astype(int)
        parts.append(smp)
        w = res.wells.copy()
        w[C.SOURCE_FILE] = shown
        wells_all.append(w)
    table = pd.concat(parts, ignore_index=True)
    dup = table[C.ANIMAL_ID].duplicated()
    if dup.any():
        raise InputError(
            f"Expected each culture on one plate, but {table[C.ANIMAL_ID][dup].iloc[0]!r} appears "
            "twice across the readout's plates",
            file=table[C.SOURCE_FILE][dup].iloc[0],
            field="sample",
        )
    specs = variables(table)
    keep = np.isfinite(table[specs[0].name].astype(float))
    measurements = tidy_measurements(study, readout, animals, table[keep], specs)
    warnings += missing_data_warning(readout, animals, measurements[C.ANIMAL_ID])
    cultures = table.copy()
    cultures[C.SOURCE_FILE] = [display_path(p, study) for p in cultures[C.SOURCE_FILE]]
    qc: dict[str, Any] = {
        "method": method,
        "plates": qc_plates,
        "experimental_unit": "culture (wells averaged within culture)",
    }
    if curves:
        qc["curves"] = curves
    return ReadoutData(
        measurements=measurements,
        details={"wells": pd.concat(wells_all, ignore_index=True), "cultures": cultures},
        qc=qc,
        warnings=warnings,
        variables=specs,
    )


def _loader(
    spec: dict[str, tuple[type, Any]],
    analyse: Analyse,
    variables: Callable[[pd.DataFrame, dict[str, Any]], tuple[VariableSpec, ...]],
    check: Callable[[Study, Readout, dict[str, Any]], None] | None = None,
) -> Callable[[Study, Readout, list[Path], pd.DataFrame], ReadoutData]:
    def load(
        study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
    ) -> ReadoutData:
        p = readout_params(study, readout, {**COMMON, **spec})
        if check is not None:
            check(study, readout, p)
        return load_plate_readout(
            study,
            readout,
            files,
            animals,
            params=p,
            analyse=analyse,
            variables=lambda t: variables(t, p),
        )

    return load


def _choice(
    name: str, allowed: tuple[str, ...]
) -> Callable[[Study, Readout, dict[str, Any]], None]:
    def check(study: Study, readout: Readout, p: dict[str, Any]) -> None:
        if p[name] is not None and p[name] not in allowed:
            raise InputError(
                f"Expected one of {', '.join(allowed)}, but got {p[name]!r}",
                file=study.manifest_path,
                field=f"readouts.{readout.id}.params.{name}",
            )

    return check


def _ros(
    w: pd.DataFrame, path: Path, p: dict[str, Any], groups: dict[str, str]
) -> PlateAssayResult:
    return analyse_ros(
        w,
        control=p["control_group"],
        groups=groups,
        normalise_by=p["normalise_by"],
        saturation=p["saturation"],
        file=path,
    )


def _green_files(study: Study, readout: Readout, value: Any, n: int) -> list[Path]:
    field = f"readouts.{readout.id}.params.green"
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or len(names) != n or not all(isinstance(v, str) for v in names):
        raise InputError(
            f"Expected params.green: one green (530 nm) plate file per red plate file ({n}), "
            f"but got {value!r}",
            file=study.manifest_path,
            field=field,
        )
    paths = [study.resolve(v) for v in names]
    for path in paths:
        if not path.is_file():
            raise InputError(
                f"Expected an existing green plate file, but {str(path)!r} does not exist",
                file=study.manifest_path,
                field=field,
            )
    return paths


def load_mitochondrial_potential(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """JC-1 ratio or TMRM intensity, % of control per culture; ``params``: ``probe`` (jc1),
    ``green`` (JC-1: green plate file(s), one per red file), ``layout``, ``control_group``,
    ``depolarised`` (FCCP), ``saturation``."""
    spec = {
        "probe": (str, "jc1"),
        "green": (object, None),
        "control_group": (str, REQUIRED),
        "depolarised": (str, "FCCP"),
    }
    p = readout_params(study, readout, {**COMMON, **spec})
    _choice("probe", ("jc1", "tmrm"))(study, readout, p)
    greens: dict[Path, Path] = {}
    if p["probe"] == "jc1":
        greens = dict(zip(files, _green_files(study, readout, p["green"], len(files)), strict=True))
    layouts = dict(zip(files, _layouts(study, readout, p["layout"], len(files)), strict=True))

    def analyse(
        w: pd.DataFrame, path: Path, q: dict[str, Any], groups: dict[str, str]
    ) -> PlateAssayResult:
        green = _plate_wells(study, greens[path], layouts[path], readout) if greens else None
        return analyse_mitochondrial_potential(
            w,
            green,
            probe=q["probe"],
            control=q["control_group"],
            depolarised=q["depolarised"],
            groups=groups,
            saturation=q["saturation"],
            file=path,
        )

    return load_plate_readout(
        study, readout, files, animals, params=p, analyse=analyse, variables=lambda t: (MMP,)
    )


def _atp(
    w: pd.DataFrame, path: Path, p: dict[str, Any], groups: dict[str, str]
) -> PlateAssayResult:
    return analyse_atp(
        w,
        control=p["control_group"],
        groups=groups,
        saturation=p["saturation"],
        min_r2=p["min_r2"],
        file=path,
    )


def _atp_variables(t: pd.DataFrame, p: dict[str, Any]) -> tuple[VariableSpec, ...]:
    first = (
        (ATP,)
        if "atp_nmol_per_mg_protein" in t.columns
        else (ATP_UM,)
        if "atp_um" in t.columns
        else ()
    )
    return first + ((ATP_PCT,) if "atp_pct_of_control" in t.columns else ())


def _caspase3(
    w: pd.DataFrame, path: Path, p: dict[str, Any], groups: dict[str, str]
) -> PlateAssayResult:
    return analyse_caspase3(
        w,
        incubation_h=p["incubation_h"],
        reaction_volume_ul=p["reaction_volume_ul"],
        substrate=p["substrate"],
        control=p["control_group"],
        groups=groups,
        saturation=p["saturation"],
        min_r2=p["min_r2"],
        file=path,
    )


def _caspase3_variables(t: pd.DataFrame, p: dict[str, Any]) -> tuple[VariableSpec, ...]:
    first = CASPASE3 if CASPASE3.name in t.columns else CASPASE3_WELL
    return (first,) + ((CASPASE3_FOLD,) if CASPASE3_FOLD.name in t.columns else ())


def _ldh(
    w: pd.DataFrame, path: Path, p: dict[str, Any], groups: dict[str, str]
) -> PlateAssayResult:
    return analyse_ldh(
        w,
        spontaneous=p["spontaneous"],
        maximum=p["maximum"],
        volume_correction=p["volume_correction"],
        groups=groups,
        saturation=p["saturation"],
        file=path,
    )


register(
    ReadoutType(
        name="ros_fluorescence",
        title="ROS (DCFH-DA)",
        variables=(ROS,),
        load=_loader(
            {"control_group": (str, REQUIRED), "normalise_by": (str, None)},
            _ros,
            lambda t, p: (ROS,),
            _choice("normalise_by", ("protein_mg", "protein_mg_ml", "cell_count")),
        ),
        description="DCF fluorescence, blank-corrected (optionally per protein or cells), % of control.",
    )
)
register(
    ReadoutType(
        name="mitochondrial_potential",
        title="Mitochondrial membrane potential (JC-1/TMRM)",
        variables=(MMP,),
        load=load_mitochondrial_potential,
        description="JC-1 red/green ratio or TMRM intensity, % of control; FCCP/CCCP control checked.",
    )
)
register(
    ReadoutType(
        name="atp_luminescence",
        title="ATP (luminescence)",
        variables=(ATP, ATP_UM, ATP_PCT),
        load=_loader({"control_group": (str, None), "min_r2": (float, 0.98)}, _atp, _atp_variables),
        description="ATP standard curve -> µM and nmol/mg protein; % of control.",
    )
)
register(
    ReadoutType(
        name="caspase3_activity",
        title="Caspase-3 activity (Ac-DEVD-pNA/AMC)",
        variables=(CASPASE3, CASPASE3_WELL, CASPASE3_FOLD),
        load=_loader(
            {
                "incubation_h": (float, REQUIRED),
                "reaction_volume_ul": (float, 100.0),
                "substrate": (str, "pna"),
                "control_group": (str, None),
                "min_r2": (float, 0.98),
            },
            _caspase3,
            _caspase3_variables,
            _choice("substrate", ("pna", "amc")),
        ),
        description="pNA/AMC standard curve -> nmol/h/mg protein; fold of control.",
    )
)
register(
    ReadoutType(
        name="ldh_release",
        title="LDH release (cytotoxicity)",
        variables=(CYTOTOXICITY,),
        load=_loader(
            {
                "spontaneous": (str, "spontaneous"),
                "maximum": (str, "maximum"),
                "volume_correction": (str, None),
            },
            _ldh,
            lambda t, p: (CYTOTOXICITY,),
        ),
        description="% cytotoxicity = 100 x (E - S) / (M - S) from spontaneous/maximum release.",
    )
)

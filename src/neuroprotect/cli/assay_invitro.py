"""``neuroprotect assay ros | mito-potential | atp | caspase3 | ldh | nos``: in vitro plate assays
and NOS activity.

The plate commands read one plate file (SoftMax Pro text, grid CSV or long CSV) with its layout
CSV (``well, type, sample, concentration, dilution, masked`` plus optional ``group``,
``protein_mg``, ``protein_mg_ml``, ``cell_count``). ``--control`` names the group that is 100 %:
the layout's ``group`` column, or the sample names when it has none.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from neuroprotect.cli._common import format_cell, print_json, user_errors
from neuroprotect.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


app = typer.Typer(
    help="In vitro plate assays and NOS activity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PLATE_HELP = "Plate file: SoftMax Pro .txt, grid CSV or long CSV (well, value)."
LAYOUT_HELP = (
    "Layout CSV (well, type, sample, concentration, dilution, masked[, group, protein_mg, "
    "protein_mg_ml, cell_count]); optional for SoftMax exports."
)
SATURATION_HELP = "Reader ceiling: wells at or above it are left out (e.g. 65535)."
JSON_HELP = "Print JSON."


class Probe(StrEnum):
    jc1 = "jc1"
    tmrm = "tmrm"


class Substrate(StrEnum):
    pna = "pna"
    amc = "amc"


class NosMethod(StrEnum):
    citrulline = "citrulline"
    nox = "nox"


def _wells(plate: Path, layout: Path | None) -> pd.DataFrame:
    from neuroprotect.assays.plates import apply_layout, read_layout, read_plate_file

    reads, export = read_plate_file(plate)
    if layout is not None:
        lay = read_layout(layout)
    elif export is not None:
        lay = export.layout
    else:
        raise InputError(
            "Expected --layout LAYOUT.csv for a plate file that is not a SoftMax export",
            file=plate,
        )
    return apply_layout(reads, lay, plate_file=plate, layout_file=layout)


def _result_json(res: Any, columns: list[str]) -> dict[str, Any]:
    from neuroprotect.assays.plate_assay import curve_qc
    from neuroprotect.stats.result import records

    base = ["plate", "type", "sample", "group", "n_wells", "mean_signal", "cv_pct"]
    cols = base + [c for c in columns if c in res.samples.columns]
    return {
        "method": res.method,
        "blanks": {str(k): v for k, v in res.blanks.items()},
        "curves": {str(k): curve_qc(c) for k, c in res.curves.items()},
        "qc": res.qc,
        "samples": records(res.samples, cols),
        "warnings": res.warnings,
    }


def _show(out: dict[str, Any], value: str, unit: str, as_json: bool) -> None:
    if as_json:
        print_json(out)
        return
    for w in out["warnings"]:
        typer.echo(f"warning: {w}", err=True)
    typer.echo(out["method"])
    for plate, c in out["curves"].items():
        typer.echo(
            f"plate {plate}: signal = {format_cell(c['slope'], digits=6)} x C + "
            f"{format_cell(c['intercept'], digits=6)}, R² = {format_cell(c['r2'], digits=4)}"
        )
    typer.echo(f"sample (group): {value} [{unit}], wells, CV %")
    for s in out["samples"]:
        typer.echo(
            f"  {s['sample']} ({s['group']}, {s['type']}): {format_cell(s.get(value), digits=6)}, "
            f"{s['n_wells']}, {format_cell(s['cv_pct'])}"
        )


@app.command("ros")
def ros(
    plate: Path = typer.Argument(..., help=PLATE_HELP),
    layout: Path | None = typer.Option(None, "--layout", help=LAYOUT_HELP),
    control: str = typer.Option(..., "--control", help="Control group (= 100 %)."),
    normalise_by: str | None = typer.Option(
        None,
        "--normalise-by",
        help="Layout column to divide by: protein_mg, protein_mg_ml, cell_count.",
    ),
    saturation: float | None = typer.Option(None, "--saturation", help=SATURATION_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """DCFH-DA ROS: blank-corrected RFU (optionally per protein or cells) as % of control.

    Example: neuroprotect assay ros dcf_plate.csv --layout layout.csv --control normoxia
    """
    from neuroprotect.assays.invitro import analyse_ros

    with user_errors():
        res = analyse_ros(
            _wells(plate, layout),
            control=control,
            normalise_by=normalise_by,
            saturation=saturation,
            file=plate,
        )
    out = _result_json(res, ["blank", "corrected", "ros_rfu", "ros_pct_of_control"])
    _show(out, "ros_pct_of_control", "% of control", as_json)


@app.command("mito-potential")
def mito_potential(
    plate: Path = typer.Argument(..., help="JC-1 red (590 nm) or TMRM plate file."),
    green: Path | None = typer.Option(None, "--green", help="JC-1: the green (530 nm) plate file."),
    layout: Path | None = typer.Option(None, "--layout", help=LAYOUT_HELP),
    probe: Probe = typer.Option(Probe.jc1, "--probe", help="jc1 or tmrm."),
    control: str = typer.Option(..., "--control", help="Control group (= 100 %)."),
    depolarised: str = typer.Option(
        "FCCP", "--depolarised", help="Sample name of the FCCP/CCCP control wells (type control)."
    ),
    saturation: float | None = typer.Option(None, "--saturation", help=SATURATION_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Mitochondrial membrane potential: JC-1 red/green ratio or TMRM intensity, % of control.

    Example: neuroprotect assay mito-potential red.csv --green green.csv --layout layout.csv
    --control normoxia
    """
    from neuroprotect.assays.mito_potential import analyse_mitochondrial_potential

    with user_errors():
        red = _wells(plate, layout)
        grn = _wells(green, layout) if green is not None else None
        res = analyse_mitochondrial_potential(
            red,
            grn,
            probe=probe.value,
            control=control,
            depolarised=depolarised,
            saturation=saturation,
            file=plate,
        )
    out = _result_json(res, ["mmp", "mmp_pct_of_control"])
    _show(out, "mmp_pct_of_control", "% of control", as_json)


@app.command("atp")
def atp(
    plate: Path = typer.Argument(..., help=PLATE_HELP),
    layout: Path | None = typer.Option(None, "--layout", help=LAYOUT_HELP),
    control: str | None = typer.Option(None, "--control", help="Control group (= 100 %)."),
    saturation: float | None = typer.Option(None, "--saturation", help=SATURATION_HELP),
    min_r2: float = typer.Option(0.98, "--min-r2", help="Flag a standard curve below this R²."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """ATP luminescence: standard curve -> µM ATP, nmol/mg protein, % of control.

    nmol/mg protein needs the layout column protein_mg_ml (the lysate's protein).

    Example: neuroprotect assay atp atp_plate.csv --layout layout.csv --control normoxia
    """
    from neuroprotect.assays.invitro import analyse_atp

    with user_errors():
        res = analyse_atp(
            _wells(plate, layout), control=control, saturation=saturation, min_r2=min_r2, file=plate
        )
    cols = ["blank", "corrected", "atp_um", "range_flag", "atp_nmol_per_mg_protein"]
    out = _result_json(res, [*cols, "atp_pct_of_control"])
    value = "atp_nmol_per_mg_protein" if "atp_nmol_per_mg_protein" in res.samples else "atp_um"
    if value not in res.samples:
        value = "atp_pct_of_control"
    _show(out, value, value.rsplit("_", 1)[-1], as_json)


@app.command("caspase3")
def caspase3(
    plate: Path = typer.Argument(..., help=PLATE_HELP),
    layout: Path | None = typer.Option(None, "--layout", help=LAYOUT_HELP),
    incubation_h: float = typer.Option(..., "--incubation-h", help="Reaction time (h)."),
    volume_ul: float = typer.Option(100.0, "--volume-ul", help="Reaction volume per well (µL)."),
    substrate: Substrate = typer.Option(Substrate.pna, "--substrate", help="pna or amc."),
    control: str | None = typer.Option(None, "--control", help="Control group (= fold 1)."),
    saturation: float | None = typer.Option(None, "--saturation", help=SATURATION_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Caspase-3 activity (Ac-DEVD-pNA/AMC): nmol/h/mg protein and fold of control.

    The pNA/AMC standard curve gives the product released; per mg protein needs the layout
    column protein_mg (mg lysate protein in the well).

    Example: neuroprotect assay caspase3 casp_plate.csv --layout layout.csv --incubation-h 2
    """
    from neuroprotect.assays.invitro import analyse_caspase3

    with user_errors():
        res = analyse_caspase3(
            _wells(plate, layout),
            incubation_h=incubation_h,
            reaction_volume_ul=volume_ul,
            substrate=substrate.value,
            control=control,
            saturation=saturation,
            file=plate,
        )
    activity = res.qc["activity_column"]
    cols = ["blank", "product_um", "product_nmol", "range_flag", activity]
    out = _result_json(res, [*cols, "caspase3_fold_of_control"])
    _show(out, activity, "nmol/h/mg" if activity.endswith("_mg") else "nmol/h", as_json)


@app.command("ldh")
def ldh(
    plate: Path = typer.Argument(..., help=PLATE_HELP),
    layout: Path | None = typer.Option(None, "--layout", help=LAYOUT_HELP),
    spontaneous: str = typer.Option("spontaneous", "--spontaneous", help="Control wells' name."),
    maximum: str = typer.Option("maximum", "--maximum", help="Maximum-release wells' name."),
    volume_correction: str | None = typer.Option(
        None, "--volume-correction", help="Medium + lysis solution wells' name (optional)."
    ),
    saturation: float | None = typer.Option(None, "--saturation", help=SATURATION_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """LDH release: % cytotoxicity = 100 x (E - S) / (M - S) from the plate's controls.

    Example: neuroprotect assay ldh ldh_plate.csv --layout layout.csv
    """
    from neuroprotect.assays.invitro import analyse_ldh

    with user_errors():
        res = analyse_ldh(
            _wells(plate, layout),
            spontaneous=spontaneous,
            maximum=maximum,
            volume_correction=volume_correction,
            saturation=saturation,
            file=plate,
        )
    out = _result_json(res, ["blank", "corrected", "cytotoxicity_pct"])
    _show(out, "cytotoxicity_pct", "%", as_json)


@app.command("nos")
def nos(
    table: Path = typer.Argument(
        ...,
        help="citrulline: sample, condition (complete | l-name | egta), cpm, protein_mg; "
        "nox: sample, absorbance_total[, absorbance_nitrite, dilution, protein_mg_ml].",
    ),
    method: NosMethod = typer.Option(NosMethod.citrulline, "--method", help="citrulline or nox."),
    specific_activity: float | None = typer.Option(
        None, "--specific-activity", help="citrulline: cpm per pmol L-arginine."
    ),
    total_cpm: float | None = typer.Option(
        None, "--total-cpm", help="citrulline: cpm added per tube."
    ),
    arginine_pmol: float | None = typer.Option(
        None,
        "--arginine-pmol",
        help="citrulline: pmol L-arginine per tube (labelled + unlabelled).",
    ),
    incubation_min: float | None = typer.Option(
        None, "--incubation-min", help="citrulline: minutes."
    ),
    standards: Path | None = typer.Option(
        None, "--standards", help="nox: nitrate standards CSV (concentration µM, absorbance)."
    ),
    blank: float = typer.Option(0.0, "--blank", help="nox: reagent-blank absorbance."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """NOS activity: L-[3H]citrulline formation or total NOx (nitrate reduction + Griess).

    citrulline: pmol/min/mg protein, each sample's L-NAME/EGTA tubes as its blank; nox: µM and
    nmol/mg protein (with protein_mg_ml), nitrate = NOx - nitrite (with absorbance_nitrite).

    Example: neuroprotect assay nos counts.csv --total-cpm 100000 --arginine-pmol 500
    --incubation-min 15
    """
    from neuroprotect.assays.colorimetric import fit_standard_curve
    from neuroprotect.assays.nos import (
        compute_citrulline_activity,
        compute_nox,
    )
    from neuroprotect.assays.nos import (
        specific_activity as sa_of,
    )
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.result import records

    sample = Column("sample", "str", aliases=("animal_id", "sample_id"))
    with user_errors():
        if method == NosMethod.citrulline:
            if specific_activity is None:
                if total_cpm is None or arginine_pmol is None:
                    raise InputError(
                        "Expected --specific-activity, or --total-cpm and --arginine-pmol"
                    )
                specific_activity = sa_of(total_cpm, arginine_pmol)
            if incubation_min is None:
                raise InputError("Expected --incubation-min for the citrulline assay")
            tubes = read_table(
                table,
                [
                    sample,
                    Column("condition", "str"),
                    Column("cpm", min=0),
                    Column("protein_mg", required=False, allow_missing=True, min=0),
                ],
            )
            res = compute_citrulline_activity(
                tubes,
                specific_activity_cpm_per_pmol=specific_activity,
                incubation_min=incubation_min,
                file=table,
            )
            out: dict[str, Any] = {
                "method": "citrulline",
                "specific_activity_cpm_per_pmol": specific_activity,
                "samples": records(res),
            }
            value, unit = "nos_activity_pmol_min_mg", "pmol/min/mg protein"
        else:
            if standards is None:
                raise InputError("Expected --standards NITRATE_STANDARDS.csv for the NOx method")
            std = read_table(
                standards,
                [
                    Column("concentration", min=0, aliases=("nitrate_um", "conc")),
                    Column("absorbance"),
                ],
            )
            curve = fit_standard_curve(
                std["concentration"], std["absorbance"], blank_absorbance=blank, file=standards
            )
            data = read_table(
                table,
                [
                    sample,
                    Column("absorbance_total"),
                    Column("absorbance_nitrite", required=False),
                    Column("dilution", required=False, min=0),
                    Column("protein_mg_ml", required=False, min=0),
                ],
            )
            res = compute_nox(data, curve, file=table)
            out = {
                "method": "nox",
                "standard_curve": {
                    "slope": curve.slope,
                    "intercept": curve.intercept,
                    "r2": curve.r2,
                    "n": curve.n,
                },
                "samples": records(res.drop(columns=["source_row"], errors="ignore")),
            }
            value, unit = "nox_um", "µM"
    if as_json:
        print_json(out)
        return
    typer.echo(f"sample: {value} [{unit}]")
    for row in out["samples"]:
        typer.echo(f"  {row['sample']}: {format_cell(row[value], digits=6)}")

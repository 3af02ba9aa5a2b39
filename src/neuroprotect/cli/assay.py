"""``neuroprotect assay elisa | binding | viability | griess``: bench assays from plate files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import format_cell, in_file, print_json, save_figure, user_errors
from neuroprotect.errors import InputError

app = typer.Typer(
    help="ELISA, binding, Griess, NOS, qPCR, western; viability, ROS, ATP, LDH.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class CurveModel(StrEnum):
    four = "4pl"
    five = "5pl"


class CurveWeights(StrEnum):
    none = "none"
    inv_y2 = "1/y2"


class BindingModel(StrEnum):
    ll4 = "ll4"
    ll3 = "ll3"


def _fmt(value: Any) -> str:
    return format_cell(value, digits=6)


@app.command("elisa")
def elisa(
    plate: Path = typer.Argument(..., help="Plate file: SoftMax Pro .txt, grid CSV or long CSV."),
    layout: Path | None = typer.Option(
        None,
        "--layout",
        help="Layout CSV (well, type, sample, concentration, dilution, masked[, plate]). "
        "Optional for SoftMax exports, whose own groups are used.",
    ),
    model: CurveModel = typer.Option(CurveModel.four, "--model", help="4pl or 5pl."),
    weights: CurveWeights = typer.Option(CurveWeights.none, "--weights", help="none or 1/y2."),
    censor: bool = typer.Option(
        False, "--censor", help="Report NaN instead of flagged values outside LLOQ-ULOQ."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the curve figure (PNG/SVG/PDF)."),
) -> None:
    """Fit the standard curve (4PL/5PL), back-calculate standards and read the unknowns."""
    from neuroprotect.assays.elisa import analyse_elisa, plot_elisa, result_json
    from neuroprotect.assays.plates import apply_layout, read_layout, read_plate_file

    with user_errors():
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
        wells = apply_layout(reads, lay, plate_file=plate, layout_file=layout)
        res = analyse_elisa(
            wells,
            model=model.value,
            weights=weights.value,
            out_of_range="censor" if censor else "flag",
        )
    out = result_json(res)
    if plot is not None:
        save_figure(plot_elisa(res), plot)
    if as_json:
        print_json(out)
        return
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)
    for curve in out["curves"]:
        params = ", ".join(f"{k} = {_fmt(v)}" for k, v in curve["params"].items())
        typer.echo(
            f"plate {curve['plate']}: {res.model.upper()} {params} (RSE {_fmt(curve['rse'])})"
        )
    typer.echo("standards: sample, nominal, back-calculated, recovery %")
    for s in out["standards"]:
        typer.echo(
            f"  {s['sample']}: {_fmt(s['concentration'])}, {_fmt(s['back_calculated'])}, "
            f"{_fmt(s['recovery_pct'])}"
        )
    typer.echo("samples: sample, mean signal, concentration, x dilution = adjusted, CV %, flag")
    for s in out["samples"]:
        typer.echo(
            f"  {s['sample']}: {_fmt(s['mean_signal'])}, {_fmt(s['concentration'])}, "
            f"x{_fmt(s['dilution'])} = {_fmt(s['adjusted_concentration'])}, {_fmt(s['cv_pct'])}, "
            f"{s['flag']}"
        )


@app.command("binding")
def binding(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX, one row per tube/well."),
    concentration: str = typer.Option(
        "concentration", "--concentration", help="Competitor (or radioligand) concentration."
    ),
    bound: str | None = typer.Option(
        None, "--bound", help="Bound radioligand column (competition) or specific binding."
    ),
    saturation: bool = typer.Option(
        False, "--saturation", help="Saturation binding (Kd, Bmax) instead of competition."
    ),
    total: str | None = typer.Option(None, "--total", help="Total binding column (saturation)."),
    nonspecific: str | None = typer.Option(
        None, "--nonspecific", help="Nonspecific binding column (saturation)."
    ),
    radioligand_conc: float | None = typer.Option(
        None, "--radioligand-conc", help="Radioligand concentration [L] for Cheng-Prusoff."
    ),
    kd: float | None = typer.Option(None, "--kd", help="Radioligand Kd (unit of [L])."),
    model: BindingModel = typer.Option(BindingModel.ll4, "--model", help="ll4 or ll3."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Competition binding (IC50, Cheng-Prusoff Ki) or saturation binding (Kd, Bmax)."""
    from neuroprotect.assays.binding import (
        SaturationBindingFitter,
        analyse_competition_binding,
        specific_binding,
    )
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.result import records

    with user_errors():
        if saturation:
            if total is not None and nonspecific is not None:
                cols = [Column(concentration, min=0), Column(total), Column(nonspecific)]
                data = read_table(table, cols)
                try:
                    spec = specific_binding(
                        data, concentration=concentration, total=total, nonspecific=nonspecific
                    )
                except InputError as exc:
                    raise in_file(exc, table, data) from None
            elif bound is not None:
                data = read_table(table, [Column(concentration, min=0), Column(bound)])
                spec = data.rename(columns={concentration: "concentration", bound: "specific"})
            else:
                raise InputError(
                    "Expected --bound (specific binding) or both --total and --nonspecific"
                )
            try:
                fit = SaturationBindingFitter().fit(spec["concentration"], spec["specific"])
            except InputError as exc:
                raise in_file(exc, table, spec) from None
            out: dict[str, Any] = {
                "model": "one-site specific binding",
                "params": fit.params_,
                "summary": records(fit.summary),
                "n": fit.n_,
                "rse": fit.rse_,
            }
        else:
            if bound is None:
                raise InputError("Expected --bound COLUMN for a competition curve")
            data = read_table(table, [Column(concentration, min=0), Column(bound)])
            try:
                res = analyse_competition_binding(
                    data[concentration].to_numpy(),
                    data[bound].to_numpy(),
                    radioligand_conc=radioligand_conc,
                    kd=kd,
                    model=model.value,
                )
            except InputError as exc:
                raise in_file(exc, table, data) from None
            out = res.to_dict()
    if as_json:
        print_json(out)
        return
    if saturation:
        typer.echo(f"Bmax = {_fmt(out['params']['bmax'])}, Kd = {_fmt(out['params']['kd'])}")
        for row in out["summary"]:
            typer.echo(
                f"  {row['param']}: {_fmt(row['estimate'])} (SE {_fmt(row['se'])}; 95% CI "
                f"{_fmt(row['ci_low'])} to {_fmt(row['ci_high'])})"
            )
        return
    typer.echo(
        f"IC50 = {_fmt(out['ic50'])} (SE {_fmt(out['ic50_se'])}; 95% CI "
        f"{_fmt(out['ic50_ci_low'])} to {_fmt(out['ic50_ci_high'])}), Hill slope "
        f"{_fmt(out['hill_slope'])}"
    )
    if out["ki"] is not None:
        typer.echo(
            f"Ki = {_fmt(out['ki'])} (95% CI {_fmt(out['ki_ci_low'])} to "
            f"{_fmt(out['ki_ci_high'])}; Cheng-Prusoff)"
        )


@app.command("viability")
def viability(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX, one row per well."),
    control: str = typer.Option(..., "--control", help="Control group (= 100 %)."),
    blank: str | None = typer.Option(None, "--blank", help="Blank (medium only) group."),
    group: str = typer.Option("group", "--group", help="Group column."),
    absorbance: str = typer.Option("absorbance", "--absorbance", help="Absorbance column."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """MTT / CCK-8 viability as % of control (blank-corrected), per well and per group."""
    from neuroprotect.assays.colorimetric import compute_viability, summarise_replicates
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.result import records

    with user_errors():
        data = read_table(table, [Column(group, "str"), Column(absorbance)])
        res = compute_viability(
            data, absorbance=absorbance, group=group, control=control, blank=blank, file=table
        )
        summary = summarise_replicates(res, value="viability_pct", by=[group])
    out = {
        "groups": records(summary.rename(columns={group: "group"})),
        "wells": records(
            res.rename(columns={group: "group", absorbance: "absorbance"}),
            ["group", "absorbance", "corrected", "viability_pct", "source_row"],
        ),
    }
    if as_json:
        print_json(out)
        return
    typer.echo("group: viability % of control (mean, SD, n wells)")
    for g in out["groups"]:
        typer.echo(f"  {g['group']}: {_fmt(g['viability_pct'])}, {_fmt(g['sd'])}, {g['n']}")


@app.command("griess")
def griess(
    samples: Path = typer.Argument(
        ..., help="Samples CSV: sample, absorbance[, dilution, protein_mg_ml]."
    ),
    standards: Path = typer.Option(
        ..., "--standards", help="Standards CSV: concentration (µM NaNO2), absorbance."
    ),
    blank: float = typer.Option(0.0, "--blank", help="Reagent-blank absorbance to subtract."),
    dilution: float = typer.Option(1.0, "--dilution", help="Dilution factor of the samples."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Griess nitrite (µM, and nmol/mg protein with protein_mg_ml) from a NaNO2 standard curve."""
    from neuroprotect.assays.colorimetric import compute_griess_nitrite, fit_standard_curve
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.result import records

    with user_errors():
        std = read_table(
            standards,
            [Column("concentration", min=0, aliases=("nitrite_um", "conc")), Column("absorbance")],
        )
        curve = fit_standard_curve(
            std["concentration"], std["absorbance"], blank_absorbance=blank, file=standards
        )
        data = read_table(
            samples,
            [
                Column("sample", "str", aliases=("animal_id", "sample_id")),
                Column("absorbance"),
                # declared so that a misspelt header is an error, not silently ignored
                Column("dilution", required=False, min=0),
                Column("protein_mg_ml", required=False, min=0),
            ],
        )
        res = compute_griess_nitrite(data, curve, dilution=dilution, file=samples)
    cols = ["sample", "absorbance", "nitrite_um", "range_flag"]
    if "nitrite_nmol_per_mg_protein" in res.columns:
        cols.append("nitrite_nmol_per_mg_protein")
    out: dict[str, Any] = {
        "standard_curve": {
            "slope": curve.slope,
            "intercept": curve.intercept,
            "r2": curve.r2,
            "n": curve.n,
            "flags": curve.flags,
        },
        "samples": records(res, cols),
    }
    if as_json:
        print_json(out)
        return
    typer.echo(
        f"standard curve: A = {_fmt(curve.slope)} x C + {_fmt(curve.intercept)}, "
        f"R² = {_fmt(curve.r2)}"
    )
    for row in out["samples"]:
        typer.echo(f"  {row['sample']}: {_fmt(row['nitrite_um'])} µM ({row['range_flag']})")

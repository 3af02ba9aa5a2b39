"""``neuroprotect meta TABLE.csv``: meta-analysis of treatment-vs-control comparisons."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import print_json, save_figure, user_errors
from neuroprotect.errors import InputError
from neuroprotect.io.columns import Column

META_COLUMNS = [
    Column("study", "str"),
    Column("n_treat", "float", min=0),
    Column("mean_treat", "float"),
    Column("sd_treat", "float", min=0),
    Column("n_ctrl", "float", min=0),
    Column("mean_ctrl", "float"),
    Column("sd_ctrl", "float", min=0),
    Column("sham_mean", "float", required=False, allow_missing=True),
    Column("control_id", "str", required=False, allow_missing=True),
    Column("comparison", "str", required=False, allow_missing=True),
    Column("lower_is_better", "bool", required=False, allow_missing=True),
]

GIVEN_COLUMNS = [
    Column("study", "str"),
    Column("yi", "float"),
    Column("vi", "float"),
    Column("comparison", "str", required=False, allow_missing=True),
]


class MeasureOption(StrEnum):
    smd = "smd"
    nmd = "nmd"
    md = "md"
    rom = "rom"
    given = "given"


class MethodOption(StrEnum):
    reml = "reml"
    ml = "ml"
    dl = "dl"
    he = "he"
    pm = "pm"
    sj = "sj"
    eb = "eb"
    fe = "fe"


class TestOption(StrEnum):
    z = "z"
    knha = "knha"
    adhoc = "adhoc"


class FormatOption(StrEnum):
    table = "table"
    syrf = "syrf"
    camarades = "camarades"


class SmdVarianceOption(StrEnum):
    metafor = "metafor"
    camarades = "camarades"


class EggerPredictorOption(StrEnum):
    sei = "sei"
    sqrtninv = "sqrtninv"


class EggerOption(StrEnum):
    rma = "rma"
    lm = "lm"


def _fmt(x: float | None, digits: int = 4) -> str:
    return "NA" if x is None else f"{x:.{digits}f}"


METHOD_HELP = (
    "tau^2 estimator, as metafor rma(method=): reml (default), ml, dl (DerSimonian-Laird), "
    "he (Hedges), pm (Paule-Mandel), sj (Sidik-Jonkman), eb (empirical Bayes = PM), fe (fixed)."
)
TEST_HELP = (
    "Inference, as metafor rma(test=): z (normal), knha (Knapp-Hartung, t(k-p)), adhoc "
    "(Knapp-Hartung never narrower than z)."
)
FORMAT_HELP = (
    "Input layout: table (our columns), syrf (SyRF quantitative-data export: one row per cohort; "
    "cohorts paired within experiment, outcome and time point), camarades (one row per "
    "comparison: mean_c, sd_c, n_c, mean_rx, sd_rx, n_rx, sham_mean, error_type SD/SEM, "
    "ctrl_shared_by or n_c_true). SEMs become SDs (SEM x sqrt(n))."
)


def _read(table: Path, fmt: FormatOption, measure: MeasureOption, outcome: str | None) -> Any:
    """The comparison table, the notes and the skipped rows of the input file."""
    from neuroprotect.meta.exports import ExportTable, read_export

    if fmt is FormatOption.table:
        columns = GIVEN_COLUMNS if measure is MeasureOption.given else META_COLUMNS
        from neuroprotect.io.tables import read_table

        return ExportTable(read_table(table, columns))
    if measure is MeasureOption.given:
        raise InputError(f"Expected --measure smd, nmd, md or rom with --format {fmt.value}")
    return read_export(
        table,
        format=fmt.value,  # type: ignore[arg-type]
        outcome=outcome,
        require_sham=measure is MeasureOption.nmd,
    )


def meta_command(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX, one row per comparison."),
    measure: MeasureOption = typer.Option(MeasureOption.smd, help="Effect size."),
    method: MethodOption = typer.Option(MethodOption.reml, help=METHOD_HELP),
    test: TestOption | None = typer.Option(None, "--test", help=TEST_HELP),
    input_format: FormatOption = typer.Option(FormatOption.table, "--format", help=FORMAT_HELP),
    outcome: str | None = typer.Option(
        None, "--outcome", help="--format syrf: keep only this OutcomeLabel."
    ),
    by: list[str] = typer.Option([], "--by", help="Stratify by this column (repeatable)."),
    moderator: list[str] = typer.Option(
        [], "--moderator", help="Univariable meta-regression on this column (repeatable)."
    ),
    mods: str | None = typer.Option(
        None,
        "--mods",
        help="One multivariable meta-regression on these columns, comma-separated "
        "(e.g. dose,route; text columns become dummies against their first level).",
    ),
    knapp_hartung: bool = typer.Option(
        False, "--knapp-hartung", help="Same as --test knha (Knapp-Hartung t-based CI)."
    ),
    smd_variance: SmdVarianceOption = typer.Option(
        SmdVarianceOption.metafor, help="SMD variance: metafor escalc or CAMARADES (N - 3.94)."
    ),
    lower_is_better: bool = typer.Option(
        False, "--lower-is-better", help="Orient SMD/MD/ROM so that a reduction is positive."
    ),
    egger: EggerOption = typer.Option(EggerOption.rma, help="Egger test: rma (metafor) or lm."),
    egger_predictor: EggerPredictorOption = typer.Option(
        EggerPredictorOption.sei, help="Egger predictor: sei, or sqrtninv (1/sqrt(n), for SMD)."
    ),
    forest: Path | None = typer.Option(None, help="Write a forest plot (png/svg/pdf)."),
    funnel: Path | None = typer.Option(None, help="Write a funnel plot (png/svg/pdf)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Meta-analysis of treatment-vs-control comparisons (CAMARADES style).

    Effect sizes, random-effects pooling, heterogeneity, strata, meta-regression, Egger, trim-and-fill.

    Columns: study, n_treat, mean_treat, sd_treat, n_ctrl, mean_ctrl, sd_ctrl (SDs, not SEMs).
    Group sizes may be fractional (a shared control split between arms, n = 5/3); n < 2 warns.

    Optional: sham_mean (needed for nmd), control_id (shared control: its n is split), comparison.

    --measure given reads precomputed study, yi, vi. Numbers match R metafor 4.6 (ML/REML: the
    global maximum, with a warning when the likelihood has several maxima or is flat).

    --format syrf (assumed from SyRF's data dictionary; no real export was at hand): StudyId,
    ExperimentId, CohortId, NumberOfAnimals, IsDiseaseModelControl (TRUE = sham),
    IsTreatmentControl (TRUE = control), OutcomeId, TimeInMinute, OutcomeAverage, OutcomeError,
    ErrorType (SD or SEM), GreaterIsWorse (orients the effect). Treated cohorts are compared with
    the control of the same experiment, outcome and time point; a control serving m of them is
    split (n / m); medians and IQRs are skipped and listed. --format camarades: one row per
    comparison (see --format). Mapping: docs/meta-analysis.md.

    Example: neuroprotect meta export.csv --format syrf --measure nmd --method reml --test knha
    """
    from neuroprotect.meta.analysis import meta_analyse

    if test is not None and knapp_hartung and test is not TestOption.knha:
        with user_errors():
            raise InputError(f"Expected --knapp-hartung (= --test knha) or --test {test.value}")
    chosen_test = test.value if test is not None else ("knha" if knapp_hartung else "z")
    with user_errors():
        source = _read(table, input_format, measure, outcome)
        data = source.comparisons
        try:
            result, model, _ = meta_analyse(
                data,
                measure=measure.value,
                method=method.value.upper(),
                by=by,
                test=chosen_test,
                smd_variance=smd_variance.value,
                lower_is_better=lower_is_better,
                egger_model=egger.value,
                egger_predictor=egger_predictor.value,
                moderators=moderator,
                mods=[m.strip() for m in mods.split(",") if m.strip()] if mods else (),
            )
        except InputError as exc:  # name the table in errors found after reading it
            if exc.file is not None:
                raise
            raise InputError(exc.message, file=table, row=exc.row, field=exc.field) from None
    result["format"] = input_format.value
    result["warnings"] = [*source.notes, *result["warnings"]]
    result["skipped"] = [{"file": str(table), **s} for s in source.skipped]
    for s in result["skipped"]:
        typer.echo(f"warning: {table}: row {s['row']} skipped: {s['reason']}", err=True)
    for w in result["warnings"]:
        typer.echo(f"warning: {w}", err=True)
    if forest is not None or funnel is not None:
        from neuroprotect.meta.bias import trim_and_fill
        from neuroprotect.meta.plots import plot_forest, plot_funnel

        label = {
            "smd": "SMD (Hedges' g)",
            "nmd": "NMD (% of deficit rescued)",
            "md": "Mean difference",
            "rom": "log ratio of means",
            "given": "Effect size",
        }[measure.value]
        with user_errors():
            if forest is not None:
                save_figure(plot_forest(model, xlabel=label), forest)
            if funnel is not None:
                tf = None
                if model.k_ >= 3:
                    tf = trim_and_fill(model.yi_, model.vi_, method=model.method)
                save_figure(plot_funnel(model, trimfill=tf, xlabel=label), funnel)
    if as_json:
        print_json(result)
        return
    r = result
    test_label = {"z": "", "knha": " + Knapp-Hartung", "adhoc": " + Knapp-Hartung (ad hoc)"}
    typer.echo(
        f"{r['measure'].upper()} meta-analysis, {r['method']}{test_label[r['test']]}, k = {r['k']}"
    )
    typer.echo(
        f"estimate {_fmt(r['estimate'])} (SE {_fmt(r['se'])}), 95% CI [{_fmt(r['ci_low'])}, "
        f"{_fmt(r['ci_high'])}], p = {r['p_val']:.4g}; "
        f"PI [{_fmt(r['pi_low'])}, {_fmt(r['pi_high'])}]"
    )
    typer.echo(
        f"tau2 {_fmt(r['tau2'])}, I2 {_fmt(r['i2'], 2)}%, Q({r['q_dof']}) = {_fmt(r['q'])}, "
        f"p = {r['q_p_val']:.4g}"
    )
    width = max(len(s["study"]) for s in r["studies"]) + 2
    for s in r["studies"]:
        typer.echo(
            f"  {s['study']:<{width}} yi {s['yi']:>10.4f}  vi {s['vi']:>10.4f}  "
            f"w {s['weight']:5.1f}%"
        )
    for sub in r["subgroups"]:
        typer.echo(
            f"by {sub['by']}: Q_between = {_fmt(sub['q_between'])} (df {sub['dof_between']}, "
            f"p = {sub['p_between']:.4g}); mixed-model QM p = {_fmt(sub['qm_random_p_val'])}"
        )
        for st in sub["strata"]:
            typer.echo(
                f"  {st['stratum']:<20} k {st['k']:>3}  {_fmt(st['estimate'])} "
                f"[{_fmt(st['ci_low'])}, {_fmt(st['ci_high'])}]"
            )
    for reg in r["regressions"]:
        typer.echo(
            f"meta-regression on {reg['moderator']}: QM({reg['qm_dof']}) = {_fmt(reg['qm'])}, "
            f"p = {reg['qm_p_val']:.4g}, residual tau2 {_fmt(reg['tau2'])}, "
            f"R2 {_fmt(reg['r2'], 1)}%"
        )
        for c in reg["coefficients"][1:]:
            typer.echo(f"  {c['term']:<20} {_fmt(c['estimate'])} (SE {_fmt(c['se'])})")
    if r["egger"] is not None:
        e = r["egger"]
        typer.echo(
            f"Egger ({e['model']}, {e['predictor']}): {_fmt(e['statistic'])}, p = {e['p_val']:.4g}"
        )
        t = r["trimfill"]
        typer.echo(
            f"trim-and-fill: k0 = {t['k0']} ({t['side']}), adjusted {_fmt(t['estimate'])} "
            f"[{_fmt(t['ci_low'])}, {_fmt(t['ci_high'])}]"
        )

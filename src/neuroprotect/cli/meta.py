"""``neuroprotect meta TABLE.csv``: meta-analysis of treatment-vs-control comparisons."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from neuroprotect.cli._common import print_json, save_figure, user_errors
from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table

META_COLUMNS = [
    Column("study", "str"),
    Column("n_treat", "float", min=2),
    Column("mean_treat", "float"),
    Column("sd_treat", "float", min=0),
    Column("n_ctrl", "float", min=2),
    Column("mean_ctrl", "float"),
    Column("sd_ctrl", "float", min=0),
    Column("sham_mean", "float", required=False, allow_missing=True),
    Column("control_id", "str", required=False, allow_missing=True),
    Column("comparison", "str", required=False, allow_missing=True),
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
    dl = "dl"
    pm = "pm"
    fe = "fe"


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


def meta_command(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX, one row per comparison."),
    measure: MeasureOption = typer.Option(MeasureOption.smd, help="Effect size."),
    method: MethodOption = typer.Option(MethodOption.reml, help="tau^2 estimator (fe: fixed)."),
    by: list[str] = typer.Option([], "--by", help="Stratify by this column (repeatable)."),
    moderator: list[str] = typer.Option(
        [], "--moderator", help="Univariable meta-regression on this column (repeatable)."
    ),
    knapp_hartung: bool = typer.Option(False, "--knapp-hartung", help="Knapp-Hartung t-based CI."),
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

    Optional: sham_mean (needed for nmd), control_id (shared control: its n is split), comparison.

    --measure given reads precomputed study, yi, vi. Numbers match R metafor 3.8.
    """
    from neuroprotect.meta.analysis import meta_analyse

    with user_errors():
        columns = GIVEN_COLUMNS if measure is MeasureOption.given else META_COLUMNS
        data = read_table(table, columns)
        try:
            result, model, _ = meta_analyse(
                data,
                measure=measure.value,
                method=method.value.upper(),
                by=by,
                knapp_hartung=knapp_hartung,
                smd_variance=smd_variance.value,
                lower_is_better=lower_is_better,
                egger_model=egger.value,
                egger_predictor=egger_predictor.value,
                moderators=moderator,
            )
        except InputError as exc:  # name the table in errors found after reading it
            if exc.file is not None:
                raise
            raise InputError(exc.message, file=table, row=exc.row, field=exc.field) from None
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
    typer.echo(
        f"{r['measure'].upper()} meta-analysis, {r['method']}"
        f"{' + Knapp-Hartung' if r['knapp_hartung'] else ''}, k = {r['k']}"
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

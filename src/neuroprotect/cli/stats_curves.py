"""``neuroprotect stats survival | dose-response | trend``: censored latencies and dose curves."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import (
    format_cell,
    in_file,
    print_json,
    save_figure,
    sheet_option,
    user_errors,
)
from neuroprotect.errors import InputError

app = typer.Typer(
    help="Statistics on latencies and dose-response curves.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class DoseModel(StrEnum):
    ll4 = "ll4"
    ll3 = "ll3"
    hill = "hill"


class CovarianceKind(StrEnum):
    hessian = "hessian"
    jtj = "jtj"


class TrendAlternative(StrEnum):
    two_sided = "two-sided"
    increasing = "increasing"
    decreasing = "decreasing"


def _fmt(value: Any) -> str:
    return format_cell(value, digits=6)


@app.command("survival")
def survival(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX table, one row per animal."),
    time: str = typer.Option(..., "--time", help="Latency column (seconds)."),
    group: str = typer.Option(..., "--group", help="Group column."),
    sheet: str | None = sheet_option(),
    cutoff: float | None = typer.Option(
        None,
        "--cutoff",
        help="Trial cut-off (s); latency == cut-off is censored. Required without --event.",
    ),
    event: str | None = typer.Option(
        None,
        "--event",
        help="Event column (true = observed); overrides the cut-off rule, which is then only "
        "checked as an upper bound (--cutoff optional).",
    ),
    control: str | None = typer.Option(
        None, "--control", help="Control group (default: first in sorted order)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write the Kaplan-Meier figure (PNG/SVG/PDF)."
    ),
) -> None:
    """Kaplan-Meier curves, log-rank (overall; each group vs control, Holm) and median latencies."""
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.result import records
    from neuroprotect.stats.survival import analyse_latencies

    with user_errors():
        if cutoff is None and event is None:
            raise InputError(
                "Expected --cutoff SECONDS (latency == cut-off is censored) or --event COLUMN, "
                "but got neither",
                field="cutoff",
            )
        cols = [Column(time, "float", min=0), Column(group, "str")]
        if event is not None:
            cols.append(Column(event, "bool"))
        data = read_table(table, cols, sheet=sheet)
        try:
            res = analyse_latencies(
                data, time=time, group=group, cutoff=cutoff, event=event, control=control
            )
        except InputError as exc:
            raise in_file(exc, table, data) from None
    out: dict[str, Any] = {
        "logrank": {k: res["logrank"][k] for k in ("statistic", "dof", "p_val")},
        "pairwise": records(res["pairwise"], ["group", "control", "statistic", "p_val", "p_adj"]),
        "medians": records(
            res["medians"], ["group", "median", "ci_low", "ci_high", "n", "n_censored"]
        ),
    }
    if plot is not None:
        from neuroprotect.stats.plots import plot_kaplan_meier

        save_figure(plot_kaplan_meier(res["km"]), plot)
    if as_json:
        print_json(out)
        return
    lr = out["logrank"]
    typer.echo(
        f"log-rank: chi2 = {_fmt(lr['statistic'])} on {lr['dof']} df, p = {_fmt(lr['p_val'])}"
    )
    for row in out["pairwise"]:
        typer.echo(
            f"  {row['group']} vs {row['control']}: chi2 = {_fmt(row['statistic'])}, "
            f"p = {_fmt(row['p_val'])}, p_adj (Holm) = {_fmt(row['p_adj'])}"
        )
    typer.echo("median latency (95% CI, log-transformed KM intervals):")
    for row in out["medians"]:
        typer.echo(
            f"  {row['group']}: {_fmt(row['median'])} ({_fmt(row['ci_low'])} to "
            f"{_fmt(row['ci_high'])}), n = {row['n']}, censored = {row['n_censored']}"
        )


@app.command("dose-response")
def dose_response(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX table, one row per observation."),
    dose: str = typer.Option(..., "--dose", help="Dose/concentration column (>= 0)."),
    response: str = typer.Option(..., "--response", help="Response column."),
    sheet: str | None = sheet_option(),
    model: DoseModel = typer.Option(
        DoseModel.ll4, "--model", help="ll4, ll3 (lower limit 0) or hill."
    ),
    covariance: CovarianceKind = typer.Option(
        CovarianceKind.hessian, "--covariance", help="hessian (drc, default) or jtj (nls)."
    ),
    ed: list[float] = typer.Option(
        [], "--ed", help="Extra effective-dose level(s) in % (repeatable), e.g. --ed 10 --ed 90."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the fitted-curve figure."),
) -> None:
    """Fit a log-logistic (drc LL.4/LL.3) or Hill curve; ED50 with delta-method SE and CI."""
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.dose_response import fit_dose_response
    from neuroprotect.stats.result import records

    with user_errors():
        data = read_table(table, [Column(dose, "float"), Column(response, "float")], sheet=sheet)
        if (data[dose] < 0).any():
            i = int((data[dose] < 0).to_numpy().nonzero()[0][0])
            raise InputError(
                f"Expected doses >= 0 for a log-logistic model, but got {data[dose].iloc[i]:g}",
                file=table,
                row=int(data["source_row"].iloc[i]),
                field=dose,
            )
        try:
            fit = fit_dose_response(
                data, dose=dose, response=response, model=model.value, covariance=covariance.value
            )
        except InputError as exc:
            raise in_file(exc, table, data) from None
        ed50 = fit.ed(50).iloc[0]
        extra = fit.ed(ed) if ed else None
    out: dict[str, Any] = {
        "model": fit.model,
        "params": fit.ll_params_,
        "ed50": float(ed50["estimate"]),
        "ed50_se": float(ed50["se"]),
        "ed50_ci_low": float(ed50["ci_low"]),
        "ed50_ci_high": float(ed50["ci_high"]),
        "rse": fit.rse_,
        "df": fit.df_,
        "covariance": "drc observed Hessian" if covariance.value == "hessian" else "nls J'J",
    }
    if extra is not None:
        out["ed"] = records(extra)
    if plot is not None:
        from neuroprotect.stats.plots import plot_dose_response

        save_figure(plot_dose_response(fit, xlabel=dose, ylabel=response), plot)
    if as_json:
        print_json(out)
        return
    typer.echo(f"{fit.model} fit, residual SE {_fmt(fit.rse_)} on {fit.df_} df")
    for row in records(fit.summary):
        typer.echo(
            f"  {row['param']:<10} {_fmt(row['estimate']):>10}  SE {_fmt(row['se']):>10}  "
            f"p = {_fmt(row['p_val'])}"
        )
    typer.echo(
        f"ED50 = {_fmt(out['ed50'])} (SE {_fmt(out['ed50_se'])}, 95% CI {_fmt(out['ed50_ci_low'])} "
        f"to {_fmt(out['ed50_ci_high'])}; covariance: {out['covariance']})"
    )
    for row in out.get("ed", []):
        typer.echo(
            f"ED{row['level']:g} = {_fmt(row['estimate'])} (SE {_fmt(row['se'])}, 95% CI "
            f"{_fmt(row['ci_low'])} to {_fmt(row['ci_high'])})"
        )


@app.command("trend")
def trend(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX table, one row per animal."),
    dv: str = typer.Option(..., "--dv", help="Response column."),
    dose: str = typer.Option(..., "--dose", help="Numeric dose column (lowest dose = control)."),
    sheet: str | None = sheet_option(),
    alternative: TrendAlternative = typer.Option(
        TrendAlternative.two_sided, "--alternative", help="two-sided, increasing or decreasing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Trend across doses: Jonckheere-Terpstra, Williams contrasts and polynomial contrasts."""
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.result import records
    from neuroprotect.stats.trend import (
        dose_groups,
        jonckheere_terpstra,
        polynomial_contrasts,
        williams_contrasts,
    )

    with user_errors():
        data = read_table(
            table,
            [Column(dv, "float", allow_missing=True), Column(dose, "float")],
            sheet=sheet,
        )
        try:
            notes = dose_groups(data, dv=dv, dose=dose).warnings
            jt = jonckheere_terpstra(data, dv=dv, dose=dose, alternative=alternative.value)
            wil = williams_contrasts(data, dv=dv, dose=dose, alternative=alternative.value)
            poly = polynomial_contrasts(data, dv=dv, dose=dose)
        except InputError as exc:
            raise in_file(exc, table, data) from None
    out: dict[str, Any] = {
        "jonckheere": records(jt)[0],
        "williams": records(wil),
        "polynomial": records(poly),
        "warnings": notes,
    }
    if as_json:
        print_json(out)
        return
    j = out["jonckheere"]
    typer.echo(
        f"Jonckheere-Terpstra ({j['method']}, {j['alternative']}): J = {_fmt(j['statistic'])}, "
        f"z = {_fmt(j['z'])}, p = {_fmt(j['p_val'])}"
    )
    typer.echo("Williams contrasts (single-step adjusted):")
    for row in out["williams"]:
        typer.echo(
            f"  {row['contrast']}: diff = {_fmt(row['estimate'])}, t({row['dof']}) = "
            f"{_fmt(row['statistic'])}, p_adj = {_fmt(row['p_adj'])}"
        )
    typer.echo("Polynomial contrasts (equally spaced dose levels, unadjusted):")
    for row in out["polynomial"]:
        typer.echo(
            f"  {row['contrast']} ({row['coefficients']}): estimate = {_fmt(row['estimate'])}, "
            f"t({row['dof']}) = {_fmt(row['statistic'])}, p = {_fmt(row['p_val'])}"
        )
    for note in notes:
        typer.echo(f"warning: {note}")

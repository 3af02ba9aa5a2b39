"""``neuroprotect stats``: group comparisons and summaries on any table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from neuroprotect.cli._common import in_file, print_json, sheet_option, user_errors
from neuroprotect.errors import InputError

stats_app = typer.Typer(
    name="stats",
    help="Statistics on any CSV/XLSX table: compare groups, curves, power.",
    no_args_is_help=True,
    add_completion=False,
)

_METHOD_HELP = (
    "auto (documented choice: ordinal -> kruskal-dunn; Shapiro-Wilk residuals fail -> "
    "kruskal-dunn; Brown-Forsythe fails -> welch; else anova-dunnett), anova-dunnett, welch "
    "(Welch ANOVA + Games-Howell vs control), kruskal-dunn, tukey, games-howell, dunn-all."
)


def _read(table: Path, dv: str, group: str, sheet: str | None) -> Any:
    from neuroprotect.io.tables import Column, read_table

    return read_table(
        table,
        [Column(dv, "float", allow_missing=True), Column(group, "str")],
        allow_extra=False,
        sheet=sheet,
    )


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return ", ".join(_num(v, digits) for v in value)
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:.{digits}g}"
    return str(value)


def _p(value: Any) -> str:
    if value is None or value != value:
        return "-"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def _print_summary(console: Console, summary: list[dict[str, Any]], dv: str) -> None:
    table = Table(title=f"{dv} by group")
    for col in ("group", "n", "mean", "sd", "sem", "median", "q1", "q3"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for row in summary:
        table.add_row(
            *(_num(row.get(c)) for c in ("group", "n", "mean", "sd", "sem", "median", "q1", "q3"))
        )
    console.print(table)


def _print_result(result: dict[str, Any], dv: str, control: str | None = None) -> None:
    """Print a comparison; the summary lists ``control`` first, the other groups in analysis order."""
    console = Console()
    summary = result["summary"]
    if control is not None:
        control = control.strip()
        summary = [r for r in summary if r["group"] == control] + [
            r for r in summary if r["group"] != control
        ]
    _print_summary(console, summary, dv)
    om = result["omnibus"]
    console.print(
        f"[bold]{om['test']}[/bold]: statistic = {_num(om['statistic'])}, "
        f"df = {_num(om['dof'])}, p {'' if _p(om['p_val']).startswith('<') else '= '}"
        f"{_p(om['p_val'])}"
        + (f", {om['effect_type']} = {_num(om['effect_size'])}" if om.get("effect_type") else "")
    )
    tests = ", ".join(dict.fromkeys(c["test"] for c in result["contrasts"]))
    table = Table(title=f"{tests}: estimate = group - reference")
    levels = {round(c["ci_level"], 6) for c in result["contrasts"] if c.get("ci_level")}
    ci = f"{100 * levels.pop():.3g}% CI" if len(levels) == 1 else "CI"
    cols = ["contrast", f"estimate ({ci})", "statistic", "df", "p", "p adj", "effect (95% CI)"]
    for col in cols:
        table.add_column(col, justify="left" if col == "contrast" else "right")
    for c in result["contrasts"]:
        est = _num(c["estimate"])
        if c["ci_low"] is not None or c["ci_high"] is not None:
            low = "-inf" if c["ci_low"] is None else _num(c["ci_low"])
            high = "inf" if c["ci_high"] is None else _num(c["ci_high"])
            est += f" ({low} to {high})"
        eff = (
            f"{_num(c['effect_size'], 3)} "
            f"({_num(c.get('effect_ci_low'), 3)} to {_num(c.get('effect_ci_high'), 3)})"
        )
        table.add_row(
            c["contrast"],
            est,
            _num(c["statistic"]),
            _num(c["dof"]),
            _p(c["p_val"]),
            _p(c["p_adj"]),
            eff,
        )
    effect_types = ", ".join(dict.fromkeys(str(c["effect_type"]) for c in result["contrasts"]))
    table.caption = f"effect: {effect_types}"
    console.print(table)
    console.print(f"Method: {result['method_reason']}")
    for note in result["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {note}")


@stats_app.command()
def compare(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX table, one row per animal."),
    dv: str = typer.Option(..., "--dv", help="Numeric response column."),
    group: str = typer.Option(..., "--group", help="Grouping column."),
    sheet: str | None = sheet_option(),
    control: str = typer.Option(..., "--control", help="Reference level (e.g. vehicle)."),
    method: str = typer.Option("auto", "--method", help=_METHOD_HELP),
    ordinal: bool = typer.Option(False, "--ordinal", help="The response is an ordinal score."),
    p_adjust: str = typer.Option(
        "holm", "--p-adjust", help="Adjustment of Dunn's tests: holm, bonferroni, bh, none."
    ),
    alpha: float = typer.Option(0.05, "--alpha", help="Level of the assumption checks (auto)."),
    alternative: str = typer.Option(
        "two-sided", "--alternative", help="two-sided, or greater/less (anova-dunnett only)."
    ),
    order: str | None = typer.Option(
        None,
        "--order",
        help="Comma-separated groups to use, in order (e.g. 'vehicle,low,high' leaves sham out).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Compare each group with a control group (or all pairs), with a documented test choice."""
    from neuroprotect.stats import compare_groups

    with user_errors():
        data = _read(table, dv, group, sheet)
        try:
            result = compare_groups(
                data,
                dv=dv,
                group=group,
                control=control,
                method=method,
                ordinal=ordinal,
                alpha=alpha,
                p_adjust=p_adjust,
                alternative=alternative,
                order=[g.strip() for g in order.split(",") if g.strip()] if order else None,
            ).to_dict()
        except InputError as exc:
            raise in_file(exc, table, data) from None
    if as_json:
        print_json(result)
    else:
        _print_result(result, dv, control)


@stats_app.command("compare-two")
def compare_two_cmd(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX table, one row per animal."),
    dv: str = typer.Option(..., "--dv", help="Numeric response column."),
    group: str = typer.Option(..., "--group", help="Grouping column."),
    sheet: str | None = sheet_option(),
    a: str = typer.Option(..., "--a", help="First group (estimate = a - b), e.g. vehicle."),
    b: str = typer.Option(..., "--b", help="Second group, e.g. sham."),
    ordinal: bool = typer.Option(False, "--ordinal", help="Mann-Whitney U instead of Welch t."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Compare two groups: Welch's t-test, or Mann-Whitney U for ordinal scores."""
    from neuroprotect.stats import compare_two

    with user_errors():
        data = _read(table, dv, group, sheet)
        try:
            result = compare_two(data, dv=dv, group=group, a=a, b=b, ordinal=ordinal).to_dict()
        except InputError as exc:
            raise in_file(exc, table, data) from None
    if as_json:
        print_json(result)
    else:
        _print_result(result, dv)


@stats_app.command()
def describe(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX table, one row per animal."),
    dv: str = typer.Option(..., "--dv", help="Numeric response column."),
    group: str = typer.Option(..., "--group", help="Grouping column."),
    sheet: str | None = sheet_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Per-group n, mean, SD, SEM, median, quartiles, min and max."""
    from neuroprotect.stats import describe_groups
    from neuroprotect.stats.result import records

    with user_errors():
        data = _read(table, dv, group, sheet)
        try:
            summary = records(describe_groups(data, dv=dv, group=group))
        except InputError as exc:
            raise in_file(exc, table, data) from None
    if as_json:
        print_json({"summary": summary})
    else:
        _print_summary(Console(), summary, dv)

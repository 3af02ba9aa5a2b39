"""``neuroprotect stats repeated`` and ``neuroprotect stats power``.

The commands are plain functions registered on ``stats_extra_app`` so that they can be moved to
the shared ``stats`` group (``stats_app.command("repeated")(repeated)``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import format_cell, in_file, print_json, sheet_option, user_errors

stats_extra_app = typer.Typer(
    help="Statistics: repeated measures and power.", no_args_is_help=True, add_completion=False
)


def repeated_payload(
    table: Path,
    *,
    dv: str,
    subject: str,
    within: str,
    between: str | None = None,
    control: str | None = None,
    within_categorical: bool = False,
    sheet: str | None = None,
) -> dict[str, Any]:
    """Read ``table``, fit the mixed model and the RM ANOVA, return the ``--json`` layout."""
    from neuroprotect.errors import InputError
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.stats.repeated import fit_mixed_model, rm_anova
    from neuroprotect.stats.result import records

    columns = [
        Column(dv, "float", allow_missing=True),
        Column(subject, "str"),
        Column(within, "str"),
    ]
    if between is not None:
        columns.append(Column(between, "str"))
    data = read_table(table, columns, sheet=sheet)
    try:
        model = fit_mixed_model(
            data,
            dv=dv,
            subject=subject,
            within=within,
            between=between,
            control=control,
            within_categorical=within_categorical,
        )
        anova = rm_anova(data, dv=dv, subject=subject, within=within, between=between)
    except InputError as exc:
        raise in_file(exc, table, data) from None
    return {
        "mixed_model": model.to_dict(),
        "rm_anova": records(
            anova,
            [
                "effect",
                "F",
                "num_df",
                "den_df",
                "p_val",
                "correction",
                "eps",
                "p_unc",
                "pes",
                "ges",
            ],
        ),
        "rm_anova_subjects": {
            "n": int(anova.attrs["n_subjects"]),
            "dropped": list(anova.attrs["dropped_subjects"]),
        },
    }


def _numbers(text: str | None, option: str) -> list[float]:
    from neuroprotect.errors import InputError

    try:
        return [float(v) for v in str(text).replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise InputError(
            f"Expected comma-separated numbers, but got {text!r}", field=option
        ) from None


def _fmt(value: Any) -> str:
    return format_cell(value, digits=4)


@stats_extra_app.command("repeated")
def repeated(
    table: Path = typer.Argument(..., help="Long CSV/TSV/XLSX table, one row per animal and day."),
    dv: str = typer.Option(..., "--dv", help="Response column, e.g. escape_latency_s."),
    subject: str = typer.Option(..., "--subject", help="Animal identifier column."),
    within: str = typer.Option(..., "--within", help="Repeated factor column, e.g. day."),
    sheet: str | None = sheet_option(),
    between: str | None = typer.Option(None, "--between", help="Group column."),
    control: str | None = typer.Option(None, "--control", help="Reference group level."),
    within_categorical: bool = typer.Option(
        False,
        "--within-categorical",
        help="Treat the within factor as categorical in the mixed model.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Mixed model (random intercept per animal, REML, Satterthwaite t-tests) and RM ANOVA (GG)."""
    with user_errors():
        out = repeated_payload(
            table,
            dv=dv,
            subject=subject,
            within=within,
            between=between,
            control=control,
            within_categorical=within_categorical,
            sheet=sheet,
        )
    if as_json:
        print_json(out)
        return
    mm = out["mixed_model"]
    typer.echo(f"Linear mixed model (REML): {mm['formula']}")
    typer.echo(f"{'term':<32} {'estimate':>10} {'se':>10} {'t':>8} {'df':>8} {'p':>10}")
    for row in mm["fixed_effects"]:
        typer.echo(
            f"{row['term']:<32} {_fmt(row['estimate']):>10} {_fmt(row['se']):>10} "
            f"{_fmt(row['statistic']):>8} {_fmt(row['dof']):>8} {_fmt(row['p_val']):>10}"
        )
    sds = ", ".join(f"{r['term']} {_fmt(r['sd'])}" for r in mm["random_effects"])
    typer.echo(f"random effects SD ({subject}): {sds}; residual SD {_fmt(mm['sigma'])}")
    typer.echo(f"df method: {mm['df_method']}")
    for note in mm["warnings"]:
        typer.echo(f"note: {note}")
    typer.echo("")
    typer.echo(f"Repeated-measures ANOVA ({out['rm_anova_subjects']['n']} complete animals)")
    typer.echo(f"{'effect':<24} {'F':>8} {'num_df':>8} {'den_df':>8} {'p':>10} correction")
    for row in out["rm_anova"]:
        typer.echo(
            f"{row['effect']:<24} {_fmt(row['F']):>8} {_fmt(row['num_df']):>8} "
            f"{_fmt(row['den_df']):>8} {_fmt(row['p_val']):>10} {row['correction']}"
        )
    if out["rm_anova_subjects"]["dropped"]:
        typer.echo(f"left out (incomplete): {', '.join(out['rm_anova_subjects']['dropped'])}")


@stats_extra_app.command("power")
def power(
    test: str = typer.Option(
        ..., "--test", help="t (two groups / each vs control), anova, or repeated (simulation)."
    ),
    groups: int = typer.Option(2, "--groups", help="Number of groups K."),
    effect_size: float | None = typer.Option(
        None, "--effect-size", help="Cohen's d (t) or Cohen's f (anova)."
    ),
    difference: float | None = typer.Option(None, "--difference", help="Expected difference."),
    sd: float | None = typer.Option(None, "--sd", help="Within-group SD (same unit)."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level."),
    alternative: str = typer.Option(
        "two-sided",
        "--alternative",
        help="t: two-sided, or one-sided greater (treated > control) / less (treated < control).",
    ),
    target_power: float | None = typer.Option(None, "--power", help="Target power (default 0.8)."),
    n: int | None = typer.Option(None, "--n", help="Animals per group: compute the power instead."),
    attrition: float = typer.Option(0.0, "--attrition", help="Expected fraction lost, e.g. 0.2."),
    dunnett: bool = typer.Option(
        False,
        "--dunnett",
        help="t with K groups: test each of the K-1 groups against the control at alpha/(K-1) "
        "(Bonferroni approximation of Dunnett).",
    ),
    control_means: str | None = typer.Option(
        None, "--control-means", help="repeated: control mean per day, e.g. 60,45,35,28,25."
    ),
    effect_per_day: str | None = typer.Option(
        None, "--effect-per-day", help="repeated: treated - control per day, e.g. 0,-5,-8,-8,-8."
    ),
    subject_sd: float | None = typer.Option(None, "--subject-sd", help="repeated: animal SD."),
    residual_sd: float | None = typer.Option(None, "--residual-sd", help="repeated: residual SD."),
    effect: str = typer.Option("group", "--effect", help="repeated: group, day or group:day."),
    nsim: int = typer.Option(1000, "--nsim", help="repeated: simulated studies per n."),
    seed: int = typer.Option(0, "--seed", help="repeated: random seed."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Sample size per group, or power at a given n (t / anova as R pwr; repeated by simulation)."""
    from neuroprotect.errors import InputError
    from neuroprotect.stats.power_simulation import sample_size_repeated
    from neuroprotect.stats.sample_size import manifest_snippet, sample_size

    with user_errors():
        if target_power is not None and n is not None:
            raise InputError("Expected --power or --n, but got both")
        if test not in ("t", "anova", "repeated"):
            raise InputError(
                f"Expected --test t, anova or repeated, but got {test!r}", field="test"
            )
        repeated_only = (control_means, effect_per_day, subject_sd, residual_sd)
        if test == "repeated" and alternative != "two-sided":
            raise InputError(
                f"Expected --alternative two-sided for --test repeated, but got {alternative!r}"
            )
        if test == "repeated" and (
            dunnett or any(v is not None for v in (effect_size, difference, sd))
        ):
            raise InputError(
                "Expected --control-means/--effect-per-day/--subject-sd/--residual-sd for "
                "--test repeated, but got --effect-size, --difference, --sd or --dunnett"
            )
        if test != "repeated" and any(v is not None for v in repeated_only):
            raise InputError(
                f"Expected the per-day options only with --test repeated, not {test!r}"
            )
        if test == "repeated":
            if None in (control_means, effect_per_day, subject_sd, residual_sd):
                raise InputError(
                    "Expected --control-means, --effect-per-day, --subject-sd and --residual-sd "
                    "for --test repeated"
                )
            out = sample_size_repeated(
                control_means=_numbers(control_means, "--control-means"),
                effect_per_day=_numbers(effect_per_day, "--effect-per-day"),
                subject_sd=float(subject_sd),  # type: ignore[arg-type]
                residual_sd=float(residual_sd),  # type: ignore[arg-type]
                effect=effect,  # type: ignore[arg-type]
                power=0.8 if target_power is None else target_power,
                n=n,
                alpha=alpha,
                attrition=attrition,
                nsim=nsim,
                seed=seed,
            )
    if test == "repeated":
        if as_json:
            print_json(out)
            return
        typer.echo(f"n per group: {out['n_per_group']}")
        typer.echo(
            f"simulated power at that n: {out['power_achieved']:.3f} (MC SE {out['mc_se']:.3f})"
        )
        typer.echo(
            f"animals to randomise: {out['n_total_with_attrition']} (analysed {out['n_total']})"
        )
        typer.echo(f"method: {out['method']}")
        _echo_snippet(
            manifest_snippet(
                out["method"],
                alpha=alpha,
                power=out["power_target"]
                if out["power_target"] is not None
                else out["power_achieved"],
                attrition=attrition,
            )
        )
        return
    with user_errors():
        res = sample_size(
            test,  # type: ignore[arg-type]
            effect_size=effect_size,
            difference=difference,
            sd=sd,
            groups=groups,
            alpha=alpha,
            power=0.8 if target_power is None else target_power,
            n=n,
            attrition=attrition,
            adjust_vs_control=dunnett,
            alternative=alternative,  # type: ignore[arg-type]
        )
    if as_json:
        print_json(res.to_dict())
        return
    if res.n_per_group_exact is not None:
        typer.echo(f"n per group: {res.n_per_group} (exact {res.n_per_group_exact:.4f})")
    else:
        typer.echo(f"n per group: {res.n_per_group}")
    typer.echo(f"power at that n: {res.power_achieved:.4f}")
    typer.echo(f"animals to randomise: {res.n_total_with_attrition} (analysed {res.n_total})")
    typer.echo(f"method: {res.method}")
    _echo_snippet(
        manifest_snippet(
            res.method,
            alpha=res.alpha,
            power=res.power_target if res.power_target is not None else res.power_achieved,
            attrition=res.attrition,
            effect_size=res.effect_size,
        )
    )


def _echo_snippet(snippet: str) -> None:
    typer.echo("")
    typer.echo("for study.yaml (paste the sample_size block under design:):")
    typer.echo(snippet.rstrip("\n"))

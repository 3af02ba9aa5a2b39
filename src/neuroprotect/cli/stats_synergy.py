"""``neuroprotect stats synergy``: Bliss independence and Loewe additivity for drug combinations."""

from __future__ import annotations

from pathlib import Path

import typer

from neuroprotect.cli._common import in_file, print_json, save_figure, sheet_option, user_errors

app = typer.Typer()

COLUMNS_HELP = "Column with the dose of drug {} (0 in the other drug's monotherapy arm)."


@app.command("synergy")
def synergy(
    table: Path = typer.Argument(..., help="CSV/TSV/XLSX: one row per animal/well (or arm mean)."),
    dose_a: str = typer.Option("dose_a", "--dose-a", help=COLUMNS_HELP.format("A")),
    dose_b: str = typer.Option("dose_b", "--dose-b", help=COLUMNS_HELP.format("B")),
    effect: str = typer.Option(
        "effect",
        "--effect",
        help="Fractional effect in [0, 1] (e.g. 1 - infarct / vehicle infarct).",
    ),
    names: str = typer.Option("drug A,drug B", "--names", help="Display names, comma-separated."),
    sheet: str | None = sheet_option(),
    n_boot: int = typer.Option(0, "--n-boot", help="Bootstrap resamples for the CI interval."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write the isobologram / Fa-CI / Bliss figure."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Test a drug combination for synergy: Bliss excess and Chou-Talalay combination index.

    Bliss excess with a delta-method CI and z-test, and the combination index with Loewe excess,
    so "synergy" is tested rather than asserted.

    Example: neuroprotect stats synergy combo.csv --dose-a igmesine --dose-b fenm --effect protection --json
    """
    import pandas as pd

    from neuroprotect.errors import InputError
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.knowledge.combinations import (
        compute_bliss_excess,
        compute_combination_index,
        plot_combination,
    )
    from neuroprotect.stats.result import records

    with user_errors():
        data = read_table(
            table,
            [
                Column(dose_a, "float", min=0),
                Column(dose_b, "float", min=0),
                Column(effect, "float"),
            ],
            sheet=sheet,
        )
        try:
            bliss = compute_bliss_excess(data, dose_a=dose_a, dose_b=dose_b, effect=effect)
            # The combination index fits a median-effect line per drug: >= 2 doses of each alone.
            # A 2 x 2 design (vehicle, A, B, A + B) still gets the Bliss test.
            mono = {
                col: data.loc[(data[col] > 0) & (data[other] == 0), col].nunique()
                for col, other in ((dose_a, dose_b), (dose_b, dose_a))
            }
            bliss_notes = [str(n) for n in bliss["note"] if n]
            ci_notes: list[str] = []
            if min(mono.values()) < 2:
                few = ", ".join(f"{col} {n}" for col, n in mono.items() if n < 2)
                ci_notes.append(
                    "combination index not computed: it needs at least two doses of each drug alone "
                    f"(single-drug doses found: {few})."
                )
                ci_table = pd.DataFrame()
            else:
                ci_table, _ = compute_combination_index(
                    data, dose_a=dose_a, dose_b=dose_b, effect=effect, n_boot=n_boot, seed=seed
                )
            label_a, _, label_b = names.partition(",")
            if plot is not None and ci_notes:
                raise InputError(
                    "Expected at least two doses of each drug alone for the isobologram (--plot), "
                    f"but got {', '.join(f'{col} {n}' for col, n in mono.items())}",
                    file=table,
                )
            if plot is not None:
                fig = plot_combination(
                    data,
                    dose_a=dose_a,
                    dose_b=dose_b,
                    effect=effect,
                    names=(label_a, label_b or "drug B"),
                )
                save_figure(fig, plot)
        except InputError as exc:
            raise in_file(exc, table, data) from None
    if as_json:
        print_json(
            {
                "bliss": records(bliss),
                "combination_index": records(ci_table),
                "notes": ci_notes + bliss_notes,
            }
        )
        return
    typer.echo("Bliss independence (excess > 0: more than independent action)")
    shown = bliss.drop(columns="note")
    typer.echo(shown.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:.4g}"))
    for note in bliss_notes:
        typer.echo(f"note: {note}")
    typer.echo(
        "\nCombination index (Chou-Talalay; < 0.9 synergy, 0.9-1.1 additive, > 1.1 antagonism)"
    )
    if ci_notes:
        typer.echo("\n".join(ci_notes))
    else:
        typer.echo(ci_table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))

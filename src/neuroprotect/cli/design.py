"""``neuroprotect design ...``: randomisation, dose conversion."""

from __future__ import annotations

from pathlib import Path

import typer

from neuroprotect.cli._common import fail, output_file, print_json, user_errors
from neuroprotect.design.blinding import PASSPHRASE_ENV


def passphrase_from_env_or_prompt(*, confirm: bool) -> str:
    """The allocation-key passphrase: $NEUROPROTECT_KEY_PASSPHRASE, else asked for (hidden)."""
    import os

    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    return str(
        typer.prompt(
            "Allocation-key passphrase", hide_input=True, confirmation_prompt=confirm, err=True
        )
    )


app = typer.Typer(
    help="Draft, size, randomise, blind; dosing, dose conversion, checklist",
    no_args_is_help=True,
)


@app.command("convert-dose")
def convert_dose_cmd(
    dose: float = typer.Argument(..., help="Dose in mg/kg in the source species."),
    from_species: str = typer.Option(
        ..., "--from", help="Source species (rat, mouse, human, dog...)."
    ),
    to_species: str = typer.Option(..., "--to", help="Target species."),
    km_from: float | None = typer.Option(
        None, "--km-from", help="Km of the source species, for species without an FDA Km (gerbil)."
    ),
    km_to: float | None = typer.Option(None, "--km-to", help="Km of the target species."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Convert a dose between species by body surface area (FDA 2005 Km factors).

    Example: neuroprotect design convert-dose 6 --from rat --to human --json
    """
    from neuroprotect.design.dosing import convert_dose

    with user_errors():
        result = convert_dose(
            dose, from_species=from_species, to_species=to_species, km_from=km_from, km_to=km_to
        )
    if as_json:
        print_json(result.to_dict())
    else:
        typer.echo(
            f"{dose:g} mg/kg in {from_species} = {result.dose_mg_kg:.4g} mg/kg in {to_species} "
            f"(x{result.factor:.4g}; Km {result.km_from:g} -> {result.km_to:g}; {result.source})"
        )


@app.command("randomize")
def randomize_cmd(
    animals: Path | None = typer.Argument(
        None,
        help="CSV with animal_id and optionally sex, body_weight_g (in vivo; not for in vitro).",
        show_default=False,
    ),
    study: Path = typer.Option(..., "--study", help="study.yaml whose groups are allocated."),
    seed: int = typer.Option(..., "--seed", help="Seed of the random generator (record it)."),
    weight_classes: int = typer.Option(
        2, "--weight-classes", help="Body-weight classes per sex (1 = none)."
    ),
    no_sex: bool = typer.Option(False, "--no-sex-strata", help="Do not stratify by sex."),
    key_out: Path | None = typer.Option(
        None,
        "--key-out",
        help="Write the key (code -> group) in clear text here (open studies only).",
    ),
    codes_out: Path | None = typer.Option(
        None, "--codes-out", help="Write the coded sheet (animal -> code, no group) here."
    ),
    seal: Path | None = typer.Option(
        None,
        "--seal-key",
        help="Conceal the allocation: write the key, encrypted with a passphrase "
        f"(${PASSPHRASE_ENV} or a prompt), to this new file; outputs then show group codes only.",
    ),
    animals_out: Path | None = typer.Option(
        None,
        "--animals-out",
        "--coded-animals",
        help="Write the study's animals table (animal_id, group, blinded_code, sex, body_weight_g) "
        "here, for study.yaml's `animals:`; with --seal-key the group column holds group codes.",
    ),
    experiments: int = typer.Option(
        3, "--experiments", help="In vitro: independent experiments (plates of their own each)."
    ),
    replicates: int = typer.Option(
        3, "--replicates", help="In vitro: wells (cultures) per group and experiment."
    ),
    plate_format: int = typer.Option(
        96, "--plate-format", help="In vitro: wells per plate (6, 12, 24, 48, 96, 384)."
    ),
    edges: str = typer.Option(
        "avoid",
        "--edges",
        help="In vitro: 'avoid' leaves the outer ring of wells empty (evaporation), 'flag' uses "
        "and flags it.",
    ),
    blanks: int = typer.Option(0, "--blanks", help="In vitro: blank wells per plate."),
    cultures_out: Path | None = typer.Option(
        None,
        "--cultures-out",
        help="In vitro: write the cultures table (culture_id, experiment, plate, well, group, "
        "edge, blinded_code) here, for study.yaml's `cultures:`.",
    ),
    layout_out: Path | None = typer.Option(
        None,
        "--layout-out",
        help="In vitro: write the plate layout here (one plate), or one file per plate as "
        "STEM_E1.csv, STEM_E2.csv...: the `layout` of the plate readouts.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Block-randomise animals to the study's groups within sex x weight strata, with blinded codes.

    With --seal-key the allocation is concealed: the key is encrypted, and everything printed or
    written carries group codes, never group names. `neuroprotect unblind` opens it later.

    For an in vitro study (setting: in_vitro) no animals file is given: the groups are laid out
    at random on the plates of each independent experiment (--experiments, --replicates,
    --plate-format, --edges avoid|flag, --blanks), written as a cultures table and plate layouts.

    Example: neuroprotect design randomize animals.csv --study study.yaml --seed 42 --json

    Example (in vitro): neuroprotect design randomize --study study.yaml --seed 7 --experiments 3
    --replicates 4 --cultures-out cultures.csv --layout-out layout.csv
    """
    from neuroprotect.design.blinding import animals_table, conceal_allocation
    from neuroprotect.design.randomise import randomise_animals
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.stats.result import records

    if seal is not None and key_out is not None:
        fail("--key-out writes the key in clear text; with --seal-key the key is sealed instead")
    with user_errors():
        manifest = load_study(study, check_files=False)
        if manifest.in_vitro:
            from neuroprotect.cli.design_plates import randomize_plates

            if animals is not None or animals_out is not None or codes_out is not None:
                fail(
                    f"{study}: an in vitro study lays out plates: give no animals file, "
                    "--animals-out or --codes-out, but --cultures-out and --layout-out"
                )
            randomize_plates(
                manifest,
                study=study,
                seed=seed,
                experiments=experiments,
                replicates=replicates,
                plate_format=plate_format,
                edges=edges,
                blanks=blanks,
                cultures_out=cultures_out,
                layout_out=layout_out,
                key_out=key_out,
                seal=seal,
                passphrase=lambda: passphrase_from_env_or_prompt(confirm=True),
                as_json=as_json,
            )
            return
        if animals is None:
            fail("Expected the animals file (CSV with animal_id[, sex, body_weight_g])")
        if cultures_out is not None or layout_out is not None:
            fail(f"{study}: --cultures-out and --layout-out are for in vitro studies")
        table = read_table(
            animals,
            [
                Column("animal_id", "str"),
                Column("sex", "str", required=False, allow_missing=True),
                Column(
                    "body_weight_g",
                    "float",
                    required=False,
                    min=0,
                    allow_missing=True,
                    aliases=("body_weight",),
                ),
            ],
        )
        groups = [g.id for g in manifest.groups]
        result = randomise_animals(
            table.drop(columns=["group"], errors="ignore"),
            groups=groups,
            seed=seed,
            by_sex=not no_sex,
            weight_classes=weight_classes,
        )
        allocation, balance = result.allocation, result.balance
        if seal is not None:
            if seal.exists():
                raise FileExistsError(
                    f"{seal}: Expected a new key file, but it exists; keys are never overwritten"
                )
            concealed = conceal_allocation(
                allocation,
                study_id=manifest.study_id,
                groups=groups,
                seed=seed,
                passphrase=passphrase_from_env_or_prompt(confirm=True),
            )
            output_file(seal).write_text(concealed.sealed_key, encoding="utf-8")
            seal.chmod(0o600)
            if animals_out is not None:
                concealed.coded_animals.to_csv(output_file(animals_out), index=False)
            allocation = allocation.assign(group=allocation["group"].map(concealed.group_codes))
            balance = balance.assign(group=balance["group"].map(concealed.group_codes)).sort_values(
                "group"
            )
        elif animals_out is not None:
            animals_table(allocation).to_csv(output_file(animals_out), index=False)
    if key_out:
        result.key.to_csv(output_file(key_out), index=False)
    if codes_out:
        result.coded_sheet.to_csv(output_file(codes_out), index=False)
    cols = ["animal_id", "group", "blinded_code", "stratum", "block"]
    if as_json:
        print_json(
            {
                "seed": seed,
                "method": result.method,
                "concealed": seal is not None,
                "allocation": records(allocation, cols),
                "balance": records(balance),
                "warnings": result.warnings,
            }
        )
        return
    typer.echo(result.method)
    typer.echo(balance.round(1).to_string(index=False))  # grams to 0.1 g, not 69.875000
    if animals_out is not None:
        coded = "coded " if seal is not None else ""
        typer.echo(f"{coded}animals table: {animals_out} (for study.yaml's `animals:`)")
    if seal is not None:
        typer.echo(f"sealed key: {seal} (group names concealed; open with `neuroprotect unblind`)")
        if not manifest.blinded:
            typer.echo(
                f"next: in {study} set `animals:` to the coded animals table and add "
                "design: {blinding: {analysis_blinded: true}}, so runs use the codes until unblinded"
            )
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)


@app.command("checklist")
def checklist_cmd(
    manifest: Path = typer.Argument(..., help="study.yaml to check."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    only_missing: bool = typer.Option(
        False, "--missing", help="Show only missing and partial items."
    ),
) -> None:
    """Fill the ARRIVE 2.0 and STAIR XI checklists from a manifest and list what is missing.

    Example: neuroprotect design checklist examples/imm-h004-mcao/study.yaml --missing
    """
    from neuroprotect.design.checklists import fill_checklists
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.stats.result import records

    with user_errors():
        table = fill_checklists(load_study(manifest, check_files=False))
    if only_missing:
        table = table[table["status"].isin(["missing", "partial"])]
    if as_json:
        print_json(records(table))
        return
    from rich.console import Console
    from rich.table import Table

    colours = {
        "reported": "green",
        "partial": "yellow",
        "missing": "red",
        "manuscript": "dim",
        "not applicable": "dim",
    }
    for name, sub in table.groupby("checklist", sort=False):
        view = Table(title=str(name), show_lines=False)
        for col in ("item", "title", "status", "evidence", "advice"):
            view.add_column(col, overflow="fold")
        for row in sub.itertuples(index=False):
            view.add_row(
                row.item,
                row.title,
                f"[{colours[row.status]}]{row.status}[/]",
                row.evidence,
                row.advice,
            )
        Console().print(view)


@app.command("new")
def new_cmd(
    compound: str = typer.Option(
        ..., "--compound", help="Knowledge-base compound id (e.g. imm_h004)."
    ),
    model: str = typer.Option(..., "--model", help="Protocol id or alias (e.g. mcao_reperfusion)."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the draft here (default: print it)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Draft a study.yaml pre-filled from the knowledge base (groups, doses, timing, readouts).

    Example: neuroprotect design new --compound imm_h004 --model mcao_reperfusion --out study.yaml
    """
    from neuroprotect.design.scaffold import draft_study, render_draft

    with user_errors():
        text = render_draft(draft_study(compound, model))
        if out is not None and out.exists() and not force:
            raise FileExistsError(
                f"{out}: Expected a new file, but it exists (use --force to overwrite)"
            )
    if out is None:
        typer.echo(text, nl=False)
    else:
        output_file(out).write_text(text, encoding="utf-8")
        typer.echo(f"draft written: {out}")


def _parse_stock(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValueError(f"--stock: Expected GROUP=MG_PER_ML (e.g. h004_6=3), but got {item!r}")
    return out


@app.command("dosing-sheet")
def dosing_sheet_cmd(
    manifest: Path = typer.Argument(
        ..., help="study.yaml (groups, doses, routes, timing; animals table)."
    ),
    stock: list[str] = typer.Option(
        [], "--stock", help="Stock concentration per dosed group, GROUP=MG_PER_ML; repeat."
    ),
    vehicle_ml_per_kg: float | None = typer.Option(
        None,
        "--vehicle-ml-per-kg",
        help="Vehicle injection volume, mL/kg. Default: the treated groups' common volume "
        "(dose / stock). Given, it also applies to groups without a dose (sham).",
    ),
    out: Path = typer.Option(..., "--out", help="Output file: .csv, .html or .pdf."),
    key: Path | None = typer.Option(
        None,
        "--key",
        help="Blinded study: its sealed allocation key (passphrase from "
        f"${PASSPHRASE_ENV} or a prompt). The sheet then names the groups: it is for whoever "
        "prepares the doses, not for the blinded assessors.",
    ),
) -> None:
    """Write a per-animal dosing sheet (body weight, dose, stock -> volume to inject, route, time).

    The vehicle group (dose 0 mg/kg, or role vehicle without a dose) gets the same mL/kg as the
    treated groups. Volumes are rounded to 0.01 mL and amounts to 0.001 mg (halves up).

    Example: neuroprotect design dosing-sheet study.yaml --stock h004_6=3 --stock h004_3=1.5 --out sheet.pdf
    """
    from neuroprotect.design.blinding import open_key
    from neuroprotect.design.dosing import make_dosing_sheet
    from neuroprotect.io.animals import load_animals
    from neuroprotect.report.documents import write_table_document
    from neuroprotect.schema.manifest import Role, load_study

    with user_errors():
        study = load_study(manifest, check_files=False)
        codes = None
        if study.blinded:
            if key is None:
                raise ValueError(
                    f"{manifest}: Expected --key KEY: the study is blinded (its animals table holds "
                    "group codes) and a dosing sheet needs each animal's group and dose"
                )
            opened = open_key(key, passphrase_from_env_or_prompt(confirm=False))
            if opened.study_id != study.study_id:
                raise ValueError(
                    f"{key}: Expected the key of study {study.study_id!r}, "
                    f"but it belongs to {opened.study_id!r}"
                )
            codes = opened.group_codes
        animals = load_animals(study, group_codes=codes)
        stocks = _parse_stock(stock)
        unknown = sorted(set(stocks) - {g.id for g in study.groups})
        if unknown:
            raise ValueError(
                f"--stock: Expected groups of the manifest "
                f"({', '.join(g.id for g in study.groups)}), but got {', '.join(unknown)}"
            )
        sheet = make_dosing_sheet(
            animals,
            doses_mg_kg={
                g.id: 0.0 if g.role == Role.VEHICLE and g.dose_mg_kg is None else g.dose_mg_kg
                for g in study.groups
            },
            stock_mg_ml={g.id: stocks.get(g.id) for g in study.groups},
            routes={g.id: g.route for g in study.groups},
            times={g.id: g.timing for g in study.groups},
            vehicle_ml_per_kg=vehicle_ml_per_kg,
            file=study.resolve(study.animals),
        )
        write_table_document(sheet, output_file(out), title=f"Dosing sheet: {study.title}")
    typer.echo(f"dosing sheet: {out}")

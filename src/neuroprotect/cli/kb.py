"""``neuroprotect kb``: list, show and search the bundled knowledge base; draw pathways."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
import yaml

from neuroprotect.cli._common import fail, output_file, print_json, user_errors

kb_app = typer.Typer(
    help="Look up the cited knowledge base: compounds, targets, efficacy.",
    epilog="Also protocols and signed pathways; uncertain values are marked UNCERTAIN with the "
    "reason.",
    no_args_is_help=True,
)


class ListKind(StrEnum):
    compounds = "compounds"
    targets = "targets"
    protocols = "protocols"
    efficacy = "efficacy"


class PathwayFormat(StrEnum):
    svg = "svg"
    png = "png"
    json = "json"
    html = "html"


def _own_reasons(row: dict[str, Any]) -> list[str]:
    """Uncertainty reasons that are not review notes (those are printed as NOTE lines)."""
    from_notes = {f"{n['kind']}: {n['text']}" for n in row.get("notes") or []}
    return [r for r in row.get("uncertainty") or [] if r not in from_notes]


def _flag(row: dict[str, Any]) -> str:
    if not row.get("uncertain"):
        return ""
    reasons = _own_reasons(row)
    if not reasons:
        return " [UNCERTAIN: see note]"
    return " [UNCERTAIN: " + "; ".join(" ".join(r.split()) for r in reasons) + "]"


def _short(value: Any, width: int = 60) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _records(table: Any) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


_LIST_LINES = {
    "compounds": lambda r: (
        f"{r['id']:<12} {_short(r['name'], 28):<28} {r['formula'] or '-':<12} "
        f"MW {r['mw'] if r['mw'] is not None else '-':<7} {_short(r['mechanism_class'], 50)}"
    ),
    "targets": lambda r: (
        f"{r['target']:<26} {_short(r['compound'] or '-', 10):<10} "
        f"{_short(r['parameter'] or '', 22):<22} {_short(r['value_text'], 40)}"
    ),
    "protocols": lambda r: (
        f"{r['id']:<20} {_short(r['name'], 70)} (compounds: {', '.join(r['compounds']) or '-'})"
    ),
    "efficacy": lambda r: (
        f"{r['id']:<13} {r['compound']:<10} {_short(r['model'], 42):<42} "
        f"{_short(r['effect_direction'], 50)}"
    ),
}


@kb_app.command("list")
def list_cmd(
    kind: ListKind = typer.Argument(..., help="compounds, targets, protocols or efficacy."),
    compound: str | None = typer.Option(None, "--compound", "-c", help="Only this compound."),
    as_json: bool = typer.Option(False, "--json", help="JSON list of records."),
) -> None:
    """List records of one kind; uncertain ones are marked UNCERTAIN with the reason."""
    from neuroprotect.knowledge.queries import list_records

    with user_errors():
        table = list_records(kind.value, compound=compound)
    rows = _records(table)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        flag = " [UNCERTAIN]" if r.get("uncertain") else ""
        typer.echo(_LIST_LINES[kind.value](r) + flag)
    typer.echo(f"({len(rows)} {kind.value}; 'neuroprotect kb show ID' for details and reasons)")


def _cite(keys: list[str]) -> str:
    return "cite: " + ", ".join(keys) if keys else "cite: none"


def _print_notes(notes: list[dict[str, Any]], indent: str = "  ") -> None:
    for n in notes:
        typer.echo(
            f"{indent}NOTE [{n['severity']}] {n['kind']}: {' '.join(n['text'].split())} "
            f"({_cite(n['cite'])})"
        )


def _print_compound(card: dict[str, Any], structure_line: str) -> None:
    syn = f" ({', '.join(card['synonyms'])})" if card["synonyms"] else ""
    typer.echo(f"{card['name']} [{card['id']}]{syn}")
    if card["chemical_name"]:
        typer.echo(f"  chemical name: {card['chemical_name']}")
    mono = f", monoisotopic {card['monoisotopic_mass']}" if card["monoisotopic_mass"] else ""
    typer.echo(f"  formula: {card['formula']}, MW {card['mw']}{mono}")
    salt = card.get("salt_form") or {}
    if salt:
        extra = ", ".join(f"{k} {v}" for k, v in salt.items() if k in ("formula", "mw"))
        typer.echo(f"  salt form: {salt.get('form')}{', ' + extra if extra else ''}")
    ids = ", ".join(
        f"{k} {v if v is not None else 'not retrieved'}"
        for k, v in card["identifiers"].items()
        if k != "unii" or v
    )
    typer.echo(f"  identifiers: {ids}")
    if card["identifier_note"]:
        typer.echo(f"  identifier note: {' '.join(str(card['identifier_note']).split())}")
    typer.echo(f"  SMILES: {card['smiles_for_drawing']}")
    typer.echo(f"  structure: {structure_line}")
    typer.echo(f"  mechanism: {card['mechanism_class']}")
    for reason in _own_reasons(card):
        typer.echo(f"  UNCERTAIN: {' '.join(reason.split())}")
    _print_notes(card["notes"])
    typer.echo("targets and affinities:")
    for t in card["targets"]:
        where = f" (species: {t['species']})" if t["species"] else ""
        typer.echo(
            f"  {t['target']} ({t['target_name']}): {t['parameter']} {t['value_text']}"
            f"{where}; confidence {t['confidence']}{_flag(t)}; {_cite(t['cite'])}"
        )
        _print_notes(t["notes"], indent="    ")
    if not card["targets"]:
        typer.echo("  none recorded")
    typer.echo("efficacy records:")
    for e in card["efficacy"]:
        doses = e["doses_mg_per_kg"]
        dose = f" {', '.join(f'{d:g}' for d in doses)} mg/kg" if doses else ""
        route = f" {e['route']}" if e["route"] else ""
        typer.echo(
            f"  {e['id']} [{e['setting']}] {e['model']}{dose}{route}: "
            f"{e['effect_direction']}; confidence {e['confidence']}{_flag(e)}; "
            f"{_cite(e['cite'])}"
        )
        _print_notes(e["notes"], indent="    ")
    if not card["efficacy"]:
        typer.echo("  none recorded")
    typer.echo("references:")
    for key, text in card["references"].items():
        typer.echo(f"  {key}: {text}")


@kb_app.command("show")
def show_cmd(
    record_id: str = typer.Argument(
        ...,
        metavar="ID",
        help="Compound (or synonym), target, "
        "protocol, efficacy record, pathway node or reference id.",
    ),
    as_json: bool = typer.Option(False, "--json", help="The whole record as JSON."),
    structure: Path | None = typer.Option(
        None, "--structure", help="Write the compound's structure drawing (SVG; needs RDKit)."
    ),
) -> None:
    """Show one record; a compound gets its card (identity, targets, efficacy, citations)."""
    from neuroprotect.knowledge.chem import (
        CHEM_EXTRA_MESSAGE,
        MissingExtraError,
        have_rdkit,
        render_structure_svg,
    )
    from neuroprotect.knowledge.queries import record_card

    with user_errors():
        card = record_card(record_id)
    if card["section"] == "compound":
        if structure is not None:
            try:
                output_file(structure).write_text(
                    render_structure_svg(card["id"]), encoding="utf-8"
                )
            except MissingExtraError:
                fail(CHEM_EXTRA_MESSAGE)
            line = f"drawn from the SMILES to {structure}"
        elif have_rdkit():
            line = "drawn from the SMILES with --structure FILE.svg"
        else:
            line = CHEM_EXTRA_MESSAGE
        card["structure"] = line
        if as_json:
            print_json(card)
        else:
            _print_compound(card, line)
        return
    if structure is not None:
        fail(f"Expected a compound id for --structure, but {record_id!r} is a {card['section']}")
    if as_json:
        print_json(card)
        return
    typer.echo(f"{card['section']} {card['id']}")
    typer.echo(yaml.safe_dump(card["record"], sort_keys=False, width=100).rstrip())
    for reason in _own_reasons(card):
        typer.echo(f"UNCERTAIN: {' '.join(reason.split())}")
    _print_notes(card.get("notes", []), indent="")
    if card.get("references"):
        typer.echo("references:")
        for key, text in card["references"].items():
            typer.echo(f"  {key}: {text}")


@kb_app.command("search")
def search_cmd(
    text: str = typer.Argument(..., help="Text to look for (case-insensitive)."),
    as_json: bool = typer.Option(False, "--json", help="JSON list of matches."),
) -> None:
    """Search every text field of every record and reference."""
    from neuroprotect.knowledge.queries import search

    with user_errors():
        table = search(text)
    rows = _records(table)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        flag = " [UNCERTAIN]" if r["uncertain"] else ""
        typer.echo(
            f"{r['section']:<9} {r['id']:<28} {r['field']}: {_short(r['snippet'], 80)}{flag}"
        )
    typer.echo(f"({len(rows)} matches)")


@kb_app.command("pathway")
def pathway_cmd(
    compound: str = typer.Argument(..., help="Compound id or synonym."),
    fmt: PathwayFormat | None = typer.Option(
        None,
        "--format",
        "-f",
        help="svg, png, json (Cytoscape.js elements) or html. Default: from the --out suffix.",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output file (.svg, .png, .json, .html)."),
) -> None:
    """Draw a compound's signed pathway with the predicted direction of each node."""
    from neuroprotect.knowledge.render import write_pathway

    suffix = out.suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    known = {f.value for f in PathwayFormat}
    if fmt is None and suffix not in known:
        fail(
            f"--out: Expected a file ending in .svg, .png, .json or .html, or --format, but got {out}"
        )
    if fmt is not None and suffix in known and suffix != fmt.value:
        fail(f"--out: Expected a .{fmt.value} file for --format {fmt.value}, but got {out}")
    with user_errors():
        path = write_pathway(
            compound, output_file(out), format=fmt.value if fmt is not None else suffix
        )
    typer.echo(f"wrote {path}")

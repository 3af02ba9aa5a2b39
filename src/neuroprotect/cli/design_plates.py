"""``neuroprotect design randomize`` for an in vitro study: a randomised plate layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import output_file, print_json
from neuroprotect.schema.manifest import Study


def layout_paths(layout_out: Path, plates: list[str]) -> dict[str, Path]:
    """One layout file per plate: ``layout_out`` itself for one plate, else ``STEM_PLATE.csv``."""
    if len(plates) == 1:
        return {plates[0]: layout_out}
    return {
        p: layout_out.with_name(f"{layout_out.stem}_{p}{layout_out.suffix or '.csv'}")
        for p in plates
    }


def randomize_plates(
    manifest: Study,
    *,
    study: Path,
    seed: int,
    experiments: int,
    replicates: int,
    plate_format: int,
    edges: str,
    blanks: int,
    cultures_out: Path | None,
    layout_out: Path | None,
    key_out: Path | None,
    seal: Path | None,
    passphrase: Any,
    as_json: bool,
) -> None:
    """Randomise the wells of an in vitro study's plates and write its cultures table and
    layouts (called by ``design randomize`` inside ``user_errors``)."""
    from neuroprotect.design.blinding import conceal_allocation
    from neuroprotect.design.plate_layout import randomise_plates
    from neuroprotect.stats.result import records

    groups = [g.id for g in manifest.groups]
    result = randomise_plates(
        groups,
        experiments=experiments,
        replicates=replicates,
        seed=seed,
        plate_format=plate_format,
        edges=edges,  # type: ignore[arg-type]  # checked by randomise_plates
        blanks=blanks,
    )
    cultures, balance = result.cultures, result.balance
    layouts = dict(result.layouts)
    if seal is not None:
        if seal.exists():
            raise FileExistsError(
                f"{seal}: Expected a new key file, but it exists; keys are never overwritten"
            )
        allocation = cultures.rename(columns={"culture_id": "animal_id"})
        concealed = conceal_allocation(
            allocation,
            study_id=manifest.study_id,
            groups=groups,
            seed=seed,
            passphrase=passphrase(),
        )
        output_file(seal).write_text(concealed.sealed_key, encoding="utf-8")
        seal.chmod(0o600)
        codes = concealed.group_codes
        cultures = cultures.assign(group=cultures["group"].map(codes))
        balance = balance.assign(group=balance["group"].map(codes)).sort_values("group")
        # the bench sees culture ids only: no group names or codes on the plate layouts
        layouts = {p: t.drop(columns=["group"]) for p, t in layouts.items()}
    elif key_out is not None:
        key = cultures[["blinded_code", "culture_id", "group"]].sort_values("blinded_code")
        key.to_csv(output_file(key_out), index=False)
    if cultures_out is not None:
        cultures.to_csv(output_file(cultures_out), index=False)
    written: dict[str, Path] = {}
    if layout_out is not None:
        written = layout_paths(layout_out, list(layouts))
        for plate, table in layouts.items():
            table.to_csv(output_file(written[plate]), index=False)
    if as_json:
        print_json(
            {
                "seed": seed,
                "method": result.method,
                "concealed": seal is not None,
                "cultures": records(cultures),
                "balance": records(balance),
                "layouts": {p: str(path) for p, path in written.items()},
                "warnings": result.warnings,
            }
        )
        return
    typer.echo(result.method)
    typer.echo(balance.to_string(index=False))
    if cultures_out is not None:
        typer.echo(f"cultures table: {cultures_out} (for study.yaml's `cultures:`)")
    for plate, path in written.items():
        typer.echo(f"plate {plate} layout: {path} (params.layout of the plate readouts)")
    if seal is not None:
        typer.echo(f"sealed key: {seal} (group names concealed; open with `neuroprotect unblind`)")
        if not manifest.blinded:
            typer.echo(
                f"next: in {study} set `cultures:` to the coded cultures table and add "
                "design: {blinding: {analysis_blinded: true}}, so runs use the codes until unblinded"
            )
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)

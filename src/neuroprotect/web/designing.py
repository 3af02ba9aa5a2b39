"""Study design in the browser: drafts from the knowledge base, and randomisation.

A shell over the same functions as ``neuroprotect design new`` and ``neuroprotect design
randomize`` (:mod:`neuroprotect.cli.design`): the draft comes from
:func:`neuroprotect.design.scaffold.draft_study`, the allocation from
:func:`neuroprotect.design.randomise.randomise_animals` and, for a concealed allocation,
:func:`neuroprotect.design.blinding.conceal_allocation`. Nothing here decides a number.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neuroprotect.errors import InputError
from neuroprotect.knowledge.base import load_section, resolve_compound, resolve_protocol

#: The roster's columns, as ``neuroprotect design randomize`` reads them.
ROSTER_COLUMNS = ("animal_id", "sex", "body_weight_g")


def compound_choices() -> list[tuple[str, str]]:
    """``(id, display name)`` of the knowledge base's compounds, by name."""
    compounds = load_section("compounds")["compounds"]
    return sorted(((str(c["id"]), str(c.get("name") or c["id"])) for c in compounds),
                  key=lambda c: c[1].lower())  # fmt: skip


def protocol_choices() -> list[tuple[str, str]]:
    """``(id, name)`` of the knowledge base's protocols, by name."""
    protocols = load_section("protocols")["protocols"]
    return sorted(((str(p["id"]), str(p.get("name") or p["id"])) for p in protocols),
                  key=lambda p: p[1].lower())  # fmt: skip


def draft_text(compound: str, protocol: str) -> tuple[str, str, str]:
    """The YAML draft ``neuroprotect design new --compound C --model P`` prints, with the
    compound's and the protocol's knowledge-base ids (an alias or synonym resolved)."""
    from neuroprotect.design.scaffold import draft_study, render_draft

    text = render_draft(draft_study(compound, protocol))
    return text, str(resolve_compound(compound)), str(resolve_protocol(protocol))


@dataclass
class Randomisation:
    study_id: str
    seed: int
    method: str
    concealed: bool
    #: Rows animal_id, group (a code when concealed), blinded_code, stratum, block.
    allocation: list[dict[str, Any]]
    balance: list[dict[str, Any]]
    #: The study's animals table (CSV text), for study.yaml's ``animals:``.
    animals_csv: str
    #: The sealed key (concealed) or the clear key code -> group (open), as file text.
    key_text: str
    warnings: list[str] = field(default_factory=list)


def randomise(
    *,
    manifest: bytes,
    roster: bytes,
    roster_name: str,
    seed: int,
    weight_classes: int = 2,
    by_sex: bool = True,
    passphrase: str | None = None,
) -> Randomisation:
    """Allocate a roster to a study's groups as ``neuroprotect design randomize`` does.

    With a passphrase the allocation is concealed (``--seal-key``): the key is encrypted and
    everything returned names group codes only.

    Raises
    ------
    InputError
        A manifest or roster that does not read (the message names the file, row or column).
    """
    from neuroprotect.design.blinding import animals_table, conceal_allocation
    from neuroprotect.design.randomise import randomise_animals
    from neuroprotect.io.tables import Column, read_table
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.stats.result import records

    suffix = Path(roster_name or "roster.csv").suffix.lower() or ".csv"
    if suffix not in (".csv", ".tsv", ".txt", ".xlsx"):
        raise InputError(
            f"{roster_name}: Expected a roster as .csv or .xlsx, but got a {suffix} file",
            field="roster",
        )
    with tempfile.TemporaryDirectory(prefix="np-randomise-") as tmp:
        study_path = Path(tmp, "study.yaml")
        study_path.write_bytes(manifest)
        roster_path = Path(tmp, Path(roster_name or "roster.csv").name or f"roster{suffix}")
        roster_path.write_bytes(roster)
        study = load_study(study_path, check_files=False)
        table = read_table(
            roster_path,
            [
                Column("animal_id", "str"),
                Column("sex", "str", required=False, allow_missing=True),
                Column("body_weight_g", "float", required=False, min=0, allow_missing=True,
                       aliases=("body_weight",)),
            ],
        )  # fmt: skip
    groups = [g.id for g in study.groups]
    result = randomise_animals(
        table.drop(columns=["group"], errors="ignore"),
        groups=groups,
        seed=seed,
        by_sex=by_sex,
        weight_classes=weight_classes,
    )
    allocation, balance = result.allocation, result.balance
    if passphrase:
        concealed = conceal_allocation(
            allocation, study_id=study.study_id, groups=groups, seed=seed, passphrase=passphrase
        )
        animals_csv = concealed.coded_animals.to_csv(index=False)
        key_text = concealed.sealed_key
        allocation = allocation.assign(group=allocation["group"].map(concealed.group_codes))
        balance = balance.assign(group=balance["group"].map(concealed.group_codes)).sort_values(
            "group"
        )
    else:
        animals_csv = animals_table(allocation).to_csv(index=False)
        key_text = result.key.to_csv(index=False)
    cols = ["animal_id", "group", "blinded_code", "stratum", "block"]
    return Randomisation(
        study_id=study.study_id,
        seed=seed,
        method=result.method,
        concealed=bool(passphrase),
        allocation=records(allocation, cols),
        balance=records(balance.round(1)),
        animals_csv=animals_csv,
        key_text=key_text,
        warnings=list(result.warnings),
    )

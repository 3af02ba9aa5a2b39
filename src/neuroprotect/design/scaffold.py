"""Draft a study manifest from the knowledge base (``neuroprotect design new``).

The draft takes the protocol's species and outcome measures, and the doses, route, timing and
positive control of the published efficacy records for the same compound and protocol. Every value
it copies names the record it came from, so the user can check it before editing the draft.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from neuroprotect.design.outcome_readouts import DraftReadout, map_outcomes
from neuroprotect.errors import InputError
from neuroprotect.knowledge.base import load_section, resolve_compound, resolve_protocol
from neuroprotect.schema.manifest import Study

#: In vitro protocols (species text naming cells): the draft's units are cultures.
_CELL_LINE = re.compile(r"\b([A-Z][A-Za-z0-9-]*\d[A-Za-z0-9-]*)\s+cells\b")


def _in_vitro(species_text: str | None) -> tuple[bool, str | None]:
    """Whether a protocol's species text describes cultured cells, and the cell line it names
    ("rat pheochromocytoma PC12 cells" -> PC12)."""
    text = str(species_text or "")
    if not re.search(r"\bcells?\b|\bcultures?\b", text, flags=re.IGNORECASE):
        return False, None
    match = _CELL_LINE.search(text)
    return True, match.group(1) if match else None


_ROUTES = {"i.v.": "iv", "p.o.": "po", "i.p.": "ip", "s.c.": "sc", "i.g.": "ig", "i.c.v.": "icv"}


def _route(text: str | None) -> str | None:
    if not text:
        return None
    for key, value in _ROUTES.items():
        if text.strip().lower().startswith(key):
            return value
    return None


#: Laboratory species a protocol's species text may name, longest first ("Mongolian gerbil"
#: before "gerbil"): the draft takes the first one the text mentions.
_SPECIES = (
    "mongolian gerbil",
    "guinea pig",
    "gerbil",
    "hamster",
    "mouse",
    "rat",
    "rabbit",
    "cat",
    "dog",
    "pig",
    "sheep",
    "monkey",
    "human",
)


def _species(text: str | None) -> str:
    """The draft's species from a protocol's species text ("Mongolian gerbil", "rat or mouse",
    "rat pheochromocytoma PC12 cells" -> the cells' species); rat when the text names none."""
    words = str(text or "")
    found = [
        (m.start(), -len(name), m.group(1))
        for name in _SPECIES
        if (m := re.search(rf"\b({name})s?\b", words, flags=re.IGNORECASE))
    ]
    return min(found)[2] if found else "rat"


def _minutes_after_onset(text: str | None) -> float | None:
    match = re.search(r"(\d+(?:\.\d+)?)\s*min(?:utes)? after (?:the )?onset", text or "")
    return float(match.group(1)) if match else None


def _compound_name(cid: str) -> str:
    """The knowledge base's display name of a compound id (IMM-H004 for imm_h004)."""
    found: dict[str, Any] = next(
        (c for c in load_section("compounds")["compounds"] if c["id"] == cid), {}
    )
    return str(found.get("name") or cid)


def _positive_control(records: list[dict[str, Any]]) -> tuple[str, float | None, str] | None:
    for rec in records:
        for comp in rec.get("comparators") or []:
            match = re.match(r"\s*([A-Za-z0-9\-]+)\s+(\d+(?:\.\d+)?)\s*mg/kg", str(comp))
            if match and resolve_compound(match.group(1)):
                return str(resolve_compound(match.group(1))), float(match.group(2)), str(rec["id"])
    return None


def _protocol(model: str) -> dict[str, Any]:
    pid = resolve_protocol(model)
    if pid is None:
        raise InputError(
            f"Expected a knowledge-base protocol id or alias, but got {model!r}", field="model"
        )
    return next(p for p in load_section("protocols")["protocols"] if p["id"] == pid)


def draft_readouts(
    model: str, *, control_group: str = "sham"
) -> tuple[list[DraftReadout], list[str]]:
    """The draft readouts of a protocol's outcome measures, and the outcomes without a readout
    type (:func:`neuroprotect.design.outcome_readouts.map_outcomes`)."""
    protocol = _protocol(model)
    return map_outcomes(
        [str(m) for m in protocol.get("outcome_measures") or []], control_group=control_group
    )


def draft_study(compound: str, model: str) -> dict[str, Any]:
    """A manifest dictionary for ``compound`` in ``model``, pre-filled from the knowledge base.

    The readouts come from the protocol's outcome measures (:func:`draft_readouts`); a protocol
    on cultured cells gives an in vitro draft (``setting: in_vitro``, the cell line, a cultures
    table, no sex, body weight or mg/kg doses).

    Raises
    ------
    InputError
        Unknown compound or model, or a protocol none of whose outcome measures maps to a
        readout type.
    """
    cid = resolve_compound(compound)
    if cid is None:
        raise InputError(
            f"Expected a knowledge-base compound id, but got {compound!r}", field="compound"
        )
    protocol = _protocol(model)
    pid = str(protocol["id"])
    in_vitro, cell_line = _in_vitro(protocol.get("species"))
    records = [
        r
        for r in load_section("efficacy")["records"]
        if r["compound"] == cid and r.get("protocol_ref") == pid
    ]
    dosed = next((r for r in records if r.get("doses_mg_per_kg")), None)
    doses = [] if in_vitro else [float(d) for d in (dosed or {}).get("doses_mg_per_kg") or []]
    name = _compound_name(cid)
    route = None if in_vitro else _route((dosed or {}).get("route"))
    timing = (dosed or {}).get("timing_relative_to_insult")
    timing_min = None if in_vitro else _minutes_after_onset(timing)
    sham_id, sham_label, vehicle_label = (
        ("normoxia", "Normoxia (no OGD)", "OGD/R + vehicle")
        if in_vitro
        else ("sham", "Sham", "Vehicle")
    )
    groups: list[dict[str, Any]] = [
        {"id": sham_id, "role": "sham", "label": sham_label},
        {
            "id": "vehicle",
            "role": "vehicle",
            "label": vehicle_label,
            "route": route,
            "timing": timing,  # given alongside the treatment
            "timing_min": timing_min,
        },
    ]
    # one undosed treatment group when the knowledge base gives no dose
    for dose in doses or [None]:  # type: ignore[list-item]
        gid = f"{cid}_{dose:g}".replace(".", "_") if dose is not None else cid
        groups.append(
            {
                "id": gid,
                "label": f"{name} {dose:g} mg/kg" if dose is not None else name,
                "role": "treatment",
                "compound": cid,
                "dose_mg_kg": dose,
                "route": route,
                "timing": timing,
                "timing_min": timing_min,
            }
        )
    pos = None if in_vitro else _positive_control(records)
    if pos:
        pc, pc_dose, _ = pos
        groups.append(
            {
                "id": f"{pc}_{pc_dose:g}".replace(".", "_"),
                "label": f"{_compound_name(pc)} {pc_dose:g} mg/kg",
                "role": "positive_control",
                "compound": pc,
                "dose_mg_kg": pc_dose,
                "route": route,
                "timing": timing,
                "timing_min": timing_min,
            }
        )
    groups = [{k: v for k, v in g.items() if v is not None} for g in groups]
    readouts, _ = draft_readouts(pid, control_group=sham_id)
    if not readouts:
        raise InputError(
            f"Expected outcome measures of protocol {pid!r} that map to readout types, but none "
            "does: write the readouts by hand (neuroprotect readouts lists the types)",
            field="model",
        )
    sources = ", ".join(r["id"] for r in records) or "none"
    study: dict[str, Any] = {
        "study_id": f"{cid}-{pid}".replace("_", "-"),
        "title": f"{name} in {protocol['name']}",
        "description": f"Drafted by neuroprotect from knowledge-base protocol {pid} and efficacy records: {sources}. Check every value.",
        "compound": cid,
        "model": pid,
        "species": _species(protocol.get("species")),
    }
    if in_vitro:
        study["setting"] = "in_vitro"
        if cell_line:
            study["cell_line"] = cell_line
    else:
        study["sex"] = "male"
    study.update(
        {
            "groups": groups,
            "animals": "cultures.csv" if in_vitro else "animals.csv",
            "readouts": [r.entry() for r in readouts],
            "design": {
                "experimental_unit": "independent experiment (cultures are technical replicates)"
                if in_vitro
                else "animal",
                "exclusion_criteria": [],
            },
        }
    )
    Study.model_validate(study)  # the draft must be a valid manifest apart from its files
    return study


_HEADER = (
    "# Draft study manifest written by `neuroprotect design new`.\n"
    "# Check every value against the cited records, set planned_n (see `neuroprotect design power`),\n"
)
_NEXT_IN_VIVO = (
    "# then allocate the animals (`neuroprotect design randomize ROSTER.csv --study THIS_FILE --seed N\n"
    "# --animals-out animals.csv`; add --seal-key KEY for a blinded study),\n"
    "# provide the readout files named below, and run `neuroprotect validate`.\n"
)
_NEXT_IN_VITRO = (
    "# then lay out the plates (`neuroprotect design randomize --study THIS_FILE --seed N\n"
    "# --experiments 3 --replicates 3 --cultures-out cultures.csv --layout-out layout.csv`), or list\n"
    "# the cultures in cultures.csv yourself (culture_id, experiment, group[, plate, well]; no sex\n"
    "# or body weight; the independent experiment is the unit of analysis, at least 3),\n"
    "# name them in the plate layouts' sample column, provide the readout files named below,\n"
    "# and run `neuroprotect validate`.\n"
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def render_draft(study: dict[str, Any]) -> str:
    """YAML text of a draft, with a header saying what to do next and, beside each readout,
    the parameters left to set; outcome measures without a readout type are listed as comments."""
    in_vitro = study.get("setting") == "in_vitro"
    text = _HEADER + (_NEXT_IN_VITRO if in_vitro else _NEXT_IN_VIVO)
    drafted, unmapped = draft_readouts(str(study["model"])) if study.get("model") else ([], [])
    by_id = {r.id: r for r in drafted}
    for key, value in study.items():
        if key != "readouts":
            text += _dump({key: value})
            continue
        text += "readouts:\n"
        for entry in value:
            text += _dump([entry])
            info = by_id.get(str(entry.get("id")))
            if info is None:
                continue
            for line in info.to_set:
                text += f"  # to set: {line}\n"
            for line in info.notes:
                text += f"  # note: {line}\n"
        for outcome in unmapped:
            text += f"# outcome measure without a readout type (add it by hand): {outcome}\n"
    return text

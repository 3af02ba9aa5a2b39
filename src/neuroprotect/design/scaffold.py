"""Draft a study manifest from the knowledge base (``neuroprotect design new``).

The draft takes the protocol's species and outcome measures, and the doses, route, timing and
positive control of the published efficacy records for the same compound and protocol. Every value
it copies names the record it came from, so the user can check it before editing the draft.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from neuroprotect.errors import InputError
from neuroprotect.knowledge.base import load_section, resolve_compound, resolve_protocol
from neuroprotect.schema.manifest import Study

#: Protocol outcome measures (lower-case substrings) -> readout id, type, file to expect, params.
#: Parameters the knowledge base cannot know (an open field's arena) are left for validate to ask.
OUTCOME_READOUTS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("neurolog", "neuro", "neuro_score", "neuro_scores.csv", {"scale": "longa"}),
    ("ttc", "ttc", "ttc_table", "ttc_slices.csv", {"slice_thickness_mm": 2.0}),
    ("edema", "water", "brain_water", "brain_water.csv", {}),
    (
        "evans",
        "evans",
        "evans_blue",
        "evans_blue_samples.csv",
        {"standards": "evans_blue_standards.csv"},
    ),
    ("neuron surviv", "nissl", "nissl_images", "nissl/*.tif", {"sections": "nissl_sections.csv"}),
    ("locomotor", "activity", "open_field", "tracks/*.csv", {}),
)

#: The draft's fallback when no outcome measure of the protocol maps to a readout type.
FALLBACK_READOUT: dict[str, Any] = {
    "id": "neuro",
    "type": "neuro_score",
    "files": ["neuro_scores.csv"],
    "params": {"scale": "longa"},
}


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


def draft_study(compound: str, model: str) -> dict[str, Any]:
    """A manifest dictionary for ``compound`` in ``model``, pre-filled from the knowledge base.

    Raises
    ------
    InputError
        Unknown compound or model.
    """
    cid = resolve_compound(compound)
    if cid is None:
        raise InputError(
            f"Expected a knowledge-base compound id, but got {compound!r}", field="compound"
        )
    pid = resolve_protocol(model)
    if pid is None:
        raise InputError(
            f"Expected a knowledge-base protocol id or alias, but got {model!r}", field="model"
        )
    protocol = next(p for p in load_section("protocols")["protocols"] if p["id"] == pid)
    records = [
        r
        for r in load_section("efficacy")["records"]
        if r["compound"] == cid and r.get("protocol_ref") == pid
    ]
    dosed = next((r for r in records if r.get("doses_mg_per_kg")), None)
    doses = [float(d) for d in (dosed or {}).get("doses_mg_per_kg") or []]
    name = _compound_name(cid)
    route = _route((dosed or {}).get("route"))
    timing = (dosed or {}).get("timing_relative_to_insult")
    groups: list[dict[str, Any]] = [
        {"id": "sham", "role": "sham", "label": "Sham"},
        {
            "id": "vehicle",
            "role": "vehicle",
            "label": "Vehicle",
            "route": route,
            "timing": timing,  # given alongside the treatment
            "timing_min": _minutes_after_onset(timing),
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
                "timing_min": _minutes_after_onset(timing),
            }
        )
    pos = _positive_control(records)
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
                "timing_min": _minutes_after_onset(timing),
            }
        )
    groups = [{k: v for k, v in g.items() if v is not None} for g in groups]
    measures = " | ".join(str(m) for m in protocol.get("outcome_measures") or []).lower()
    readouts = [
        {"id": rid, "type": rtype, "files": [fname], "params": params}
        for key, rid, rtype, fname, params in OUTCOME_READOUTS
        if key in measures
    ]
    sources = ", ".join(r["id"] for r in records) or "none"
    study = {
        "study_id": f"{cid}-{pid}".replace("_", "-"),
        "title": f"{name} in {protocol['name']}",
        "description": f"Drafted by neuroprotect from knowledge-base protocol {pid} and efficacy records: {sources}. Check every value.",
        "compound": cid,
        "model": pid,
        "species": _species(protocol.get("species")),
        "sex": "male",
        "groups": groups,
        "animals": "animals.csv",
        "readouts": readouts or [FALLBACK_READOUT],
        "design": {"experimental_unit": "animal", "exclusion_criteria": []},
    }
    Study.model_validate(study)  # the draft must be a valid manifest apart from its files
    return study


def render_draft(study: dict[str, Any]) -> str:
    """YAML text of a draft, with a header saying what to do next."""
    header = (
        "# Draft study manifest written by `neuroprotect design new`.\n"
        "# Check every value against the cited records, set planned_n (see `neuroprotect design power`),\n"
        "# then allocate the animals (`neuroprotect design randomize ROSTER.csv --study THIS_FILE --seed N\n"
        "# --animals-out animals.csv`; add --seal-key KEY for a blinded study),\n"
        "# provide the readout files named below, and run `neuroprotect validate`.\n"
    )
    return header + yaml.safe_dump(study, sort_keys=False, allow_unicode=True, width=100)

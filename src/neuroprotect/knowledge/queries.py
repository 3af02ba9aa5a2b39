"""Queries on the knowledge base: tables of compounds, targets, protocols and efficacy records, the
compound card, any record by id, and full-text search. Every row says whether it is ``uncertain``
and why, and carries its ``cite`` keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.knowledge.loader import KnowledgeBase, load_knowledge_base
from neuroprotect.knowledge.models import Activity, EfficacyRecord, _Record

LIST_KINDS = ("compounds", "targets", "protocols", "efficacy")
TARGET_COLUMNS = [
    "target",
    "target_name",
    "gene",
    "compound",
    "activity_id",
    "parameter",
    "value",
    "value_text",
    "units",
    "species",
    "confidence",
    "uncertain",
    "uncertainty",
    "cite",
]
EFFICACY_COLUMNS = [
    "id",
    "compound",
    "setting",
    "model",
    "protocol_ref",
    "species",
    "doses_mg_per_kg",
    "route",
    "effect_direction",
    "confidence",
    "uncertain",
    "uncertainty",
    "cite",
]


def _kb(kb: KnowledgeBase | None) -> KnowledgeBase:
    return kb or load_knowledge_base()


def _compound_filter(kb: KnowledgeBase, compound: str | None) -> str | None:
    return None if compound is None else kb.compound(compound).id


def list_compounds(*, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """One row per compound.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, name, formula, mw, mechanism_class, n_activities, n_efficacy, uncertain,
        uncertainty``.
    """
    import pandas as pd

    kb = _kb(kb)
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "formula": c.formula,
            "mw": c.mw,
            "mechanism_class": c.mechanism_class,
            "n_activities": len(kb.activities_for(c.id)),
            "n_efficacy": len(kb.efficacy_for(c.id)),
            "uncertain": c.uncertain,
            "uncertainty": c.uncertainty,
        }
        for c in kb.compounds.values()
    ]
    return pd.DataFrame(rows)


def _activity_row(kb: KnowledgeBase, a: Activity) -> dict[str, Any]:
    t = kb.targets[a.target]
    return {
        "target": t.id,
        "target_name": t.name,
        "gene": t.gene,
        "compound": a.compound,
        "activity_id": a.id,
        "parameter": a.parameter,
        "value": a.value,
        "value_text": a.value_text(),
        "units": a.units,
        "species": a.species,
        "confidence": a.confidence,
        "uncertain": a.uncertain,
        "uncertainty": a.uncertainty,
        "cite": list(a.cite),
    }


def list_targets(*, compound: str | None = None, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """One row per binding/activity record (a target without records gets one row, no compound).

    Parameters
    ----------
    compound
        Keep only this compound's records (id or synonym).

    Returns
    -------
    pandas.DataFrame
        Columns ``target, target_name, gene, compound, activity_id, parameter, value, value_text,
        units, species, confidence, uncertain, uncertainty, cite``.
    """
    import pandas as pd

    kb = _kb(kb)
    cid = _compound_filter(kb, compound)
    rows = [_activity_row(kb, a) for a in kb.activities.values() if cid in (None, a.compound)]
    if cid is None:
        used = {a.target for a in kb.activities.values()}
        for t in kb.targets.values():
            if t.id not in used:
                rows.append(
                    {
                        "target": t.id,
                        "target_name": t.name,
                        "gene": t.gene,
                        "compound": None,
                        "activity_id": None,
                        "parameter": None,
                        "value": None,
                        "value_text": "",
                        "units": None,
                        "species": None,
                        "confidence": None,
                        "uncertain": t.uncertain,
                        "uncertainty": t.uncertainty,
                        "cite": list(t.cite),
                    }
                )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def list_protocols(*, compound: str | None = None, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """One row per protocol (with ``compound``: those its efficacy records refer to).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, name, species, n_steps, outcome_measures, compounds, uncertain, uncertainty``.
    """
    import pandas as pd

    kb = _kb(kb)
    cid = _compound_filter(kb, compound)
    rows = []
    for p in kb.protocols.values():
        users = sorted({r.compound for r in kb.efficacy.values() if r.protocol_ref == p.id})
        if cid is not None and cid not in users:
            continue
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "species": p.species,
                "n_steps": len(p.steps),
                "outcome_measures": list(p.outcome_measures),
                "compounds": users,
                "uncertain": p.uncertain,
                "uncertainty": p.uncertainty,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "name",
            "species",
            "n_steps",
            "outcome_measures",
            "compounds",
            "uncertain",
            "uncertainty",
        ],
    )


def _efficacy_row(r: EfficacyRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "compound": r.compound,
        "setting": r.setting,
        "model": r.model,
        "protocol_ref": r.protocol_ref,
        "species": r.species,
        "doses_mg_per_kg": r.doses_mg_per_kg,
        "route": r.route,
        "effect_direction": r.effect_direction,
        "confidence": r.confidence,
        "uncertain": r.uncertain,
        "uncertainty": r.uncertainty,
        "cite": list(r.cite),
    }


def list_efficacy(*, compound: str | None = None, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """One row per efficacy finding.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, compound, setting, model, protocol_ref, species, doses_mg_per_kg, route,
        effect_direction, confidence, uncertain, uncertainty, cite``.
    """
    import pandas as pd

    kb = _kb(kb)
    cid = _compound_filter(kb, compound)
    rows = [_efficacy_row(r) for r in kb.efficacy.values() if cid in (None, r.compound)]
    return pd.DataFrame(rows, columns=EFFICACY_COLUMNS)


def list_records(
    kind: str, *, compound: str | None = None, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """Dispatch on ``kind`` (compounds, targets, protocols, efficacy)."""
    if kind == "compounds":
        table = list_compounds(kb=kb)
        if compound is not None:
            cid = _kb(kb).compound(compound).id
            table = table[table["id"] == cid].reset_index(drop=True)
        return table
    funcs = {"targets": list_targets, "protocols": list_protocols, "efficacy": list_efficacy}
    if kind not in funcs:
        raise InputError(f"Expected one of {', '.join(LIST_KINDS)}, but got {kind!r}")
    return funcs[kind](compound=compound, kb=kb)


def cite_summary(kb: KnowledgeBase, keys: list[str]) -> list[dict[str, Any]]:
    """``[{"key", "citation", "pointer_only"}]`` for cite keys (pointer_only: only a title or
    citation was seen)."""
    out = []
    for k in keys:
        ref = kb.references[k]
        out.append({"key": k, "citation": ref.short(), "pointer_only": ref.pointer_only})
    return out


def reference_text(kb: KnowledgeBase, key: str) -> str:
    """One-line citation; pointers (only a title or a citation was seen) say so."""
    ref = kb.references[key]
    text = ref.short()
    if ref.pointer_only:
        text += f" [pointer only, not read: {ref.verified_via}]"
    return text


def _notes(rec: _Record) -> list[dict[str, Any]]:
    return [n.model_dump(exclude={"record"}) for n in rec.review_notes]


def compound_card(compound: str, *, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """Everything the knowledge base holds on one compound, with uncertainty and citations.

    Returns
    -------
    dict
        ``id, name, synonyms, chemical_name, formula, mw, monoisotopic_mass, smiles (all forms),
        smiles_for_drawing, identifiers, salt_form, mechanism_class, uncertain, uncertainty, notes,
        targets`` (activity rows as in :func:`list_targets`), ``efficacy`` (rows as in
        :func:`list_efficacy` plus ``notes``), ``references`` (``{key: citation}`` of every key
        used).
    """
    kb = _kb(kb)
    c = kb.compound(compound)
    targets = [_activity_row(kb, a) | {"notes": _notes(a)} for a in kb.activities_for(c.id)]
    efficacy = [_efficacy_row(r) | {"notes": _notes(r)} for r in kb.efficacy_for(c.id)]
    extras = c.extras()
    keys: list[str] = []
    for row in [*targets, *efficacy]:
        keys += row["cite"]
    for n in c.review_notes:
        keys += n.cite
    for key, value in extras.items():
        if key.endswith("_cite") and isinstance(value, list):
            keys += value
    refs = {k: reference_text(kb, k) for k in dict.fromkeys(keys)}
    return {
        "id": c.id,
        "name": c.name,
        "synonyms": c.synonyms,
        "chemical_name": c.chemical_name,
        "formula": c.formula,
        "mw": c.mw,
        "monoisotopic_mass": c.monoisotopic_mass,
        "smiles": c.smiles,
        "smiles_for_drawing": c.smiles_for_drawing,
        "identifiers": c.identifiers(),
        "identifier_note": extras.get("identifier_note") or extras.get("ids_note"),
        "salt_form": c.salt_form,
        "mechanism_class": c.mechanism_class,
        "uncertain": c.uncertain,
        "uncertainty": c.uncertainty,
        "notes": _notes(c),
        "targets": targets,
        "efficacy": efficacy,
        "references": refs,
    }


def find_record(record_id: str, *, kb: KnowledgeBase | None = None) -> tuple[str, str, Any]:
    """``(section, id, record)`` for an id of any section (compound synonyms accepted).

    Sections are searched in the order compound, target, protocol, efficacy, activity, node, edge,
    species, reference. An id may also be written ``section:id``.

    Raises
    ------
    InputError
        When no record has that id.
    """
    kb = _kb(kb)
    wanted_section = None
    key = record_id.strip()
    if ":" in key and key.split(":", 1)[0] in {
        "compound",
        "target",
        "protocol",
        "efficacy",
        "activity",
        "node",
        "edge",
        "species",
        "reference",
    }:
        wanted_section, key = key.split(":", 1)
    if wanted_section in (None, "compound"):
        try:
            return "compound", kb.compound(key).id, kb.compound(key)
        except InputError:
            pass
    order = ["target", "protocol", "efficacy", "activity", "node", "edge", "species"]
    index = {(s, k): r for s, k, r in kb.records()}
    for section in order:
        if wanted_section in (None, section) and (section, key) in index:
            return section, key, index[(section, key)]
    if wanted_section in (None, "reference") and key in kb.references:
        return "reference", key, kb.references[key]
    raise InputError(
        f"Expected the id of a compound, target, protocol, efficacy record, pathway node or "
        f"reference (see 'neuroprotect kb list' or 'kb search'), but got {record_id!r}"
    )


def record_card(record_id: str, *, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """Any record as a dict: the compound card for compounds, otherwise ``section, id, record,
    uncertain, uncertainty, notes, references``."""
    kb = _kb(kb)
    section, key, rec = find_record(record_id, kb=kb)
    if section == "compound":
        return {"section": "compound"} | compound_card(key, kb=kb)
    if section == "reference":
        return {"section": "reference", "id": key, "record": rec.model_dump(exclude_none=True)}
    from neuroprotect.knowledge.loader import iter_citations

    data = rec.model_dump(exclude={"review_notes"}, exclude_none=True)
    keys = [k for _, k in iter_citations(data)]
    for n in rec.review_notes:
        keys += n.cite
    return {
        "section": section,
        "id": key,
        "record": data,
        "uncertain": rec.uncertain,
        "uncertainty": rec.uncertainty,
        "notes": _notes(rec),
        "references": {k: reference_text(kb, k) for k in dict.fromkeys(keys)},
    }


def _strings(obj: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(obj, str):
        return [(path, obj)]
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in _strings(v, f"{path}.{k}" if path else str(k))]
    if isinstance(obj, list):
        return [x for v in obj for x in _strings(v, path)]
    return []


def search(text: str, *, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Case-insensitive substring search in every text field of every record and reference.

    Returns
    -------
    pandas.DataFrame
        One row per matching record: ``section, id, field`` (first matching field), ``snippet``
        (up to 80 characters around the match), ``uncertain``.
    """
    import pandas as pd

    kb = _kb(kb)
    needle = text.strip().lower()
    if not needle:
        raise InputError("Expected a non-empty search text, but got ''")
    rows = []
    items: list[tuple[str, str, Any, bool]] = [
        (
            s,
            k,
            {"id": k}
            | r.model_dump(exclude_none=True, exclude={"review_notes"})
            | {"review_notes": [n.text for n in r.review_notes]},
            r.uncertain,
        )
        for s, k, r in kb.records()
    ]
    items += [
        ("reference", k, r.model_dump(exclude_none=True), False) for k, r in kb.references.items()
    ]
    for section, key, data, uncertain in items:
        for field, value in _strings(data):
            pos = value.lower().find(needle)
            if pos >= 0:
                start = max(pos - 30, 0)
                snippet = value[start : pos + len(needle) + 50]
                rows.append(
                    {
                        "section": section,
                        "id": key,
                        "field": field,
                        "snippet": " ".join(snippet.split()),
                        "uncertain": uncertain,
                    }
                )
                break
    return pd.DataFrame(rows, columns=["section", "id", "field", "snippet", "uncertain"])

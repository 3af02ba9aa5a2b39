"""Typed records of the bundled knowledge base.

Every record keeps the ``cite`` keys of the curated YAML (resolved in ``references.yaml``) and the
source's own free-text fields; fields the YAML carries that are not modelled are kept as pydantic
extras. Uncertainty is never silent: each record exposes ``uncertainty`` (a list of reasons,
empty when the record is not flagged) and ``uncertain``. Reasons come from the source itself (a
``low`` confidence, an ``uncertain:`` field, an ``assumed`` assay) and from review notes
(``notes.yaml``) that record the seed documents' known errors.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["error", "warning", "info"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    review_notes: list[Note] = Field(default_factory=list)

    def _source_uncertainty(self) -> list[str]:
        return []

    @property
    def uncertainty(self) -> list[str]:
        """Reasons to treat this record as uncertain (empty when it is not flagged)."""
        reasons = self._source_uncertainty()
        reasons += [f"{n.kind}: {n.text}" for n in self.review_notes if n.severity != "info"]
        return reasons

    @property
    def uncertain(self) -> bool:
        return bool(self.uncertainty)

    def extras(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


def confidence_level(text: str | None) -> str | None:
    """First confidence word of a free-text confidence (``"low-medium until ..."`` -> ``"low"``)."""
    if not text:
        return None
    match = re.match(r"\s*(high|medium|low|qualitative)", text, flags=re.IGNORECASE)
    return match.group(1).lower() if match else None


def _low_confidence(text: str | None) -> bool:
    return bool(text) and re.search(r"\blow\b", str(text), flags=re.IGNORECASE) is not None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


class Note(BaseModel):
    """A review note on one record (a known error or caveat of a seed document)."""

    record: str = Field(description="'<section>:<id>' of the record the note applies to")
    kind: str = Field(
        description="mis-citation, contradiction, unusual-direction, wrong-source, ..."
    )
    severity: Severity
    text: str
    cite: list[str]
    problem: int | None = Field(default=None, description="number in knowledge.md's problem list")
    sign_context_dependent: bool = False


class Reference(BaseModel):
    """One entry of ``references.yaml``."""

    model_config = ConfigDict(extra="allow")

    key: str
    type: str | None = None
    authors: str | None = None
    year: int | None = None
    title: str | None = None
    journal: str | None = None
    doi: str | None = None
    pmc: str | None = None
    verified_via: str | None = None
    note: str | None = None

    @property
    def pointer_only(self) -> bool:
        """True when only a title or a citation was seen: a pointer, not evidence that was read."""
        via = (self.verified_via or "").lower()
        return "title only" in via or ("citation" in via and "only" in via)

    def short(self) -> str:
        """``Authors (year) title`` in one line, or the key when nothing more is known."""
        who = (self.authors or "").split(",")[0].strip()
        parts = [p for p in (who, f"({self.year})" if self.year else "", self.title or "") if p]
        return " ".join(parts) if parts else self.key


class Compound(_Record):
    id: str
    name: str
    synonyms: list[str] = Field(default_factory=list)
    chemical_name: str | None = None
    smiles: dict[str, Any] = Field(default_factory=dict)
    inchikey: dict[str, Any] = Field(default_factory=dict)
    formula: str | None = None
    mw: float | None = None
    monoisotopic_mass: float | None = None
    salt_form: dict[str, Any] | None = None
    pubchem_cid: int | None = None
    chembl_id: str | None = None
    cas: str | None = None
    unii: str | None = None
    mechanism_class: str | None = None

    @field_validator("synonyms", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def smiles_for_drawing(self) -> str | None:
        """The SMILES to draw: ``canonical`` or, failing that, connectivity only."""
        for key in ("canonical", "connectivity", "e_isomer_assumed", "pubchem_style"):
            if self.smiles.get(key):
                return str(self.smiles[key])
        return None

    @property
    def inchikey_value(self) -> str | None:
        for key in ("value", "connectivity"):
            if self.inchikey.get(key):
                return str(self.inchikey[key])
        return None

    def identifiers(self) -> dict[str, Any]:
        """Database identifiers (None where not retrieved)."""
        return {
            "inchikey": self.inchikey_value,
            "pubchem_cid": self.pubchem_cid,
            "chembl_id": self.chembl_id,
            "cas": self.cas,
            "unii": self.unii,
        }

    def _source_uncertainty(self) -> list[str]:
        out: list[str] = []
        unc = self.smiles.get("uncertain")
        if unc is True:
            out.append(f"structure: {self.smiles.get('derivation') or 'marked uncertain'}")
        elif unc:
            out += [f"structure: {u}" for u in _as_list(unc)]
        if self.salt_form and self.salt_form.get("uncertain"):
            out.append(f"salt form: {self.salt_form.get('form')}")
        note = str(self.inchikey.get("note") or "")
        if re.search(r"unverified|not matched", note, flags=re.IGNORECASE):
            out.append(f"InChIKey: {note.strip()}")
        return out


class Target(_Record):
    id: str
    name: str
    gene: str | None = None
    description: str | None = None
    cite: list[str] = Field(default_factory=list)


class Activity(_Record):
    """A binding or functional measurement of one compound on one target."""

    id: str
    compound: str
    target: str
    parameter: str
    value: int | float | str | None = None
    relation: str | None = None
    error: str | None = None
    error_type: str | None = None
    units: str | None = None
    species: str | None = None
    tissue: str | None = None
    radioligand: str | None = None
    effect: str | None = None
    confidence: str | None = None
    note: str | None = None
    cite: list[str] = Field(default_factory=list)

    @property
    def confidence_level(self) -> str | None:
        return confidence_level(self.confidence)

    def value_text(self) -> str:
        """Value with error and units as read (``"39 +/- 8 nM"``), or the effect when no number."""
        if self.value is None:
            return self.effect or "no value"
        text = str(self.value)
        if self.relation and not text.startswith(self.relation):
            text = f"{self.relation}{text}"
        if self.error:
            text += f" {self.error}"
        if self.units:
            text += f" {self.units}"
        return text

    def _source_uncertainty(self) -> list[str]:
        out = []
        if _low_confidence(self.confidence):
            out.append(f"confidence: {self.confidence}")
        return out


class EfficacyRecord(_Record):
    id: str
    compound: str
    setting: str
    model: str
    protocol_ref: str | None = None
    species: str | None = None
    strain: str | None = None
    sex: str | None = None
    n_per_group: Any = None
    doses_mg_per_kg: list[float] | None = None
    route: str | None = None
    timing_relative_to_insult: str | None = None
    comparators: list[str] | None = None
    outcome_measures: list[str] | None = None
    effect_direction: str | None = None
    effect_size: str | None = None
    quantitative_data: list[dict[str, Any]] | None = None
    cite: list[str] = Field(default_factory=list)
    source_level: str | None = None
    confidence: str | None = None
    notes: str | None = None
    to_extract: list[str] | None = None

    @property
    def confidence_level(self) -> str | None:
        return confidence_level(self.confidence)

    def _source_uncertainty(self) -> list[str]:
        out = []
        if _low_confidence(self.confidence):
            out.append(f"confidence: {self.confidence}")
        if self.source_level and "SECONDARY" in self.source_level:
            out.append(f"source: {self.source_level}")
        return out


class ProtocolStep(BaseModel):
    model_config = ConfigDict(extra="allow")

    order: int
    action: str
    parameters: dict[str, Any] | None = None
    cite: list[str] = Field(default_factory=list)


class CalibrationFact(BaseModel):
    fact: str
    cite: list[str]


class Protocol(_Record):
    id: str
    name: str
    species: str | None = None
    steps: list[ProtocolStep]
    outcome_measures: list[str] = Field(default_factory=list)
    calibration_data: list[CalibrationFact] = Field(default_factory=list)


class Assay(BaseModel):
    model_config = ConfigDict(extra="allow")

    method: str
    status: Literal["sourced", "assumed"]
    cite: list[str] = Field(default_factory=list)
    sample: str | None = None


class PathwayNode(_Record):
    id: str
    label: str
    kind: str
    assays: list[Assay] = Field(default_factory=list)

    def _source_uncertainty(self) -> list[str]:
        return [
            f"assay assumed, not stated in a source: {a.method}"
            for a in self.assays
            if a.status == "assumed"
        ]


class PathwayEdge(_Record):
    source: str
    target: str
    sign: Literal[1, -1]
    evidence: str
    level: Literal["compound_direct", "class_sigma1", "review", "canonical"]
    confidence: Literal["high", "medium", "low"]
    cite: list[str]
    note: str | None = None

    @property
    def id(self) -> str:
        return f"{self.source}->{self.target}"

    @property
    def context_dependent(self) -> bool:
        """True when a review note says the sign depends on context (treated as either sign)."""
        return any(n.sign_context_dependent for n in self.review_notes)

    def _source_uncertainty(self) -> list[str]:
        return [f"confidence: {self.confidence}"] if self.confidence == "low" else []


class Species(_Record):
    species: str
    km: int | float | None
    reference_body_weight_kg: float | None = None
    body_surface_area_m2: float | None = None
    cite: list[str] = Field(default_factory=list)

    def _source_uncertainty(self) -> list[str]:
        return (
            ["no Km factor in any source read; a user-supplied Km is required"]
            if self.km is None
            else []
        )


_Record.model_rebuild()
for _cls in (
    Compound,
    Target,
    Activity,
    EfficacyRecord,
    Protocol,
    PathwayNode,
    PathwayEdge,
    Species,
):
    _cls.model_rebuild()

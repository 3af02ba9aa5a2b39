"""Load and validate the whole knowledge base into typed records.

``load_knowledge_base()`` reads the bundled YAML files (``knowledge/data``), checks that every
cite key resolves in ``references.yaml`` (or in the ``references`` block of ``notes.yaml``), that
every pathway edge joins known nodes, that every record points at known compounds, targets and
protocols, and attaches the review notes (the seed documents' known errors) to the records they
concern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from neuroprotect.errors import InputError
from neuroprotect.knowledge.base import SAFE_LOADER, resolve_compound
from neuroprotect.knowledge.models import (
    Activity,
    Compound,
    EfficacyRecord,
    Note,
    PathwayEdge,
    PathwayNode,
    Protocol,
    Reference,
    Species,
    Target,
    _Record,
)

SECTIONS = ("compounds", "targets", "efficacy", "protocols", "pathways", "species", "references")


class KnowledgeBaseError(RuntimeError):
    """The bundled knowledge base is inconsistent (a packaging bug, not a user error)."""


@dataclass
class KnowledgeBase:
    """All knowledge-base records, keyed by id.

    Attributes
    ----------
    compounds, targets, protocols, efficacy, activities, nodes, species
        ``{id: record}``; activity ids are ``"<compound>:<target>:<parameter>"``, species are
        keyed by their name (``"rat"``, ``"Mongolian gerbil"``).
    edges
        Signed pathway edges in file order.
    references
        ``{cite key: Reference}``.
    notes
        ``{"<section>:<id>": [Note, ...]}``: the review notes, also attached to the records.
    """

    compounds: dict[str, Compound]
    targets: dict[str, Target]
    activities: dict[str, Activity]
    efficacy: dict[str, EfficacyRecord]
    protocols: dict[str, Protocol]
    nodes: dict[str, PathwayNode]
    edges: list[PathwayEdge]
    species: dict[str, Species]
    references: dict[str, Reference]
    notes: dict[str, list[Note]] = field(default_factory=dict)

    def compound(self, name: str) -> Compound:
        """The compound with this id or synonym; InputError when unknown."""
        key = resolve_compound(name)
        if key is None or key not in self.compounds:
            raise InputError(
                f"Expected a knowledge-base compound ({', '.join(self.compounds)}), "
                f"but got {name!r}"
            )
        return self.compounds[key]

    def reference(self, key: str) -> Reference:
        return self.references[key]

    def activities_for(self, compound_id: str) -> list[Activity]:
        return [a for a in self.activities.values() if a.compound == compound_id]

    def efficacy_for(self, compound_id: str) -> list[EfficacyRecord]:
        return [r for r in self.efficacy.values() if r.compound == compound_id]

    def edge(self, source: str, target: str) -> PathwayEdge:
        for e in self.edges:
            if e.source == source and e.target == target:
                return e
        raise KeyError(f"{source}->{target}")

    def records(self) -> Iterator[tuple[str, str, _Record]]:
        """Every record as ``(section, id, record)``; sections as used in note keys."""
        groups: list[tuple[str, dict[str, Any]]] = [
            ("compound", self.compounds),
            ("target", self.targets),
            ("activity", self.activities),
            ("efficacy", self.efficacy),
            ("protocol", self.protocols),
            ("node", self.nodes),
            ("edge", {e.id: e for e in self.edges}),
            ("species", self.species),
        ]
        for section, items in groups:
            for key, rec in items.items():
                yield section, key, rec


def _read(data_dir: Path | None, name: str) -> dict[str, Any]:
    if data_dir is None:
        text = (
            resources.files("neuroprotect.knowledge")
            .joinpath("data", f"{name}.yaml")
            .read_text("utf-8")
        )
    else:
        text = (data_dir / f"{name}.yaml").read_text("utf-8")
    data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"knowledge base file {name}.yaml is not a mapping")
    return data


def iter_citations(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every ``(path, cite key)`` under ``cite`` / ``*_cite`` fields of a parsed YAML tree."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            sub = f"{path}.{key}" if path else str(key)
            if key == "cite" or str(key).endswith("_cite"):
                for item in value if isinstance(value, list) else [value]:
                    if item is not None:
                        yield sub, str(item)
            else:
                yield from iter_citations(value, sub)
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            ident = value.get("id") if isinstance(value, dict) else None
            yield from iter_citations(value, f"{path}[{ident if ident is not None else i}]")


def activity_id(raw: dict[str, Any]) -> str:
    return f"{raw['compound']}:{raw['target']}:{raw['parameter']}"


def _build(data_dir: Path | None) -> KnowledgeBase:
    raw = {name: _read(data_dir, name) for name in SECTIONS}
    notes_raw = _read(data_dir, "notes")
    problems: list[str] = []

    refs = {k: Reference(key=k, **(v or {})) for k, v in raw["references"]["references"].items()}
    for k, v in (notes_raw.get("references") or {}).items():
        refs[k] = Reference(key=k, **(v or {}))

    for name, tree in [*raw.items(), ("notes", notes_raw.get("notes"))]:
        for where, key in iter_citations(tree):
            if key not in refs:
                problems.append(f"{name}.yaml {where}: cite key {key!r} not in references")

    def unique(items: list[Any], key: str, what: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for it in items:
            if getattr(it, key) in out:
                problems.append(f"duplicate {what} id {getattr(it, key)!r}")
            out[getattr(it, key)] = it
        return out

    compounds = unique([Compound(**c) for c in raw["compounds"]["compounds"]], "id", "compound")
    targets = unique([Target(**t) for t in raw["targets"]["targets"]], "id", "target")
    activities = unique(
        [Activity(id=activity_id(a), **a) for a in raw["targets"]["activities"]], "id", "activity"
    )
    efficacy = unique([EfficacyRecord(**r) for r in raw["efficacy"]["records"]], "id", "efficacy")
    protocols = unique([Protocol(**p) for p in raw["protocols"]["protocols"]], "id", "protocol")
    nodes = unique([PathwayNode(**n) for n in raw["pathways"]["nodes"]], "id", "node")
    edges = [PathwayEdge(**e) for e in raw["pathways"]["edges"]]
    unique(edges, "id", "edge")
    sp = raw["species"]
    species_list = [Species(**s) for s in sp["species"]]
    if sp.get("gerbil"):
        g = sp["gerbil"]
        species_list.append(Species(species=g["species"], km=g.get("km"), cite=g.get("cite") or []))
    species = unique(species_list, "species", "species")

    for e in edges:
        for end in (e.source, e.target):
            if end not in nodes:
                problems.append(f"pathways.yaml edge {e.id}: node {end!r} is not a known node")
    for a in activities.values():
        if a.compound not in compounds:
            problems.append(f"targets.yaml activity {a.id}: unknown compound {a.compound!r}")
        if a.target not in targets:
            problems.append(f"targets.yaml activity {a.id}: unknown target {a.target!r}")
    for r in efficacy.values():
        if r.compound not in compounds:
            problems.append(f"efficacy.yaml {r.id}: unknown compound {r.compound!r}")
        if r.protocol_ref is not None and r.protocol_ref not in protocols:
            problems.append(f"efficacy.yaml {r.id}: unknown protocol {r.protocol_ref!r}")
    for n in nodes.values():
        if n.kind == "compound" and n.id not in compounds:
            problems.append(f"pathways.yaml node {n.id}: compound node without a compound record")

    kb = KnowledgeBase(
        compounds=compounds,
        targets=targets,
        activities=activities,
        efficacy=efficacy,
        protocols=protocols,
        nodes=nodes,
        edges=edges,
        species=species,
        references=refs,
    )
    index = {f"{section}:{key}": rec for section, key, rec in kb.records()}
    for record_key, entries in (notes_raw.get("notes") or {}).items():
        if record_key not in index:
            problems.append(f"notes.yaml: {record_key!r} is not a known record")
            continue
        for entry in entries:
            note = Note(record=record_key, **entry)
            kb.notes.setdefault(record_key, []).append(note)
            index[record_key].review_notes.append(note)

    if problems:
        raise KnowledgeBaseError("invalid knowledge base:\n" + "\n".join(problems))
    return kb


@cache
def _bundled() -> KnowledgeBase:
    return _build(None)


def load_knowledge_base(data_dir: str | Path | None = None) -> KnowledgeBase:
    """Load, validate and cross-link the knowledge base.

    Parameters
    ----------
    data_dir
        Folder holding ``compounds.yaml`` ... ``references.yaml`` and ``notes.yaml``; the bundled
        copy when None (cached: later calls return the same object).

    Returns
    -------
    KnowledgeBase

    Raises
    ------
    KnowledgeBaseError
        When a cite key does not resolve, an edge joins an unknown node, a record points at an
        unknown compound, target or protocol, an id repeats, or a note names an unknown record (all
        problems are listed, one per line).
    """
    if data_dir is None:
        return _bundled()
    return _build(Path(data_dir))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")

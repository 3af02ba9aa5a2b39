"""The bundled knowledge base loads, validates and carries the review notes.

Expected counts are the curators' own (design/background/knowledge.md: 10 compounds,
13 targets, 20 binding/activity records, 46 efficacy records, 6 protocols, 56 nodes, 79 edges,
67 citation keys).
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

from neuroprotect.errors import InputError
from neuroprotect.knowledge import resolve_compound, resolve_protocol
from neuroprotect.knowledge.loader import (
    KnowledgeBaseError,
    iter_citations,
    load_knowledge_base,
)

DATA = Path(str(resources.files("neuroprotect.knowledge").joinpath("data")))
FILES = ("compounds", "targets", "efficacy", "protocols", "pathways", "species", "references")


def _raw(name: str) -> dict:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text("utf-8"))


def test_counts_match_curators_inventory() -> None:
    kb = load_knowledge_base()
    assert len(kb.compounds) == 10
    assert len(kb.targets) == 13
    assert len(kb.activities) == 20
    assert len(kb.efficacy) == 46
    assert len(kb.protocols) == 6
    assert len(kb.nodes) == 56
    assert len(kb.edges) == 79
    assert len(_raw("references")["references"]) == 67


def test_every_citation_resolves() -> None:
    """Walk the raw YAML (independently of the typed models): every cite key is a reference."""
    keys = set(_raw("references")["references"]) | set(_raw("notes")["references"])
    seen = 0
    for name in (*FILES, "notes"):
        for where, key in iter_citations(_raw(name)):
            assert key in keys, f"{name}.yaml {where}: {key}"
            seen += 1
    assert seen > 400


def test_no_reference_is_unused() -> None:
    used = {k for name in (*FILES, "notes") for _, k in iter_citations(_raw(name))}
    assert set(_raw("references")["references"]) <= used


def test_every_edge_joins_known_nodes_with_a_sign() -> None:
    raw = _raw("pathways")
    nodes = {n["id"] for n in raw["nodes"]}
    for e in raw["edges"]:
        assert e["source"] in nodes and e["target"] in nodes, e
        assert e["sign"] in (1, -1)


def test_records_point_at_known_compounds_targets_protocols() -> None:
    kb = load_knowledge_base()
    for a in kb.activities.values():
        assert a.compound in kb.compounds and a.target in kb.targets
    for r in kb.efficacy.values():
        assert r.compound in kb.compounds
        assert r.protocol_ref is None or r.protocol_ref in kb.protocols


def _broken_copy(tmp_path: Path, name: str, edit) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    data = yaml.safe_load((folder / f"{name}.yaml").read_text("utf-8"))
    edit(data)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def test_unresolved_cite_key_is_rejected(tmp_path: Path) -> None:
    folder = _broken_copy(
        tmp_path, "efficacy", lambda d: d["records"][0]["cite"].append("PMID:0000000")
    )
    with pytest.raises(KnowledgeBaseError, match="PMID:0000000"):
        load_knowledge_base(folder)


def test_edge_to_unknown_node_is_rejected(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        d["edges"][0]["target"] = "no_such_node"

    with pytest.raises(KnowledgeBaseError, match="no_such_node"):
        load_knowledge_base(_broken_copy(tmp_path, "pathways", edit))


def test_note_on_unknown_record_is_rejected(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        d["notes"]["efficacy:nope"] = d["notes"]["efficacy:igm-04"]

    with pytest.raises(KnowledgeBaseError, match="efficacy:nope"):
        load_knowledge_base(_broken_copy(tmp_path, "notes", edit))


def test_all_seven_seed_problems_are_recorded_as_notes() -> None:
    kb = load_knowledge_base()
    problems = {n.problem for notes in kb.notes.values() for n in notes}
    assert {1, 2, 3, 4, 5, 6, 7} <= problems
    assert kb.activities["igmesine:SIGMAR1:IC50"].review_notes[0].kind == "mis-citation"
    assert any(n.severity == "error" for n in kb.efficacy["imm-ogd-05"].review_notes)
    assert kb.efficacy["imm-4vo-04"].uncertain
    assert kb.edge("NOS", "neuronal_survival").context_dependent
    assert not kb.edge("igmesine", "SIGMAR1").context_dependent
    for notes in kb.notes.values():
        for n in notes:
            assert n.cite, n


def test_uncertain_values_are_flagged() -> None:
    kb = load_knowledge_base()
    # vendor-only PRE-084 affinities are low confidence
    assert kb.activities["pre_084:SIGMAR1:IC50 (as given)"].uncertain
    # FENM structure is inferred
    assert any("structure" in r for r in kb.compounds["fenm"].uncertainty)
    assert kb.species["Mongolian gerbil"].uncertain
    assert kb.species["rat"].km == 6 and not kb.species["rat"].uncertain
    assert any("assay assumed" in r for r in kb.nodes["BDNF"].uncertainty)
    # a primary-abstract record of medium confidence without notes is not flagged
    assert not kb.efficacy["igm-03"].uncertain
    assert kb.references["DOI:10.1016/j.ejmech.2013.04.015"].pointer_only
    assert not kb.references["PMID:11445194"].pointer_only


def test_compound_lookup_accepts_synonyms_and_rejects_unknown() -> None:
    kb = load_knowledge_base()
    assert kb.compound("JO 1784").id == "igmesine"
    with pytest.raises(InputError, match="aspirin"):
        kb.compound("aspirin")


def test_minimal_loader_behaviour_is_unchanged() -> None:
    assert resolve_compound("JO-1784") == "igmesine"
    assert resolve_compound("cutamesine") == "sa4503"
    assert resolve_compound("nothing") is None
    assert resolve_protocol("tMCAO") == "mcao_r_filament"
    assert resolve_protocol("pmcao") == "pmcao"


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def test_no_text_has_a_space_before_a_full_stop() -> None:
    # `kb show igmesine` printed "CAS NOT verified . WARNING: ..."
    stray = [
        (name, s)
        for name in (*FILES, "notes")
        for s in _strings(_raw(name))
        if re.search(r"\w \.(\s|$)", s)
    ]
    assert stray == []


def test_the_fast_yaml_loader_reads_the_bundled_files_as_the_pure_python_one() -> None:
    """Reference: PyYAML's pure-Python SafeLoader on the same text (the C loader is for speed)."""
    from importlib import resources

    import yaml

    from neuroprotect.knowledge.base import SAFE_LOADER

    folder = resources.files("neuroprotect.knowledge").joinpath("data")
    names = [p.name for p in folder.iterdir() if p.name.endswith(".yaml")]
    assert len(names) >= 5
    for name in names:
        text = folder.joinpath(name).read_text("utf-8")
        assert yaml.load(text, Loader=SAFE_LOADER) == yaml.load(text, Loader=yaml.SafeLoader)

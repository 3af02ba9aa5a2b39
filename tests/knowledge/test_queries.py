"""Tables, cards and search over the bundled knowledge base."""

from __future__ import annotations

import pytest

from neuroprotect.errors import InputError
from neuroprotect.knowledge.queries import (
    compound_card,
    list_compounds,
    list_efficacy,
    list_protocols,
    list_records,
    list_targets,
    record_card,
    search,
)


def test_list_tables_have_documented_columns() -> None:
    assert list(list_compounds().columns) == [
        "id",
        "name",
        "formula",
        "mw",
        "mechanism_class",
        "n_activities",
        "n_efficacy",
        "uncertain",
        "uncertainty",
    ]
    assert len(list_efficacy()) == 46
    assert set(list_efficacy(compound="FENM (fluoroethylnormemantine)")["id"]) == {
        "fenm-01",
        "fenm-02",
        "fenm-03",
    }
    igm = list_targets(compound="igmesine")
    assert len(igm) == 9 and set(igm["compound"]) == {"igmesine"}
    # targets without any activity record still appear once when unfiltered
    assert "mAChR" in set(list_targets()["target"])
    assert set(list_protocols(compound="imm_h004")["id"]) == {
        "4vo_rat",
        "mcao_r_filament",
        "pmcao",
        "ogd_r_pc12",
    }
    assert list(list_records("compounds", compound="JO 1784")["id"]) == ["igmesine"]
    with pytest.raises(InputError):
        list_records("species")


def test_compound_card_marks_uncertain_affinity_and_cites() -> None:
    card = compound_card("igmesine")
    assert card["formula"] == "C23H29N" and card["mw"] == pytest.approx(319.49)
    sig = next(t for t in card["targets"] if t["activity_id"] == "igmesine:SIGMAR1:IC50")
    assert sig["value_text"] == "39 +/- 8 nM"
    assert sig["uncertain"] and sig["notes"][0]["problem"] == 1
    assert "PMID:1979628" in sig["cite"] and "PMID:1979628" in card["references"]
    assert {e["id"] for e in card["efficacy"]} >= {"igm-01", "igm-05"}
    assert card["uncertain"]  # E geometry unverified


def test_record_card_for_other_sections() -> None:
    edge = record_card("NOS->neuronal_survival")
    assert edge["section"] == "edge" and edge["uncertain"]
    assert "PMID:1491779" in edge["references"]
    ref = record_card("PMID:7498313")
    assert ref["section"] == "reference"
    assert record_card("node:BAX_BCL2_ratio")["section"] == "node"
    with pytest.raises(InputError, match="zzz"):
        record_card("zzz")


def test_search_finds_records_case_insensitively() -> None:
    hits = search("psd-95")
    assert {"imm-4vo-04", "PSD95", "imm_h004->PSD95"} <= set(hits["id"])
    assert search("Roman FJ")["section"].eq("reference").any()
    with pytest.raises(InputError):
        search("  ")

"""Structures with RDKit (a core dependency).

Reference: the formula, MW and InChIKey stored in compounds.yaml were computed by the curators with
RDKit 2026.09.1 and, for IMM-H004, edaravone, fluoxetine and scopolamine, matched against PubChem /
FDA GSRS keys; recomputing them from the stored SMILES must give the same values (MW to 0.01).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import pytest

from neuroprotect.knowledge.chem import (
    CHEM_EXTRA_MESSAGE,
    MissingExtraError,
    compute_structure_properties,
    render_structure_svg,
)
from neuroprotect.knowledge.loader import load_knowledge_base


def test_stored_identity_matches_rdkit() -> None:
    pytest.importorskip("rdkit")
    for c in load_knowledge_base().compounds.values():
        props = compute_structure_properties(c.smiles_for_drawing)
        assert props["formula"] == c.formula, c.id
        assert props["mw"] == pytest.approx(c.mw, abs=0.01), c.id
        assert props["inchikey"] == c.inchikey_value, c.id
        if c.monoisotopic_mass is not None:
            assert props["monoisotopic_mass"] == pytest.approx(c.monoisotopic_mass, abs=0.01)


def test_structure_svg() -> None:
    pytest.importorskip("rdkit")
    svg = render_structure_svg("JO 1784")
    root = ET.fromstring(svg.encode())
    assert root.tag.endswith("svg")


def test_without_rdkit_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rdkit", None)
    with pytest.raises(MissingExtraError, match="pip install rdkit"):
        render_structure_svg("igmesine")
    assert "pip install rdkit" in CHEM_EXTRA_MESSAGE

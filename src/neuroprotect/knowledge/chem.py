"""Structures from SMILES with RDKit (a core dependency; guarded so a broken install says so)."""

from __future__ import annotations

from typing import Any

from neuroprotect.knowledge.loader import KnowledgeBase, load_knowledge_base

CHEM_EXTRA_MESSAGE = (
    "drawing a structure needs RDKit, which is not importable here: pip install rdkit"
)


class MissingExtraError(ImportError):
    """An optional dependency (extra) is not installed."""


def have_rdkit() -> bool:
    """True when RDKit is installed (found, not imported: importing it takes most of a second)."""
    import importlib.util

    return importlib.util.find_spec("rdkit") is not None


def _rdkit() -> Any:
    try:
        from rdkit import Chem
    except ImportError as exc:
        raise MissingExtraError(CHEM_EXTRA_MESSAGE) from exc
    return Chem


def compute_structure_properties(smiles: str) -> dict[str, Any]:
    """Formula, average MW, monoisotopic mass and InChIKey computed by RDKit from a SMILES.

    Returns
    -------
    dict
        ``formula, mw, monoisotopic_mass, inchikey``.
    """
    chem = _rdkit()
    from rdkit.Chem import Descriptors, rdMolDescriptors

    mol = chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"Expected a valid SMILES, but got {smiles!r}")
    return {
        "formula": rdMolDescriptors.CalcMolFormula(mol),
        "mw": float(getattr(Descriptors, "MolWt")(mol)),  # noqa: B009 (not in the type stubs)
        "monoisotopic_mass": float(rdMolDescriptors.CalcExactMolWt(mol)),
        "inchikey": chem.MolToInchiKey(mol),
    }


def render_structure_svg(
    compound_id: str, *, kb: KnowledgeBase | None = None, size: tuple[int, int] = (360, 260)
) -> str:
    """2D depiction of a compound (its canonical SMILES, or the connectivity-only SMILES when the
    stereochemistry is unverified) as an SVG string.

    Raises
    ------
    MissingExtraError
        When RDKit is not installed.
    """
    chem = _rdkit()
    from rdkit.Chem.Draw import rdMolDraw2D

    kb = kb or load_knowledge_base()
    compound = kb.compound(compound_id)
    smiles = compound.smiles_for_drawing
    if smiles is None:
        raise ValueError(f"Expected a SMILES for {compound.id}, but it has none")
    mol = chem.MolFromSmiles(smiles)
    drawer = rdMolDraw2D.MolDraw2DSVG(*size)
    drawer.DrawMolecule(mol, legend=compound.name)
    drawer.FinishDrawing()
    return str(drawer.GetDrawingText())

"""Bundled, cited knowledge base (compounds, targets, efficacy, protocols, pathways, species).

The YAML files in ``knowledge/data`` are copied from the project's curated sources; every fact keeps
its ``cite:`` key. ``load_knowledge_base()`` validates and types them and attaches the review notes
(``data/notes.yaml``: the seed documents' known errors). ``pathway`` holds the signed graph and
``predicted_effect``; ``render`` draws it (SVG/PNG) and ``interactive`` gives Cytoscape.js JSON
and ``render_pathway_html_fragment`` for reports; ``combinations`` tests synergy claims (Bliss,
Loewe/CI). Heavier modules (``render``, ``interactive``, ``combinations``, ``chem``) are imported
on demand.
"""

from typing import Any

from neuroprotect.knowledge.base import (
    PROTOCOL_ALIASES,
    compound_ids,
    load_section,
    protocol_ids,
    resolve_compound,
    resolve_protocol,
)

_LAZY = {
    "KnowledgeBase": "loader",
    "KnowledgeBaseError": "loader",
    "load_knowledge_base": "loader",
    "build_pathway_graph": "pathway",
    "compound_pathway": "pathway",
    "predicted_effect": "pathway",
    "predicted_effects": "pathway",
    "signed_paths": "pathway",
    "compound_card": "queries",
    "list_compounds": "queries",
    "list_efficacy": "queries",
    "list_protocols": "queries",
    "list_targets": "queries",
    "record_card": "queries",
    "search": "queries",
}


def __getattr__(name: str) -> Any:
    """Import the heavier parts (pandas, networkx) only when used."""
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f"neuroprotect.knowledge.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'neuroprotect.knowledge' has no attribute {name!r}")


__all__ = [
    "PROTOCOL_ALIASES",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "build_pathway_graph",
    "compound_card",
    "compound_ids",
    "compound_pathway",
    "list_compounds",
    "list_efficacy",
    "list_protocols",
    "list_targets",
    "load_knowledge_base",
    "load_section",
    "predicted_effect",
    "predicted_effects",
    "protocol_ids",
    "record_card",
    "resolve_compound",
    "resolve_protocol",
    "search",
    "signed_paths",
]

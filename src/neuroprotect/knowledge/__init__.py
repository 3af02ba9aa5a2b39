"""Bundled, cited knowledge base (compounds, protocols, targets, efficacy, pathways, species).

The YAML files in ``knowledge/data`` are copied from the project's curated sources; every fact keeps
its ``cite:`` key. This module gives id look-ups used to validate study manifests.
"""

from neuroprotect.knowledge.base import (
    PROTOCOL_ALIASES,
    compound_ids,
    load_section,
    protocol_ids,
    resolve_compound,
    resolve_protocol,
)

__all__ = [
    "PROTOCOL_ALIASES",
    "compound_ids",
    "load_section",
    "protocol_ids",
    "resolve_compound",
    "resolve_protocol",
]

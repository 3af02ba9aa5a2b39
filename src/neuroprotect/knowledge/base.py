"""Loading the bundled knowledge-base YAML files and resolving ids."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

#: libyaml's safe loader when PyYAML has it (the bundled files parse ~10x faster than with the
#: pure-Python one; same constructor and resolver, so the same data), else the pure one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Model names users write in manifests -> knowledge-base protocol ids.
PROTOCOL_ALIASES: dict[str, str] = {
    "mcao_reperfusion": "mcao_r_filament",
    "mcao_r": "mcao_r_filament",
    "tmcao": "mcao_r_filament",
    "mcao_permanent": "pmcao",
    "gerbil_bccao": "bccao_gerbil",
    "bccao": "bccao_gerbil",
    "rat_4vo": "4vo_rat",
    "4vo": "4vo_rat",
    "ogd_r": "ogd_r_pc12",
}


@cache
def load_section(name: str) -> dict[str, Any]:
    """The parsed YAML of one knowledge-base file (``compounds``, ``protocols``, ...)."""
    text = (
        resources.files("neuroprotect.knowledge")
        .joinpath("data", f"{name}.yaml")
        .read_text("utf-8")
    )
    data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    if not isinstance(data, dict):
        raise RuntimeError(f"knowledge base file {name}.yaml is not a mapping")
    return data


def compound_ids() -> list[str]:
    return [c["id"] for c in load_section("compounds")["compounds"]]


def protocol_ids() -> list[str]:
    return [p["id"] for p in load_section("protocols")["protocols"]]


def resolve_protocol(name: str) -> str | None:
    """Knowledge-base protocol id for a model name or alias; None when unknown."""
    key = name.strip().lower()
    key = PROTOCOL_ALIASES.get(key, key)
    return key if key in protocol_ids() else None


def resolve_compound(name: str) -> str | None:
    """Knowledge-base compound id for an id or synonym (case-insensitive); None when unknown."""
    key = name.strip().lower().replace("-", "_")
    for c in load_section("compounds")["compounds"]:
        names = [c["id"], c.get("name") or "", *(c.get("synonyms") or [])]
        if key in {str(n).strip().lower().replace("-", "_") for n in names}:
            return str(c["id"])
    return None

"""What a study run produces: the objects the store and the report consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Study
from neuroprotect.stats.result import ComparisonResult
from neuroprotect.workflows.readouts import ReadoutData, VariableSpec


@dataclass(frozen=True)
class RawFile:
    """A raw input file with its content hash (provenance)."""

    path: Path
    sha256: str
    size: int
    role: str  # "manifest", "animals", or the readout id


@dataclass
class VariableResult:
    """Statistics of one variable of one readout."""

    readout_id: str
    readout_type: str
    spec: VariableSpec
    #: Per-animal values of the analysed (non-excluded) animals: animal_id, group, value.
    data: pd.DataFrame
    #: Every treatment and positive-control group vs vehicle.
    comparison: ComparisonResult | None
    #: Sham vs vehicle (did the model work?).
    model_check: ComparisonResult | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class StudyOutcome:
    """Everything one run of a study produced."""

    study: Study
    animals: pd.DataFrame
    readouts: dict[str, ReadoutData]
    variables: list[VariableResult]
    raw_files: list[RawFile]
    input_hash: str
    parameters: dict[str, Any]
    versions: dict[str, str]
    started_at: datetime
    finished_at: datetime | None = None
    run_id: str | None = None
    reused: bool = False
    #: Warnings of the run itself (not of one readout, variable or excluded animal): see
    #: :func:`all_warnings` for every warning of a run as one list.
    warnings: list[str] = field(default_factory=list)
    #: True while a blinded study is analysed on group codes (no key opened).
    blinded: bool = False
    #: For an unblinded study: ``{"actor", "unblinded_at", "key_sha256", "group_codes"}``.
    unblinding: dict[str, Any] | None = None


def readout_warning(readout: str, text: str) -> str:
    """A readout's warning as a run shows it, prefixed once by the readout (its id; the report
    uses its title).

    Readout loaders return their warnings without the prefix (``ReadoutData.warnings``); this is
    the only place that adds it.
    """
    return f"{readout}: {text}"


def exclusion_warning(
    animal_id: object, group: object, reason: object, *, unit: str = "Animal"
) -> str:
    """One excluded animal (or, in vitro, ``unit="Culture"``), for the warnings of a run."""
    return f"{unit} {animal_id} ({group}) excluded: {reason or 'no reason given'}."


def all_warnings(outcome: StudyOutcome) -> list[str]:
    """Every warning of a run, each once: readouts (prefixed by readout id), the run itself, the
    statistics of each variable (prefixed by ``readout.variable``), then each excluded animal with
    its reason (what the command line prints and results.json holds)."""
    found = [
        readout_warning(rid, w) for rid, data in outcome.readouts.items() for w in data.warnings
    ]
    found += outcome.warnings
    for v in outcome.variables:
        said = list(v.warnings)
        for res in (v.comparison, v.model_check):
            said += res.warnings if res is not None else []
        found += [f"{v.readout_id}.{v.spec.name}: {w}" for w in said]
    animals = outcome.animals
    unit = "Culture" if outcome.study.in_vitro else "Animal"
    if C.EXCLUDED in animals:
        for row in animals[animals[C.EXCLUDED].fillna(False).astype(bool)].to_dict("records"):
            found.append(
                exclusion_warning(
                    row[C.ANIMAL_ID], row[C.GROUP], row.get(C.EXCLUSION_REASON), unit=unit
                )
            )
    return list(dict.fromkeys(found))

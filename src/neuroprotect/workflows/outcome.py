"""What a study run produces: the objects the store and the report consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

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
    warnings: list[str] = field(default_factory=list)
    #: True while a blinded study is analysed on group codes (no key opened).
    blinded: bool = False
    #: For an unblinded study: ``{"actor", "unblinded_at", "key_sha256", "group_codes"}``.
    unblinding: dict[str, Any] | None = None

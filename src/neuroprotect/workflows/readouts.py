"""Registry of readout types: how each ``type:`` in study.yaml becomes a tidy measurement table.

A readout type declares the variables it produces (name, label, unit, whether the scale is ordinal)
and a loader. The loader reads the readout's raw files through the pure analysis core
(``behavior``, ``histology``, ``assays``) and returns a :class:`ReadoutData` whose ``measurements``
table has the canonical columns of :data:`neuroprotect.schema.columns.MEASUREMENT_COLUMNS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.io.batch import Batch, Skipped
from neuroprotect.schema.manifest import Readout, Study


@dataclass(frozen=True)
class VariableSpec:
    """One analysed variable of a readout."""

    name: str
    label: str
    unit: str
    ordinal: bool = False
    #: True when a neuroprotective effect lowers the value (infarct, deficit score, edema).
    lower_is_better: bool = True


@dataclass
class ReadoutData:
    """What a readout loader returns."""

    measurements: pd.DataFrame
    #: Extra tables worth keeping and showing (per-slice areas, standard curve points...).
    details: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Quality-control facts for the report (standard-curve R², fitted parameters...).
    qc: dict[str, Any] = field(default_factory=dict)
    #: Warnings without the readout id: the run prefixes it (``outcome.readout_warning``).
    warnings: list[str] = field(default_factory=list)
    #: Figures worth showing beside the statistics (standard curves, survival curves...), by title:
    #: matplotlib Figures built with the core's ``plot_*`` functions; the report renders them.
    figures: dict[str, Any] = field(default_factory=dict)
    #: Files the readout wrote for people to check (QC overlays...), by caption; the report links them.
    links: dict[str, Path] = field(default_factory=dict)
    #: The variables actually produced, when the readout's parameters change them (e.g. the
    #: Garcia scale, where higher is better); ``None`` means the readout type's ``variables``.
    variables: tuple[VariableSpec, ...] | None = None
    #: Files (or trials) left out because they failed a per-file check, with the reason
    #: (:mod:`neuroprotect.io.batch`); the report's quality control and results.json list them.
    skipped: list[Skipped] = field(default_factory=list)


#: True inside ``neuroprotect run --strict``: every readout refuses its first bad file.
_STRICT_RUN: ContextVar[bool] = ContextVar("neuroprotect_strict_run", default=False)


@contextmanager
def strict_run(strict: bool) -> Iterator[None]:
    """Make every readout loaded inside strict (``run --strict``), or leave each to its manifest."""
    token = _STRICT_RUN.set(strict)
    try:
        yield
    finally:
        _STRICT_RUN.reset(token)


def readout_batch(readout: Readout, *, global_fields: tuple[str, ...] = ()) -> Batch:
    """The :class:`~neuroprotect.io.batch.Batch` of a readout's per-file loop: strict when the
    manifest says ``strict: true`` for the readout or the run is strict (:func:`strict_run`)."""
    return Batch(strict=readout.strict or _STRICT_RUN.get(), global_fields=global_fields)


Loader = Callable[[Study, Readout, list[Path], pd.DataFrame], ReadoutData]


@dataclass(frozen=True)
class ReadoutType:
    name: str
    title: str
    variables: tuple[VariableSpec, ...]
    load: Loader
    description: str = ""


_REGISTRY: dict[str, ReadoutType] = {}


def register(readout_type: ReadoutType) -> ReadoutType:
    _REGISTRY[readout_type.name] = readout_type
    return readout_type


#: Modules that register readout types when imported, one per family of readouts.
READOUT_MODULES = (
    "neuroprotect.workflows.table_readouts",
    "neuroprotect.workflows.behavior_other_readouts",
    "neuroprotect.workflows.behavior_readouts",
    "neuroprotect.workflows.molecular_readouts",
    "neuroprotect.workflows.assay_readouts",
    "neuroprotect.workflows.invitro_readouts",
    "neuroprotect.workflows.nos_readout",
    "neuroprotect.workflows.histology_cells_readouts",
    "neuroprotect.workflows.histology_readouts",
)


def readout_types() -> dict[str, ReadoutType]:
    """All registered readout types, by name."""
    for module in READOUT_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def get_readout_type(study: Study, readout: Readout) -> ReadoutType:
    types = readout_types()
    if readout.type not in types:
        raise InputError(
            f"Expected a readout type among {', '.join(sorted(types))}, but got {readout.type!r}",
            file=study.manifest_path,
            field=f"readouts.{readout.id}.type",
        )
    return types[readout.type]

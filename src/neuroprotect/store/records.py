"""Plain records passed between the run workflow and the store."""

from __future__ import annotations

from dataclasses import dataclass

from neuroprotect.store._frames import Kind


@dataclass(frozen=True)
class RawFileRecord:
    """A raw input file as read by a run: path, SHA-256 of its content, size in bytes, role."""

    path: str
    sha256: str
    size: int
    role: str


@dataclass(frozen=True)
class SaveOutcome:
    """What :func:`save_run` did: the run's id, and whether an identical earlier run was reused."""

    run_id: str
    reused: bool


# --- stored columns and their kinds ---------------------------------------------------------------
GROUP_FIELDS: dict[str, Kind] = {
    "group_id": "str",
    "label": "str",
    "role": "str",
    "compound": "str",
    "dose_mg_kg": "float",
    "route": "str",
    "timing": "str",
    "timing_min": "float",
    "planned_n": "int",
}
ANIMAL_FIELDS: dict[str, Kind] = {
    "animal_id": "str",
    "group": "str",
    "sex": "str",
    "body_weight_g": "float",
    "excluded": "bool",
    "exclusion_reason": "str",
}
#: Stored measurement columns (``study_id`` is the run's study and not repeated per row).
MEASUREMENT_FIELDS: dict[str, Kind] = {
    "animal_id": "str",
    "group": "str",
    "dose_mg_kg": "float",
    "readout": "str",
    "variable": "str",
    "value": "float",
    "unit": "str",
    "timepoint": "str",
    "trial": "int",
    "censored": "bool",
    "source_file": "str",
    "source_row": "int",
}
#: Stored result columns: ``readout, variable, family`` and ``schema.columns.RESULT_COLUMNS``
#: (``family`` names the comparison family, e.g. ``model_check`` or ``treatment``; optional),
#: with ``num_df, den_df`` after ``dof``: an omnibus test's F numerator and denominator degrees
#: of freedom (``dof`` holds only the denominator; a chi-square test has ``num_df`` only).
RESULT_FIELDS: dict[str, Kind] = {
    "readout": "str",
    "variable": "str",
    "family": "str",
    "test": "str",
    "contrast": "str",
    "group": "str",
    "control": "str",
    "estimate": "float",
    "statistic": "float",
    "dof": "float",
    "num_df": "float",
    "den_df": "float",
    "p_val": "float",
    "p_adj": "float",
    "ci_low": "float",
    "ci_high": "float",
    "effect_size": "float",
    "effect_type": "str",
    "n": "int",
}

"""Canonical column names of every tidy table, defined once.

Tidy measurement tables are long: one row per animal, variable and (optional) timepoint/trial.
Units live in the ``unit`` column or in the variable name (``infarct_volume_mm3``), never only in prose.
"""

from __future__ import annotations

# --- identifiers -----------------------------------------------------------------------------------
STUDY_ID = "study_id"
ANIMAL_ID = "animal_id"
GROUP = "group"
ROLE = "role"
DOSE_MG_KG = "dose_mg_kg"
SEX = "sex"
BODY_WEIGHT_G = "body_weight_g"
EXCLUDED = "excluded"
EXCLUSION_REASON = "exclusion_reason"
BLINDED_CODE = "blinded_code"
GROUP_CODE = "group_code"

# --- measurements ----------------------------------------------------------------------------------
READOUT = "readout"
VARIABLE = "variable"
VALUE = "value"
UNIT = "unit"
TIMEPOINT = "timepoint"
TRIAL = "trial"
CENSORED = "censored"
SOURCE_FILE = "source_file"
SOURCE_ROW = "source_row"

#: Columns of every tidy measurement table, in order.
MEASUREMENT_COLUMNS: tuple[str, ...] = (
    STUDY_ID,
    ANIMAL_ID,
    GROUP,
    DOSE_MG_KG,
    READOUT,
    VARIABLE,
    VALUE,
    UNIT,
    TIMEPOINT,
    TRIAL,
    CENSORED,
    SOURCE_FILE,
    SOURCE_ROW,
)

#: Columns of every test-result table (one row per omnibus test or contrast). Numbers stay unrounded.
RESULT_COLUMNS: tuple[str, ...] = (
    "test",
    "contrast",
    "group",
    "control",
    "estimate",
    "statistic",
    "dof",
    "p_val",
    "p_adj",
    "ci_low",
    "ci_high",
    "effect_size",
    "effect_type",
    "n",
)

#: Columns of the per-group descriptive summary.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "group",
    "n",
    "mean",
    "sd",
    "sem",
    "median",
    "q1",
    "q3",
    "iqr",
    "min",
    "max",
)

#: Per-slice TTC area table (input of the TTC table readout and output of TTC image analysis).
TTC_SLICE_COLUMNS: tuple[str, ...] = (
    ANIMAL_ID,
    "slice",
    "ipsilateral_area_mm2",
    "contralateral_area_mm2",
    "infarct_area_mm2",
)

# --- units (strings shown to users) ------------------------------------------------------------------
UNITS: dict[str, str] = {
    "neuro_score": "score",
    "infarct_volume_mm3": "mm³",
    "corrected_infarct_volume_mm3": "mm³",
    "edema_pct": "%",
    "hemispheric_infarct_pct": "%",
    "brain_water_pct": "%",
    "evans_blue_ug_per_g": "µg/g",
}

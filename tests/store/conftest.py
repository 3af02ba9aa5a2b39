"""Fixtures of the store tests: a fresh SQLite file per test and a small complete run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from neuroprotect.schema.columns import MEASUREMENT_COLUMNS, RESULT_COLUMNS
from neuroprotect.store import RawFileRecord, init_db, make_engine

GROUPS = [
    {"id": "sham", "role": "sham"},
    {"id": "vehicle", "role": "vehicle", "route": "iv"},
    {
        "id": "h004_3",
        "role": "treatment",
        "dose_mg_kg": 3.0,
        "route": "iv",
        "timing": "at reperfusion",
    },
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(tmp_path / "store.sqlite")
    init_db(eng)
    yield eng
    eng.dispose()


def make_run_inputs(*, n_animals_per_group: int = 4, seed: int = 1) -> dict[str, Any]:
    """Keyword arguments of one ``save_run`` call (seeded synthetic values)."""
    rng = np.random.default_rng(seed)
    animals = pd.DataFrame(
        {
            "animal_id": [f"{g['id']}-{i}" for g in GROUPS for i in range(n_animals_per_group)],
            "group": [g["id"] for g in GROUPS for _ in range(n_animals_per_group)],
            "sex": "male",
            "body_weight_g": rng.normal(260, 10, 3 * n_animals_per_group),
            "excluded": False,
            "exclusion_reason": None,
        }
    )
    animals.loc[0, ["excluded", "exclusion_reason"]] = [True, "died before scoring"]
    dose = {"sham": np.nan, "vehicle": 0.0, "h004_3": 3.0}
    measurements = pd.DataFrame(
        {
            "study_id": "mini",
            "animal_id": animals["animal_id"],
            "group": animals["group"],
            "dose_mg_kg": animals["group"].map(dose),
            "readout": "water",
            "variable": "brain_water_pct",
            "value": rng.normal(80, 1, len(animals)),
            "unit": "%",
            "timepoint": 24,
            "trial": np.nan,
            "censored": None,
            "source_file": "water.csv",
            "source_row": np.arange(1, len(animals) + 1),
        }
    )[list(MEASUREMENT_COLUMNS)]
    results = pd.DataFrame(
        [
            ["anova", "omnibus", None, None, np.nan, 7.25, 2.0, 0.0123, np.nan]
            + [np.nan, np.nan, np.nan, None, 12],
            ["dunnett", "h004_3 - vehicle", "h004_3", "vehicle", -1.5, -2.9, 9.0, 0.01, 0.018]
            + [-2.7, -0.3, -1.2, "hedges_g", 8],
        ],
        columns=list(RESULT_COLUMNS),
    )
    results.insert(0, "family", "treatment")
    results.insert(0, "variable", "brain_water_pct")
    results.insert(0, "readout", "water")
    return {
        "study": {
            "study_id": "mini",
            "title": "Minimal study",
            "compound": "imm_h004",
            "model": "mcao_reperfusion",
            "species": "rat",
            "manifest_text": "study_id: mini\n",
            "strain": "Sprague-Dawley",
        },
        "groups": GROUPS,
        "animals": animals,
        "raw_files": [
            RawFileRecord(path="/data/mini/study.yaml", sha256="a" * 64, size=120, role="manifest"),
            RawFileRecord(path="/data/mini/water.csv", sha256="b" * 64, size=300, role="water"),
        ],
        "parameters": {"alpha": 0.05, "readouts": {"water": {"method": "auto"}}},
        "measurements": measurements,
        "results": results,
        "package_version": "0.1.0",
        "started_at": datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC),
        "finished_at": datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC),
        "actor": "tester",
    }


@pytest.fixture
def run_inputs() -> dict[str, Any]:
    return make_run_inputs()


@pytest.fixture
def make_inputs() -> Any:
    return make_run_inputs

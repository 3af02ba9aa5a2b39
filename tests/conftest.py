"""Shared fixtures."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"

MINIMAL_MANIFEST = """\
study_id: mini
title: Minimal study
compound: imm_h004
model: mcao_reperfusion
species: rat
sex: male
groups:
  - {id: sham, role: sham}
  - {id: vehicle, role: vehicle}
  - {id: low, role: treatment, dose_mg_kg: 3}
animals: animals.csv
readouts:
  - id: water
    type: brain_water
    files: [water.csv]
"""


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data, skipping the test when the shared folder is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def mini_study(tmp_path: Path) -> Path:
    """A minimal valid study folder; returns the manifest path."""
    (tmp_path / "study.yaml").write_text(MINIMAL_MANIFEST)
    rows = ["animal_id,group,body_weight_g,sex"]
    for g in ("sham", "vehicle", "low"):
        for i in range(4):
            rows.append(f"{g}-{i},{g},{250 + i},male")
    (tmp_path / "animals.csv").write_text("\n".join(rows) + "\n")
    water = ["animal_id,wet_weight_mg,dry_weight_mg"]
    for g, frac in (("sham", 0.78), ("vehicle", 0.82), ("low", 0.80)):
        for i in range(4):
            wet = 1000.0 + 10 * i
            water.append(f"{g}-{i},{wet},{wet * (1 - frac - 0.002 * i):.3f}")
    (tmp_path / "water.csv").write_text("\n".join(water) + "\n")
    return tmp_path / "study.yaml"


def dedent(text: str) -> str:
    return textwrap.dedent(text)

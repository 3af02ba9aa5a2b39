"""`design dosing-sheet`: volumes from body weight, dose and stock, in CSV, HTML and PDF."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neuroprotect.cli.main import app


@pytest.mark.parametrize("suffix", [".csv", ".html", ".pdf"])
def test_dosing_sheet_formats(mini_study: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"sheet{suffix}"
    args = [
        "design",
        "dosing-sheet",
        str(mini_study),
        "--stock",
        "low=1.5",
        "--vehicle-ml-per-kg",
        "2",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    if suffix == ".csv":
        sheet = pd.read_csv(out).set_index("animal_id")
        # low-0 weighs 250 g: 3 mg/kg x 0.25 kg = 0.75 mg; / 1.5 mg/mL = 0.5 mL
        assert sheet.loc["low-0", "volume_ml"] == pytest.approx(0.5)
        # 2 mL/kg x 0.251 kg = 0.502 mL, read to 0.01 mL on the syringe
        assert sheet.loc["vehicle-1", "volume_ml"] == 0.50
    if suffix == ".pdf":
        assert out.read_bytes().startswith(b"%PDF")


def test_dosing_sheet_bad_stock(mini_study: Path, tmp_path: Path) -> None:
    args = [
        "design",
        "dosing-sheet",
        str(mini_study),
        "--stock",
        "low",
        "--out",
        str(tmp_path / "s.csv"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "GROUP=MG_PER_ML" in result.output
    args = ["design", "dosing-sheet", str(mini_study), "--out", str(tmp_path / "s.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "stock" in result.output


def test_dosing_sheet_vehicle_gets_the_treated_volume(mini_study: Path, tmp_path: Path) -> None:
    """Vehicle (role vehicle, no dose) gets the treated groups' mL/kg; sham is not dosed."""
    out = tmp_path / "sheet.csv"
    args = ["design", "dosing-sheet", str(mini_study), "--stock", "low=1.5", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(out).set_index("animal_id")
    # low: 3 mg/kg / 1.5 mg/mL = 2 mL/kg, so vehicle-2 (252 g) gets 0.504 -> 0.50 mL
    assert sheet.loc["vehicle-2", "volume_ml_per_kg"] == 2.0
    assert sheet.loc["vehicle-2", "volume_ml"] == 0.50
    assert sheet.loc["vehicle-2", "dose_mg_kg"] == 0.0
    assert pd.isna(sheet.loc["sham-0", "volume_ml"])

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


def _seal(mini_study: Path, env: dict[str, str]) -> tuple[Path, str]:
    """Randomise the mini study with a sealed key; returns the key and the randomize output."""
    folder = mini_study.parent
    roster = folder / "roster.csv"
    pd.read_csv(folder / "animals.csv").drop(columns=["group"]).to_csv(roster, index=False)
    key = folder / "alloc.key"
    args = ["design", "randomize", str(roster), "--study", str(mini_study), "--seed", "5"]
    args += ["--seal-key", str(key), "--coded-animals", str(folder / "animals.csv")]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return key, result.output


def test_dosing_sheet_of_a_blinded_study(mini_study: Path, tmp_path: Path) -> None:
    """The randomize output says how to declare the study blinded; until then the coded table's
    error says so too; a blinded study's dosing sheet needs its key and then names the groups."""
    env = {"NEUROPROTECT_KEY_PASSPHRASE": "sesame"}
    key, said = _seal(mini_study, env)
    assert "analysis_blinded: true" in said
    out = tmp_path / "sheet.csv"
    args = ["design", "dosing-sheet", str(mini_study), "--stock", "low=1.5", "--out", str(out)]
    undeclared = CliRunner().invoke(app, args, env=env)
    assert undeclared.exit_code == 2 and "analysis_blinded: true" in undeclared.output
    text = mini_study.read_text(encoding="utf-8")
    mini_study.write_text(text + "design: {blinding: {analysis_blinded: true}}\n", encoding="utf-8")
    no_key = CliRunner().invoke(app, args, env=env)
    assert no_key.exit_code == 2 and "--key" in no_key.output
    assert len(no_key.output.strip().splitlines()) == 1 and not out.exists()
    result = CliRunner().invoke(app, [*args, "--key", str(key)], env=env)
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(out).set_index("animal_id")
    assert set(sheet["group"]) == {"sham", "vehicle", "low"}
    low = sheet[sheet["group"] == "low"]
    assert len(low) == 4
    assert low["volume_ml"].to_numpy() == pytest.approx(  # volumes to 0.01 mL
        3 * low["body_weight_g"] / 1000 / 1.5, abs=0.005 + 1e-9
    )
    assert "0000000" not in out.read_text(
        encoding="utf-8"
    )  # rounded for people, not 0.30000000000000004


def test_dosing_sheet_stock_of_an_unknown_group(mini_study: Path, tmp_path: Path) -> None:
    args = ["design", "dosing-sheet", str(mini_study), "--stock", "low=1.5", "--stock", "lo=2"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "s.csv")])
    assert result.exit_code == 2 and "'lo'" not in result.output and "but got lo" in result.output

"""`neuroprotect design` CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def test_convert_dose_json() -> None:
    result = runner.invoke(
        app, ["design", "convert-dose", "6", "--from", "rat", "--to", "human", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"dose_mg_kg", "factor", "method", "source"}
    assert abs(data["dose_mg_kg"] - 6 * 6 / 37) < 1e-12


def test_convert_dose_gerbil_refused_one_line() -> None:
    result = runner.invoke(
        app, ["design", "convert-dose", "50", "--from", "gerbil", "--to", "human"]
    )
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "gerbil" in result.output


def test_randomize_writes_key_and_codes(mini_study: Path, tmp_path: Path) -> None:
    animals = mini_study.parent / "animals.csv"
    key, codes = tmp_path / "key.csv", tmp_path / "codes.csv"
    args = ["design", "randomize", str(animals), "--study", str(mini_study), "--seed", "42"]
    result = runner.invoke(app, [*args, "--json", "--key-out", str(key), "--codes-out", str(codes)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["allocation"]) == 12
    assert sorted(b["n"] for b in data["balance"]) == [4, 4, 4]
    assert "group" not in pd.read_csv(codes).columns
    assert set(pd.read_csv(key)["group"]) == {"sham", "vehicle", "low"}
    again = runner.invoke(app, [*args, "--json"])
    assert json.loads(again.output)["allocation"] == data["allocation"]


def test_randomize_bad_weight_cell(mini_study: Path) -> None:
    animals = mini_study.parent / "animals.csv"
    animals.write_text(animals.read_text().replace("251", "heavy", 1))
    result = runner.invoke(
        app, ["design", "randomize", str(animals), "--study", str(mini_study), "--seed", "1"]
    )
    assert result.exit_code == 2
    assert "body_weight_g" in result.output and "row 3" in result.output


def test_randomize_and_checklist_work_on_a_fresh_draft(tmp_path: Path) -> None:
    """Randomisation comes before any data: a draft whose animals table and readout files do not
    exist yet can be randomised (writing that animals table) and checked."""
    manifest = tmp_path / "study.yaml"
    drafted = runner.invoke(
        app,
        ["design", "new", "--compound", "imm_h004", "--model", "mcao_reperfusion"]
        + ["--out", str(manifest)],
    )
    assert drafted.exit_code == 0, drafted.output
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "animal_id,sex,body_weight_g\n" + "".join(f"R{i:02d},male,{250 + i}\n" for i in range(12)),
        encoding="utf-8",
    )
    key, animals = tmp_path / "alloc.key", tmp_path / "animals.csv"
    result = runner.invoke(
        app,
        ["design", "randomize", str(roster), "--study", str(manifest), "--seed", "3"]
        + ["--seal-key", str(key), "--coded-animals", str(animals)],
        env={"NEUROPROTECT_KEY_PASSPHRASE": "pass-phrase"},
    )
    assert result.exit_code == 0, result.output
    assert key.is_file() and len(pd.read_csv(animals)) == 12
    checked = runner.invoke(app, ["design", "checklist", str(manifest), "--json"])
    assert checked.exit_code == 0, checked.output


def test_randomize_balance_table_is_rounded(mini_study: Path) -> None:
    animals = mini_study.parent / "animals.csv"
    args = ["design", "randomize", str(animals), "--study", str(mini_study), "--seed", "42"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "251.5" in result.output  # mean body weight of 250-253 g
    assert not re.search(r"\d\.\d{3,}", result.output), result.output

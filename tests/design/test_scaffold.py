"""`design new`: drafts come from the knowledge base's records (seed 002: IMM-H004 in MCAO/R)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.design.scaffold import draft_study
from neuroprotect.errors import InputError


def test_imm_h004_mcao_draft_follows_seed_002() -> None:
    """Seed 002: IMM-H004 1.5, 3, 6 mg/kg 5 min after occlusion onset; edaravone 6 mg/kg."""
    draft = draft_study("imm_h004", "mcao_reperfusion")
    roles = {g["id"]: g["role"] for g in draft["groups"]}
    doses = sorted(g["dose_mg_kg"] for g in draft["groups"] if g["role"] == "treatment")
    assert doses == [1.5, 3.0, 6.0]
    assert roles["sham"] == "sham" and roles["vehicle"] == "vehicle"
    pc = [g for g in draft["groups"] if g["role"] == "positive_control"]
    assert pc and pc[0]["compound"] == "edaravone" and pc[0]["dose_mg_kg"] == 6.0
    assert all(g.get("timing_min") == 5.0 for g in draft["groups"] if g["role"] == "treatment")
    vehicle = next(g for g in draft["groups"] if g["role"] == "vehicle")
    assert vehicle["timing_min"] == 5.0  # dosed alongside, so the dosing sheet gives its time
    assert [r["type"] for r in draft["readouts"]] == [
        "neuro_score",
        "ttc_table",
        "brain_water",
        "evans_blue",
    ]
    assert "imm-mcaor-01" in draft["description"]


def test_unknown_ids() -> None:
    with pytest.raises(InputError, match="compound"):
        draft_study("aspirin-x", "mcao_reperfusion")
    with pytest.raises(InputError, match="protocol"):
        draft_study("imm_h004", "tail_flick")


def test_cli_writes_and_refuses_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "study.yaml"
    args = ["design", "new", "--compound", "igmesine", "--model", "gerbil_bccao", "--out", str(out)]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 0
    data = yaml.safe_load(out.read_text())
    assert sorted(g["dose_mg_kg"] for g in data["groups"] if g["role"] == "treatment") == [
        50,
        75,
        100,
    ]
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "exists" in again.output


@pytest.mark.parametrize(
    ("model", "species"),
    [
        ("gerbil_bccao", "Mongolian gerbil"),
        ("mcao_reperfusion", "rat"),
        ("rat_4vo", "rat"),
        ("mcao_permanent", "rat"),
        ("scopolamine_amnesia", "rat"),  # "rat or mouse": the first named
        ("ogd_r", "rat"),  # PC12 cells come from the rat
    ],
)
def test_draft_species_follows_the_protocol(model: str, species: str) -> None:
    assert draft_study("igmesine", model)["species"] == species


def test_species_text() -> None:
    from neuroprotect.design.scaffold import _species

    assert _species("C57BL/6 mouse") == "mouse"
    assert _species("Mongolian gerbils") == "Mongolian gerbil"
    assert _species("Wistar rats") == "rat"
    assert _species(None) == "rat"


def test_gerbil_bccao_draft_names_species_outcomes_and_groups() -> None:
    """The bccao_gerbil protocol is in 'Mongolian gerbil' and measures CA1 neuron survival and
    locomotor hyperactivity and NOS activity: the draft says Mongolian gerbil (not 'Mongolian'), asks
    for Nissl images, open-field tracks and NOS activity (not a neuro score without a scale), and labels
    groups by compound name."""
    draft = draft_study("igmesine", "bccao")
    assert draft["species"] == "Mongolian gerbil"
    assert [(r["id"], r["type"]) for r in draft["readouts"]] == [
        ("nissl", "nissl_images"),
        ("activity", "open_field"),
        ("nos", "nos_activity"),
    ]
    labels = [g.get("label") for g in draft["groups"] if g["role"] == "treatment"]
    assert labels == ["igmesine 50 mg/kg", "igmesine 75 mg/kg", "igmesine 100 mg/kg"]
    h004 = draft_study("imm-h004", "mcao_reperfusion")
    assert h004["title"].startswith("IMM-H004 in ")
    assert {g.get("label") for g in h004["groups"]} >= {"IMM-H004 1.5 mg/kg", "edaravone 6 mg/kg"}


def test_open_randomisation_writes_the_animals_table(tmp_path: Path) -> None:
    """The draft says to allocate with --animals-out: an open study gets its animals table with
    group names and body weights, ready for `validate`'s animals check and the dosing sheet."""
    manifest = tmp_path / "study.yaml"
    runner = CliRunner()
    args = ["design", "new", "--compound", "igmesine", "--model", "bccao", "--out", str(manifest)]
    assert runner.invoke(app, args).exit_code == 0
    assert "--animals-out animals.csv" in manifest.read_text(encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "animal_id,sex,body_weight_g\n" + "".join(f"G{i},male,{60 + i}\n" for i in range(10)),
        encoding="utf-8",
    )
    out = tmp_path / "animals.csv"
    result = runner.invoke(
        app,
        ["design", "randomize", str(roster), "--study", str(manifest), "--seed", "1"]
        + ["--animals-out", str(out)],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["animal_id", "group", "blinded_code", "sex", "body_weight_g"]
    assert set(table["group"]) == {"sham", "vehicle", "igmesine_50", "igmesine_75", "igmesine_100"}
    sheet = tmp_path / "sheet.csv"
    stocks = [
        "--stock",
        "igmesine_50=10",
        "--stock",
        "igmesine_75=15",
        "--stock",
        "igmesine_100=20",
    ]
    dosed = runner.invoke(
        app, ["design", "dosing-sheet", str(manifest), *stocks, "--out", str(sheet)]
    )
    assert dosed.exit_code == 0, dosed.output

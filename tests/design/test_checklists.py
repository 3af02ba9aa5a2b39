"""ARRIVE 2.0 / STAIR checklists: each item's status follows from what the manifest states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.design.checklists import fill_checklists
from neuroprotect.schema.manifest import load_study

FULL_DESIGN = """
design:
  experimental_unit: animal
  primary_outcome: water.brain_water_pct
  hypothesis: IMM-H004 reduces brain edema after MCAO/R
  randomisation: {method: permuted blocks within sex x weight strata, seed: 42, before_procedure: true}
  blinding: {allocation_concealed: true, outcome_assessment_blinded: true, analysis_blinded: true}
  sample_size: {method: two-sample t, effect_size: 1.4, alpha: 0.05, power: 0.8}
  exclusion_criteria: [death before assessment, laser-Doppler drop below 70 %]
  age: 8-10 weeks
  source_of_animals: Charles River
  occlusion_confirmation: laser-Doppler drop > 70 %
  conflicts_of_interest: none
"""


def _status(table, checklist: str, item: str) -> str:  # type: ignore[no-untyped-def]
    row = table[(table["checklist"] == checklist) & (table["item"] == item)]
    assert len(row) == 1
    return str(row["status"].iloc[0])


def test_minimal_manifest_flags_what_is_missing(mini_study: Path) -> None:
    table = fill_checklists(load_study(mini_study))
    assert len(table[table["checklist"] == "ARRIVE 2.0"]) == 21
    assert _status(table, "ARRIVE 2.0", "4") == "missing"  # no randomisation stated
    assert _status(table, "ARRIVE 2.0", "5") == "missing"
    assert _status(table, "ARRIVE 2.0", "7") == "reported"
    assert _status(table, "STAIR XI", "A1") == "missing"  # one dose only
    assert _status(table, "STAIR XI", "B8") == "missing"  # males only
    assert _status(table, "STAIR XI", "C1") == "missing"  # no positive control
    assert (table.loc[table["status"] == "missing", "advice"] != "").all()


def test_full_design_reported(mini_study: Path) -> None:
    text = mini_study.read_text().replace("species: rat", "species: rat\nstrain: Sprague-Dawley")
    text = text.replace(
        "{id: low, role: treatment, dose_mg_kg: 3}",
        "{id: low, role: treatment, dose_mg_kg: 3, route: iv, timing_min: 5}",
    )
    mini_study.write_text(text + FULL_DESIGN)
    table = fill_checklists(load_study(mini_study))
    for item in ("3", "4", "5", "6", "8", "13"):
        assert _status(table, "ARRIVE 2.0", item) == "reported", item
    assert (
        _status(table, "ARRIVE 2.0", "2") == "partial"
    )  # calculation given but no planned n per group
    assert _status(table, "STAIR XI", "B3") == "reported"
    assert _status(table, "STAIR XI", "B2") == "reported"


def test_checklist_cli(mini_study: Path) -> None:
    result = CliRunner().invoke(
        app, ["design", "checklist", str(mini_study), "--json", "--missing"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {r["status"] for r in rows} <= {"missing", "partial"}


def test_sample_size_evidence_is_text_not_a_python_list(mini_study: Path) -> None:
    table = fill_checklists(load_study(mini_study))
    row = table[(table["checklist"] == "ARRIVE 2.0") & (table["item"] == "2")].iloc[0]
    assert "planned n per group: not stated" in row["evidence"]
    text = mini_study.read_text().replace(
        "{id: low, role: treatment", "{id: low, planned_n: 8, role: treatment"
    )
    mini_study.write_text(text)
    row = fill_checklists(load_study(mini_study)).query("item == '2'").iloc[0]
    assert "planned n per group: sham ?, vehicle ?, low 8" in row["evidence"]
    assert "None" not in row["evidence"] and "[" not in row["evidence"]


def test_flags_read_yes_or_no(mini_study: Path) -> None:
    mini_study.write_text(mini_study.read_text() + FULL_DESIGN)
    evidence = " ".join(fill_checklists(load_study(mini_study))["evidence"].astype(str))
    assert "allocation concealed: yes" in evidence and "before procedure: yes" in evidence
    assert "True" not in evidence and "False" not in evidence


@pytest.mark.parametrize(
    ("species", "status"),
    [
        ("rat", "missing"),
        ("Wistar rats", "missing"),
        ("mice", "missing"),
        ("Mongolian gerbil", "missing"),
        ("Mongolian", "partial"),
        ("Yucatan minipig", "reported"),
        ("sheep", "reported"),
    ],
)
def test_gyrencephalic_species_is_not_assumed(mini_study: Path, species: str, status: str) -> None:
    """STAIR B11 counted every species outside a short list as gyrencephalic: 'Wistar rats',
    'mice' or a draft's 'Mongolian' (gerbil) came out 'reported'."""
    mini_study.write_text(
        mini_study.read_text().replace("species: rat", f"species: {species}"), encoding="utf-8"
    )
    table = fill_checklists(load_study(mini_study))
    assert table.set_index("item").loc["B11", "status"] == status

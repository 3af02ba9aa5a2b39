"""CLI ``stats synergy`` with a 2 x 2 design and awkward input.

Reference: Bliss independence by hand, expected = 1 - (1 - E_A)(1 - E_B) (Bliss 1939); the
combination index itself is tested in tests/knowledge/test_combinations.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()

TWO_BY_TWO = "dose_a,dose_b,effect\n1,0,0.2\n1,0,0.25\n0,1,0.3\n0,1,0.35\n1,1,0.6\n1,1,0.55\n"


def test_two_by_two_design_gets_bliss_and_a_note(tmp_path: Path) -> None:
    """Arm means 0.225, 0.325, 0.575: expected 1 - 0.775 x 0.675 = 0.476875, excess 0.098125."""
    path = tmp_path / "combo.csv"
    path.write_text(TWO_BY_TWO)
    res = runner.invoke(app, ["stats", "synergy", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    (row,) = out["bliss"]
    assert row["expected"] == pytest.approx(0.476875, abs=1e-12)
    assert row["excess"] == pytest.approx(0.098125, abs=1e-12)
    assert out["combination_index"] == []
    assert "at least two doses of each drug alone" in out["notes"][0]
    text = runner.invoke(app, ["stats", "synergy", str(path)])
    assert text.exit_code == 0 and "combination index not computed" in text.stdout
    plot = runner.invoke(app, ["stats", "synergy", str(path), "--plot", str(tmp_path / "c.png")])
    assert plot.exit_code == 2
    err = plot.stderr.strip()
    assert "\n" not in err and "combo.csv" in err and "isobologram" in err


def test_percent_effects_are_refused_with_the_value(tmp_path: Path) -> None:
    path = tmp_path / "pct.csv"
    path.write_text("dose_a,dose_b,effect\n1,0,20\n1,0,25\n0,1,30\n0,1,35\n1,1,60\n1,1,55\n")
    res = runner.invoke(app, ["stats", "synergy", str(path)])
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert "\n" not in err and "Expected mean fractional effects in [0, 1]" in err
    assert "pct.csv" in err and "but got 32.5 at dose_a = 0, dose_b = 1" in err


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ("1,0,0.2\n1,0,0.2\n0,1,0.3\n0,1,0.3\n1,1,0.6\n1,1,0.6\n", "does not vary"),
        ("1,0,0.2\n0,1,0.3\n1,1,0.6\n", "an arm has a single value"),
    ],
)
def test_bliss_without_variation_says_why_instead_of_nan(
    tmp_path: Path, rows: str, reason: str
) -> None:
    """By hand: arm means 0.2, 0.3, 0.6 -> expected 1 - 0.8 x 0.7 = 0.44, excess 0.16. With no
    within-arm variation (or one value per arm) there is no standard error: no zero-width CI and
    no NaN p-value, but empty cells and a note naming the combination and the reason."""
    path = tmp_path / "flat.csv"
    path.write_text("dose_a,dose_b,effect\n" + rows)
    res = runner.invoke(app, ["stats", "synergy", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    (row,) = out["bliss"]
    assert row["excess"] == pytest.approx(0.16, abs=1e-12)
    assert row["se"] is None and row["ci_low"] is None and row["ci_high"] is None
    assert row["p_val"] is None
    assert reason in row["note"] and "dose_a = 1, dose_b = 1" in row["note"]
    assert row["note"] in out["notes"]
    text = runner.invoke(app, ["stats", "synergy", str(path)])
    assert text.exit_code == 0, text.output
    assert "NaN" not in text.stdout and "note: Bliss excess at dose_a = 1" in text.stdout

"""`assay ros | mito-potential | atp | caspase3 | ldh | nos`: JSON output and one-line errors.

Expected numbers are the hand calculations of tests/assays/test_invitro.py and test_nos.py
(same plates), here through the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.assays._plates import replicate, write_plate
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _samples(out: dict, column: str) -> dict[str, float]:
    return {s["sample"]: s[column] for s in out["samples"] if s.get("type", "sample") == "sample"}


def test_ros_and_ldh(tmp_path: Path) -> None:
    """ROS: blank 105; control 1000 and 800 RFU, OGD/R 2000 -> 222.2 %. LDH: 100 x (0.7 - 0.2) /
    (1.2 - 0.2) = 50 % (CytoTox 96 formula)."""
    wells = [
        {"type": "blank", "value": 100},
        {"type": "blank", "value": 110},
        *replicate(2, type="sample", sample="c1", group="ctrl", value=1105),
        {"type": "sample", "sample": "c2", "group": "ctrl", "value": 905},
        {"type": "sample", "sample": "o1", "group": "ogd", "value": 2105},
    ]
    plate, layout = write_plate(tmp_path, "ros", wells)
    out = _json(["assay", "ros", str(plate), "--layout", str(layout), "--control", "ctrl"])
    assert _samples(out, "ros_pct_of_control")["o1"] == pytest.approx(2000 / 9)
    wells = [
        {"type": "blank", "value": 0.1},
        {"type": "control", "sample": "spontaneous", "value": 0.3},
        {"type": "control", "sample": "maximum", "value": 1.3},
        {"type": "sample", "sample": "o1", "value": 0.8},
    ]
    plate, layout = write_plate(tmp_path, "ldh", wells)
    out = _json(["assay", "ldh", str(plate), "--layout", str(layout)])
    assert _samples(out, "cytotoxicity_pct")["o1"] == pytest.approx(50.0)
    text = runner.invoke(app, ["assay", "ldh", str(plate), "--layout", str(layout)])
    assert "o1 (o1, sample): 50" in text.output


def test_jc1_atp_caspase3(tmp_path: Path) -> None:
    """JC-1 ratio 0.5 vs 2.0 -> 25 %; ATP 0.5 µM x 2 = 1 µM -> 2 nmol/mg; caspase-3 50 µM pNA in
    100 µL over 2 h and 0.1 mg -> 25 nmol/h/mg."""
    red = [
        {"type": "blank", "value": 100},
        {"type": "sample", "sample": "c1", "group": "ctrl", "value": 1100},
        {"type": "sample", "sample": "o1", "group": "ogd", "value": 600},
    ]
    green = [dict(w, value=v) for w, v in zip(red, [50, 550, 1050], strict=True)]
    rp, lay = write_plate(tmp_path, "red", red)
    gp, _ = write_plate(tmp_path, "green", green)
    out = _json(
        ["assay", "mito-potential", str(rp), "--green", str(gp), "--layout", str(lay)]
        + ["--control", "ctrl"]
    )
    assert _samples(out, "mmp_pct_of_control")["o1"] == pytest.approx(25.0)
    assert any("no depolarised control" in w for w in out["warnings"])
    std = [{"type": "standard", "concentration": c, "value": 500 + 1e5 * c} for c in (0.1, 1, 2)]
    wells = [
        {"type": "blank", "value": 500},
        *std,
        {"type": "sample", "sample": "o1", "dilution": 2, "protein_mg_ml": 0.5, "value": 50500},
    ]
    plate, layout = write_plate(tmp_path, "atp", wells)
    out = _json(["assay", "atp", str(plate), "--layout", str(layout)])
    assert _samples(out, "atp_nmol_per_mg_protein")["o1"] == pytest.approx(2.0)
    assert out["curves"]["1"]["r2"] == pytest.approx(1.0)
    std = [
        {"type": "standard", "concentration": c, "value": 0.05 + 0.005 * c} for c in (0, 50, 200)
    ]
    wells = [
        {"type": "blank", "value": 0.05},
        *std,
        {"type": "sample", "sample": "o1", "protein_mg": 0.1, "value": 0.30},
    ]
    plate, layout = write_plate(tmp_path, "casp", wells)
    args = ["assay", "caspase3", str(plate), "--layout", str(layout), "--incubation-h", "2"]
    assert _samples(_json(args), "caspase3_nmol_h_mg")["o1"] == pytest.approx(25.0)


def test_nos_both_methods(tmp_path: Path) -> None:
    """Citrulline: (4200 - 1200) / 200 cpm/pmol = 15 pmol / (15 min x 0.1 mg) = 10 pmol/min/mg.
    NOx: (0.34 - 0.04) / 0.01 = 30 µM x 2.5 = 75 µM."""
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "sample,condition,cpm,protein_mg\ng1,complete,4150,0.1\ng1,complete,4250,0.1\n"
        "g1,L-NAME,1200,0.1\n"
    )
    args = ["assay", "nos", str(counts), "--total-cpm", "100000", "--arginine-pmol", "500"]
    out = _json([*args, "--incubation-min", "15"])
    assert out["samples"][0]["nos_activity_pmol_min_mg"] == pytest.approx(10.0)
    missing = runner.invoke(app, args)
    assert missing.exit_code == 2 and "--incubation-min" in missing.output
    std = tmp_path / "std.csv"
    std.write_text("concentration,absorbance\n0,0.04\n10,0.14\n50,0.54\n100,1.04\n")
    nox = tmp_path / "nox.csv"
    nox.write_text("sample,absorbance_total,dilution\ng1,0.34,2.5\n")
    out = _json(["assay", "nos", str(nox), "--method", "nox", "--standards", str(std)])
    assert out["samples"][0]["nox_um"] == pytest.approx(75.0)


@pytest.mark.parametrize("command", ["ros", "atp", "ldh", "mito-potential"])
def test_bad_plate_file_is_one_line(tmp_path: Path, command: str) -> None:
    plate = tmp_path / "plate.csv"
    plate.write_text("well,value\nA1,high\n")
    layout = tmp_path / "layout.csv"
    layout.write_text("well,type,sample\nA1,sample,c1\n")
    extra = ["--control", "c1"] if command in ("ros", "mito-potential") else []
    result = runner.invoke(app, ["assay", command, str(plate), "--layout", str(layout), *extra])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "plate.csv" in lines[0]


def test_readouts_lists_the_new_types() -> None:
    result = runner.invoke(app, ["readouts"])
    for name in ("ros_fluorescence", "mitochondrial_potential", "atp_luminescence",
                 "caspase3_activity", "ldh_release", "nos_activity"):  # fmt: skip
        assert name in result.output

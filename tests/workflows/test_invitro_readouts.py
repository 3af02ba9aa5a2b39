"""In vitro plate readouts and nos_activity in a study: registration, per-culture values, errors.

Expected values are hand calculations on plates built from known signals (analytic), the same
formulas as the core tests in tests/assays/test_invitro.py and tests/assays/test_nos.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.assays._plates import replicate, write_plate
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.errors import InputError
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.analyse import validate_study
from neuroprotect.workflows.readouts import ReadoutData, get_readout_type, readout_types

MANIFEST = """\
study_id: pc12-ogdr
title: IMM-H004 in OGD/R PC12 cells
compound: imm_h004
model: ogd_r_pc12
species: rat
setting: in_vitro
cell_line: PC12
passage: P5-P8
groups:
  - {id: normoxia, role: sham}
  - {id: ogdr, role: vehicle}
  - {id: drug, role: treatment}
animals: cultures.csv
readouts:
"""

#: culture -> group
CULTURES = {"n1": "normoxia", "n2": "normoxia", "o1": "ogdr", "o2": "ogdr", "d1": "drug"}
#: culture -> independent experiment
EXPERIMENTS = {"n1": 1, "n2": 2, "o1": 1, "o2": 2, "d1": 3}


def _load(d: Path, readout_id: str) -> ReadoutData:
    study = load_study(d / "study.yaml")
    readout = next(r for r in study.readouts if r.id == readout_id)
    return get_readout_type(study, readout).load(
        study, readout, study.readout_files(readout), load_animals(study)
    )


def _values(data: ReadoutData, variable: str) -> dict[str, float]:
    m = data.measurements[data.measurements["variable"] == variable]
    return dict(zip(m["animal_id"], m["value"], strict=True))


def _samples(signal: dict[str, float], **extra: float) -> list[dict]:
    out = []
    for culture, value in signal.items():
        out += replicate(2, type="sample", sample=culture, value=value, **extra)
    return out


@pytest.fixture
def study(tmp_path: Path) -> Path:
    d = tmp_path
    entries = []
    # ROS: blank 100; normoxia 1100 -> 1000; ogdr 2100 -> 2000 = 200 %; drug 1600 -> 150 %
    ros = {"n1": 1100, "n2": 1100, "o1": 2100, "o2": 2100, "d1": 1600}
    write_plate(d, "ros", [{"type": "blank", "value": 100}, *_samples(ros)])
    entries.append(
        "  - {id: ros, type: ros_fluorescence, files: [ros_plate.csv], "
        "params: {layout: ros_layout.csv, control_group: normoxia}}"
    )
    # JC-1: blanks red 100 / green 50; normoxia ratio 2.0; ogdr 0.5 (25 %); drug 1.0 (50 %)
    red = {"n1": 1100, "n2": 1100, "o1": 600, "o2": 600, "d1": 1100}
    green = {"n1": 550, "n2": 550, "o1": 1050, "o2": 1050, "d1": 1050}
    fccp = {"type": "control", "sample": "FCCP"}
    write_plate(d, "red", [{"type": "blank", "value": 100}, *_samples(red), {**fccp, "value": 150}])
    write_plate(
        d, "green", [{"type": "blank", "value": 50}, *_samples(green), {**fccp, "value": 1050}]
    )
    entries.append(
        "  - {id: mmp, type: mitochondrial_potential, files: [red_plate.csv], "
        "params: {green: green_plate.csv, layout: red_layout.csv, "
        "control_group: normoxia}}"
    )
    # ATP: RLU = 500 + 1e5 x µM; protein 0.5 mg/mL; normoxia 2 µM = 4 nmol/mg, ogdr 1 µM = 2
    std = [{"type": "standard", "concentration": c, "value": 500 + 1e5 * c} for c in (0.5, 1, 2, 4)]
    atp = {"n1": 200500, "n2": 200500, "o1": 100500, "o2": 100500, "d1": 150500}
    write_plate(
        d, "atp", [{"type": "blank", "value": 500}, *std, *_samples(atp, protein_mg_ml=0.5)]
    )
    entries.append(
        "  - {id: atp, type: atp_luminescence, files: [atp_plate.csv], "
        "params: {layout: atp_layout.csv, control_group: normoxia}}"
    )
    # caspase-3: A405 = 0.05 + 0.005 x µM pNA, 100 µL, 2 h, 0.1 mg: ogdr 50 µM -> 25 nmol/h/mg
    std = [
        {"type": "standard", "concentration": c, "value": 0.05 + 0.005 * c}
        for c in (0, 25, 50, 100)
    ]
    casp = {"n1": 0.175, "n2": 0.175, "o1": 0.30, "o2": 0.30, "d1": 0.2375}
    write_plate(
        d, "casp", [{"type": "blank", "value": 0.05}, *std, *_samples(casp, protein_mg=0.1)]
    )
    entries.append(
        "  - {id: casp3, type: caspase3_activity, files: [casp_plate.csv], "
        "params: {layout: casp_layout.csv, incubation_h: 2, control_group: normoxia}}"
    )
    # LDH: medium 0.1, spontaneous 0.3, maximum 1.3; ogdr 0.8 -> 50 %; normoxia 0.3 -> 0 %
    ldh = {"n1": 0.3, "n2": 0.3, "o1": 0.8, "o2": 0.8, "d1": 0.55}
    ctl = [
        {"type": "control", "sample": "spontaneous", "value": 0.3},
        {"type": "control", "sample": "maximum", "value": 1.3},
    ]
    write_plate(d, "ldh", [{"type": "blank", "value": 0.1}, *ctl, *_samples(ldh)])
    entries.append(
        "  - {id: ldh, type: ldh_release, files: [ldh_plate.csv], params: {layout: ldh_layout.csv}}"
    )
    (d / "study.yaml").write_text(MANIFEST + "\n".join(entries) + "\n")
    (d / "cultures.csv").write_text(
        "animal_id,experiment,group\n"
        + "".join(f"{c},{EXPERIMENTS[c]},{g}\n" for c, g in CULTURES.items())
    )
    return d


def test_registered() -> None:
    assert {
        "ros_fluorescence",
        "mitochondrial_potential",
        "atp_luminescence",
        "caspase3_activity",
        "ldh_release",
        "nos_activity",
    } <= set(readout_types())


def test_in_vitro_readouts_per_culture(study: Path) -> None:
    s = load_study(study / "study.yaml")
    assert (s.setting, s.cell_line, s.passage) == ("in_vitro", "PC12", "P5-P8")
    ros = _load(study, "ros")
    assert _values(ros, "ros_pct_of_control") == pytest.approx(
        {"n1": 100, "n2": 100, "o1": 200, "o2": 200, "d1": 150}
    )
    # the plate's blank is A1 and its ten sample wells A2-A11: all on the edge (row A), flagged
    edge = [f"A{c}" for c in range(2, 12)]
    assert ros.qc["plates"]["ros_plate.csv"]["edge_sample_wells"] == edge
    assert any("10 sample well(s) on the plate edge (A2, A3" in w for w in ros.warnings)
    mmp = _load(study, "mmp")
    assert _values(mmp, "mmp_pct_of_control") == pytest.approx(
        {"n1": 100, "n2": 100, "o1": 25, "o2": 25, "d1": 50}
    )
    # FCCP: (150 - 100) / (1050 - 50) = 0.05 -> 2.5 % of control
    assert mmp.qc["plates"]["red_plate.csv"]["depolarised_pct_of_control"] == {
        1: pytest.approx(2.5)
    }
    atp = _load(study, "atp")
    assert _values(atp, "atp_nmol_per_mg_protein") == pytest.approx(
        {"n1": 4, "n2": 4, "o1": 2, "o2": 2, "d1": 3}
    )
    assert _values(atp, "atp_pct_of_control")["d1"] == pytest.approx(75)
    assert atp.qc["curves"]["atp_plate.csv plate 1"]["r2"] == pytest.approx(1.0)
    casp = _load(study, "casp3")
    assert _values(casp, "caspase3_nmol_h_mg") == pytest.approx(
        {"n1": 12.5, "n2": 12.5, "o1": 25, "o2": 25, "d1": 18.75}
    )
    assert _values(casp, "caspase3_fold_of_control")["o1"] == pytest.approx(2.0)
    assert _values(_load(study, "ldh"), "cytotoxicity_pct") == pytest.approx(
        {"n1": 0, "n2": 0, "o1": 50, "o2": 50, "d1": 25}
    )
    assert validate_study(study / "study.yaml").study_id == "pc12-ogdr"


def test_bad_plate_file_is_one_line_error(study: Path) -> None:
    (study / "ros_plate.csv").write_text("well,value\nA1,abc\n")
    result = CliRunner().invoke(app, ["validate", str(study / "study.yaml")])
    assert result.exit_code == 2
    assert "ros_plate.csv" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unknown_culture_and_missing_param(study: Path) -> None:
    lay = study / "ldh_layout.csv"
    lay.write_text(lay.read_text().replace("d1", "x9"))
    with pytest.raises(InputError, match="culture ids .* x9"):
        _load(study, "ldh")
    m = study / "study.yaml"
    m.write_text(m.read_text().replace("incubation_h: 2, ", ""))
    with pytest.raises(InputError, match="incubation_h"):
        _load(study, "casp3")


def test_nos_activity_both_methods(tmp_path: Path) -> None:
    """Citrulline (Bredt & Snyder 1990): SA = 100000 cpm / 500 pmol = 200 cpm/pmol; g1 (4200 -
    1200) / 200 = 15 pmol / (15 min x 0.1 mg) = 10 pmol/min/mg. NOx: standards A = 0.04 + 0.01 C;
    g1 total 0.34 -> 30 µM x 2.5 = 75 µM; nitrite 0.14 -> 25 µM; nitrate 50 µM; 30 nmol/mg."""
    d = tmp_path
    (d / "study.yaml").write_text(
        """\
study_id: gerbil-nos
title: NOS after BCCAO
compound: igmesine
model: bccao_gerbil
species: Mongolian gerbil
groups:
  - {id: sham, role: sham}
  - {id: vehicle, role: vehicle}
animals: animals.csv
readouts:
  - {id: nos, type: nos_activity, files: [counts.csv],
     params: {method: citrulline, total_cpm: 100000, arginine_pmol: 500, incubation_min: 15}}
  - {id: nox, type: nos_activity, files: [nox.csv],
     params: {method: nox, standards: nitrate_std.csv}}
"""
    )
    (d / "animals.csv").write_text("animal_id,group\ng1,vehicle\ng2,sham\n")
    (d / "counts.csv").write_text(
        "animal_id,condition,cpm,protein_mg\ng1,complete,4150,0.1\ng1,complete,4250,0.1\n"
        "g1,L-NAME,1200,0.1\ng2,complete,2200,0.05\ng2,EGTA,200,0.05\n"
    )
    (d / "nitrate_std.csv").write_text(
        "concentration,absorbance\n"
        + "".join(f"{c},{0.04 + 0.01 * c}\n" for c in (0, 10, 20, 50, 100))
    )
    (d / "nox.csv").write_text(
        "animal_id,absorbance_total,absorbance_nitrite,dilution,protein_mg_ml\n"
        "g1,0.34,0.14,2.5,2.5\ng2,0.24,0.09,2.5,2.5\n"
    )
    nos = _load(d, "nos")
    assert _values(nos, "nos_activity_pmol_min_mg") == pytest.approx({"g1": 10.0, "g2": 10 / 0.75})
    nox = _load(d, "nox")
    assert _values(nox, "nox_um")["g1"] == pytest.approx(75.0)
    assert _values(nox, "nitrate_um")["g1"] == pytest.approx(50.0)
    assert _values(nox, "nox_nmol_per_mg_protein")["g1"] == pytest.approx(30.0)
    m = d / "study.yaml"
    m.write_text(m.read_text().replace("method: nox", "method: griess"))
    with pytest.raises(InputError, match="citrulline or nox"):
        _load(d, "nox")


def test_in_vitro_study_runs_to_a_report(study: Path, tmp_path: Path) -> None:
    """End to end (no store): every in vitro readout is analysed and reported; the JC-1 green
    plate, named in params, is hashed as a raw input."""
    from neuroprotect.workflows.run import run_study

    outcome, files = run_study(study / "study.yaml", out_dir=tmp_path / "out", store=False)
    analysed = {v.readout_id for v in outcome.variables}
    assert analysed == {"ros", "mmp", "atp", "casp3", "ldh"}
    assert any(f.path.name == "green_plate.csv" for f in outcome.raw_files)
    html = files.report.read_text(encoding="utf-8")
    assert "Caspase-3 activity" in html and "LDH release" in html

"""Assay readouts (elisa, griess, cell_viability): registration, tidy output and errors.

Expected values are analytic (plates and tables built from known curves) plus SoftMax Pro's
AdjResult for a SoftMax export used as a study file (reference).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_data

from neuroprotect.errors import InputError
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import ReadoutData, get_readout_type, readout_types

CONC = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]


def _f(x):
    return 2.5 + (0.05 - 2.5) / (1 + (np.asarray(x, float) / 50) ** 1.2)


def _write(path: Path, text: str) -> None:
    path.write_text(text.strip() + "\n")


def _load(d: Path, readout_id: str) -> ReadoutData:
    study = load_study(d / "study.yaml")
    animals = load_animals(study)
    readout = next(r for r in study.readouts if r.id == readout_id)
    return get_readout_type(study, readout).load(
        study, readout, study.readout_files(readout), animals
    )


def _values(data: ReadoutData, variable: str) -> dict[str, float]:
    m = data.measurements[data.measurements["variable"] == variable]
    return dict(zip(m["animal_id"], m["value"], strict=True))


def _elisa_files(d: Path, samples: dict[str, float], extra_layout: str = "") -> None:
    grid = np.full((8, 12), np.nan)
    grid[0, :8], grid[1, :8] = _f(CONC) * 1.01, _f(CONC) * 0.99
    rows = ["well,type,sample,concentration,dilution,masked"]
    rows += [f"{r}{i + 1},standard,,{c},," for r in "AB" for i, c in enumerate(CONC)]
    for k, (animal, conc) in enumerate(samples.items()):
        grid[2 + k // 6, 2 * (k % 6) : 2 * (k % 6) + 2] = _f(conc)
        row = "CDEFGH"[k // 6]
        rows += [f"{row}{2 * (k % 6) + j + 1},sample,{animal},,4," for j in range(2)]
    lines = [",".join([""] + [str(i) for i in range(1, 13)])]
    for r in range(8):
        lines.append(
            ",".join(["ABCDEFGH"[r]] + ["" if np.isnan(v) else f"{v:.8f}" for v in grid[r]])
        )
    _write(d / "tnf_plate.csv", "\n".join(lines))
    _write(d / "tnf_layout.csv", "\n".join(rows) + extra_layout)


@pytest.fixture
def study_dir(mini_study: Path) -> Path:
    d = mini_study.parent
    mini_study.write_text(
        mini_study.read_text()
        + """\
  - id: tnf
    type: elisa
    files: [tnf_plate.csv]
    params: {layout: tnf_layout.csv, analyte: TNF-a, unit: pg/mL}
  - id: no2
    type: griess
    files: [griess.csv]
    params: {standards: nitrite_std.csv, blank_absorbance: 0.05}
"""
    )
    _elisa_files(d, {"sham-0": 10.0, "vehicle-0": 40.0, "low-0": 1.0})
    _write(d / "nitrite_std.csv", "concentration,absorbance\n0,0.05\n25,0.3\n50,0.55\n100,1.05")
    _write(d / "griess.csv", "animal_id,absorbance,protein_mg_ml\nsham-0,0.30,2\nvehicle-0,0.55,2")
    return d


def test_registered() -> None:
    types = readout_types()
    assert {"elisa", "griess", "cell_viability"} <= set(types)
    assert "binding" not in types  # in vitro, not per animal (documented)


def test_elisa_readout(study_dir: Path) -> None:
    data = _load(study_dir, "tnf")
    assert list(data.measurements.columns) == list(MEASUREMENT_COLUMNS)
    v = _values(data, "concentration")
    # adjusted concentration = curve concentration x dilution 4
    assert v["sham-0"] == pytest.approx(40, rel=0.02)
    assert v["vehicle-0"] == pytest.approx(160, rel=0.02)
    assert v["low-0"] == pytest.approx(4, rel=0.1)  # below the LLOQ: kept, flagged, warned
    assert data.qc["flagged"] == {"low-0": "below_lloq"}
    assert any("below the LLOQ" in w for w in data.warnings)
    assert data.variables is not None and data.variables[0].label == "TNF-a (ELISA)"
    assert data.measurements["unit"].unique().tolist() == ["pg/mL"]
    wells = data.details["wells"]
    assert {"well", "type", "sample", "value", "flag"} <= set(wells.columns)
    assert len(wells) == 22
    assert next(iter(data.qc["curves"].values()))["lloq"] == 3.125


def test_elisa_censor_drops_flagged(study_dir: Path) -> None:
    y = study_dir / "study.yaml"
    y.write_text(y.read_text().replace("unit: pg/mL}", "unit: pg/mL, out_of_range: censor}"))
    data = _load(study_dir, "tnf")
    assert "low-0" not in _values(data, "concentration")
    assert any("no concentration for low-0" in w for w in data.warnings)


def test_elisa_unknown_sample_and_bad_layout(study_dir: Path) -> None:
    _elisa_files(study_dir, {"rat-99": 10.0})
    with pytest.raises(InputError, match="rat-99"):
        _load(study_dir, "tnf")
    _elisa_files(study_dir, {"sham-0": 10.0}, "\nM13,sample,sham-1,,1,")
    with pytest.raises(InputError, match="well name|M13"):
        _load(study_dir, "tnf")


def test_elisa_softmax_file(mini_study: Path) -> None:
    """A SoftMax export as the plate file, its groups as the layout; animals P1..P15."""
    d = mini_study.parent
    src = shared_data("assays", "ELISAtools_BULQI", "Assay_2.txt")
    (d / "assay2.txt").write_bytes(src.read_bytes())
    rows = ["animal_id,group,body_weight_g,sex"]
    rows += [f"P{i},{['sham', 'vehicle', 'low'][i % 3]},250,male" for i in range(1, 16)]
    _write(d / "animals.csv", "\n".join(rows))
    _write(d / "water.csv", "animal_id,wet_weight_mg,dry_weight_mg\nP1,1000,200")
    mini_study.write_text(
        mini_study.read_text() + "  - {id: f12, type: elisa, files: [assay2.txt]}\n"
    )
    data = _load(d, "f12")
    v = _values(data, "concentration")
    assert len(v) == 15
    assert v["P13"] == pytest.approx(700.733, rel=0.01)  # SoftMax AdjResult, well-determined


def test_griess_readout(study_dir: Path) -> None:
    data = _load(study_dir, "no2")
    assert _values(data, "nitrite_um") == pytest.approx({"sham-0": 25.0, "vehicle-0": 50.0})
    per = _values(data, "nitrite_nmol_per_mg_protein")
    assert per == pytest.approx({"sham-0": 12.5, "vehicle-0": 25.0})
    assert data.qc["standard_curve"]["r2"] == pytest.approx(1.0)


def test_cell_viability_readout(tmp_path: Path) -> None:
    _write(
        tmp_path / "study.yaml",
        """
study_id: pc12
title: OGD/R in PC12 cells
compound: imm_h004
model: mcao_reperfusion
species: rat
sex: male
groups:
  - {id: normoxia, role: sham}
  - {id: ogdr, role: vehicle}
  - {id: drug, role: treatment, dose_mg_kg: 1}
animals: cultures.csv
readouts:
  - {id: mtt, type: cell_viability, files: [mtt.csv],
     params: {control_group: normoxia, blank_absorbance: 0.1}}
""",
    )
    _write(
        tmp_path / "cultures.csv",
        "animal_id,group,body_weight_g,sex\nc1,normoxia,1,male\nc2,normoxia,1,male\n"
        "c3,ogdr,1,male\nc4,drug,1,male",
    )
    _write(
        tmp_path / "mtt.csv",
        "culture_id,well,absorbance\nc1,A1,1.1\nc1,A2,1.1\nc2,A3,0.9\nc2,A4,0.9\nc3,B1,0.5\n"
        "c3,B2,0.6\nc4,C1,0.8",
    )
    data = _load(tmp_path, "mtt")
    v = _values(data, "viability_pct")
    # per culture: mean A - 0.1; control mean = (1.0 + 0.8) / 2 = 0.9
    assert v == pytest.approx({"c1": 1.0 / 0.9 * 100, "c2": 0.8 / 0.9 * 100, "c3": 0.45 / 0.9 * 100,
                               "c4": 0.7 / 0.9 * 100})  # fmt: skip
    assert len(data.details["wells"]) == 7
    assert data.qc["experimental_unit"].startswith("culture")
    # a blank above the control cultures would flip every percentage's sign: an error
    manifest = tmp_path / "study.yaml"
    manifest.write_text(
        manifest.read_text().replace("blank_absorbance: 0.1", "blank_absorbance: 1.5")
    )
    with pytest.raises(InputError, match=r"blank \(1.5\), but they average -0.5 after it"):
        _load(tmp_path, "mtt")


def test_elisa_in_run_report_with_curve_and_mechanism(study_dir: Path, tmp_path: Path) -> None:
    """End to end: the ELISA standard curve is drawn in the report; TNF-a maps to the TNFA node."""
    from neuroprotect.workflows.run import run_study

    levels = {"sham": 10.0, "vehicle": 40.0, "low": 20.0}
    _elisa_files(
        study_dir, {f"{g}-{i}": c * (1 + 0.05 * i) for g, c in levels.items() for i in range(4)}
    )
    outcome, files = run_study(
        study_dir / "study.yaml", out_dir=tmp_path / "out", db_url=f"sqlite:///{tmp_path / 's.db'}"
    )
    assert any(t.startswith("Standard curve") for t in outcome.readouts["tnf"].figures)
    html = files.report.read_text()
    assert "Standard curve: tnf_plate.csv, plate 1" in html
    from neuroprotect.workflows.context import mechanism_table

    table = mechanism_table(outcome)
    assert table is not None
    row = table.set_index("node").loc["TNFA"]
    # IMM-H004 lowers TNF-a in the pathway; the 'low' group halves it here
    assert (row["predicted"], row["direction"], row["verdict"]) == ("decrease", "decrease", "agree")


def test_elisa_a_garbage_plate_file_is_skipped(study_dir: Path) -> None:
    """Two plate files, the second garbage bytes: it is skipped with its reason, the first plate
    gives the same concentrations as alone; strict refuses; all bad plates stop the readout."""
    from neuroprotect.errors import collect_input_warnings
    from neuroprotect.workflows.readouts import strict_run

    alone = _values(_load(study_dir, "tnf"), "concentration")
    y = study_dir / "study.yaml"
    y.write_text(y.read_text().replace("files: [tnf_plate.csv]", "files: [tnf_plate*.csv]"))
    (study_dir / "tnf_plate_2.csv").write_bytes(bytes(range(256)) * 4)
    with collect_input_warnings() as notes:
        data = _load(study_dir, "tnf")
    (skipped,) = data.skipped
    assert skipped.file == "tnf_plate_2.csv" and "\n" not in skipped.reason
    assert notes == [skipped.one_line()]
    assert _values(data, "concentration") == pytest.approx(alone, rel=1e-12)
    with strict_run(True), pytest.raises(InputError, match="tnf_plate_2.csv"):
        _load(study_dir, "tnf")
    (study_dir / "tnf_plate.csv").write_bytes(b"")
    with collect_input_warnings(), pytest.raises(InputError, match="all were skipped"):
        _load(study_dir, "tnf")

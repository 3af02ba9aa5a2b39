"""Readout types qpcr and western_blot on the mini study (analytic expected values)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neuroprotect.errors import InputError
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import ReadoutData, get_readout_type, readout_types

READOUTS = """\
  - id: mrna
    type: qpcr
    files: [cts.csv]
    params: {reference: [Gapdh, Actb], higher_is_better: [Bcl2]}
  - id: wb
    type: western_blot
    files: [bands.csv]
    params: {layout: lanes.csv, loading_control: beta-actin, ratios: [Bax/Bcl-2]}
"""
# log2 fold change of Tnf per group (vs vehicle): vehicle 0, low -1 (2-fold lower), sham -2
SHIFT = {"sham": 2.0, "vehicle": 0.0, "low": 1.0}


def _load(d: Path, readout_id: str) -> ReadoutData:
    study = load_study(d / "study.yaml")
    animals = load_animals(study)
    readout = next(r for r in study.readouts if r.id == readout_id)
    return get_readout_type(study, readout).load(
        study, readout, study.readout_files(readout), animals
    )


@pytest.fixture
def study_dir(mini_study: Path) -> Path:
    d = mini_study.parent
    mini_study.write_text(mini_study.read_text() + READOUTS)
    rows = ["sample,gene,ct"]
    for g, shift in SHIFT.items():
        for i in range(4):
            a = f"{g}-{i}"
            load = 0.2 * i  # loading differences cancel against the reference genes
            for rep in range(2):  # duplicate wells, averaged first
                rows += [f"{a},Gapdh,{18 + load}", f"{a},Actb,{16 + load}"]
                tnf = (
                    "Undetermined"
                    if (a, rep) == ("low-3", 1)
                    else f"{25 + shift + load + 0.1 * (i - 1.5)}"
                )
                rows.append(f"{a},Tnf,{tnf}")
                rows.append(f"{a},Bcl2,{22 - shift / 2 + load}")
    (d / "cts.csv").write_text("\n".join(rows) + "\n")
    lanes = ["lane,animal_id"]
    bands = ["lane,target,volume"]
    lane = 0
    for g, bax in (("vehicle", 2000.0), ("low", 1000.0)):
        for i in range(2):
            lane += 1
            lanes.append(f"{lane},{g}-{i}")
            actin = 5000.0 + 500 * i
            bands += [
                f"{lane},Bax,{bax * actin / 5000}",
                f"{lane},Bcl-2,{1000 * actin / 5000}",
                f"{lane},beta-actin,{actin}",
            ]
    (d / "lanes.csv").write_text("\n".join(lanes) + "\n")
    (d / "bands.csv").write_text("\n".join(bands) + "\n")
    return d


def test_registered() -> None:
    assert {"qpcr", "western_blot"} <= set(readout_types())


def test_qpcr_readout_log2_fold_changes(study_dir: Path) -> None:
    """Analytic: Tnf ΔCt = 7 + shift + 0.1(i − 1.5) (loading cancels, reference mean of Gapdh and
    Actb = 17 + load), so log2 FC = −shift − 0.1(i − 1.5) relative to the vehicle mean."""
    data = _load(study_dir, "mrna")
    m = data.measurements
    assert tuple(m.columns) == MEASUREMENT_COLUMNS
    assert {v.name for v in data.variables or ()} == {
        "tnf_log2_fold_change",
        "bcl2_log2_fold_change",
    }
    tnf = m[m["variable"] == "tnf_log2_fold_change"].set_index("animal_id")["value"]
    for g, shift in SHIFT.items():
        for i in range(4):
            assert tnf[f"{g}-{i}"] == pytest.approx(-shift - 0.1 * (i - 1.5), abs=1e-9)
    bcl2 = m[m["variable"] == "bcl2_log2_fold_change"].set_index("animal_id")["value"]
    assert bcl2["low-0"] == pytest.approx(0.5)
    specs = {v.name: v for v in data.variables or ()}
    assert (
        specs["tnf_log2_fold_change"].lower_is_better
        and not specs["bcl2_log2_fold_change"].lower_is_better
    )
    assert any("low-3" in f for f in data.details["flags"]["sample"])  # the undetermined well
    assert m["unit"].iloc[0] == "log2 fold change"
    fc = data.details["fold_changes"].set_index(["gene", "group"])
    assert fc.loc[("Tnf", "low"), "fold_change"] == pytest.approx(0.5)


def test_qpcr_readout_missing_reference_and_unknown_animal(study_dir: Path) -> None:
    text = (study_dir / "cts.csv").read_text().splitlines()
    kept = [line for line in text if not line.startswith("low-1,Gapdh")]
    (study_dir / "cts.csv").write_text("\n".join(kept) + "\n")
    data = _load(study_dir, "mrna")
    assert "low-1" not in set(data.measurements["animal_id"])
    assert any("low-1" in w and "reference" in w for w in data.warnings)
    assert not np.isnan(data.measurements["value"]).any()
    (study_dir / "cts.csv").write_text("\n".join(kept + ["rat-99,Gapdh,18"]) + "\n")
    with pytest.raises(InputError, match="rat-99"):
        _load(study_dir, "mrna")


def test_western_readout(study_dir: Path) -> None:
    """Analytic: Bax/actin = 0.4 (vehicle) and 0.2 (low) -> fold 1 and 0.5; Bax/Bcl-2 = 2 and 1."""
    data = _load(study_dir, "wb")
    m = data.measurements
    got = {(a, v): x for a, v, x in zip(m["animal_id"], m["variable"], m["value"], strict=True)}
    assert got[("vehicle-1", "bax_fold_change")] == pytest.approx(1.0)
    assert got[("low-0", "bax_fold_change")] == pytest.approx(0.5)
    assert got[("low-1", "bax_bcl_2_ratio_fold_change")] == pytest.approx(0.5)
    assert got[("low-1", "bcl_2_fold_change")] == pytest.approx(1.0)
    assert data.qc["loading_control"] == "beta-actin"
    assert any("no data for" in w for w in data.warnings)  # sham and 4 animals not blotted


def test_study_run_analyses_and_reports_molecular_readouts(study_dir: Path, tmp_path: Path) -> None:
    """End to end: `neuroprotect run --no-store` analyses the qpcr and western variables."""
    from typer.testing import CliRunner

    from neuroprotect import stats
    from neuroprotect.cli.main import app

    if not hasattr(stats, "compare_groups"):
        pytest.skip("stats.compare_groups not merged into this branch yet (needed by `run`)")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["run", str(study_dir / "study.yaml"), "--out", str(out), "--no-store", "-q"]
    )
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text()
    assert "tnf_log2_fold_change" in html or "Tnf mRNA" in html
    assert "Bax / beta-actin" in html or "bax_fold_change" in html


def test_western_readout_from_blot_image(study_dir: Path) -> None:
    """Seeded synthetic blot (exact band volumes): Bax/actin 0.4, 0.4, 0.2, 0.2 -> fold 1, 1, .5, .5."""
    from skimage import io

    from neuroprotect.datasets.synthetic_blot import make_synthetic_blot

    vol = np.array([[2000, 5000], [2200, 5500], [1000, 5000], [1100, 5500]], dtype=float)
    blot = make_synthetic_blot(vol, targets=("Bax", "beta-actin"), gradient=0.2)
    io.imsave(study_dir / "gel1.tif", blot.image.astype(np.float32), check_contrast=False)
    text = (study_dir / "study.yaml").read_text()
    text = text.replace(
        "files: [bands.csv]\n    params: {layout: lanes.csv,",
        "files: [gel1.tif]\n    params: {bands: {Bax: [18, 42], beta-actin: [58, 82]}, layout: lanes.csv,",
    ).replace(", ratios: [Bax/Bcl-2]", "")
    (study_dir / "study.yaml").write_text(text)
    data = _load(study_dir, "wb")
    got = data.measurements.set_index("animal_id")["value"]
    assert got.to_dict() == pytest.approx(
        {"vehicle-0": 1.0, "vehicle-1": 1.0, "low-0": 0.5, "low-1": 0.5}, rel=0.01
    )

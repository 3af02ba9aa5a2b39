"""`neuroprotect demo --model ID`: each seed model's simulated study, end to end.

Reference: the generator's design (:mod:`neuroprotect.datasets.demo_models`): the untreated
insult moves every key variable away from sham in the direction the seed describes, and the
compound's highest dose moves it back; the groups and readouts are those `design new` drafts.
The readouts' own numbers are checked against R and hand calculations in their own tests;
here the whole pipeline (raw files -> readouts -> statistics -> store -> report) runs on small
demos (3 animals per group) so that these tests stay fast.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.datasets.demo_models import DEMO_MODELS, make_model_demo
from neuroprotect.design.scaffold import draft_study

runner = CliRunner()

#: Per model: (variable, sign of vehicle - sham, pathway node the report overlays it on).
KEY_EFFECTS = {
    "bccao_gerbil": [
        ("neuron_density_per_mm2", -1, "neuronal_survival"),
        ("distance_cm", +1, None),  # post-ischemic hyperactivity
        ("nox_um", +1, "NOS"),
    ],
    "scopolamine_amnesia": [
        ("retention_latency_s", -1, "memory"),
        ("escape_latency_last_day_s", +1, "memory"),
        ("spontaneous_alternation_pct", -1, "memory"),
    ],
    "4vo_rat": [
        ("path_length_last_day_cm", +1, "memory"),
        ("neuron_density_per_mm2", -1, "neuronal_survival"),
        ("tunel_positive_pct", +1, "apoptosis"),
        ("bax_bcl_2_ratio_fold_change", +1, "BAX_BCL2_ratio"),
    ],
    "pmcao": [
        ("infarct_volume_mm3", +1, "infarct"),
        ("neuro_score", +1, "neuro_deficit"),
        ("concentration", +1, "IL1B"),
    ],
    "ogd_r_pc12": [
        ("viability_pct", -1, "neuronal_survival"),
        ("ros_pct_of_control", +1, "ROS"),
        ("mmp_pct_of_control", -1, "MMP_mito"),
        ("caspase3_fold_of_control", +1, "CASP3"),
        ("cytochrome_c_fold_change", +1, "CYTC"),
    ],
}


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


@pytest.mark.parametrize("model", list(DEMO_MODELS))
def test_demo_runs_end_to_end(tmp_path: Path, model: str) -> None:
    store = tmp_path / "store.sqlite"
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["demo", "--model", model, "--n", "3", "--out", str(out), "--db", str(store), "-q"]
    )
    assert result.exit_code == 0, result.output
    manifest = out / model / "study.yaml"
    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert doc["simulated"] is True
    # the demo is the design-new draft, filled in
    draft = draft_study(DEMO_MODELS[model].compound, model)
    assert [g["id"] for g in doc["groups"]] == [g["id"] for g in draft["groups"]]
    assert [r["type"] for r in doc["readouts"]] == [r["type"] for r in draft["readouts"]]
    assert {g["planned_n"] for g in doc["groups"]} == {3}
    if model == "ogd_r_pc12":  # cultures of independent experiments: no sex or body weight
        assert doc["setting"] == "in_vitro" and doc["cell_line"] == "PC12"
        cultures = (out / model / doc["animals"]).read_text(encoding="utf-8").splitlines()
        assert cultures[0] == "animal_id,group,experiment"
        assert len({row.split(",")[2] for row in cultures[1:]}) == 3

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    rows = results["results"]
    top = max(
        (g for g in doc["groups"] if g["role"] == "treatment"), key=lambda g: g.get("dose_mg_kg", 0)
    )
    for variable, sign, _ in KEY_EFFECTS[model]:
        insult = [
            r
            for r in rows
            if r["variable"] == variable
            and r["family"] == "model_check"
            and r["group"] == "vehicle"
        ]
        treated = [
            r
            for r in rows
            if r["variable"] == variable and r["family"] == "treatment" and r["group"] == top["id"]
        ]
        assert insult and treated, variable
        assert _sign(insult[0]["estimate"]) == sign, (variable, insult[0])
        assert _sign(treated[0]["estimate"]) == -sign, (variable, treated[0])

    report = (out / "report.html").read_text(encoding="utf-8")
    assert "SIMULATED" in report
    for _, _, node in KEY_EFFECTS[model]:
        if node:  # the mechanism section overlays the measured readouts on the pathway
            assert f'<td class="mono">{node}</td>' in report, node
    with sqlite3.connect(store) as db:
        studies = [r[0] for r in db.execute("select study_id from studies")]
    assert doc["study_id"] in studies


def test_same_seed_same_files(tmp_path: Path) -> None:
    """A demo is reproducible: the same seed writes byte-identical files."""
    a = make_model_demo("pmcao", tmp_path / "a", seed=7, n_per_group=3).parent
    b = make_model_demo("pmcao", tmp_path / "b", seed=7, n_per_group=3).parent
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_aliases_and_unknown_models(tmp_path: Path) -> None:
    listing = runner.invoke(app, ["demo", "--list"])
    assert listing.exit_code == 0
    for model in ["mcao_r_filament", *DEMO_MODELS]:
        assert model in listing.output
    assert "mcao_reperfusion" in listing.output  # aliases are listed
    bad = runner.invoke(app, ["demo", "--model", "stroke", "--out", str(tmp_path)])
    assert bad.exit_code == 2
    assert "Expected one of the demo models" in bad.output
    assert "Traceback" not in bad.output
    gerbil = make_model_demo("bccao", tmp_path / "g", n_per_group=3)  # alias of bccao_gerbil
    doc = yaml.safe_load(gerbil.read_text(encoding="utf-8"))
    assert doc["model"] == "bccao_gerbil" and doc["species"] == "Mongolian gerbil"


def test_elisa_plate_returns_the_generators_standard_curve(tmp_path: Path) -> None:
    """Reference: the 4PL the demo writes its ELISA optical densities with (bottom 0.06,
    top 2.8, EC50 180 pg/mL, slope 1.3; reader noise sd 0.008): the readout's fit of the
    blank-corrected standards must recover it (bottom and top less the 0.06 blank)."""
    from neuroprotect.io.animals import load_animals
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.workflows.readouts import get_readout_type

    study = load_study(make_model_demo("pmcao", tmp_path, n_per_group=3))
    animals = load_animals(study)
    readout = next(r for r in study.readouts if r.id == "elisa_il1b")
    data = get_readout_type(study, readout).load(
        study, readout, study.readout_files(readout), animals
    )
    (curve,) = data.qc["curves"].values()
    p = curve["params"]
    assert p["c"] == pytest.approx(180.0, rel=0.05)
    assert p["b"] == pytest.approx(1.3, rel=0.05)
    assert p["d"] == pytest.approx(2.8 - 0.06, abs=0.1)
    assert p["a"] == pytest.approx(0.0, abs=0.03)
    assert data.measurements["animal_id"].nunique() == 15  # every rat has a concentration

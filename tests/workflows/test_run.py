"""End to end: manifest -> readouts -> statistics -> store -> report (analytic expected values)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.errors import InputError
from neuroprotect.workflows.run import run_study

runner = CliRunner()

EXTRA_READOUTS = """\
  - id: neuro
    type: neuro_score
    files: [neuro.csv]
    params: {scale: longa}
  - id: ttc
    type: ttc_table
    files: [ttc.csv]
    params: {slice_thickness_mm: 2}
"""

# Longa scores per group (4 animals each)
SCORES = {"sham": [0, 0, 0, 1], "vehicle": [3, 3, 2, 4], "low": [2, 1, 2, 2]}
# infarct area per slice (mm2) for each of 3 slices; ipsi = 52 + i, contra = 50 + i/2 (animal i)
INFARCT = {"sham": 0.0, "vehicle": 20.0, "low": 10.0}


@pytest.fixture
def full_study(mini_study: Path) -> Path:
    folder = mini_study.parent
    mini_study.write_text(mini_study.read_text() + EXTRA_READOUTS)
    rows = ["animal_id,score"]
    rows += [f"{g}-{i},{s}" for g, scores in SCORES.items() for i, s in enumerate(scores)]
    (folder / "neuro.csv").write_text("\n".join(rows) + "\n")
    rows = ["animal_id,slice,ipsilateral_area_mm2,contralateral_area_mm2,infarct_area_mm2"]
    for g, infarct in INFARCT.items():
        for i in range(4):
            for sl in (1, 2, 3):
                rows.append(f"{g}-{i},{sl},{52 + i},{50 + 0.5 * i},{infarct + i}")
    (folder / "ttc.csv").write_text("\n".join(rows) + "\n")
    return mini_study


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def _count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table):
                return 0
            return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def _variable(results: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(v for v in results["variables"] if v["variable"] == name)


def test_run_writes_report_and_json_with_analytic_values(full_study: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome, files = run_study(full_study, out_dir=out, db_url=_db(tmp_path))
    assert files.report.is_file() and files.results.is_file()
    results = json.loads(files.results.read_text())
    # brain water % = (wet - dry) / wet * 100 = (frac + 0.002 i) * 100; group mean = frac*100 + 0.3
    water = _variable(results, "brain_water_pct")
    means = {row["group"]: row["mean"] for row in water["treatment_comparison"]["summary"]}
    assert means["vehicle"] == pytest.approx(82.3, abs=1e-9)
    assert means["low"] == pytest.approx(80.3, abs=1e-9)
    contrast = water["treatment_comparison"]["contrasts"][0]
    assert contrast["group"] == "low" and contrast["control"] == "vehicle"
    assert contrast["estimate"] == pytest.approx(-2.0, abs=1e-9)
    check = water["model_check"]["contrasts"][0]
    assert check["estimate"] == pytest.approx(82.3 - 78.3, abs=1e-9)  # vehicle minus sham
    # TTC: direct volume = sum(infarct areas) x 2 mm = 3 slices x (infarct + i) x 2
    ttc = _variable(results, "infarct_volume_mm3")
    summary = {row["group"]: row for row in ttc["treatment_comparison"]["summary"]}
    assert summary["vehicle"]["mean"] == pytest.approx(3 * (20 + 1.5) * 2)
    assert summary["low"]["mean"] == pytest.approx(3 * (10 + 1.5) * 2)
    # ordinal scores are analysed non-parametrically
    neuro = _variable(results, "neuro_score")
    assert neuro["ordinal"] is True
    assert neuro["treatment_comparison"]["method"] == "kruskal-dunn"
    assert results["run"]["run_id"] == outcome.run_id
    assert {f["role"] for f in results["raw_files"]} >= {
        "manifest",
        "animals",
        "water",
        "neuro",
        "ttc",
    }
    html = files.report.read_text()
    assert "<svg" in html and outcome.run_id in html


def test_identical_rerun_is_recognised(full_study: Path, tmp_path: Path) -> None:
    url = _db(tmp_path)
    first, _ = run_study(full_study, out_dir=tmp_path / "a", db_url=url)
    counts = {t: _count(url, t) for t in ("runs", "measurements", "results", "raw_files")}
    second, _ = run_study(full_study, out_dir=tmp_path / "b", db_url=url)
    assert not first.reused and second.reused
    assert second.run_id == first.run_id
    assert {t: _count(url, t) for t in counts} == counts
    # a changed raw file is a new run
    water = full_study.parent / "water.csv"
    water.write_text(water.read_text().replace("1000.0,", "1001.0,", 1))
    third, _ = run_study(full_study, out_dir=tmp_path / "c", db_url=url)
    assert not third.reused and third.run_id != first.run_id
    assert _count(url, "runs") == 2


def _break(study: Path, file: str, old: str, new: str) -> None:
    path = study.parent / file
    text = path.read_text()
    assert old in text, (file, old)
    path.write_text(text.replace(old, new, 1))


BAD_INPUTS = [
    ("study.yaml", "dose_mg_kg: 3", "dose_mg_kg: x", "groups[2].dose_mg_kg"),
    ("study.yaml", "files: [neuro.csv]", "files: [gone.csv]", "readouts.neuro.files[0]"),
    ("animals.csv", "low-3,low", "low-3,lowest", "field 'group'"),
    ("animals.csv", "low-3,low", "low-2,low", "unique animal ids"),
    ("water.csv", "1000.0,", "heavy,", "field 'wet_weight_mg'"),
    ("neuro.csv", "vehicle-3,4", "vehicle-3,7", "neuro"),
    ("ttc.csv", "sham-0,1,52,50.0,0.0", "sham-0,1,52,50.0,-3", "infarct_area_mm2"),
    ("neuro.csv", "low-0,2", "rat-99,2", "rat-99"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_INPUTS)
def test_bad_input_one_line_exit_2_nothing_stored(
    full_study: Path, tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    _break(full_study, file, old, new)
    url = _db(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(full_study), "--out", str(out), "--db", url, "--quiet"])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert expected in lines[0]
    assert _count(url, "runs") == 0 and _count(url, "measurements") == 0
    assert not (out / "report.html").exists()
    with pytest.raises(InputError):
        run_study(full_study, out_dir=out, db_url=url)


def test_raw_files_never_modified(full_study: Path, tmp_path: Path) -> None:
    folder = full_study.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    run_study(full_study, out_dir=tmp_path / "out", db_url=_db(tmp_path))
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name in before}
    assert after == before


def test_validate_and_run_cli(full_study: Path, tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate", str(full_study)])
    assert ok.exit_code == 0 and "ok:" in ok.output
    result = runner.invoke(
        app, ["run", str(full_study), "--out", str(tmp_path / "o"), "--db", _db(tmp_path), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "report:" in result.output


def test_attrition_flow_and_checklists_in_report(full_study: Path, tmp_path: Path) -> None:
    """One excluded animal with a pre-registered reason, one without: flow counts and a warning."""
    full_study.write_text(
        full_study.read_text() + "design:\n  exclusion_criteria: [died before assessment]\n"
    )
    animals = full_study.parent / "animals.csv"
    text = animals.read_text().replace(
        "animal_id,group,body_weight_g,sex",
        "animal_id,group,body_weight_g,sex,excluded,exclusion_reason",
    )
    lines = text.splitlines()
    lines = [lines[0]] + [ln + ",false," for ln in lines[1:]]
    lines[2] = lines[2].replace(",false,", ",true,died before assessment (day 1)")
    lines[6] = lines[6].replace(",false,", ",true,haemorrhage")
    animals.write_text("\n".join(lines) + "\n")
    outcome, files = run_study(full_study, out_dir=tmp_path / "out", db_url=_db(tmp_path))
    assert any("'haemorrhage' matches none of the pre-registered" in w for w in outcome.warnings)
    html = files.report.read_text()
    assert (
        "<b>12</b> randomised" in html
        and "<b>2</b> excluded" in html
        and "<b>10</b> analysed" in html
    )
    assert "pre-registered" in html and "not pre-registered" in html
    assert "ARRIVE 2.0" in html and "STAIR XI" in html
    water = next(v for v in outcome.variables if v.spec.name == "brain_water_pct")
    assert len(water.data) == 10  # excluded animals are not analysed


def test_mechanism_check_in_report(full_study: Path, tmp_path: Path) -> None:
    """The 'low' IMM-H004 group halves the infarct: the pathway predicts a decrease -> agree."""
    from neuroprotect.workflows.context import mechanism_table, published_evidence

    outcome, files = run_study(full_study, out_dir=tmp_path / "out", db_url=_db(tmp_path))
    table = mechanism_table(outcome).set_index("variable")  # type: ignore[union-attr]
    assert table.loc["infarct_volume_mm3", "node"] == "infarct"
    assert table.loc["infarct_volume_mm3", "direction"] == "decrease"
    assert table.loc["infarct_volume_mm3", "verdict"] == "agree"
    records = published_evidence(outcome)
    assert records["same_model"].iloc[0] and "imm-mcaor-01" in set(records["id"])
    html = files.report.read_text()
    assert "Mechanism and published evidence" in html and "imm-mcaor-01" in html


def test_study_pooled_with_quantitative_records(full_study: Path, tmp_path: Path) -> None:
    """Hedges' g of this study by hand (exact small-sample factor J, as metafor's escalc), oriented
    so that less infarct is positive;
    the pooled estimate lies within the studies' range and the weights sum to 100 %."""
    import numpy as np
    import pandas as pd

    from neuroprotect.workflows.context import pooled_evidence

    outcome, _ = run_study(full_study, out_dir=tmp_path / "out", db_url=_db(tmp_path))
    assert pooled_evidence(outcome)["pooled"] is False  # the bundled records hold no effect sizes
    records = pd.DataFrame(
        [
            ("pub-1", "infarct_volume_mm3", 8, 150.0, 40.0, 8, 250.0, 45.0),
            ("pub-2", "infarct_volume_mm3", 10, 180.0, 50.0, 10, 240.0, 50.0),
        ],
        columns=[
            "record",
            "outcome",
            "n_treat",
            "mean_treat",
            "sd_treat",
            "n_ctrl",
            "mean_ctrl",
            "sd_ctrl",
        ],
    )
    res = pooled_evidence(outcome, records=records)
    assert res["pooled"] and res["k"] == 3
    # this study: low (3 mg/kg) vs vehicle, direct infarct volume = 3 slices x (infarct + i) x 2
    low = np.array([3 * (10 + i) * 2 for i in range(4)], float)
    veh = np.array([3 * (20 + i) * 2 for i in range(4)], float)
    sp = np.sqrt(((4 - 1) * low.var(ddof=1) + (4 - 1) * veh.var(ddof=1)) / (4 + 4 - 2))
    from scipy.special import gammaln

    m = 4 + 4 - 2
    j = np.exp(gammaln(m / 2) - gammaln((m - 1) / 2)) / np.sqrt(m / 2)
    g = j * (low.mean() - veh.mean()) / sp
    own = res["studies"][-1]
    assert own["yi"] == pytest.approx(-g, rel=1e-9)  # benefit positive
    ys = [s["yi"] for s in res["studies"]]
    assert min(ys) <= res["estimate"] <= max(ys)
    assert sum(s["weight"] for s in res["studies"]) == pytest.approx(100)


def test_outputs_have_ordinary_permissions(full_study: Path, tmp_path: Path) -> None:
    import os
    import stat

    _, files = run_study(full_study, out_dir=tmp_path / "out", store=False)
    umask = os.umask(0)
    os.umask(umask)
    for path in (files.report, files.results):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_windows_1252_readout_is_a_run_warning(mini_study: Path, tmp_path: Path) -> None:
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.workflows.analyse import analyse_study

    water = mini_study.parent / "water.csv"
    text = water.read_text().replace("dry_weight_mg\n", "dry_weight_mg,note\n", 1)
    lines = text.splitlines()
    lines[1] += ",dried at 60 °C"
    water.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    from neuroprotect.workflows.outcome import all_warnings

    outcome = analyse_study(load_study(mini_study))
    assert [w for w in all_warnings(outcome) if "Windows-1252" in w] == [
        f"water: {water}: not UTF-8; read as Windows-1252 (as Excel saves CSV). Check special "
        "characters such as µ or ° in the output, or save the file as CSV UTF-8"
    ]


def test_group_without_animals_is_a_run_warning(mini_study: Path) -> None:
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.workflows.analyse import analyse_study

    for name in ("animals.csv", "water.csv"):
        path = mini_study.parent / name
        path.write_text("".join(ln for ln in path.open() if not ln.startswith("sham-")))
    outcome = analyse_study(load_study(mini_study))
    assert outcome.warnings[0] == (
        f"{mini_study.parent / 'animals.csv'}: no animals in group(s) sham of the manifest; "
        "they are left out of the analysis"
    )


def test_variable_warnings_reach_the_terminal_and_results_json(
    mini_study: Path, tmp_path: Path
) -> None:
    """A variable without statistics is said on the terminal and in results.json, as in the report,
    without the internal column name ('value')."""
    rows = ["animal_id,wet_weight_mg,dry_weight_mg"]
    rows += [f"{g}-{i},1000,200" for g in ("sham", "vehicle", "low") for i in range(4)]
    (mini_study.parent / "water.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", str(mini_study), "--out", str(out), "--no-store", "-q"]
    )
    assert result.exit_code == 0, result.output
    said = "water.brain_water_pct: no statistics (Expected a response that varies, but every value is 80)."
    assert f"warning: {said}" in result.output
    assert said in json.loads((out / "results.json").read_text(encoding="utf-8"))["warnings"]
    assert "'value'" not in (out / "report.html").read_text(encoding="utf-8")


def test_omnibus_rows_keep_both_degrees_of_freedom(tmp_path: Path) -> None:
    """An F test's row says F(num, den) unambiguously: ``dof`` stays the denominator, ``num_df`` and
    ``den_df`` hold both, in results.json, the store and `runs show`; Kruskal-Wallis has one df."""
    example = Path(__file__).resolve().parents[2] / "examples" / "imm-h004-mcao" / "study.yaml"
    outcome, files = run_study(example, out_dir=tmp_path / "out", db_url=_db(tmp_path))
    omnibus = {
        (v.readout_id, v.spec.name): v.comparison.omnibus
        for v in outcome.variables
        if v.comparison is not None
    }
    rows = [
        r
        for r in json.loads(files.results.read_text())["results"]
        if r["contrast"] == "omnibus" and r["family"] == "treatment"
    ]
    assert {r["test"] for r in rows} == {"one-way ANOVA", "Welch ANOVA", "Kruskal-Wallis"}
    for r in rows:
        dof = omnibus[(r["readout"], r["variable"])]["dof"]
        if r["test"] == "Kruskal-Wallis":
            assert (r["num_df"], r["den_df"], r["dof"]) == (dof, None, dof)
        else:
            assert (r["num_df"], r["den_df"], r["dof"]) == (dof[0], dof[1], dof[1])
    shown = CliRunner().invoke(app, ["runs", "show", str(outcome.run_id), "--db", _db(tmp_path)])
    assert shown.exit_code == 0, shown.output
    anova = next(r for r in rows if r["test"] == "one-way ANOVA")
    assert f"│ {anova['num_df']:.4g}, {anova['den_df']:.4g} " in shown.output
    stored = json.loads(
        CliRunner()
        .invoke(app, ["runs", "show", str(outcome.run_id), "--db", _db(tmp_path), "--json"])
        .output
    )["results"]
    assert [(r["num_df"], r["den_df"]) for r in stored if r["contrast"] == "omnibus"] == [
        (r["num_df"], r["den_df"])
        for r in json.loads(files.results.read_text())["results"]
        if r["contrast"] == "omnibus"
    ]

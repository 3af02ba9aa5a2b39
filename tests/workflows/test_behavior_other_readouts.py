"""Readout types y_maze, open_field, passive_avoidance: tidy output, QC and one-line errors.

Expected values: analytic sequences, seeded synthetic tracks (known arm order, known distance)
and R survival 3.5-3 survdiff on survival::aml (chisq 3.396388698978; shared/data/stats).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tests.conftest import shared_data

from neuroprotect.datasets.behavior_synthetic import make_open_field_track, make_y_maze_track
from neuroprotect.errors import InputError
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import get_readout_type, readout_types


def _add_readout(manifest: Path, entry: dict) -> None:
    doc = yaml.safe_load(manifest.read_text())
    doc["readouts"].append(entry)
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False))


def _load(manifest: Path, readout_id: str):
    study = load_study(manifest)
    readout = next(r for r in study.readouts if r.id == readout_id)
    rtype = get_readout_type(study, readout)
    return rtype.load(study, readout, study.readout_files(readout), load_animals(study))


def _values(data, variable: str) -> dict[str, float]:
    m = data.measurements
    rows = m[m["variable"] == variable]
    return dict(zip(rows["animal_id"], rows["value"], strict=True))


def _track_csv(tracks: pd.DataFrame, path: Path) -> Path:
    tracks.rename(columns={"x_cm": "x", "y_cm": "y"})[["time_s", "x", "y"]].to_csv(
        path, index=False, na_rep="-"
    )
    return path


def test_registered():
    assert {"y_maze", "open_field", "passive_avoidance"} <= set(readout_types())


def test_y_maze_sequence_table(mini_study):
    """Analytic: ABCABCABCA (8 / 8 = 100 %), ABABABABAB (0 %), 3213123121 (windows 321 213 131
    312 123 231 312 121: 6 of 8 alternate, 75 %), AB (2 entries: no percentage)."""
    d = mini_study.parent
    (d / "ymaze.csv").write_text(
        "animal_id,sequence\nsham-0,ABCABCABCA\nvehicle-0,ABABABABAB\nlow-0,3213123121\nlow-1,AB\n"
    )
    _add_readout(mini_study, {"id": "ym", "type": "y_maze", "files": ["ymaze.csv"]})
    data = _load(mini_study, "ym")
    assert list(data.measurements.columns) == list(MEASUREMENT_COLUMNS)
    sa = _values(data, "spontaneous_alternation_pct")
    assert sa["sham-0"] == 100.0 and sa["vehicle-0"] == 0.0
    assert sa["low-0"] == pytest.approx(75.0)
    assert np.isnan(sa["low-1"])
    assert _values(data, "entries") == {"sham-0": 10, "vehicle-0": 10, "low-0": 10, "low-1": 2}
    assert any("fewer than 8 arm entries for low-1" in w for w in data.warnings)
    assert any("no data for" in w for w in data.warnings)
    assert data.details["sessions"]["sequence"].tolist()[0] == "ABCABCABCA"


def test_y_maze_empty_sequence_is_an_error_naming_file_and_animal(mini_study):
    d = mini_study.parent
    (d / "ymaze.csv").write_text("animal_id,sequence\nsham-0,ABCABCABCA\nvehicle-0,\n")
    _add_readout(mini_study, {"id": "ym", "type": "y_maze", "files": ["ymaze.csv"]})
    with pytest.raises(InputError) as info:
        _load(mini_study, "ym")
    msg = str(info.value)
    assert "ymaze.csv, row 3, field 'sequence': animal vehicle-0: Expected at least one" in msg


def test_y_maze_track_without_arm_entries_is_an_error(mini_study):
    d = mini_study.parent
    (d / "tracks").mkdir()
    still = pd.DataFrame({"trial_id": "x", "time_s": np.arange(20.0), "x_cm": 0.0, "y_cm": 0.0})
    _track_csv(still, d / "tracks" / "low-0.csv")  # sits in the centre: never enters an arm
    (d / "arms.yaml").write_text(
        yaml.safe_dump({"type": "y_maze", "arm_length": 35, "arm_width": 8})
    )
    entry = {
        "id": "ymt",
        "type": "y_maze",
        "files": ["tracks/*.csv"],
        "params": {"arms": "arms.yaml"},
    }
    _add_readout(mini_study, entry)
    with pytest.raises(InputError, match=r"low-0\.csv.*Expected at least one arm entry in trial"):
        _load(mini_study, "ymt")


def test_y_maze_tracks(mini_study):
    """Seeded synthetic tracks with centre jitter: the known sequences come back."""
    d = mini_study.parent
    seqs = {"vehicle-0": "ABCBABCA", "vehicle-1": "ACBACBAC", "low-0": "ABABCACB"}
    (d / "tracks").mkdir()
    for i, (animal, seq) in enumerate(seqs.items()):
        tracks, truth = make_y_maze_track(seq, seed=i, missing_fraction=0.02)
        _track_csv(tracks, d / "tracks" / f"{animal}.csv")
    (d / "arms.yaml").write_text(
        yaml.safe_dump({"type": "y_maze", "arm_length": 35, "arm_width": 8})
    )
    _add_readout(
        mini_study,
        {
            "id": "ymt",
            "type": "y_maze",
            "files": ["tracks/*.csv"],
            "params": {"arms": "arms.yaml", "entry_depth_cm": 5},
        },
    )
    data = _load(mini_study, "ymt")
    sessions = data.details["sessions"].set_index("animal_id")
    assert sessions["sequence"].to_dict() == seqs
    assert data.details["sessions"]["source_file"].iloc[0].startswith("tracks/")
    assert set(data.details["arm_entries"].columns) >= {"animal_id", "entry", "arm", "time_s"}
    assert data.qc["entry_depth_cm"] == 5


def test_open_field(mini_study):
    """Seeded synthetic: 5, 6 and 7 cm/s for 120 s = 600, 720 and 840 cm; 300 cm per 60-s bin."""
    d = mini_study.parent
    for i, animal in enumerate(["sham-0", "vehicle-0", "low-0"]):
        tracks, truth = make_open_field_track(seed=20 + i, speed_cm_s=5.0 + i, duration_s=120)
        _track_csv(tracks, d / f"{animal}.csv")
    _add_readout(
        mini_study,
        {
            "id": "of",
            "type": "open_field",
            "files": ["sham-0.csv", "vehicle-0.csv", "low-0.csv"],
            "params": {"rectangle": [0, 0, 40, 40], "bin_s": 60},
        },
    )
    data = _load(mini_study, "of")
    dist = _values(data, "distance_cm")
    assert dist == pytest.approx({"sham-0": 600.0, "vehicle-0": 720.0, "low-0": 840.0})
    assert _values(data, "mean_speed_cm_s") == pytest.approx(
        {"sham-0": 5.0, "vehicle-0": 6.0, "low-0": 7.0}
    )
    bins = data.details["distance_by_bin"]
    np.testing.assert_allclose(bins.loc[bins["animal_id"] == "sham-0", "distance_cm"], 300.0)
    assert data.qc["arena"] == {"rectangle": [0.0, 0.0, 40.0, 40.0]}


def test_open_field_errors(mini_study):
    d = mini_study.parent
    _track_csv(make_open_field_track(seed=1, duration_s=5)[0], d / "rat-99.csv")
    _add_readout(
        mini_study,
        {
            "id": "of",
            "type": "open_field",
            "files": ["rat-99.csv"],
            "params": {"rectangle": [0, 0, 40, 40]},
        },
    )
    with pytest.raises(InputError, match="animals table") as err:
        _load(mini_study, "of")
    assert err.value.file.endswith("rat-99.csv")
    doc = yaml.safe_load(mini_study.read_text())
    doc["readouts"][-1] = {
        "id": "of",
        "type": "open_field",
        "files": ["rat-99.csv"],
        "params": {"rectangle": [0, 0, 40]},
    }
    mini_study.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match="4 numbers") as err:
        _load(mini_study, "of")
    assert err.value.field == "readouts.of.params.rectangle"


def _aml_study(mini_study: Path) -> Path:
    """survival::aml as passive-avoidance latencies: Nonmaintained = vehicle, Maintained = low;
    censored times become latencies equal to their own cut-off (cutoff_s column)."""
    aml = pd.read_csv(shared_data("stats", "survival-aml", "aml.csv"))
    d = mini_study.parent
    groups = np.where(aml["x"] == "Maintained", "low", "vehicle")
    ids = [f"{g}-{i}" for i, g in enumerate(groups)]
    animals = ["animal_id,group"] + [f"{a},{g}" for a, g in zip(ids, groups, strict=True)]
    animals += [f"sham-{i},sham" for i in range(4)]
    (d / "animals.csv").write_text("\n".join(animals) + "\n")
    rows = ["animal_id,training_latency_s,retention_latency_s,cutoff_s"]
    for a, t, s in zip(ids, aml["time"], aml["status"], strict=True):
        rows.append(f"{a},10,{t},{200 if s == 1 else t}")
    rows += [f"sham-{i},12,{200 if i else 150},200" for i in range(4)]
    (d / "pa.csv").write_text("\n".join(rows) + "\n")
    doc = yaml.safe_load(mini_study.read_text())
    doc["readouts"] = [{"id": "pa", "type": "passive_avoidance", "files": ["pa.csv"]}]
    mini_study.write_text(yaml.safe_dump(doc, sort_keys=False))
    return mini_study


def test_passive_avoidance_survival_matches_r(mini_study):
    """Reference: R survdiff(Surv(time, status) ~ x, data = aml): chisq 3.396388698978."""
    r = json.loads(
        shared_data("stats", "lme4-sleepstudy", "expected_R_survival_pwr_mixed.json").read_text()
    )
    data = _load(_aml_study(mini_study), "pa")
    m = data.measurements
    assert set(m["variable"]) == {"retention_latency_s"}
    assert m.loc[m["animal_id"] == "low-2", "censored"].item()  # aml row 3: 13, status 0
    assert not m.loc[m["animal_id"] == "low-0", "censored"].item()
    assert m["censored"].sum() == 5 + 3  # aml's 5 censored + sham-1..3 at 200 s
    lr = data.qc["survival_logrank"]
    assert lr["low vs vehicle"]["chi2"] == pytest.approx(r["aml_logrank"]["chisq"], rel=1e-9)
    assert lr["low vs vehicle"]["p_val"] == pytest.approx(r["aml_logrank"]["p"], rel=1e-6)
    assert "sham vs vehicle" in lr
    medians = data.details["survival_medians"].set_index("group")
    assert medians.loc["low", "median"] == 31 and medians.loc["vehicle", "median"] == 23
    assert any("cut-offs differ" in w for w in data.warnings)
    assert list(data.figures) == ["Kaplan-Meier curves of the retention latency"]
    spec = get_readout_type(load_study(mini_study), load_study(mini_study).readouts[0]).variables[0]
    assert spec.ordinal and not spec.lower_is_better


def test_passive_avoidance_common_cutoff_and_errors(mini_study):
    d = mini_study.parent
    (d / "pa.csv").write_text(
        "animal_id,retention_latency_s,training_latency_s\nvehicle-0,45,300\nvehicle-1,300,8\n"
        "low-0,300,9\nlow-1,120.5,10\nsham-0,300,12\n"
    )
    _add_readout(
        mini_study,
        {"id": "pa", "type": "passive_avoidance", "files": ["pa.csv"], "params": {"cutoff_s": 300}},
    )
    data = _load(mini_study, "pa")
    censored = dict(zip(data.measurements["animal_id"], data.measurements["censored"], strict=True))
    assert censored == {
        "vehicle-0": False,
        "vehicle-1": True,
        "low-0": True,
        "low-1": False,
        "sham-0": True,
    }
    assert data.qc["cutoff_s"] == 300.0 and data.qc["n_censored"] == 3
    assert any("training latency at the cut-off" in w and "vehicle-0" in w for w in data.warnings)
    ceiling = data.details["ceiling"].set_index("group")
    assert ceiling.loc["low", "n_censored"] == 1
    (d / "pa.csv").write_text("animal_id,retention_latency_s\nvehicle-0,45\nlow-0,301\n")
    with pytest.raises(InputError, match="cut-off") as err:
        _load(mini_study, "pa")
    assert err.value.file.endswith("pa.csv") and err.value.row == 3


def test_end_to_end_run_with_behaviour_readouts(mini_study, tmp_path):
    """Whole run (no store): the Y-maze, open-field and passive-avoidance readouts reach the
    statistics engine and the report. Latencies are analysed rank-based (ordinal), with the
    log-rank QC in the report."""
    from neuroprotect.workflows.analyse import results_table
    from neuroprotect.workflows.run import run_study

    d = mini_study.parent
    base = {"sham": "ABCABCABCA", "vehicle": "ABABCBABAC", "low": "ABCBCABCAB"}
    tails = ["", "B", "BA", "CAB"]
    rows = ["animal_id,sequence"]
    rows += [f"{g}-{i},{s + tails[i]}" for g, s in base.items() for i in range(4)]
    (d / "ymaze.csv").write_text("\n".join(rows) + "\n")
    lat = {"sham": [300, 300, 250, 300], "vehicle": [20, 35, 300, 12], "low": [150, 300, 90, 300]}
    rows = ["animal_id,retention_latency_s"]
    rows += [f"{g}-{i},{v}" for g, vals in lat.items() for i, v in enumerate(vals)]
    (d / "pa.csv").write_text("\n".join(rows) + "\n")
    for g, speed in (("sham", 4.0), ("vehicle", 6.0), ("low", 5.0)):
        for i in range(4):
            tracks, _ = make_open_field_track(seed=i, speed_cm_s=speed + 0.1 * i, duration_s=60)
            _track_csv(tracks, d / f"{g}-{i}.csv")
    for entry in (
        {"id": "ym", "type": "y_maze", "files": ["ymaze.csv"]},
        {"id": "pa", "type": "passive_avoidance", "files": ["pa.csv"], "params": {"cutoff_s": 300}},
        {
            "id": "of",
            "type": "open_field",
            "files": ["*-?.csv"],
            "params": {"rectangle": [0, 0, 40, 40]},
        },
    ):
        _add_readout(mini_study, entry)
    outcome, files = run_study(mini_study, out_dir=tmp_path / "out", store=False)
    by_var = {(v.readout_id, v.spec.name): v for v in outcome.variables}
    pa = by_var[("pa", "retention_latency_s")]
    rank_based = {"kruskal-dunn", "mann-whitney"}
    assert pa.comparison is not None and pa.comparison.method in rank_based
    assert pa.model_check is not None and pa.model_check.method in rank_based
    assert ("ym", "spontaneous_alternation_pct") in by_var
    assert by_var[("of", "distance_cm")].data["value"].min() == pytest.approx(4.0 * 60)
    results = results_table(outcome)
    assert {"pa", "ym", "of"} <= set(results["readout"])
    html = files.report.read_text()
    assert "Survival logrank" in html or "survival logrank" in html.lower()
    assert "low vs vehicle" in html

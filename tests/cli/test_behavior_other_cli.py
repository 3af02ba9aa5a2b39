"""CLI `behavior y-maze | open-field | passive-avoidance`: JSON layout, numbers, one-line errors.

Expected numbers are analytic or seeded-synthetic ground truth (see tests/behavior), and R
survival::survdiff for the log-rank (Gehan 6-MP, via tests/behavior/test_passive_avoidance.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.datasets.behavior_synthetic import (
    make_open_field_track,
    make_passive_avoidance_table,
    make_y_maze_track,
)

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert err.startswith("error:")
    assert "\n" not in err
    assert "Traceback" not in result.output
    return err


def _track_csv(tracks, path: Path) -> Path:
    tracks.rename(columns={"x_cm": "x", "y_cm": "y"})[["time_s", "x", "y"]].to_csv(
        path, index=False, na_rep="-"
    )
    return path


def test_y_maze_sequences_json():
    res = _run("behavior", "y-maze", "--sequence", "ABCABC", "--sequence", "12132121231", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["rows"]
    assert [(r["entries"], r["alternations"]) for r in out] == [(6, 4), (11, 5)]
    assert out[0]["spontaneous_alternation_pct"] == 100.0
    assert out[1]["spontaneous_alternation_pct"] == pytest.approx(500 / 9)
    assert out[1]["sequence"] == "12132121231"


@pytest.mark.parametrize("form", ["geometry", "polygons"])
def test_y_maze_tracks_with_arms_yaml(tmp_path, form):
    """Seeded synthetic: the track enters the arms in the known order despite centre jitter."""
    files = []
    for i, seq in enumerate(["ABCBCA", "CABBAC"]):
        tracks, truth = make_y_maze_track(seq, seed=10 + i, missing_fraction=0.03)
        files.append(_track_csv(tracks, tmp_path / f"mouse{i}.csv"))
    if form == "geometry":
        doc = {"type": "y_maze", "centre_point": [0, 0], "arm_length": 35, "arm_width": 8}
    else:
        doc = {
            "type": "y_maze",
            "arms": {k: [list(p) for p in v] for k, v in truth["arms"].items()},
            "centre": [list(p) for p in truth["centre_zone"]],
        }
    arms = tmp_path / "arms.yaml"
    arms.write_text(yaml.safe_dump(doc))
    res = _run("behavior", "y-maze", *files, "--arms", arms, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["rows"]
    assert [r["sequence"] for r in out] == ["ABCBCA", "CABBAC"]
    assert [r["session"] for r in out] == ["mouse0", "mouse1"]
    # analytic: ABCBCA -> ABC, BCA alternate (2 / 4); CABBAC -> CAB, BAC (2 / 4), one AA return
    assert [r["alternations"] for r in out] == [2, 2]
    assert [r["spontaneous_alternation_pct"] for r in out] == [50.0, 50.0]
    assert out[1]["same_arm_returns"] == 1
    assert out[0]["source_file"].endswith("mouse0.csv")


def test_y_maze_errors(tmp_path):
    err = _one_line_error(_run("behavior", "y-maze", "--json"))
    assert "--sequence" in err
    track = _track_csv(make_y_maze_track("ABC", seed=1)[0], tmp_path / "m.csv")
    assert "--arms" in _one_line_error(_run("behavior", "y-maze", track))
    bad = tmp_path / "arms.yaml"
    bad.write_text("type: y_maze\narms: {A: [[0, 0], [1, 1]], B: [[0, 0], [1, 0], [0, 1]]}\n")
    err = _one_line_error(_run("behavior", "y-maze", track, "--arms", bad))
    assert "arms.yaml" in err and "arms.A" in err


def test_open_field_json_with_bins(tmp_path):
    """Seeded synthetic: a 5 cm/s walk for 600 s is 3000 cm, 1500 cm per 300-s bin."""
    tracks, truth = make_open_field_track(seed=3)
    path = _track_csv(tracks, tmp_path / "gerbil1.csv")
    res = _run("behavior", "open-field", path, "--bounds", "0,0,40,40", "--bin", 300, "--json")
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)["rows"]
    assert row["trial_id"] == "gerbil1"
    assert row["distance_cm"] == pytest.approx(truth["distance_cm"], rel=1e-9)
    assert row["mean_speed_cm_s"] == pytest.approx(5.0, rel=1e-9)
    assert row["time_mobile_pct"] == pytest.approx(100.0)
    assert [b["distance_cm"] for b in row["bins"]] == pytest.approx([1500.0, 1500.0], rel=1e-9)
    circle = _run("behavior", "open-field", path, "--bounds", "20,20,28.3", "--json")
    assert circle.exit_code == 0, circle.output


def test_open_field_errors(tmp_path):
    tracks, _ = make_open_field_track(seed=3, duration_s=10)
    path = _track_csv(tracks, tmp_path / "g.csv")
    assert "--bounds" in _one_line_error(_run("behavior", "open-field", path, "--bounds", "1,2"))
    err = _one_line_error(_run("behavior", "open-field", path, "--bounds", "100,100,140,140"))
    assert "g.csv" in err and "inside" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,x,y\n0,1,1\n0.1,oops,1\n")
    err = _one_line_error(_run("behavior", "open-field", bad, "--bounds", "0,0,40,40"))
    assert "bad.csv, row 3, field 'x'" in err


def test_passive_avoidance_json(tmp_path):
    table = make_passive_avoidance_table(
        seed=5, groups={"vehicle": 40.0, "drug": 400.0}, n_per_group=8
    )
    path = tmp_path / "pa.csv"
    table.to_csv(path, index=False)
    res = _run(
        "behavior",
        "passive-avoidance",
        path,
        "--cutoff",
        300,
        "--group",
        "group",
        "--control",
        "vehicle",
        "--json",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    at_cutoff = table["retention_latency_s"] == 300
    assert [r["censored"] for r in out["records"]] == at_cutoff.tolist()
    ceiling = {r["group"]: r["n_censored"] for r in out["ceiling"]}
    assert ceiling == table.assign(c=at_cutoff).groupby("group")["c"].sum().to_dict()
    (pair,) = out["pairwise"]
    assert (pair["group"], pair["control"]) == ("drug", "vehicle")
    assert 0 <= pair["p_adj"] <= 1
    assert out["logrank"]["dof"] == 1
    assert np.isclose(out["logrank"]["statistic"], pair["statistic"])


def test_passive_avoidance_errors(tmp_path):
    path = tmp_path / "pa.csv"
    path.write_text("animal_id,group,retention_latency_s\na,v,10\nb,v,301\nc,d,5\n")
    err = _one_line_error(
        _run("behavior", "passive-avoidance", path, "--cutoff", 300, "--group", "group")
    )
    assert "pa.csv, row 3, field 'retention_latency_s'" in err
    err = _one_line_error(_run("behavior", "passive-avoidance", path, "--group", "group"))
    assert "cut-off" in err


def test_y_maze_empty_sequence_is_an_error():
    res = _run("behavior", "y-maze", "--sequence", "ABCA", "--sequence", " ")
    assert res.exit_code == 2, res.output
    assert "field '--sequence 2': Expected at least one arm entry" in res.stderr

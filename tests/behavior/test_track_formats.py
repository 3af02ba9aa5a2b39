"""Every behaviour command and track readout reads every supported track format.

One known track is written in each format (tests/behavior/track_files.py: EthoVision XT and 3,
ANY-maze, Rtrack, generic csv, DeepLabCut csv/h5, SLEAP h5) and every (command x format) and
(readout x format) pair must give the same, analytically known numbers:

* water maze: a straight swim at 13 cm/s from (-90, 0) to a goal at (50, 0), radius 10, reaches
  the goal edge at 130 / 13 = 10 s; the path (stopping at x = 50) is 140 cm;
* open field: a seeded constant-speed walk (5 cm/s, 10 Hz, 60 s) has 300 cm; one missing sample
  removes its two 0.5-cm steps (a gap is not a straight line): 299 cm;
* Y-maze: a seeded track with centre jitter enters the arms in a known sequence.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from skimage.transform import ProjectiveTransform
from tests.behavior.track_files import (
    FORMATS,
    keypoints_around,
    write_dlc_csv,
    write_dlc_h5,
    write_track,
)
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.datasets.behavior_synthetic import make_open_field_track, make_y_maze_track
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import get_readout_type

runner = CliRunner()
NAMES = [f[0] for f in FORMATS]
REGISTERED = {f[0]: f[1] for f in FORMATS}
SUFFIX = {f[0]: f[2] for f in FORMATS}
Y_SEQUENCE = "ABCBACAB"


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _json(result):
    """The rows of a batch command's JSON (``{"rows": [...], "skipped": [...]}``), none skipped."""
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["skipped"] == []
    return out["rows"]


def _write(fmt: str, folder: Path, stem: str, tracks: pd.DataFrame) -> Path:
    return write_track(
        fmt, folder / f"{stem}{SUFFIX[fmt]}", tracks.time_s, tracks.x_cm, tracks.y_cm
    )


def _swim() -> pd.DataFrame:
    t = np.round(np.arange(0, 15.0001, 0.1), 10)
    return pd.DataFrame({"time_s": t, "x_cm": np.minimum(-90 + 13 * t, 50), "y_cm": 0.0 * t})


def _walk() -> pd.DataFrame:
    tracks, _ = make_open_field_track(seed=7, duration_s=60, fps=10, speed_cm_s=5)
    tracks.loc[100, ["x_cm", "y_cm"]] = np.nan
    return tracks


def _maze() -> pd.DataFrame:
    tracks, _ = make_y_maze_track(Y_SEQUENCE, seed=1, missing_fraction=0.02)
    return tracks


def _arena_files(d: Path) -> None:
    (d / "pool.yaml").write_text(
        "type: water_maze\npool: {x: 0, y: 0, radius: 100}\ngoal: {x: 50, y: 0, radius: 10}\n"
    )
    (d / "arms.yaml").write_text(
        yaml.safe_dump({"type": "y_maze", "arm_length": 35, "arm_width": 8})
    )


# --- commands x formats ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", NAMES)
def test_water_maze_and_strategies_commands(tmp_path, fmt):
    _arena_files(tmp_path)
    f = _write(fmt, tmp_path, "swim", _swim())
    (row,) = _json(
        _run("behavior", "water-maze", f, "--arena", tmp_path / "pool.yaml", "--fps", 10, "--json")
    )
    assert row["escape_latency_s"] == pytest.approx(10.0, abs=0.1)
    assert row["path_length_cm"] == pytest.approx(140.0, abs=0.01)
    assert row["format"] == REGISTERED[fmt] and row.get("dropped_fraction", 0) == 0
    (seg,) = _json(
        _run("behavior", "strategies", f, "--arena", tmp_path / "pool.yaml", "--fps", 10, "--json")
    )
    assert seg["source_file"] == str(f) and seg["strategy"] == "direct swimming"


@pytest.mark.parametrize("fmt", NAMES)
def test_open_field_command(tmp_path, fmt):
    f = _write(fmt, tmp_path, "of", _walk())
    (row,) = _json(
        _run("behavior", "open-field", f, "--bounds", "0,0,40,40", "--fps", 10, "--json")
    )
    assert row["format"] == REGISTERED[fmt] and row["n_missing"] == 1
    assert row["distance_cm"] == pytest.approx(299.0, abs=1e-3)
    assert row["duration_s"] == pytest.approx(60.0)
    assert row["time_near_wall_s"] + row["time_in_centre_s"] <= row["tracked_s"] + 1e-9


@pytest.mark.parametrize("fmt", NAMES)
def test_y_maze_command(tmp_path, fmt):
    _arena_files(tmp_path)
    f = _write(fmt, tmp_path, "ym", _maze())
    (row,) = _json(
        _run("behavior", "y-maze", f, "--arms", tmp_path / "arms.yaml", "--fps", 25, "--json")
    )
    assert row["sequence"] == Y_SEQUENCE and row["format"] == REGISTERED[fmt]
    assert row["entries"] == 8 and row["alternations"] == 4  # ABC, CBA, BAC, CAB (not BCB, ACA)
    assert row["distance_cm"] > 0 and row["time_in_arm_A_s"] > 0 and row["time_in_centre_s"] > 0


# --- readouts x formats ---------------------------------------------------------------------------
def _add_readout(manifest: Path, entry: dict) -> None:
    doc = yaml.safe_load(manifest.read_text())
    doc["readouts"].append(entry)
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False))


def _load(manifest: Path, readout_id: str):
    study = load_study(manifest)
    readout = next(r for r in study.readouts if r.id == readout_id)
    rtype = get_readout_type(study, readout)
    return rtype.load(study, readout, study.readout_files(readout), load_animals(study))


def _value(data, variable: str, animal: str) -> float:
    m = data.measurements
    return float(m[(m.variable == variable) & (m.animal_id == animal)].value.iloc[0])


@pytest.mark.parametrize("fmt", NAMES)
def test_readouts_read_every_format(mini_study, fmt):
    d = mini_study.parent
    _arena_files(d)
    swim = _write(fmt, d, "swim", _swim())
    (d / "trials.csv").write_text(f"file,animal_id,day,trial\n{swim.name},sham-0,1,1\n")
    _write(fmt, d, "sham-0", _walk())
    (d / "ym").mkdir()
    _write(fmt, d / "ym", "vehicle-0", _maze())
    for entry in (
        {
            "id": "mwm",
            "type": "water_maze",
            "files": [swim.name],
            "params": {"arena": "pool.yaml", "trials": "trials.csv", "fps": 10},
        },
        {
            "id": "of",
            "type": "open_field",
            "files": [f"sham-0{SUFFIX[fmt]}"],
            "params": {"rectangle": [0, 0, 40, 40], "fps": 10, "format": REGISTERED[fmt]},
        },
        {
            "id": "ym",
            "type": "y_maze",
            "files": ["ym/*"],
            "params": {"arms": "arms.yaml", "fps": 25},
        },
    ):
        _add_readout(mini_study, entry)
    mwm = _load(mini_study, "mwm")
    assert _value(mwm, "escape_latency_last_day_s", "sham-0") == pytest.approx(10.0, abs=0.1)
    of = _load(mini_study, "of")
    assert _value(of, "distance_cm", "sham-0") == pytest.approx(299.0, abs=1e-3)
    assert of.qc["formats"] == [REGISTERED[fmt]] and of.qc["missing_samples"] == 1
    ym = _load(mini_study, "ym")
    assert ym.details["sessions"].set_index("animal_id").sequence["vehicle-0"] == Y_SEQUENCE


# --- arenas from keypoints: commands and readouts -------------------------------------------------
ARM_ENDS = ("armL", "armR", "armM")
CORNERS = ("tl", "tr", "br", "bl")


def _with_landmarks(body_px: np.ndarray, landmarks_px: np.ndarray, seed: int):
    """Body keypoints plus fixed landmarks (1-px seeded noise), all likelihood 0.99."""
    kp = keypoints_around(body_px[:, 0], body_px[:, 1])
    rng = np.random.default_rng(seed)
    marks = landmarks_px[None] + rng.normal(0, 1.0, (len(body_px), *landmarks_px.shape))
    kp = np.concatenate([np.nan_to_num(kp), marks], axis=1)
    return kp, np.full(kp.shape[:2], 0.99)


def _y_maze_pose_file(path: Path) -> Path:
    """The Y-maze track at 5 px/cm, rotated 30 degrees, with arm-end keypoints."""
    tracks = _maze()
    a = np.radians(30.0)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    apothem = 8 / (2 * np.sqrt(3))
    ends = np.array(
        [
            (apothem + 35) * np.array([np.cos(np.radians(g)), np.sin(np.radians(g))])
            for g in (90.0, 210.0, 330.0)
        ]
    )

    def to_px(p: np.ndarray) -> np.ndarray:
        return 5.0 * p @ rot.T + (400.0, 300.0)

    kp, lik = _with_landmarks(to_px(tracks[["x_cm", "y_cm"]].to_numpy()), to_px(ends), seed=5)
    names = ("nose", "leftear", "rightear", "tailbase", *ARM_ENDS)
    writer = write_dlc_h5 if path.suffix == ".h5" else write_dlc_csv
    return writer(path, kp, lik, names=names)


CAMERA = np.array([[9.0, 1.2, 80.0], [0.3, 11.0, 40.0], [0.0008, 0.0015, 1.0]])


def _open_field_pose_file(path: Path) -> Path:
    """The open-field walk seen by a tilted camera (homography), with box-corner keypoints."""
    camera = ProjectiveTransform(matrix=CAMERA)
    tracks = _walk()
    corners = camera(np.array([[0, 0], [40, 0], [40, 40], [0, 40]], dtype=float))
    body = np.full((len(tracks), 2), np.nan)
    ok = tracks.x_cm.notna().to_numpy()
    body[ok] = camera(tracks.loc[ok, ["x_cm", "y_cm"]].to_numpy())
    kp, lik = _with_landmarks(body, corners, seed=6)
    lik[~ok, :4] = 0.05
    return write_dlc_csv(path, kp, lik, names=("nose", "leftear", "rightear", "tailbase", *CORNERS))


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
def test_y_maze_arms_from_keypoints(tmp_path, suffix):
    """Ground truth: the known sequence, and the scale 1/5 cm per px (to the keypoint noise)."""
    f = _y_maze_pose_file(tmp_path / f"m1DLC{suffix}")
    (row,) = _json(
        _run(
            "behavior",
            "y-maze",
            f,
            "--fps",
            25,
            "--arms-from-keypoints",
            ",".join(ARM_ENDS),
            "--arm-length-cm",
            35,
            "--arm-width-cm",
            8,
            "--json",
        )
    )
    assert row["sequence"] == Y_SEQUENCE
    assert row["scale"]["cm_per_px"] == pytest.approx(0.2, rel=0.01)
    assert row["body_point"].startswith("midpoint of the ears' midpoint")


def test_open_field_bounds_from_keypoints(tmp_path):
    """Ground truth: 299 cm through a perspective camera (corner noise 1 px: 0.5 % tolerance)."""
    f = _open_field_pose_file(tmp_path / "of1DLC.csv")
    (row,) = _json(
        _run(
            "behavior",
            "open-field",
            f,
            "--fps",
            10,
            "--bounds-from-keypoints",
            ",".join(CORNERS),
            "--box-size-cm",
            "40,40",
            "--json",
        )
    )
    assert row["distance_cm"] == pytest.approx(299.0, rel=0.005)
    assert row["arena"] == {"rectangle": [0.0, 0.0, 40.0, 40.0]} and row["n_missing"] == 1
    assert row["dropped_fraction"] == pytest.approx(1 / 601)


def test_readouts_arena_from_keypoints(mini_study):
    d = mini_study.parent
    _y_maze_pose_file(d / "vehicle-0.h5")
    _open_field_pose_file(d / "sham-0.csv")
    _add_readout(
        mini_study,
        {
            "id": "ym",
            "type": "y_maze",
            "files": ["vehicle-0.h5"],
            "params": {
                "fps": 25,
                "arms_from_keypoints": list(ARM_ENDS),
                "arm_length_cm": 35,
                "arm_width_cm": 8,
            },
        },
    )
    _add_readout(
        mini_study,
        {
            "id": "of",
            "type": "open_field",
            "files": ["sham-0.csv"],
            "params": {"fps": 10, "bounds_from_keypoints": list(CORNERS), "box_size_cm": [40, 40]},
        },
    )
    ym = _load(mini_study, "ym")
    assert ym.details["sessions"].sequence.iloc[0] == Y_SEQUENCE
    assert ym.qc["scale_from"] == ["arm-end keypoints armL, armR, armM"]
    of = _load(mini_study, "of")
    assert _value(of, "distance_cm", "sham-0") == pytest.approx(299.0, rel=0.005)


# --- bad or foreign files: one line naming the file and what was expected ------------------------
def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in result.output
    return err


def test_foreign_and_mismatched_files_are_one_line_errors(tmp_path):
    _arena_files(tmp_path)
    foreign = tmp_path / "notes.csv"
    foreign.write_text("animal,weight\nr1,250\n")
    generic = _write("generic", tmp_path, "g", _walk())
    pool, arms = tmp_path / "pool.yaml", tmp_path / "arms.yaml"
    for args in (
        ("water-maze", foreign, "--arena", pool),
        ("strategies", foreign, "--arena", pool),
        ("open-field", foreign, "--bounds", "0,0,40,40"),
        ("y-maze", foreign, "--arms", arms),
    ):
        err = _one_line_error(_run("behavior", *args))
        assert str(foreign) in err and "Expected a track file in one of the formats" in err
    err = _one_line_error(
        _run(
            "behavior",
            "open-field",
            generic,
            "--bounds-from-keypoints",
            "a,b,c,d",
            "--box-size-cm",
            "40,40",
        )
    )
    assert str(generic) in err and "pose file for an arena from keypoints" in err
    err = _one_line_error(
        _run("behavior", "open-field", generic, "--format", "ethovision9", "--bounds", "0,0,40,40")
    )
    assert "Expected a format among auto" in err
    err = _one_line_error(
        _run(
            "behavior",
            "y-maze",
            generic,
            "--arms-from-keypoints",
            "a,b",
            "--arm-length-cm",
            35,
            "--arm-width-cm",
            8,
        )
    )
    assert "Expected 3 comma-separated keypoint names" in err

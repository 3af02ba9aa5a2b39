"""Track layout and kinematics: analytic paths, missing samples, and EthoVision's own numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.behavior.tracks import (
    compute_path_length,
    compute_speed,
    compute_step_lengths,
    drop_missing_samples,
    mask_low_likelihood,
    validate_tracks,
)
from neuroprotect.errors import InputError


def _tracks(x, y, *, dt: float = 0.1, trial: str = "t1") -> pd.DataFrame:
    x = np.asarray(x, float)
    return pd.DataFrame(
        {"trial_id": trial, "time_s": np.arange(len(x)) * dt, "x_cm": x, "y_cm": np.asarray(y)}
    )


def test_straight_swim_constant_speed():
    """Analytic: x = 20 t cm for 10 s at 25 Hz -> 200 cm, every speed 20 cm/s."""
    t = np.arange(251) / 25
    tracks = _tracks(20 * t, np.full_like(t, 5.0), dt=1 / 25)
    speed = compute_speed(tracks)
    assert np.isnan(speed["speed_cm_s"].iloc[0])
    np.testing.assert_allclose(speed["speed_cm_s"].iloc[1:], 20.0, rtol=1e-12)
    out = compute_path_length(tracks).iloc[0]
    assert out["path_length_cm"] == pytest.approx(200.0, rel=1e-12)
    assert out["duration_s"] == pytest.approx(10.0)
    assert out["tracked_s"] == pytest.approx(10.0)
    assert (out["n_samples"], out["n_missing"], out["n_gaps"]) == (251, 0, 0)


def test_square_path_known_length_two_trials():
    """Analytic: a 30-cm square walked twice (perimeter 120 cm, 240 cm) and a 10-cm line."""
    side = np.linspace(0, 30, 31)
    x = np.r_[side, np.full(30, 30.0), side[::-1][1:], np.zeros(30)]
    y = np.r_[np.zeros(31), side[1:], np.full(30, 30.0), side[::-1][1:]]
    loop = _tracks(np.r_[x, x[1:]], np.r_[y, y[1:]], trial="square")
    line = _tracks(np.linspace(0, 10, 11), np.zeros(11), trial="line")
    out = compute_path_length(pd.concat([loop, line], ignore_index=True))
    assert out["trial_id"].tolist() == ["square", "line"]
    np.testing.assert_allclose(out["path_length_cm"], [240.0, 10.0], rtol=1e-12)


def test_gap_not_bridged_unless_asked():
    """Analytic: 0,1 | 2 missing | 4,5 on a line: 2 cm counted, 5 cm when bridged."""
    tracks = _tracks([0, 1, np.nan, np.nan, 4, 5], [0, 0, np.nan, np.nan, 0, 0])
    steps = compute_step_lengths(tracks)
    assert steps["gap"].tolist() == [False, False, True, False]
    assert np.isnan(steps["step_cm"].iloc[2])
    out = compute_path_length(tracks).iloc[0]
    assert out["path_length_cm"] == pytest.approx(2.0)
    assert out["tracked_s"] == pytest.approx(0.2)
    assert (out["n_samples"], out["n_missing"], out["n_gaps"]) == (6, 2, 1)
    bridged = compute_path_length(tracks, bridge_gaps=True).iloc[0]
    assert bridged["path_length_cm"] == pytest.approx(5.0)
    assert bridged["n_gaps"] == 1


def test_drop_missing_samples_keeps_gaps_and_counts():
    tracks = _tracks([np.nan, 0, 1, np.nan, 3, np.nan], [np.nan, 0, 0, np.nan, 0, np.nan])
    clean, counts = drop_missing_samples(tracks)
    assert clean["n_missing_before"].tolist() == [1, 0, 1]
    row = counts.iloc[0]
    assert (row["n_samples"], row["n_missing"], row["n_gaps"]) == (6, 3, 3)
    assert row["missing_pct"] == pytest.approx(50.0)
    # the dropped table gives the same steps as the one with NaN rows
    a = compute_step_lengths(tracks)
    b = compute_step_lengths(clean)
    np.testing.assert_array_equal(a["gap"], b["gap"])
    np.testing.assert_allclose(a["step_cm"], b["step_cm"])
    assert compute_path_length(clean)["path_length_cm"].iloc[0] == pytest.approx(1.0)


def test_max_interval_marks_time_gaps():
    tracks = pd.DataFrame(
        {"trial_id": "a", "time_s": [0, 0.1, 0.2, 1.2, 1.3], "x_cm": [0, 1, 2, 3, 4.0], "y_cm": 0.0}
    )
    out = compute_path_length(tracks, max_interval_s=0.5).iloc[0]
    assert out["path_length_cm"] == pytest.approx(3.0)
    assert out["n_gaps"] == 1
    assert compute_path_length(tracks)["path_length_cm"].iloc[0] == pytest.approx(4.0)


def test_mask_low_likelihood():
    tracks = _tracks([0, 1, 2, 3], [0, 0, 0, 0]).assign(likelihood=[0.99, 0.2, 0.95, 0.9])
    masked = mask_low_likelihood(tracks, min_likelihood=0.6)
    assert masked["x_cm"].isna().tolist() == [False, True, False, False]
    assert compute_path_length(masked)["path_length_cm"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(InputError, match="likelihood"):
        mask_low_likelihood(tracks.drop(columns="likelihood"), min_likelihood=0.5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.assign(time_s=[0, 0.1, 0.1, 0.3]), "increase"),
        (lambda t: t.assign(x_cm=[0, np.nan, 1, 2]), "both x and y"),
        (lambda t: t.assign(trial_id=["a", "b", "a", "a"]), "one block"),
        (lambda t: t.drop(columns="y_cm"), "y_cm"),
        (lambda t: t.assign(time_s=[0, "x", 0.2, 0.3]), "number"),
    ],
)
def test_validate_tracks_errors(change, message):
    tracks = _tracks([0, 1, 2, 3], [0, 0, 0, 0])
    with pytest.raises(InputError, match=message) as err:
        validate_tracks(change(tracks), file="t.csv")
    assert "\n" not in str(err.value)


def _ethovision_xt(path):
    """EthoVision XT csv export: 38 header lines, the column names on line 37, units on 38."""
    raw = pd.read_csv(
        path,
        skiprows=[i for i in range(38) if i != 36],
        encoding="utf-8-sig",
        na_values="-",
    )
    return raw


@pytest.mark.parametrize(
    ("name", "total"), [("Trial-ID1.csv", 2394.11), ("Trial-ID2.csv", 1658.86)]
)
def test_matches_ethovision_distance_moved(name, total):
    """Reference: EthoVision XT's per-sample 'Distance moved' and 'Velocity' (blank after a gap,
    like our unbridged steps) and its total distance (PROVENANCE.md of visualmwm_ethovision)."""
    raw = _ethovision_xt(shared_data("behavior", "visualmwm_ethovision", name))
    tracks = pd.DataFrame(
        {
            "trial_id": name,
            "time_s": raw["Recording time"],
            "x_cm": raw["X center"],
            "y_cm": raw["Y center"],
        }
    )
    assert tracks["x_cm"].isna().any()  # the export has missing samples
    speed = compute_speed(tracks)
    valid = raw["X center"].notna().to_numpy()
    expected = raw.loc[valid, "Distance moved"].to_numpy(float)
    np.testing.assert_array_equal(np.isnan(speed["step_cm"]), np.isnan(expected))
    # the csv rounds coordinates to 6 significant digits (1e-4 cm): steps agree to 2e-4 cm
    np.testing.assert_allclose(speed["step_cm"], expected, atol=2e-4, equal_nan=True)
    np.testing.assert_allclose(
        speed["speed_cm_s"],
        raw.loc[valid, "Velocity"].to_numpy(float),
        atol=5e-3,
        equal_nan=True,
    )
    assert compute_path_length(tracks)["path_length_cm"].iloc[0] == pytest.approx(total, abs=0.01)


def test_matches_rtrack_path_length():
    """Reference: Rtrack 2.0.4 path.length of Track_1.tab (335.07 cm, behavior.md §4.1)."""
    path = shared_data("behavior", "rtrack_extdata", "Track_1.tab")
    raw = pd.read_csv(path, sep="\t")
    tracks = pd.DataFrame(
        {"trial_id": "Track_1", "time_s": raw["Time"], "x_cm": raw["X"], "y_cm": raw["Y"]}
    )
    out = compute_path_length(tracks).iloc[0]
    assert out["path_length_cm"] == pytest.approx(335.07, abs=0.01)
    assert out["duration_s"] == pytest.approx(15.76, abs=1e-9)

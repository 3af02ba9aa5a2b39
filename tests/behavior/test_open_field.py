"""Open field: analytic paths (known distance, speed, centre time, mobile time) and bins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroprotect.behavior.open_field import (
    centre_zone_mask,
    compute_distance_by_bin,
    compute_open_field,
)
from neuroprotect.datasets.behavior_synthetic import make_open_field_track
from neuroprotect.errors import InputError

BOX = (0.0, 0.0, 40.0, 40.0)


def _tracks(x, y, *, dt: float = 0.1, trial: str = "of") -> pd.DataFrame:
    x = np.asarray(x, float)
    y = np.broadcast_to(np.asarray(y, float), x.shape)
    return pd.DataFrame({"trial_id": trial, "time_s": np.arange(len(x)) * dt, "x_cm": x, "y_cm": y})


def test_straight_line_across_the_box():
    """Analytic: (0, 20) -> (40, 20) at 4 cm/s, 10 Hz. Distance 40 cm, speed 4 cm/s; the centre
    (central quarter of the area: x in [10, 30]) holds the start samples 25..75 -> 51 steps of
    0.1 s = 5.1 s, entered once; distance in centre 51 x 0.4 = 20.4 cm."""
    tracks = _tracks(np.linspace(0, 40, 101), 20.0)
    for arena in ({"rectangle": BOX}, {"circle": (20.0, 20.0, 20.0)}):
        out = compute_open_field(tracks, **arena).iloc[0]
        assert out["distance_cm"] == pytest.approx(40.0)
        assert out["duration_s"] == pytest.approx(10.0)
        assert out["mean_speed_cm_s"] == pytest.approx(4.0)
        assert out["time_mobile_s"] == pytest.approx(10.0)
        assert out["time_in_centre_s"] == pytest.approx(5.1)
        assert out["time_in_centre_pct"] == pytest.approx(51.0)
        assert out["distance_in_centre_cm"] == pytest.approx(20.4)
        assert out["centre_entries"] == 1


def _square(lo: float, hi: float, per_side: int = 40) -> tuple[np.ndarray, np.ndarray]:
    s = np.linspace(lo, hi, per_side + 1)[:-1]
    x = np.r_[s, np.full(per_side, hi), s[::-1] + (hi - lo) / per_side, np.full(per_side, lo)]
    y = np.r_[np.full(per_side, lo), s, np.full(per_side, hi), s[::-1] + (hi - lo) / per_side]
    return np.r_[x, lo], np.r_[y, lo]


def test_square_paths_in_and_out_of_the_centre():
    """Analytic: a 10-cm square inside the central 20 x 20 cm (perimeter 40 cm, all in the
    centre) and a 36-cm square along the walls (144 cm, never in the centre)."""
    x, y = _square(15, 25)
    inner = compute_open_field(_tracks(x, y, trial="inner"), rectangle=BOX).iloc[0]
    assert inner["distance_cm"] == pytest.approx(40.0)
    assert inner["time_in_centre_pct"] == pytest.approx(100.0)
    x, y = _square(2, 38)
    outer = compute_open_field(_tracks(x, y, trial="outer"), rectangle=BOX).iloc[0]
    assert outer["distance_cm"] == pytest.approx(144.0)
    assert outer["time_in_centre_s"] == 0.0
    assert outer["centre_entries"] == 0


def test_time_mobile_with_minimum_bout():
    """Analytic: 10 Hz; 50 still steps (0.05 cm each = 0.5 cm/s), 50 moving steps at 10 cm/s
    (5 s), 20 still, 5 moving (0.5 s bout < 1 s: not mobile), 20 still -> 5.0 s mobile of
    14.5 s tracked."""
    speeds = np.r_[
        np.full(50, 0.5), np.full(50, 10.0), np.full(20, 0.5), np.full(5, 10.0), np.full(20, 0.5)
    ]
    x = 5 + np.r_[0.0, np.cumsum(speeds * 0.1)]
    box = (0.0, 0.0, 100.0, 40.0)
    out = compute_open_field(
        _tracks(x, 20.0), rectangle=box, mobility_threshold_cm_s=2.0, min_bout_s=1.0
    ).iloc[0]
    assert out["time_mobile_s"] == pytest.approx(5.0)
    assert out["tracked_s"] == pytest.approx(14.5)
    assert out["time_mobile_pct"] == pytest.approx(500 / 14.5)
    no_min = compute_open_field(_tracks(x, 20.0), rectangle=box, min_bout_s=0.0).iloc[0]
    assert no_min["time_mobile_s"] == pytest.approx(5.5)


def test_gaps_leave_time_out():
    """Analytic: two missing samples in a 4 cm/s line: the gap step (0.3 s, 1.2 cm) is not
    counted; mean speed stays 4 cm/s on the tracked time."""
    x = np.linspace(0, 40, 101)
    x[50:52] = np.nan
    tracks = _tracks(x, np.where(np.isnan(x), np.nan, 20.0))
    out = compute_open_field(tracks, rectangle=BOX).iloc[0]
    assert out["distance_cm"] == pytest.approx(40.0 - 1.2)
    assert out["tracked_s"] == pytest.approx(9.7)
    assert out["mean_speed_cm_s"] == pytest.approx(4.0)
    assert (out["n_missing"], out["n_gaps"]) == (2, 1)


def test_distance_by_bin_constant_speed_and_random_walk():
    """Analytic: 4 cm/s for 10 s in 3-s bins -> 12, 12, 12, 4 cm. Seeded synthetic: a 5 cm/s
    random walk for 600 s travels exactly 3000 cm (reflections keep every step's length),
    300 cm per 60-s bin."""
    bins = compute_distance_by_bin(_tracks(np.linspace(0, 40, 101), 20.0), bin_s=3.0)
    np.testing.assert_allclose(bins["distance_cm"], [12, 12, 12, 4], atol=1e-9)
    assert bins["bin_start_s"].tolist() == [0.0, 3.0, 6.0, 9.0]
    tracks, truth = make_open_field_track(seed=7)
    out = compute_open_field(tracks, rectangle=truth["rectangle"]).iloc[0]
    assert out["distance_cm"] == pytest.approx(truth["distance_cm"], rel=1e-12)
    assert out["mean_speed_cm_s"] == pytest.approx(truth["speed_cm_s"], rel=1e-12)
    per_bin = compute_distance_by_bin(tracks, bin_s=60.0)
    np.testing.assert_allclose(per_bin["distance_cm"], 300.0, rtol=1e-9)
    padded = compute_distance_by_bin(tracks, bin_s=60.0, duration_s=720.0)
    assert padded["distance_cm"].tolist()[-2:] == [0.0, 0.0]


def test_centre_fraction_matches_rtrack_definition():
    """Rtrack's OFT centre is a square of half-width 0.2 x the arena's: centre_fraction 0.04."""
    x = np.array([20.0, 23.9, 24.1, 16.1, 15.9])
    inside = centre_zone_mask(x, np.full(5, 20.0), rectangle=BOX, centre_fraction=0.04)
    assert inside.tolist() == [True, True, False, True, False]


def test_errors():
    tracks = _tracks(np.linspace(0, 40, 11), 20.0)
    with pytest.raises(InputError, match="exactly one arena"):
        compute_open_field(tracks)
    with pytest.raises(InputError, match="x_max > x_min"):
        compute_open_field(tracks, rectangle=(10, 0, 0, 10))
    with pytest.raises(InputError, match="inside the rectangle arena"):
        compute_open_field(_tracks(np.linspace(0, 400, 11), 20.0), rectangle=BOX)
    with pytest.raises(InputError, match="bin width"):
        compute_distance_by_bin(tracks, bin_s=0)

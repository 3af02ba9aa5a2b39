"""Track readers: real EthoVision 3 / XT / Rtrack exports and small synthetic files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.behavior.readers import detect_format, read_many_tracks, read_tracks
from neuroprotect.errors import InputError


def test_ethovision_xt_xlsx_and_csv_agree():
    """Reference: EthoVision XT exports, 25 Hz, 3001 samples (trial 2 stops at 86.52 s);
    '-' samples are dropped and counted."""
    base = shared_data("behavior", "visualmwm_ethovision")
    for k, total in ((1, 3001), (2, 2164), (3, 3001)):
        tx, mx = read_tracks(base / f"Raw-data_MWM-Trial-{k}.xlsx")
        tc, mc = read_tracks(base / f"Trial-ID{k}.csv")
        assert mx.format.iloc[0] == "ethovision_xt" and mc.format.iloc[0] == "ethovision_xt"
        assert int(mx.n_samples.iloc[0] + mx.n_missing.iloc[0]) == total
        np.testing.assert_allclose(tx[["time_s", "x_cm", "y_cm"]], tc[["time_s", "x_cm", "y_cm"]])
        assert mx.animal_id.iloc[0] == mc.animal_id.iloc[0]
    raw = pd.read_csv(base / "Trial-ID1.csv", skiprows=36, encoding="utf-8-sig", dtype=str).iloc[1:]
    _, m1 = read_tracks(base / "Trial-ID1.csv")
    assert int((raw["X center"] == "-").sum()) == int(m1.n_missing.iloc[0]) == 13


def test_ethovision3_and_rtrack_raw():
    base = shared_data("behavior", "rtrack_extdata")
    t, m = read_tracks(base / "Track_1_ethovision3.csv")
    assert (m.format.iloc[0], m.n_samples.iloc[0], m.animal_id.iloc[0]) == (
        "ethovision3",
        1500,
        "9",
    )
    assert t.time_s.iloc[-1] == pytest.approx(119.92)
    t, m = read_tracks(base / "Track_1.tab")
    assert (m.format.iloc[0], len(t)) == ("rtrack_raw", 198)
    assert t.iloc[0][["time_s", "x_cm", "y_cm"]].tolist() == [0.0, 50.6107, 69.857]


def test_gehring_missing_samples_counted_and_ids_unique():
    base = shared_data("behavior", "gehring2015_mwm")
    files = [base / "set1" / "day1_0001_00.csv", base / "set2" / "day1_0001_00.csv"]
    tracks, meta = read_many_tracks(files)
    assert meta.trial_id.tolist() == ["set1/day1_0001_00", "set2/day1_0001_00"]
    first = meta.iloc[0]
    assert first.n_samples + first.n_missing == 450 and first.n_missing == 24
    assert tracks.trial_id.nunique() == 2


def test_anymaze_and_errors(tmp_path):
    f = tmp_path / "any.csv"
    f.write_text(
        "Time,Centre position X,Centre position Y\n0:00:00.0,1,2\n0:00:00.5,-,-\n0:01:01.0,3,4\n"
    )
    assert detect_format(f) == "anymaze"
    t, m = read_tracks(f)
    assert t.time_s.tolist() == [0.0, 61.0] and m.n_missing.iloc[0] == 1
    bad = tmp_path / "bad.tab"
    bad.write_text("Time\tX\tY\n0\t1\t2\n0.1\tabc\t3\n")
    with pytest.raises(InputError, match="row 2.*Expected a number"):
        read_tracks(bad)
    with pytest.raises(InputError, match="could not recognise"):
        (tmp_path / "x.csv").write_text("foo,bar\n1,2\n")
        read_tracks(tmp_path / "x.csv")


def test_generic_csv_through_registry(tmp_path):
    """The generic time_s,x,y reader (behavior-other branch) behind the registry: NaN rows
    dropped and counted."""
    f = tmp_path / "g.csv"
    f.write_text("time_s,x,y\n0,1,2\n0.5,-,-\n1,3,4\n")
    assert detect_format(f) == "generic"
    t, m = read_tracks(f)
    assert t.time_s.tolist() == [0.0, 1.0]
    assert (m.n_samples.iloc[0], m.n_missing.iloc[0]) == (2, 1)

"""Pose files (DeepLabCut csv/h5, SLEAP analysis h5): body point, likelihood, jump gate, errors.

Expected values: exact ground truth of seeded synthetic keypoints around a known path (the body
centre is the written path; low-likelihood frames and outlier jumps are placed at known frames),
an independent parse of the real DeepLabCut labels with pandas, and PROVENANCE.md of
dlc_openfield_m4s1 (the mean of the 4 keypoints sits ~30 px towards the head of the body centre).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.behavior.track_files import (
    keypoints_around,
    write_dlc_csv,
    write_dlc_h5,
    write_sleap_h5,
)
from tests.conftest import shared_data

from neuroprotect.behavior.readers import PoseOptions, detect_format, read_tracks
from neuroprotect.behavior.readers.pose_files import load_pose_file
from neuroprotect.errors import InputError

WRITERS = {
    "deeplabcut_csv": write_dlc_csv,
    "deeplabcut_h5": write_dlc_h5,
    "sleap_h5": write_sleap_h5,
}
SUFFIX = {"deeplabcut_csv": ".csv", "deeplabcut_h5": ".h5", "sleap_h5": ".h5"}


def _noisy_session(seed: int = 3, n: int = 400, noise_px: float = 1.0):
    """A circling body centre (radius 100 px, 30 fps), keypoint noise, 12 low-likelihood frames
    (one keypoint, thrown 300 px away) and 6 isolated 80-px jumps (one keypoint, likelihood
    0.99)."""
    rng = np.random.default_rng(seed)
    angle = np.linspace(0, 2 * np.pi, n)
    x, y = 320 + 100 * np.cos(angle), 240 + 100 * np.sin(angle)
    kp = keypoints_around(x, y, noise_px=noise_px, seed=seed)
    lik = rng.uniform(0.95, 1.0, kp.shape[:2])
    low = rng.choice(np.arange(10, n - 10), 12, replace=False)
    free = np.setdiff1d(np.arange(10, n - 10, 5), np.r_[low - 3, low, low + 3])
    jumps = rng.choice(free, 6, replace=False)
    for f in low:
        k = int(rng.integers(1, 4))  # an ear or the tail base: part of the body centre
        lik[f, k] = 0.3
        kp[f, k] += 300
    for f in jumps:
        k = int(rng.integers(1, 4))
        kp[f, k] += (80.0, 0.0)
    return x, y, kp, lik, set(low.tolist()), set(jumps.tolist())


@pytest.mark.parametrize("kind", list(WRITERS))
def test_body_centre_likelihood_and_jumps_on_noisy_keypoints(tmp_path, kind):
    """Ground truth: the dropped frames are exactly the low-likelihood and the jump frames; the
    body centre of the rest is the true path within keypoint noise (sd 1 px; centre sd 0.61)."""
    x, y, kp, lik, low, jumps = _noisy_session()
    f = WRITERS[kind](tmp_path / f"m1{SUFFIX[kind]}", kp, lik)
    assert detect_format(f) == ("sleap" if kind == "sleap_h5" else "deeplabcut")
    tracks, meta = read_tracks(f, fps=30)
    row = meta.iloc[0]
    assert (row.n_low_likelihood, row.n_jumps, row.n_missing) == (12, 6, 18)
    assert row.dropped_fraction == pytest.approx(18 / 400)
    assert row.body_point.startswith("midpoint of the ears' midpoint")
    kept = np.setdiff1d(np.arange(400), sorted(low | jumps))
    np.testing.assert_allclose(tracks.time_s, kept / 30)
    err = np.hypot(tracks.x_cm - x[kept], tracks.y_cm - y[kept])
    assert err.max() < 3.0 and np.sqrt((err**2).mean()) < 1.0
    # without the gate the jumps stay (and shift the body centre by 80/4 = 20 px)
    t2, m2 = read_tracks(f, fps=30, pose=PoseOptions(max_jump_px=None))
    assert (m2.n_jumps.iloc[0], m2.n_missing.iloc[0]) == (0, 12)
    # a chosen keypoint: the nose only (never degraded here)
    t3, m3 = read_tracks(f, fps=30, pose=PoseOptions(body=("Nose",)))
    assert m3.n_missing.iloc[0] == 0 and m3.body_point.iloc[0] == "mean of nose"


def test_mean_of_keypoints_when_no_ears(tmp_path):
    """Analytic: without ear/tail-base keypoints the body point is the mean of all keypoints."""
    kp = np.array([[[0.0, 0.0], [10.0, 0.0]], [[2.0, 2.0], [12.0, 2.0]]])
    f = write_dlc_csv(tmp_path / "two.csv", kp, np.ones((2, 2)), names=("head", "tail"))
    t, m = read_tracks(f, fps=2)
    assert t.x_cm.tolist() == [5.0, 7.0] and t.time_s.tolist() == [0.0, 0.5]
    assert m.body_point.iloc[0] == "mean of all keypoints"


def test_real_deeplabcut_labels_read_as_a_pose_table():
    """Real data: DeepLabCut's CollectedData labels (116 frames, 4 keypoints, no likelihood).
    Reference: an independent pandas parse of the same csv, and PROVENANCE.md's ~30 px offset of
    the 4-keypoint mean from the body centre."""
    path = shared_data("behavior", "dlc_openfield_m4s1", "CollectedData_Pranav.csv")
    assert detect_format(path) == "deeplabcut"
    pose = load_pose_file(path)
    assert pose.keypoints == ("snout", "leftear", "rightear", "tailbase")
    ref = pd.read_csv(path, header=[0, 1, 2], index_col=0)
    for k, name in enumerate(pose.keypoints):
        np.testing.assert_allclose(pose.xy[:, k, 0], ref[("Pranav", name, "x")])
        np.testing.assert_allclose(pose.xy[:, k, 1], ref[("Pranav", name, "y")])
    # stills from a video, not consecutive frames: no jump gate
    tracks, meta = read_tracks(path, fps=30, pose=PoseOptions(max_jump_px=None))
    assert (meta.n_samples.iloc[0], meta.n_missing.iloc[0]) == (116, 0)
    ears = (ref[("Pranav", "leftear", "x")] + ref[("Pranav", "rightear", "x")]) / 2
    np.testing.assert_allclose(tracks.x_cm, (ears + ref[("Pranav", "tailbase", "x")]) / 2)
    mean4, _ = read_tracks(
        path, fps=30, pose=PoseOptions(max_jump_px=None, body=tuple(pose.keypoints))
    )
    offset = np.hypot(mean4.x_cm - tracks.x_cm, mean4.y_cm - tracks.y_cm)
    assert 20 < float(np.median(offset)) < 40


def test_multi_animal_foreign_and_broken_files_are_one_line_errors(tmp_path):
    multi = tmp_path / "ma.csv"
    multi.write_text(
        "scorer,s,s,s,s\nindividuals,m1,m1,m2,m2\nbodyparts,nose,nose,nose,nose\n"
        "coords,x,y,x,y\n0,1,2,3,4\n"
    )
    bad_cell = tmp_path / "bad.csv"
    bad_cell.write_text("scorer,s,s\nbodyparts,nose,nose\ncoords,x,y\n0,1,abc\n")
    foreign = tmp_path / "foreign.h5"
    import h5py

    with h5py.File(foreign, "w") as f:
        f["images"] = np.zeros((2, 2))
    slp = tmp_path / "project.slp"
    slp.write_bytes(b"")
    ok = write_dlc_csv(tmp_path / "ok.csv", np.zeros((3, 4, 2)), np.ones((3, 4)))
    cases = [
        (multi, {"fps": 30}, "single-animal DeepLabCut file.*m1, m2"),
        (bad_cell, {"fps": 30}, "row 4.*Expected a number, but got 'abc'"),
        (foreign, {"fps": 30, "format": "pose"}, "Expected a DeepLabCut .h5 table or a SLEAP"),
        (slp, {"fps": 30}, "export it with"),
        (ok, {}, "Expected the frame rate"),
        (ok, {"fps": 30, "pose": PoseOptions(body=("tail",))}, "keypoint among nose"),
    ]
    for path, kwargs, message in cases:
        with pytest.raises(InputError, match=message) as err:
            read_tracks(path, **kwargs)
        assert str(path) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(InputError, match="could not recognise"):
        read_tracks(foreign, fps=30)  # auto: not a pose layout, no other format takes .h5

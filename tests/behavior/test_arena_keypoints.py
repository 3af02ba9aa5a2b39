"""Arenas from keypoints: a Y-maze from its arm ends, an open-field box from its corners.

Expected values: exact ground truth. A seeded synthetic Y-maze track (known arm sequence) and a
constant-speed open-field walk (known distance) are drawn in cm, mapped into an image by a known
similarity (Y-maze) or a known perspective homography (box); the arena rebuilt from the mapped
landmarks must give back the scale, the sequence and the distance. The real DeepLabCut frames
check that the labelled animal lies inside the floor detected in the image.
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage.transform import ProjectiveTransform
from tests.conftest import shared_data

from neuroprotect.behavior.arena_keypoints import box_from_keypoints, y_maze_from_keypoints
from neuroprotect.behavior.open_field import compute_open_field
from neuroprotect.behavior.y_maze import compute_y_maze
from neuroprotect.datasets.behavior_synthetic import make_open_field_track, make_y_maze_track
from neuroprotect.errors import InputError

ARM_LENGTH, ARM_WIDTH = 35.0, 8.0


def _similarity(points: np.ndarray, *, scale: float, angle_deg: float, shift) -> np.ndarray:
    a = np.radians(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return scale * points @ rot.T + np.asarray(shift)


@pytest.mark.parametrize("entry_depth", [0.0, 5.0])
def test_y_maze_from_arm_ends_gives_scale_and_sequence(entry_depth):
    """Ground truth: 4 px/cm, rotated 17 degrees. The scale comes back exactly; with the
    hysteresis (entry depth 5 cm) the known sequence comes back despite centre forays up to 3 cm
    into the arms, and without it (depth 0) those forays are counted as extra entries."""
    seq = "ABCBACABCA"
    tracks, truth = make_y_maze_track(seq, seed=4, arm_length_cm=ARM_LENGTH, arm_width_cm=ARM_WIDTH)
    apothem = ARM_WIDTH / (2 * np.sqrt(3))
    ends_cm = np.array(
        [
            (apothem + ARM_LENGTH) * np.array([np.cos(np.radians(a)), np.sin(np.radians(a))])
            for a in (90.0, 210.0, 330.0)
        ]
    )
    kw = {"scale": 4.0, "angle_deg": 17.0, "shift": (320.0, 250.0)}
    ends_px = _similarity(ends_cm, **kw)
    px = tracks.copy()
    px[["x_cm", "y_cm"]] = _similarity(tracks[["x_cm", "y_cm"]].to_numpy(), **kw)
    maze = y_maze_from_keypoints(ends_px, arm_length_cm=ARM_LENGTH, arm_width_cm=ARM_WIDTH)
    assert maze.cm_per_px == pytest.approx(0.25, rel=1e-12)
    assert maze.centre_px == pytest.approx((320.0, 250.0))
    cm = maze.to_cm(px)
    out = compute_y_maze(
        cm, arms=maze.arms, centre_zone=maze.centre_zone, entry_depth_cm=entry_depth
    ).iloc[0]
    if entry_depth:
        assert out.sequence == seq
        assert out.spontaneous_alternation_pct == pytest.approx(
            100 * 6 / 8
        )  # ABC CBA BAC CAB ABC BCA
    else:
        assert len(out.sequence) > len(seq)
    # distance is scale- and rotation-invariant: the same as on the cm track
    ref = compute_y_maze(tracks, arms=truth["arms"], centre_zone=truth["centre_zone"]).iloc[0]
    assert out.distance_cm == pytest.approx(ref.distance_cm, rel=1e-9)
    total = out.time_in_arm_A_s + out.time_in_arm_B_s + out.time_in_arm_C_s + out.time_in_centre_s
    assert total == pytest.approx(out.duration_s, abs=0.2)  # the rest: outside every zone


def test_box_from_corners_undoes_a_perspective_camera():
    """Ground truth: a known homography (a tilted camera) maps a 40 x 30 cm box into the image;
    the box rebuilt from the four mapped corners gives back the walk (to 1e-6 cm) and its
    distance (speed x duration)."""
    tracks, truth = make_open_field_track(seed=2, duration_s=60, box_cm=30.0, speed_cm_s=6.0)
    tracks["x_cm"] *= 40 / 30  # a 40 x 30 box: the walk stretched along x
    camera = ProjectiveTransform(
        matrix=np.array([[9.0, 1.2, 80.0], [0.3, 11.0, 40.0], [0.0008, 0.0015, 1.0]])
    )
    box_cm = np.array([[0, 0], [40, 0], [40, 30], [0, 30]], dtype=float)
    px = tracks.copy()
    px[["x_cm", "y_cm"]] = camera(tracks[["x_cm", "y_cm"]].to_numpy())
    box = box_from_keypoints(camera(box_cm), box_size_cm=(40, 30))
    back = box.to_cm(px)
    np.testing.assert_allclose(back[["x_cm", "y_cm"]], tracks[["x_cm", "y_cm"]], atol=1e-6)
    res = compute_open_field(back, rectangle=box.rectangle).iloc[0]
    ref = compute_open_field(tracks, rectangle=(0, 0, 40, 30)).iloc[0]
    assert res.distance_cm == pytest.approx(ref.distance_cm, rel=1e-9)
    assert res.time_near_wall_s == pytest.approx(ref.time_near_wall_s)


def test_keypoint_arena_errors():
    with pytest.raises(InputError, match="top-left, top-right"):
        box_from_keypoints(np.array([[0, 0], [10, 10], [10, 0], [0, 10]]), box_size_cm=(40, 40))
    with pytest.raises(InputError, match="W,H > 0"):
        box_from_keypoints(np.array([[0, 0], [10, 0], [10, 10], [0, 10]]), box_size_cm=(40, 0))
    with pytest.raises(InputError, match="about equally far"):
        y_maze_from_keypoints(
            np.array([[0, 100], [-87, -50], [5, 0]]), arm_length_cm=35, arm_width_cm=8
        )


def _floor_corners(grey: np.ndarray) -> np.ndarray:
    """Corners of the bright floor: the strongest wall-to-floor edge along each image side,
    median over the middle half of the rows/columns."""
    from skimage import filters

    g = filters.gaussian(grey, sigma=2, preserve_range=True)
    h, w = g.shape

    def edge(profile: np.ndarray, lo: int, hi: int, rising: bool) -> float:
        d = np.diff(profile[lo:hi]) * (1 if rising else -1)
        return lo + int(np.argmax(d)) + 0.5

    rows, cols = range(h // 4, 3 * h // 4), range(w // 4, 3 * w // 4)
    left = np.median([edge(g[r], 0, w // 4, True) for r in rows])
    right = np.median([edge(g[r], 3 * w // 4, w, False) for r in rows])
    top = np.median([edge(g[:, c], 0, h // 4, True) for c in cols])
    bottom = np.median([edge(g[:, c], 3 * h // 4, h, False) for c in cols])
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]])


def test_real_labels_inside_the_floor_found_in_the_frame():
    """Real data: the floor of the DeepLabCut open-field box is found in the frames (median of
    15 stills, wall-to-floor edges) and its corners define the box; every labelled body centre
    maps inside it, and the wall band holds frames where the mouse touches a wall (img0000:
    nose on the left wall). The box size is nominal (not given by the source)."""
    from skimage import io

    from neuroprotect.behavior.readers import PoseOptions, read_tracks

    base = shared_data("behavior", "dlc_openfield_m4s1")
    frames = sorted((base / "frames").glob("img*.png"))[::8]
    grey = np.median([io.imread(f)[..., :3].mean(axis=2) for f in frames], axis=0)
    corners = _floor_corners(grey)
    tracks, _ = read_tracks(
        base / "CollectedData_Pranav.csv", fps=30, pose=PoseOptions(max_jump_px=None)
    )
    box = box_from_keypoints(corners, box_size_cm=(40, 30))
    cm = box.to_cm(tracks)
    assert cm.x_cm.between(0, 40).all() and cm.y_cm.between(0, 30).all()
    res = compute_open_field(cm, rectangle=box.rectangle, wall_band_cm=5).iloc[0]
    assert 0 < res.time_near_wall_s < res.tracked_s
    assert cm.x_cm.iloc[0] < 5  # img0000: at the left wall

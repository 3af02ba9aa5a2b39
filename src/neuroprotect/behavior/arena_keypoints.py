"""Arenas from landmark keypoints: a Y-maze from its arm ends, an open-field box from its corners.

DeepLabCut/SLEAP projects often label fixed landmarks (the arm ends of a Y-maze, the corners of a
box) as keypoints. Their median positions over frames (pixels) give the arena and the pixel
scale, so no arena file is needed.

* :func:`y_maze_from_keypoints`: the maze centre is the mean of the three arm ends; the scale is
  (arm length + centre-triangle apothem) / median centre-to-end distance in px; the arms, their
  entrances and the centre triangle are :func:`~neuroprotect.behavior.y_maze_zones.make_y_maze_arms`
  along the measured directions. Tracks are mapped by ``(p - centre) * cm_per_px``.
* :func:`box_from_keypoints`: a homography (projective transform, from the four corners) maps
  the image to the box's floor in cm, so a camera that is not straight above the box is
  corrected (perspective); the arena is then the rectangle ``(0, 0, width, height)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from neuroprotect.behavior.y_maze_zones import make_y_maze_arms
from neuroprotect.errors import InputError

__all__ = ["YMazeFromKeypoints", "BoxFromKeypoints", "y_maze_from_keypoints", "box_from_keypoints"]


@dataclass(frozen=True)
class YMazeFromKeypoints:
    """A Y-maze in cm (centred on the maze centre) and the px -> cm mapping."""

    arms: dict[str, list[tuple[float, float]]]
    centre_zone: list[tuple[float, float]]
    centre_px: tuple[float, float]
    cm_per_px: float
    arm_ends_px: dict[str, tuple[float, float]]

    def to_cm(self, tracks: pd.DataFrame) -> pd.DataFrame:
        """Tracks in px -> tracks in cm around the maze centre."""
        out = tracks.copy()
        out["x_cm"] = (out["x_cm"] - self.centre_px[0]) * self.cm_per_px
        out["y_cm"] = (out["y_cm"] - self.centre_px[1]) * self.cm_per_px
        return out


@dataclass(frozen=True)
class BoxFromKeypoints:
    """An open-field box ``(0, 0, width, height)`` in cm and the homography px -> cm."""

    width_cm: float
    height_cm: float
    matrix: np.ndarray
    corners_px: np.ndarray

    @property
    def rectangle(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width_cm, self.height_cm)

    def to_cm(self, tracks: pd.DataFrame) -> pd.DataFrame:
        """Tracks in px -> tracks on the box floor in cm (perspective corrected)."""
        out = tracks.copy()
        xy = out[["x_cm", "y_cm"]].to_numpy(dtype=float)
        ok = np.isfinite(xy).all(axis=1)
        mapped = np.full_like(xy, np.nan)
        if ok.any():
            from skimage.transform import ProjectiveTransform  # heavy: only for pose tracks

            mapped[ok] = ProjectiveTransform(matrix=self.matrix)(xy[ok])
        out["x_cm"], out["y_cm"] = mapped[:, 0], mapped[:, 1]
        return out


def y_maze_from_keypoints(
    arm_ends_px: np.ndarray,
    *,
    arm_length_cm: float,
    arm_width_cm: float,
    labels: str = "ABC",
) -> YMazeFromKeypoints:
    """Build a Y-maze from the pixel positions of its three arm ends.

    Parameters
    ----------
    arm_ends_px
        3 x 2 array: the end of each arm (e.g. medians over frames of keypoints left, right,
        middle), in the order of ``labels``.
    arm_length_cm
        Length of an arm from the centre triangle's side to its end, as measured on the maze.
    arm_width_cm
        Arm width.
    labels
        One symbol per arm (sequence letters).

    Raises
    ------
    InputError
        Non-positive sizes, coincident arm ends, or arm ends so unequal in distance from the
        centre (> 25 % spread) that they are probably not the three arm ends.
    """
    ends = np.asarray(arm_ends_px, dtype=float)
    if ends.shape != (3, 2) or not np.isfinite(ends).all():
        raise InputError(
            f"Expected three arm-end points (x, y), but got shape {ends.shape}",
            field="arms_from_keypoints",
        )
    if not (arm_length_cm > 0 and arm_width_cm > 0):
        raise InputError(
            f"Expected an arm length and width > 0 cm, but got {arm_length_cm!r} and "
            f"{arm_width_cm!r}",
            field="arm_length_cm",
        )
    centre = ends.mean(axis=0)
    radii = np.hypot(*(ends - centre).T)
    if radii.min() <= 0 or (radii.max() - radii.min()) / radii.mean() > 0.25:
        raise InputError(
            "Expected the three arm ends about equally far from the maze centre, but their "
            f"distances are {', '.join(f'{r:.0f}' for r in radii)} px (wrong keypoints?)",
            field="arms_from_keypoints",
        )
    apothem = arm_width_cm / (2.0 * np.sqrt(3.0))
    cm_per_px = (arm_length_cm + apothem) / float(np.median(radii))
    angles = np.degrees(np.arctan2(ends[:, 1] - centre[1], ends[:, 0] - centre[0]))
    arms, centre_zone = make_y_maze_arms(
        centre=(0.0, 0.0),
        arm_length_cm=arm_length_cm,
        arm_width_cm=arm_width_cm,
        angles_deg=tuple(float(a) for a in angles),
        labels=labels,
    )
    return YMazeFromKeypoints(
        arms=arms,
        centre_zone=centre_zone,
        centre_px=(float(centre[0]), float(centre[1])),
        cm_per_px=cm_per_px,
        arm_ends_px={lab: (float(e[0]), float(e[1])) for lab, e in zip(labels, ends, strict=True)},
    )


def box_from_keypoints(
    corners_px: np.ndarray, *, box_size_cm: tuple[float, float]
) -> BoxFromKeypoints:
    """Build an open-field box from the pixel positions of its corners.

    Parameters
    ----------
    corners_px
        4 x 2 array: the corners in the order top-left, top-right, bottom-right, bottom-left
        (as seen in the image), pixels.
    box_size_cm
        ``(width, height)``: the inner floor size, cm (width along top-left -> top-right).

    Returns
    -------
    BoxFromKeypoints
        TL maps to (0, 0), TR to (width, 0), BR to (width, height), BL to (0, height).

    Raises
    ------
    InputError
        Non-positive size, or corners that are not a convex quadrilateral in that order.
    """
    src = np.asarray(corners_px, dtype=float)
    w, h = (float(v) for v in box_size_cm)
    if src.shape != (4, 2) or not np.isfinite(src).all():
        raise InputError(
            f"Expected four corner points (x, y), but got shape {src.shape}",
            field="bounds_from_keypoints",
        )
    if not (w > 0 and h > 0):
        raise InputError(
            f"Expected a box size W,H > 0 cm, but got {box_size_cm!r}", field="box_size_cm"
        )
    edges = np.roll(src, -1, axis=0) - src
    turn = (
        edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1]
        - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    )
    if not (np.all(turn > 0) or np.all(turn < 0)):
        raise InputError(
            "Expected the corners in the order top-left, top-right, bottom-right, bottom-left "
            "(a convex quadrilateral), but they cross or fold",
            field="bounds_from_keypoints",
        )
    dst = np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]])
    return BoxFromKeypoints(w, h, _homography(src, dst), src)


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3 x 3 projective matrix mapping src to dst (scikit-image, old and new API)."""
    from skimage.transform import ProjectiveTransform  # heavy: imported when a box is mapped

    if hasattr(ProjectiveTransform, "from_estimate"):  # scikit-image >= 0.26
        transform = ProjectiveTransform.from_estimate(src, dst)
        ok = bool(transform)
    else:
        transform = ProjectiveTransform()
        ok = bool(transform.estimate(src, dst))
    if not ok:
        raise InputError(
            "Expected four corners that define a plane mapping, but they are degenerate",
            field="bounds_from_keypoints",
        )
    return np.asarray(transform.params)

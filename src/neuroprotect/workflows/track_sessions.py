"""One input layer for track-based readouts: any registered format, pose options, arena from
keypoints. Used by ``behavior open-field`` / ``y-maze`` and the ``open_field`` / ``y_maze``
study readouts alike, so they read files the same way and fail with the same messages.

A *session* is one track file read into cm:

* the file is read by the registered reader of its format (``format`` auto-detected or given);
  pose files (DeepLabCut/SLEAP) become one body point per frame with :class:`PoseOptions`;
* positions are put in cm by, in order of precedence, a Y-maze built from arm-end keypoints, a
  box built from corner keypoints (homography), or ``cm_per_unit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.behavior.arena_keypoints import (
    BoxFromKeypoints,
    YMazeFromKeypoints,
    box_from_keypoints,
    y_maze_from_keypoints,
)
from neuroprotect.behavior.readers import POSE_FORMATS, read_tracks, resolve_format
from neuroprotect.behavior.readers.pose import PoseOptions, keypoint_medians, read_pose
from neuroprotect.behavior.readers.pose_files import load_pose_file
from neuroprotect.errors import InputError

__all__ = [
    "TrackInput",
    "KeypointArena",
    "Session",
    "read_session",
    "parse_names",
    "parse_numbers",
    "parse_body",
    "keypoint_arena",
    "TRACK_PARAMS",
    "track_input_from_params",
]


@dataclass(frozen=True)
class KeypointArena:
    """Arena landmarks labelled as keypoints: Y-maze arm ends or box corners (not both)."""

    arms: tuple[str, ...] | None = None
    arm_length_cm: float | None = None
    arm_width_cm: float | None = None
    corners: tuple[str, ...] | None = None
    box_size_cm: tuple[float, float] | None = None

    @property
    def landmarks(self) -> tuple[str, ...]:
        return (self.arms or ()) + (self.corners or ())


@dataclass(frozen=True)
class TrackInput:
    """How track files are read: format, pose options, cm scale, optional keypoint arena."""

    format: str = "auto"
    pose: PoseOptions = field(default_factory=PoseOptions)
    cm_per_unit: float = 1.0
    arena: KeypointArena = field(default_factory=KeypointArena)


@dataclass
class Session:
    """One track file in cm, its reader's metadata and how the arena/scale was obtained."""

    path: Path
    tracks: pd.DataFrame
    meta: pd.DataFrame
    scale: dict[str, Any]
    y_maze: YMazeFromKeypoints | None = None
    box: BoxFromKeypoints | None = None


def parse_names(value: Any, n: int, *, field: str) -> tuple[str, ...]:
    """``"a,b,c"`` or a list -> n names (keypoints)."""
    items = value.split(",") if isinstance(value, str) else value
    names = tuple(str(v).strip() for v in (items or ()) if str(v).strip())
    if len(names) != n:
        raise InputError(
            f"Expected {n} comma-separated keypoint names, but got {value!r}", field=field
        )
    return names


def parse_numbers(value: Any, n: int, *, field: str) -> tuple[float, ...]:
    """``"40,40"`` or a list -> n positive numbers."""
    items = value.split(",") if isinstance(value, str) else value
    try:
        nums = tuple(float(v) for v in items)
    except (TypeError, ValueError):
        nums = ()
    if len(nums) != n or not all(v > 0 for v in nums):
        raise InputError(
            f"Expected {n} comma-separated numbers > 0, but got {value!r}", field=field
        )
    return nums


def parse_body(value: Any, *, field: str) -> tuple[str, ...] | None:
    """``"nose,tailbase"`` or a list -> keypoint names; None for the default body centre."""
    if value is None or value == "":
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise InputError(f"Expected keypoint names, but got {value!r}", field=field)
    names = tuple(str(v).strip() for v in items if str(v).strip())
    if not names:
        raise InputError(f"Expected at least one keypoint name, but got {value!r}", field=field)
    return names


def _check_arena(arena: KeypointArena) -> None:
    if arena.arms and arena.corners:
        raise InputError(
            "Expected arm-end keypoints or box-corner keypoints, not both",
            field="arms_from_keypoints",
        )
    if arena.arms and not (arena.arm_length_cm and arena.arm_width_cm):
        raise InputError(
            "Expected --arm-length-cm and --arm-width-cm (arm_length_cm, arm_width_cm) with arm "
            "keypoints, but one is missing",
            field="arm_length_cm",
        )
    if arena.corners and not arena.box_size_cm:
        raise InputError(
            "Expected --box-size-cm W,H (box_size_cm) with corner keypoints, but it is missing",
            field="box_size_cm",
        )


def read_session(path: str | Path, spec: TrackInput, *, trial_id: str | None = None) -> Session:
    """Read one track file through the registered readers and put it in cm.

    Raises
    ------
    InputError
        Every reader's and arena builder's error, with this file named; keypoint arenas on a
        file that is not a pose file.
    """
    path = Path(path)
    arena = spec.arena
    try:
        _check_arena(arena)
        name = resolve_format(path, spec.format)
        if arena.landmarks and name not in POSE_FORMATS:
            raise InputError(
                f"Expected a DeepLabCut/SLEAP pose file for an arena from keypoints, but this file "
                f"is read as {name!r}",
                field="format",
            )
        pose = None
        if name in POSE_FORMATS:
            opts = replace(spec.pose, landmarks=arena.landmarks)
            if name != "pose":
                opts = replace(opts, software=name)
            pose = load_pose_file(path, software=opts.software)
            tracks, meta = read_pose(path, options=opts, trial_id=trial_id, pose=pose)
        else:
            tracks, meta = read_tracks(path, format=name, trial_id=trial_id, keep_gaps=True)
        session = Session(path, tracks, meta, {})
        if arena.arms and pose is not None:
            ends = keypoint_medians(
                pose,
                arena.arms,
                min_likelihood=spec.pose.min_likelihood,
                path=path,
                field="arms_from_keypoints",
            )
            maze = y_maze_from_keypoints(
                ends,
                arm_length_cm=float(arena.arm_length_cm or 0),
                arm_width_cm=float(arena.arm_width_cm or 0),
            )
            session.tracks, session.y_maze = maze.to_cm(tracks), maze
            session.scale = {
                "from": "arm-end keypoints " + ", ".join(arena.arms),
                "cm_per_px": maze.cm_per_px,
                "centre_px": list(maze.centre_px),
            }
        elif arena.corners and pose is not None:
            corners = keypoint_medians(
                pose,
                arena.corners,
                min_likelihood=spec.pose.min_likelihood,
                path=path,
                field="bounds_from_keypoints",
            )
            box = box_from_keypoints(corners, box_size_cm=arena.box_size_cm or (0.0, 0.0))
            session.tracks, session.box = box.to_cm(tracks), box
            session.scale = {
                "from": "corner keypoints " + ", ".join(arena.corners) + " (homography)",
                "corners_px": corners.round(2).tolist(),
            }
        else:
            session.tracks = tracks.assign(
                x_cm=tracks["x_cm"] * spec.cm_per_unit, y_cm=tracks["y_cm"] * spec.cm_per_unit
            )
            session.scale = {"cm_per_unit": spec.cm_per_unit}
    except InputError as exc:
        if exc.file is not None:
            raise
        raise InputError(exc.message, file=path, row=exc.row, field=exc.field) from None
    return session


#: study.yaml readout params shared by the track readouts (readout_params spec).
TRACK_PARAMS: dict[str, tuple[type, Any]] = {
    "format": (str, "auto"),
    "fps": (float, None),
    "body": (object, None),
    "min_likelihood": (object, 0.9),
    "max_jump_px": (object, 20.0),
    "cm_per_unit": (float, 1.0),
}


def track_input_from_params(
    p: dict[str, Any], *, where: str, arena: KeypointArena | None = None
) -> TrackInput:
    """A :class:`TrackInput` from checked readout params (``where``: the params field path)."""
    body = parse_body(p["body"], field=f"{where}.body")
    lik = p["min_likelihood"]
    if isinstance(lik, bool) or not isinstance(lik, (int, float)) or not 0 <= lik <= 1:
        raise InputError(
            f"Expected a likelihood between 0 and 1, but got {lik!r}",
            field=f"{where}.min_likelihood",
        )
    jump = p["max_jump_px"]
    if jump is not None and (
        isinstance(jump, bool) or not isinstance(jump, (int, float)) or jump < 0
    ):
        raise InputError(
            f"Expected a jump limit >= 0 px (0: no jump gate), but got {jump!r}",
            field=f"{where}.max_jump_px",
        )
    pose = PoseOptions(
        fps=p["fps"], body=body, min_likelihood=float(lik), max_jump_px=float(jump or 0) or None
    )
    return TrackInput(
        format=p["format"], pose=pose, cm_per_unit=p["cm_per_unit"], arena=arena or KeypointArena()
    )


def names_or_none(value: Any, n: int, *, field: str) -> tuple[str, ...] | None:
    """:func:`parse_names` that passes None through."""
    return None if value is None else parse_names(value, n, field=field)


def numbers_or_none(value: Any, n: int, *, field: str) -> tuple[float, ...] | None:
    """:func:`parse_numbers` that passes None through."""
    return None if value is None else parse_numbers(value, n, field=field)


def keypoint_arena(
    *,
    arms: Any = None,
    arm_length_cm: float | None = None,
    arm_width_cm: float | None = None,
    corners: Any = None,
    box_size_cm: Any = None,
    prefix: str = "",
) -> KeypointArena:
    """A :class:`KeypointArena` from option/param values (strings ``"a,b,c"`` or lists)."""
    box: Sequence[float] | None = numbers_or_none(box_size_cm, 2, field=f"{prefix}box_size_cm")
    return KeypointArena(
        arms=names_or_none(arms, 3, field=f"{prefix}arms_from_keypoints"),
        arm_length_cm=arm_length_cm,
        arm_width_cm=arm_width_cm,
        corners=names_or_none(corners, 4, field=f"{prefix}bounds_from_keypoints"),
        box_size_cm=None if box is None else (float(box[0]), float(box[1])),
    )

"""Pose files (DeepLabCut, SLEAP) to the track table: one body point per frame.

Steps, per frame (keypoints read by :mod:`neuroprotect.behavior.readers.pose_files`):

1. a keypoint whose likelihood is below ``min_likelihood`` (default 0.9) is missing;
2. a keypoint further than ``max_jump_px`` from the rolling median of its own positions (a
   centred window of ``jump_window`` frames, missing points left out) is an outlier jump and
   missing: a tracker that swaps to a reflection for one or two frames is removed, smooth motion
   (even fast) stays, since the centred median of a smoothly moving point is the point itself;
3. the body point is the mean of the chosen keypoints (``body``), or by default the body centre:
   the midpoint of the ears' midpoint and the tail base when the file has those keypoints,
   else the mean of all keypoints. It is missing when any of its keypoints is missing;
4. time_s = frame / fps (``fps`` from the file, else given).

Missing frames are dropped and counted (``n_missing``, ``dropped_fraction``), never
interpolated. Positions stay in pixels: the arena (``cm_per_unit``, or an arena built from
keypoints, :mod:`neuroprotect.behavior.arena_keypoints`) converts them to cm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.behavior.readers._common import finish_track, frames
from neuroprotect.behavior.readers.pose_files import PoseData, load_pose_file
from neuroprotect.errors import InputError

__all__ = [
    "PoseOptions",
    "read_pose",
    "filter_keypoints",
    "body_point",
    "keypoint_medians",
    "resolve_keypoints",
]

_EAR_L = ("leftear", "earleft", "lear", "earl")
_EAR_R = ("rightear", "earright", "rear", "earr")
_TAIL = ("tailbase", "basetail", "tailroot", "tail0", "tail1")


@dataclass(frozen=True)
class PoseOptions:
    """How pose files become tracks (see the module docstring)."""

    fps: float | None = None
    body: tuple[str, ...] | None = None
    min_likelihood: float = 0.9
    max_jump_px: float | None = 20.0
    jump_window: int = 7
    software: str | None = None
    #: Arena landmarks labelled as keypoints (arm ends, box corners): never part of the body.
    landmarks: tuple[str, ...] = ()


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def resolve_keypoints(
    pose: PoseData, names: tuple[str, ...] | list[str], *, path: Path, field: str = "body"
) -> list[int]:
    """Indices of keypoints named as in the file (case, '_', '-' and blanks ignored)."""
    lookup = {_norm(k): i for i, k in enumerate(pose.keypoints)}
    out = []
    for name in names:
        if _norm(name) not in lookup:
            raise InputError(
                f"Expected a keypoint among {', '.join(pose.keypoints)}, but got {name!r}",
                file=path,
                field=field,
            )
        out.append(lookup[_norm(name)])
    return out


def filter_keypoints(
    pose: PoseData, *, min_likelihood: float, max_jump_px: float | None, jump_window: int = 7
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keypoints with low-likelihood points and outlier jumps set to NaN.

    Returns
    -------
    xy
        n_frames x n_keypoints x 2, filtered.
    low
        n_frames x n_keypoints, True where the likelihood was below the threshold (or absent).
    jump
        n_frames x n_keypoints, True where the rolling-median gate removed the point.
    """
    if not 0 <= min_likelihood <= 1:
        raise InputError(
            f"Expected a likelihood threshold in [0, 1], but got {min_likelihood!r}",
            field="min_likelihood",
        )
    xy = pose.xy.copy()
    low = ~(pose.likelihood >= min_likelihood) | ~np.isfinite(xy).all(axis=2)
    xy[low] = np.nan
    jump = np.zeros_like(low)
    if max_jump_px:
        for k in range(xy.shape[1]):
            frame = pd.DataFrame(xy[:, k], columns=["x", "y"])
            med = frame.rolling(jump_window, center=True, min_periods=1).median().to_numpy()
            dev = np.hypot(*(xy[:, k] - med).T)
            jump[:, k] = np.isfinite(dev) & (dev > max_jump_px)
        xy[jump] = np.nan
    return xy, low, jump


def body_point(
    xy: np.ndarray,
    pose: PoseData,
    *,
    body: tuple[str, ...] | None,
    path: Path,
    landmarks: tuple[str, ...] = (),
) -> tuple[np.ndarray, str, list[int]]:
    """The body point per frame (n_frames x 2), how it was built, and the keypoints it uses."""
    if body:
        idx = resolve_keypoints(pose, body, path=path)
        how = "mean of " + ", ".join(pose.keypoints[i] for i in idx)
        return xy[:, idx].mean(axis=1), how, idx
    norm = [_norm(k) for k in pose.keypoints]

    def find(names: tuple[str, ...]) -> int | None:
        return next((norm.index(n) for n in names if n in norm), None)

    le, re_, tb = find(_EAR_L), find(_EAR_R), find(_TAIL)
    if le is not None and re_ is not None and tb is not None:
        ears = (xy[:, le] + xy[:, re_]) / 2
        names = (pose.keypoints[le], pose.keypoints[re_], pose.keypoints[tb])
        how = "midpoint of the ears' midpoint ({}, {}) and {}".format(*names)
        return (ears + xy[:, tb]) / 2, how, [le, re_, tb]
    skip = {_norm(k) for k in landmarks}
    idx = [i for i, k in enumerate(norm) if k not in skip]
    if not idx:
        raise InputError(
            "Expected body keypoints besides the arena landmarks, but the file has none",
            file=path,
            field="body",
        )
    how = (
        "mean of all keypoints"
        if not skip
        else "mean of " + ", ".join(pose.keypoints[i] for i in idx)
    )
    return xy[:, idx].mean(axis=1), how, idx


def keypoint_medians(
    pose: PoseData,
    names: list[str] | tuple[str, ...],
    *,
    min_likelihood: float,
    path: Path,
    field: str = "keypoints",
) -> np.ndarray:
    """Median position (px) over frames of each named keypoint, from points above the threshold.

    Used for fixed arena landmarks (arm ends, box corners) labelled as keypoints.
    """
    idx = resolve_keypoints(pose, names, path=path, field=field)
    out = np.empty((len(idx), 2))
    for j, k in enumerate(idx):
        ok = (pose.likelihood[:, k] >= min_likelihood) & np.isfinite(pose.xy[:, k]).all(axis=1)
        if not ok.any():
            raise InputError(
                f"Expected keypoint {pose.keypoints[k]!r} with likelihood >= {min_likelihood:g} in "
                "at least one frame, but it has none",
                file=path,
                field=field,
            )
        out[j] = np.median(pose.xy[ok, k], axis=0)
    return out


def read_pose(
    path: str | PathLike[str],
    *,
    options: PoseOptions | None = None,
    trial_id: str | None = None,
    fps: float | None = None,
    pose: PoseData | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a DeepLabCut or SLEAP file and return the common track layout (pixels).

    Parameters
    ----------
    path
        DeepLabCut ``.csv``/``.h5`` or SLEAP analysis ``.h5`` (single animal).
    options
        :class:`PoseOptions` (body keypoints, likelihood threshold, jump gate, fps).
    trial_id
        Default the file stem.
    fps
        Frame rate; overrides ``options.fps``. Needed when the file does not store one.
    pose
        Already loaded keypoints (to avoid reading the file twice).

    Returns
    -------
    tracks
        ``trial_id, time_s, x_cm, y_cm`` (positions in pixels), missing frames dropped.
    meta
        One row: ``trial_id, source_file, format, n_samples, n_missing, source_software, fps,
        body_point, n_low_likelihood, n_jumps, dropped_fraction``.

    Raises
    ------
    InputError
        Not a pose file, a keypoint not in the file, no frame rate, all frames dropped.
    """
    path = Path(path)
    opts = options or PoseOptions()
    pose = pose if pose is not None else load_pose_file(path, software=opts.software)
    rate = fps or opts.fps or pose.fps
    if not rate or rate <= 0:
        raise InputError(
            "Expected the frame rate to convert frames to seconds, but the file has none; "
            "give it (--fps on the command line, fps: in study.yaml)",
            file=path,
            field="fps",
        )
    xy, low, jump = filter_keypoints(
        pose,
        min_likelihood=opts.min_likelihood,
        max_jump_px=opts.max_jump_px,
        jump_window=opts.jump_window,
    )
    point, how, idx = body_point(xy, pose, body=opts.body, path=path, landmarks=opts.landmarks)
    n_frames = len(point)
    missing = ~np.isfinite(point).all(axis=1)
    n_low = int((missing & low[:, idx].any(axis=1)).sum())
    n_jump = int((missing & ~low[:, idx].any(axis=1) & jump[:, idx].any(axis=1)).sum())
    if missing.all():
        raise InputError(
            f"Expected frames with the body point ({how}) at likelihood >= "
            f"{opts.min_likelihood:g}, but all {n_frames} frames were dropped",
            file=path,
        )
    part = finish_track(
        trial_id=trial_id or path.stem,
        source_file=path,
        fmt=pose.software.lower(),
        time_s=pose.frame / float(rate),
        x=point[:, 0],
        y=point[:, 1],
        extra={
            "source_software": pose.software,
            "fps": float(rate),
            "body_point": how,
            "n_low_likelihood": n_low,
            "n_jumps": n_jump,
            "dropped_fraction": float(missing.sum() / n_frames),
        },
    )
    return frames([part])

"""Pose-estimation files (DeepLabCut, SLEAP) through the optional ``[pose]`` extra (``movement``).

``pip install 'neuroprotect[pose]'`` installs `movement <https://movement.neuroinformatics.dev>`_
(BSD-3), which loads DeepLabCut ``.h5``/``.csv`` and SLEAP ``.h5``/``.slp`` files into one xarray
layout. This module converts that layout at the edge into the track table: one point per frame,
either one keypoint or the mean of all keypoints (the centroid), for one individual. Points whose
confidence is below ``min_confidence`` are treated as missing: dropped and counted, never
interpolated.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.readers._common import finish_track, frames
from neuroprotect.errors import InputError

__all__ = ["read_pose", "tracks_from_movement"]

_SOFTWARE = {".h5": None, ".slp": "SLEAP", ".csv": "DeepLabCut"}


def _movement() -> Any:
    try:
        from movement.io import load_poses
    except ImportError:
        raise InputError(
            "Expected the optional 'movement' package for DeepLabCut/SLEAP files, but it is not "
            "installed; install it with: pip install 'neuroprotect[pose]'"
        ) from None
    return load_poses


def tracks_from_movement(
    ds: Any,
    *,
    path: Path,
    keypoint: str | None = None,
    individual: str | None = None,
    min_confidence: float | None = 0.6,
    trial_id: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert a movement poses Dataset (``position``: time x space x keypoints x individuals)."""
    pos = ds["position"]
    conf = ds.get("confidence")
    if "individuals" in pos.dims:
        names = [str(v) for v in pos["individuals"].values]
        ind = individual if individual is not None else names[0]
        if ind not in names:
            raise InputError(f"Expected an individual among {names}, but got {ind!r}", file=path)
        pos = pos.sel(individuals=ind)
        conf = conf.sel(individuals=ind) if conf is not None else None
    if "keypoints" in pos.dims:
        kps = [str(v) for v in pos["keypoints"].values]
        if keypoint is not None:
            if keypoint not in kps:
                raise InputError(
                    f"Expected a keypoint among {kps}, but got {keypoint!r}", file=path
                )
            pos = pos.sel(keypoints=keypoint)
            conf = conf.sel(keypoints=keypoint) if conf is not None else None
        else:
            if conf is not None and min_confidence is not None:
                pos = pos.where(conf >= min_confidence)
            pos = pos.mean("keypoints", skipna=False)
            conf = None
    xy = np.asarray(pos.transpose("time", "space").values, dtype=float)
    if conf is not None and min_confidence is not None:
        low = np.asarray(conf.values, dtype=float) < min_confidence
        xy[low] = np.nan
    t = np.asarray(pos["time"].values, dtype=float)
    fps = ds.attrs.get("fps")
    if not fps:
        raise InputError(
            "Expected the frame rate to convert frames to seconds, but the file has none; "
            "give it (--fps on the command line, fps= in Python)",
            file=path,
        )
    part = finish_track(
        trial_id=trial_id or path.stem,
        source_file=path,
        fmt="pose",
        time_s=t,
        x=xy[:, 0],
        y=xy[:, 1],
        extra={"source_software": ds.attrs.get("source_software", "")},
    )
    return frames([part])


def read_pose(
    path: str | PathLike[str],
    *,
    source_software: str | None = None,
    fps: float | None = None,
    keypoint: str | None = None,
    individual: str | None = None,
    min_confidence: float | None = 0.6,
    trial_id: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a DeepLabCut or SLEAP file with ``movement`` and return the common track layout.

    Parameters
    ----------
    path
        ``.h5`` (DeepLabCut ``df_with_missing`` or SLEAP analysis), ``.csv`` (DeepLabCut) or ``.slp``.
    source_software
        ``"DeepLabCut"`` or ``"SLEAP"``; default guessed (``.slp`` SLEAP, ``.csv`` DeepLabCut,
        ``.h5`` tried as DeepLabCut then SLEAP).
    fps
        Frames per second (needed: time_s = frame / fps).
    keypoint
        Body part to track; default the mean of all keypoints.
    individual
        Animal in multi-animal files; default the first.
    min_confidence
        Points with a lower likelihood/score are missing samples (``None`` keeps all).

    Raises
    ------
    InputError
        When ``movement`` is not installed (install the ``[pose]`` extra), or the file is not a
        DeepLabCut/SLEAP file.
    """
    path = Path(path)
    load_poses = _movement()
    software = source_software or _SOFTWARE.get(path.suffix.lower())
    tried = [software] if software else ["DeepLabCut", "SLEAP"]
    last: Exception | None = None
    for sw in tried:
        try:
            ds = load_poses.from_file(path, source_software=sw, fps=fps)
            break
        except Exception as exc:  # noqa: BLE001 - movement raises per-format errors
            last = exc
    else:
        raise InputError(
            f"Expected a DeepLabCut or SLEAP pose file, but movement could not read it: {last}",
            file=path,
        )
    return tracks_from_movement(
        ds,
        path=path,
        keypoint=keypoint,
        individual=individual,
        min_confidence=min_confidence,
        trial_id=trial_id,
    )

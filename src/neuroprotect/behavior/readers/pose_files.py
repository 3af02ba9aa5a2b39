"""Pose-estimation files read into one keypoint layout: DeepLabCut (.csv, .h5) and SLEAP (.h5).

Read directly with pandas and h5py (the ``[pose]`` extra: ``h5py`` and ``tables``, both BSD)
rather than through ``movement``, whose install pulls in Qt/napari video packages: the two file
layouts are small and documented, and this keeps the extra light enough for every CI run.

* **DeepLabCut CSV**: header rows ``scorer``, (``individuals``,) ``bodyparts``, ``coords``, then
  one row per frame; the first column(s) are the frame index (predictions) or the image path
  (``CollectedData_*.csv`` labels, which have no likelihood: a label counts as certain).
* **DeepLabCut H5**: the same table written by pandas (``df_with_missing``); needs ``tables``.
* **SLEAP analysis H5** (``File > Export Analysis HDF5`` or ``sleap-convert --format analysis``):
  datasets ``tracks`` (n_tracks x 2 x n_nodes x n_frames, or the order named in its ``dims``
  attribute), ``node_names``, ``point_scores``. SLEAP ``.slp`` project files are not read: export
  the analysis file from them.

Only single-animal files are accepted (one individual / one track); positions are in pixels.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

__all__ = ["PoseData", "load_pose_file", "looks_like_dlc_csv", "h5_kind"]

_COORDS = ("x", "y", "likelihood")


@dataclass(frozen=True)
class PoseData:
    """Keypoints of one animal: ``xy`` (n_frames x n_keypoints x 2, pixels, NaN where absent),
    ``likelihood`` (n_frames x n_keypoints, 1 for human labels), ``frame`` (frame numbers)."""

    keypoints: tuple[str, ...]
    xy: np.ndarray
    likelihood: np.ndarray
    frame: np.ndarray
    software: str
    fps: float | None = None


def _pose_extra(module: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise InputError(
            f"Expected the optional package {module!r} to read DeepLabCut/SLEAP .h5 files, but it "
            "is not installed; install it with: pip install 'neuroprotect[pose]'"
        ) from None


def looks_like_dlc_csv(head: str) -> bool:
    """True when a text file starts with DeepLabCut's ``scorer`` header row."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].split(",", 1)[0].strip().strip('"').lower()
    return first == "scorer"


def h5_kind(path: Path) -> str | None:
    """``"sleap"``, ``"deeplabcut"`` or None for an HDF5 file that is neither (or not HDF5)."""
    h5py = _pose_extra("h5py")
    try:
        with h5py.File(path, "r") as f:
            keys = set(f.keys())
            if {"tracks", "node_names"} <= keys:
                return "sleap"
            if any(isinstance(f[k], h5py.Group) and "table" in f[k] for k in keys):
                return "deeplabcut"
            if any(isinstance(f[k], h5py.Group) and "axis0" in f[k] for k in keys):
                return "deeplabcut"
    except OSError:
        return None
    return None


def _from_columns(
    columns: list[tuple[str, ...]], values: np.ndarray, frame: np.ndarray, path: Path
) -> PoseData:
    """Build PoseData from DeepLabCut column tuples (…, [individual,] bodypart, coord)."""
    if columns and len(columns[0]) == 4:
        individuals = list(dict.fromkeys(c[1] for c in columns))
        if len(individuals) > 1:
            raise InputError(
                "Expected a single-animal DeepLabCut file, but it has the individuals "
                f"{', '.join(individuals)}",
                file=path,
            )
    parts = [c[-2] for c in columns]
    coords = [str(c[-1]).lower() for c in columns]
    bad = [c for c in coords if c not in _COORDS]
    if bad:
        raise InputError(
            f"Expected DeepLabCut coords x, y, likelihood, but got {bad[0]!r}",
            file=path,
            field="coords",
        )
    keypoints = tuple(dict.fromkeys(parts))
    n = values.shape[0]
    xy = np.full((n, len(keypoints), 2), np.nan)
    lik = np.ones((n, len(keypoints)))
    seen: set[tuple[str, str]] = set()
    for j, (part, coord) in enumerate(zip(parts, coords, strict=True)):
        k = keypoints.index(part)
        seen.add((part, coord))
        if coord == "likelihood":
            lik[:, k] = values[:, j]
        else:
            xy[:, k, 0 if coord == "x" else 1] = values[:, j]
    for part in keypoints:
        if (part, "x") not in seen or (part, "y") not in seen:
            raise InputError(
                f"Expected x and y columns for keypoint {part!r}, but one is missing",
                file=path,
                field="coords",
            )
    return PoseData(keypoints, xy, lik, frame, "DeepLabCut")


def _read_dlc_csv(path: Path) -> PoseData:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or rows[0][0].strip().lower() != "scorer":
        raise InputError(
            "Expected a DeepLabCut csv starting with a 'scorer' header row, but got "
            f"{(rows[0][:1] if rows else '')!r}",
            file=path,
        )
    n_header = next(
        (i + 1 for i, r in enumerate(rows[:5]) if r and r[0].strip().lower() == "coords"), None
    )
    if n_header is None:
        raise InputError(
            "Expected DeepLabCut header rows scorer, bodyparts, coords, but 'coords' is missing",
            file=path,
        )
    coords_row = rows[n_header - 1]
    n_index = next((j for j, c in enumerate(coords_row) if j and c.strip() in _COORDS), 1)
    header = rows[:n_header]
    columns = [tuple(r[j].strip() for r in header[:]) for j in range(n_index, len(coords_row))]
    data = [r for r in rows[n_header:] if any(c.strip() for c in r)]
    if not data:
        raise InputError("Expected at least one frame row, but the file has none", file=path)
    values = np.full((len(data), len(columns)), np.nan)
    for i, r in enumerate(data):
        for j in range(len(columns)):
            cell = r[n_index + j].strip() if n_index + j < len(r) else ""
            if cell in ("", "nan", "NaN", "NA"):
                continue
            try:
                values[i, j] = float(cell)
            except ValueError:
                raise InputError(
                    f"Expected a number, but got {cell!r}",
                    file=path,
                    row=n_header + i + 1,
                    field="/".join(columns[j][-2:]),
                ) from None
    first = [r[0].strip() for r in data]
    try:
        frame = np.array([int(float(v)) for v in first])
    except ValueError:  # labelled images (CollectedData): frames in row order
        frame = np.arange(len(data))
    return _from_columns(columns, values, frame, path)


def _read_dlc_h5(path: Path) -> PoseData:
    _pose_extra("tables")
    try:
        df = pd.read_hdf(path)
    except Exception as exc:  # noqa: BLE001 - pandas/PyTables raise many kinds
        raise InputError(
            f"Expected a DeepLabCut .h5 table, but pandas could not read it: {exc}", file=path
        ) from None
    if not isinstance(df, pd.DataFrame) or not isinstance(df.columns, pd.MultiIndex):
        raise InputError(
            "Expected a DeepLabCut .h5 table with (scorer, bodyparts, coords) columns", file=path
        )
    columns = [tuple(str(v) for v in c) for c in df.columns]
    try:
        frame = np.asarray(df.index, dtype=int)
    except (TypeError, ValueError):
        frame = np.arange(len(df))
    return _from_columns(columns, df.to_numpy(dtype=float), frame, path)


def _decode(values: Any) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.asarray(values).ravel()]


def _read_sleap_h5(path: Path) -> PoseData:
    h5py = _pose_extra("h5py")
    with h5py.File(path, "r") as f:
        if "tracks" not in f or "node_names" not in f:
            raise InputError(
                "Expected a SLEAP analysis .h5 file with 'tracks' and 'node_names', but they are "
                "missing",
                file=path,
            )
        nodes = tuple(_decode(f["node_names"][()]))
        tracks = np.asarray(f["tracks"][()], dtype=float)
        dims_attr = f["tracks"].attrs.get("dims")
        scores = np.asarray(f["point_scores"][()], dtype=float) if "point_scores" in f else None
        score_dims = f["point_scores"].attrs.get("dims") if "point_scores" in f else None
        fps = next((float(f.attrs[k]) for k in ("fps", "frame_rate") if k in f.attrs), None)
    order = ["tracks", "xy", "nodes", "frames"]  # SLEAP's classic (MATLAB) layout
    if dims_attr is not None:
        order = [
            str(d)
            for d in json.loads(dims_attr if isinstance(dims_attr, str) else dims_attr.decode())
        ]
    want = ["frames", "tracks", "nodes", "xy"]
    if sorted(order) != sorted(want) or tracks.ndim != 4:
        raise InputError(
            f"Expected SLEAP 'tracks' with 4 axes (tracks, xy, nodes, frames), but got shape "
            f"{tracks.shape}",
            file=path,
        )
    tracks = np.transpose(tracks, [order.index(d) for d in want])
    if tracks.shape[2] != len(nodes) or tracks.shape[3] != 2:
        raise InputError(
            f"Expected 'tracks' to match {len(nodes)} node names and x, y, but got shape "
            f"{tracks.shape}",
            file=path,
        )
    if tracks.shape[1] != 1:
        raise InputError(
            f"Expected a single-animal SLEAP file (one track), but it has {tracks.shape[1]}",
            file=path,
        )
    xy = tracks[:, 0]
    lik = np.ones(xy.shape[:2])
    if scores is not None:
        s_order = ["tracks", "nodes", "frames"]
        if score_dims is not None:
            raw = score_dims if isinstance(score_dims, str) else score_dims.decode()
            s_order = [str(d) for d in json.loads(raw)]
        scores = np.transpose(scores, [s_order.index(d) for d in ("frames", "tracks", "nodes")])
        lik = scores[:, 0]
    return PoseData(nodes, xy, lik, np.arange(xy.shape[0]), "SLEAP", fps)


def load_pose_file(path: str | Path, *, software: str | None = None) -> PoseData:
    """Read a DeepLabCut (.csv/.h5) or SLEAP analysis (.h5) file.

    Parameters
    ----------
    path
        The file (only read).
    software
        ``"deeplabcut"`` or ``"sleap"``; default from the file (csv: DeepLabCut; h5: by content).

    Raises
    ------
    InputError
        A ``.slp`` project file, a file of neither layout, a multi-animal file, text where a
        number is expected, or ``[pose]`` not installed for .h5 files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".slp":
        raise InputError(
            "Expected a SLEAP analysis .h5 file, but got a .slp project; export it with "
            "File > Export Analysis HDF5 (or: sleap-convert --format analysis FILE.slp)",
            file=path,
        )
    kind = (software or "").lower() or None
    if suffix in (".csv", ".txt") and kind in (None, "deeplabcut"):
        return _read_dlc_csv(path)
    if suffix not in (".h5", ".hdf5"):
        raise InputError(
            f"Expected a DeepLabCut .csv/.h5 or SLEAP analysis .h5 file, but got {suffix!r}",
            file=path,
        )
    kind = kind or h5_kind(path)
    if kind == "sleap":
        return _read_sleap_h5(path)
    if kind == "deeplabcut":
        return _read_dlc_h5(path)
    raise InputError(
        "Expected a DeepLabCut .h5 table or a SLEAP analysis .h5 file, but found neither layout",
        file=path,
    )

"""Track readers, registered per format with a validator that recognises the format.

Every reader returns ``(tracks, meta)``:

* ``tracks``: one long DataFrame, ``trial_id, time_s, x_cm, y_cm``, in the file's coordinate units
  (EthoVision and Rtrack exports are in cm; otherwise set ``cm_per_unit`` in the arena file);
* ``meta``: one row per trial, ``trial_id, source_file, format, n_samples, n_missing`` (plus
  ``animal_id``/``trial``/``day`` when the file's header has them).

Missing samples (``-``, ``NA``, empty, low pose confidence) are dropped and counted in
``n_missing``; they are never interpolated.

Formats: ``ethovision3``, ``ethovision_xt``, ``rtrack_raw``, ``anymaze``, ``generic``
(``time_s, x, y`` csv; reader in :mod:`neuroprotect.behavior.readers.generic`), ``deeplabcut``
and ``sleap`` (pose files, :mod:`neuroprotect.behavior.readers.pose`; .h5 files need the
optional ``[pose]`` extra); ``pose`` means either, decided by the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.behavior.readers._common import MISSING_BEFORE
from neuroprotect.behavior.readers.anymaze import looks_like_anymaze, read_anymaze
from neuroprotect.behavior.readers.ethovision3 import looks_like_ethovision3, read_ethovision3
from neuroprotect.behavior.readers.ethovision_xt import (
    looks_like_ethovision_xt,
    read_ethovision_xt,
)
from neuroprotect.behavior.readers.fast import FastTrack, fast_tracks_frame, read_ethovision3_fast
from neuroprotect.behavior.readers.pose import PoseOptions
from neuroprotect.behavior.readers.pose_files import looks_like_dlc_csv
from neuroprotect.behavior.readers.rtrack import looks_like_rtrack_raw, read_rtrack_raw
from neuroprotect.behavior.tracks import TRACK_COLUMNS
from neuroprotect.errors import InputError
from neuroprotect.io.batch import Batch

__all__ = [
    "TrackFormat",
    "FORMATS",
    "register_format",
    "read_tracks",
    "read_many_tracks",
    "detect_format",
    "resolve_format",
    "format_names",
    "PoseOptions",
    "POSE_FORMATS",
]

#: Columns every reader's ``meta`` has.
META_COLUMNS = ["trial_id", "source_file", "format", "n_samples", "n_missing"]

Reader = Callable[..., tuple[pd.DataFrame, pd.DataFrame]]
Validator = Callable[[Path, str], bool]


@dataclass(frozen=True)
class TrackFormat:
    """A registered track format: its reader, its validator and the file suffixes it takes."""

    name: str
    read: Reader
    looks_like: Validator
    suffixes: tuple[str, ...]
    description: str = ""


FORMATS: dict[str, TrackFormat] = {}


def register_format(fmt: TrackFormat) -> TrackFormat:
    """Add (or replace) a format in the registry; auto-detection tries formats in order of registration."""
    FORMATS[fmt.name] = fmt
    return fmt


# --- generic csv (time_s, x, y): reader in neuroprotect.behavior.readers.generic ---------------
def _read_generic(path: Path, *, trial_id: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adapter: the generic reader keeps missing samples as NaN rows; drop and count them here."""
    from neuroprotect.behavior.readers.generic import read_generic_csv

    tracks = read_generic_csv(path)
    if trial_id is not None and tracks["trial_id"].nunique() == 1:
        tracks = tracks.assign(trial_id=trial_id)
    missing = tracks[["time_s", "x_cm", "y_cm"]].isna().any(axis=1)
    counts = missing.groupby(tracks["trial_id"], sort=False).agg(["size", "sum"])
    meta = pd.DataFrame(
        {
            "trial_id": counts.index.astype(str),
            "source_file": str(path),
            "format": "generic",
            "n_samples": (counts["size"] - counts["sum"]).to_numpy(dtype=int),
            "n_missing": counts["sum"].to_numpy(dtype=int),
        }
    )
    ok = ~missing.to_numpy()
    kept = tracks.loc[ok, ["trial_id", "time_s", "x_cm", "y_cm"]].reset_index(drop=True)
    kept["trial_id"] = kept["trial_id"].astype(str)
    # missing samples just before each kept row, per trial (a gap stays known after the drop)
    missed = pd.Series((~ok).astype(int)).groupby(tracks["trial_id"].to_numpy(), sort=False)
    cum = missed.cumsum().to_numpy()[ok]
    starts = np.r_[True, kept["trial_id"].to_numpy()[1:] != kept["trial_id"].to_numpy()[:-1]]
    kept[MISSING_BEFORE] = np.where(starts, cum, np.diff(np.r_[0, cum])).astype(int)
    return kept, meta


def _looks_like_generic(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0].lower().replace('"', "") if head.strip() else ""
    cols = [c.strip() for c in first.split(",")]
    return "x" in cols and "y" in cols and any(c in ("time_s", "time") for c in cols)


def _read_pose_as(software: str | None) -> Reader:
    def read(
        path: Path, *, trial_id: str | None = None, pose: PoseOptions | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        from neuroprotect.behavior.readers.pose import read_pose

        opts = pose or PoseOptions()
        if software is not None:
            opts = replace(opts, software=software)
        return read_pose(path, options=opts, trial_id=trial_id)

    return read


def _looks_like_deeplabcut(path: Path, head: str) -> bool:
    if path.suffix.lower() in (".h5", ".hdf5"):
        from neuroprotect.behavior.readers.pose_files import h5_kind

        return h5_kind(path) == "deeplabcut"
    return looks_like_dlc_csv(head)


def _looks_like_sleap(path: Path, head: str) -> bool:
    if path.suffix.lower() == ".slp":
        return True  # the reader explains that the analysis .h5 export is needed
    from neuroprotect.behavior.readers.pose_files import h5_kind

    return h5_kind(path) == "sleap"


register_format(
    TrackFormat(
        "ethovision_xt",
        read_ethovision_xt,
        looks_like_ethovision_xt,
        (".csv", ".txt", ".xlsx"),
        "EthoVision XT raw-data export",
    )
)
register_format(
    TrackFormat(
        "ethovision3",
        read_ethovision3,
        looks_like_ethovision3,
        (".csv", ".txt"),
        "EthoVision 3.x track export",
    )
)
register_format(
    TrackFormat("anymaze", read_anymaze, looks_like_anymaze, (".csv",), "ANY-maze position csv")
)
register_format(
    TrackFormat(
        "rtrack_raw",
        read_rtrack_raw,
        looks_like_rtrack_raw,
        (".tab", ".txt", ".csv"),
        "Rtrack raw time/x/y",
    )
)
register_format(
    TrackFormat("generic", _read_generic, _looks_like_generic, (".csv", ".tsv"), "time_s, x, y csv")
)
register_format(
    TrackFormat(
        "deeplabcut",
        _read_pose_as("deeplabcut"),
        _looks_like_deeplabcut,
        (".csv", ".h5", ".hdf5"),
        "DeepLabCut single-animal .csv/.h5 (pixels; .h5 needs the [pose] extra)",
    )
)
register_format(
    TrackFormat(
        "sleap",
        _read_pose_as("sleap"),
        _looks_like_sleap,
        (".h5", ".hdf5", ".slp"),
        "SLEAP analysis .h5 (pixels; needs the [pose] extra)",
    )
)
#: ``pose`` = DeepLabCut or SLEAP, decided by the file (kept for older study files).
POSE_FORMATS = ("deeplabcut", "sleap", "pose")
_POSE_ALIAS = TrackFormat(
    "pose", _read_pose_as(None), lambda p, h: False, (), "DeepLabCut or SLEAP, from the file"
)


def _head(path: Path) -> str:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".h5", ".hdf5", ".slp"):
        return ""
    with path.open("rb") as fh:
        raw = fh.read(8192)
    return raw.decode("utf-8-sig", errors="replace")


def detect_format(path: str | PathLike[str]) -> str:
    """Name of the registered format whose validator accepts the file.

    Raises
    ------
    InputError
        When no registered format recognises the file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("Expected an existing track file, but it was not found", file=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "ethovision_xt"
    return _detect_from_head(path, _head(path))


def _detect_from_head(path: Path, head: str) -> str:
    """:func:`detect_format` on the first 8 KiB of a text file already read."""
    for fmt in FORMATS.values():
        if path.suffix.lower() in fmt.suffixes and fmt.looks_like(path, head):
            return fmt.name
    raise InputError(
        f"Expected a track file in one of the formats {', '.join(FORMATS)}, but could not "
        "recognise it (give the format with --format, or format: in study.yaml)",
        file=path,
    )


def format_names() -> list[str]:
    """Names accepted by ``format=``: ``auto``, the registered formats and ``pose``."""
    return ["auto", *FORMATS, "pose"]


def resolve_format(path: str | PathLike[str], format: str = "auto") -> str:
    """The registered format a file is read with (``auto`` detects it)."""
    if format not in format_names():
        raise InputError(
            f"Expected a format among {', '.join(format_names())}, but got {format!r}",
            field="format",
        )
    return detect_format(path) if format == "auto" else format


def read_tracks(
    path: str | PathLike[str],
    *,
    format: str = "auto",
    trial_id: str | None = None,
    fps: float | None = None,
    pose: PoseOptions | None = None,
    keep_gaps: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one track file.

    Parameters
    ----------
    path
        The file.
    format
        A name in :data:`FORMATS` (or ``pose``: DeepLabCut or SLEAP), or ``"auto"`` to detect it
        from the file's first lines.
    trial_id
        Identifier for a single-track file (default the file stem).
    fps
        Frame rate of pose files (DeepLabCut/SLEAP store frames, not seconds); ignored otherwise.
    pose
        :class:`~neuroprotect.behavior.readers.pose.PoseOptions` for pose files (body keypoints,
        likelihood threshold, jump gate); ignored otherwise.
    keep_gaps
        Keep the column ``n_missing_before`` (missing samples dropped just before each row), so
        that steps across gaps are not counted as distance downstream.

    Returns
    -------
    tracks
        ``trial_id, time_s, x_cm, y_cm`` (+ ``n_missing_before`` with ``keep_gaps``).
    meta
        ``trial_id, source_file, format, n_samples, n_missing`` (+ header fields; pose files add
        ``fps, body_point, n_low_likelihood, n_jumps, dropped_fraction``).
    """
    path = Path(path)
    name = resolve_format(path, format)
    if not path.is_file():
        raise InputError("Expected an existing track file, but it was not found", file=path)
    if name in POSE_FORMATS:
        opts = pose or PoseOptions()
        if fps is not None:
            opts = replace(opts, fps=fps)
        reader = _POSE_ALIAS if name == "pose" else FORMATS[name]
        tracks, meta = reader.read(path, trial_id=trial_id, pose=opts)
    else:
        tracks, meta = FORMATS[name].read(path, trial_id=trial_id)
    if not keep_gaps and MISSING_BEFORE in tracks:
        tracks = tracks.drop(columns=MISSING_BEFORE)
    return tracks, meta


def read_many_tracks(
    paths: Iterable[str | PathLike[str]],
    *,
    format: str = "auto",
    fps: float | None = None,
    pose: PoseOptions | None = None,
    batch: Batch | None = None,
    fast: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read several files into one track table with unique ``trial_id`` values.

    A trial is named by its file stem; when stems repeat (``set1/day1_0001_00.csv`` and
    ``set2/day1_0001_00.csv``) the parent folders are prefixed until the names are unique.
    With a :class:`~neuroprotect.io.batch.Batch`, a file that cannot be read is skipped (its
    reason recorded in the batch) instead of stopping the others; an unknown ``format`` still
    stops them.

    EthoVision 3 files are read on a fast path (:mod:`neuroprotect.behavior.readers.fast`: one
    parse for the whole batch) that gives exactly what the per-file readers give; ``fast=False``
    reads every file with its own reader (the earlier implementation, kept for comparison).
    """
    path_list = [Path(p) for p in paths]
    if not path_list:
        raise InputError("Expected at least one track file, but got none")
    names = [p.stem for p in path_list]
    depth = 0
    while len(set(names)) < len(names) and depth < 6:
        depth += 1
        names = ["/".join([*p.parent.parts[-depth:], p.stem]) for p in path_list]
    if format not in format_names():  # an option, not a file: stop the batch
        raise InputError(
            f"Expected a format among {', '.join(format_names())}, but got {format!r}",
            field="format",
        )
    quick = _read_fast(path_list, names, format) if fast else {}
    tracks, metas = [], []
    run: list[FastTrack] = []  # consecutive fast-path files, made into one frame

    def flush() -> None:
        if run:
            t, m = fast_tracks_frame(run)
            tracks.append(t)
            metas.append(m)
            run.clear()

    for i, (p, name) in enumerate(zip(path_list, names, strict=True)):
        if i in quick:
            run.append(quick[i])
            continue
        flush()
        with batch.item(p, count=False) if batch is not None else nullcontext():
            t, m = read_tracks(p, format=format, trial_id=name, fps=fps, pose=pose)
            tracks.append(t)
            metas.append(m)
    flush()
    if not metas:  # every file skipped (the batch says why)
        return pd.DataFrame(columns=list(TRACK_COLUMNS)), pd.DataFrame(columns=META_COLUMNS)
    meta = pd.concat(metas, ignore_index=True) if len(metas) > 1 else metas[0]
    dup = meta["trial_id"].duplicated()
    if dup.any():
        raise InputError(
            f"Expected unique trial ids, but {meta.loc[dup, 'trial_id'].iloc[0]!r} repeats"
        )
    return (pd.concat(tracks, ignore_index=True) if len(tracks) > 1 else tracks[0]), meta


def _read_fast(paths: list[Path], names: list[str], format: str) -> dict[int, FastTrack]:
    """Files of a batch read on the fast path (EthoVision 3 csv), by position in the batch.

    Each file is read once; the format is detected from its first 8 KiB as :func:`detect_format`
    does. Files the fast path does not take are left to :func:`read_tracks`.
    """
    if format not in ("auto", "ethovision3"):
        return {}
    candidates = []
    for i, (p, name) in enumerate(zip(paths, names, strict=True)):
        suffix = p.suffix.lower()
        if suffix not in FORMATS["ethovision3"].suffixes:
            continue
        try:
            raw = p.read_bytes()
        except OSError:
            continue  # read_tracks reports it
        if format == "auto":
            head = raw[:8192].decode("utf-8-sig", errors="replace")
            try:
                if _detect_from_head(p, head) != "ethovision3":
                    continue
            except InputError:
                continue
        candidates.append((i, p, name, raw))
    return read_ethovision3_fast(candidates) if candidates else {}

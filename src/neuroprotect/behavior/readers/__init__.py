"""Track readers, registered per format with a validator that recognises the format.

Every reader returns ``(tracks, meta)``:

* ``tracks``: one long DataFrame, ``trial_id, time_s, x_cm, y_cm``, in the file's coordinate units
  (EthoVision and Rtrack exports are in cm; otherwise set ``cm_per_unit`` in the arena file);
* ``meta``: one row per trial, ``trial_id, source_file, format, n_samples, n_missing`` (plus
  ``animal_id``/``trial``/``day`` when the file's header has them).

Missing samples (``-``, ``NA``, empty, low pose confidence) are dropped and counted in
``n_missing``; they are never interpolated.

Formats: ``ethovision3``, ``ethovision_xt``, ``rtrack_raw``, ``anymaze``, ``generic``
(``time_s, x, y`` csv; reader in :mod:`neuroprotect.behavior.readers.generic`), ``pose``
(DeepLabCut/SLEAP, optional ``[pose]`` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd

from neuroprotect.behavior.readers.anymaze import looks_like_anymaze, read_anymaze
from neuroprotect.behavior.readers.ethovision3 import looks_like_ethovision3, read_ethovision3
from neuroprotect.behavior.readers.ethovision_xt import (
    looks_like_ethovision_xt,
    read_ethovision_xt,
)
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
    kept = tracks.loc[~missing, ["trial_id", "time_s", "x_cm", "y_cm"]].reset_index(drop=True)
    kept["trial_id"] = kept["trial_id"].astype(str)
    return kept, meta


def _looks_like_generic(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0].lower().replace('"', "") if head.strip() else ""
    cols = [c.strip() for c in first.split(",")]
    return "x" in cols and "y" in cols and any(c in ("time_s", "time") for c in cols)


def _read_pose(
    path: Path, *, trial_id: str | None = None, fps: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from neuroprotect.behavior.readers.pose import read_pose

    return read_pose(path, trial_id=trial_id, fps=fps)


def _looks_like_pose(path: Path, head: str) -> bool:
    if path.suffix.lower() in (".h5", ".slp"):
        return True
    return head.startswith("scorer")  # DeepLabCut csv


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
    TrackFormat("generic", _read_generic, _looks_like_generic, (".csv",), "time_s, x, y csv")
)
register_format(
    TrackFormat(
        "pose",
        _read_pose,
        _looks_like_pose,
        (".h5", ".slp", ".csv"),
        "DeepLabCut/SLEAP via movement",
    )
)


def _head(path: Path) -> str:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".h5", ".slp"):
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
    head = _head(path)
    for fmt in FORMATS.values():
        if path.suffix.lower() in fmt.suffixes and fmt.looks_like(path, head):
            return fmt.name
    raise InputError(
        f"Expected a track file in one of the formats {', '.join(FORMATS)}, but could not recognise "
        "it; pass --format",
        file=path,
    )


def read_tracks(
    path: str | PathLike[str],
    *,
    format: str = "auto",
    trial_id: str | None = None,
    fps: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one track file.

    Parameters
    ----------
    path
        The file.
    format
        A name in :data:`FORMATS`, or ``"auto"`` to detect it from the file's first lines.
    trial_id
        Identifier for a single-track file (default the file stem).
    fps
        Frame rate of pose files (DeepLabCut/SLEAP store frames, not seconds); ignored otherwise.

    Returns
    -------
    tracks
        ``trial_id, time_s, x_cm, y_cm``.
    meta
        ``trial_id, source_file, format, n_samples, n_missing`` (+ header fields).
    """
    path = Path(path)
    name = detect_format(path) if format == "auto" else format
    if name not in FORMATS:
        raise InputError(
            f"Expected a format among auto, {', '.join(FORMATS)}, but got {format!r}",
            field="format",
        )
    if not path.is_file():
        raise InputError("Expected an existing track file, but it was not found", file=path)
    if name == "pose":
        return FORMATS[name].read(path, trial_id=trial_id, fps=fps)
    return FORMATS[name].read(path, trial_id=trial_id)


def read_many_tracks(
    paths: Iterable[str | PathLike[str]],
    *,
    format: str = "auto",
    fps: float | None = None,
    batch: Batch | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read several files into one track table with unique ``trial_id`` values.

    A trial is named by its file stem; when stems repeat (``set1/day1_0001_00.csv`` and
    ``set2/day1_0001_00.csv``) the parent folders are prefixed until the names are unique.
    With a :class:`~neuroprotect.io.batch.Batch`, a file that cannot be read is skipped (its
    reason recorded in the batch) instead of stopping the others; an unknown ``format`` still
    stops them.
    """
    path_list = [Path(p) for p in paths]
    if not path_list:
        raise InputError("Expected at least one track file, but got none")
    names = [p.stem for p in path_list]
    depth = 0
    while len(set(names)) < len(names) and depth < 6:
        depth += 1
        names = ["/".join([*p.parent.parts[-depth:], p.stem]) for p in path_list]
    if format != "auto" and format not in FORMATS:  # an option, not a file: stop the batch
        raise InputError(
            f"Expected a format among auto, {', '.join(FORMATS)}, but got {format!r}",
            field="format",
        )
    tracks, metas = [], []
    for p, name in zip(path_list, names, strict=True):
        with batch.item(p, count=False) if batch is not None else nullcontext():
            t, m = read_tracks(p, format=format, trial_id=name, fps=fps)
            tracks.append(t)
            metas.append(m)
    if not metas:  # every file skipped (the batch says why)
        return pd.DataFrame(columns=list(TRACK_COLUMNS)), pd.DataFrame(columns=META_COLUMNS)
    meta = pd.concat(metas, ignore_index=True)
    dup = meta["trial_id"].duplicated()
    if dup.any():
        raise InputError(
            f"Expected unique trial ids, but {meta.loc[dup, 'trial_id'].iloc[0]!r} repeats"
        )
    return pd.concat(tracks, ignore_index=True), meta

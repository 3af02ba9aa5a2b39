"""Per-trial checks of a batch of tracks: which trials can be analysed, and why the others cannot.

A batch of track files (one lab's hundreds of trials) is analysed trial by trial: a trial with
too few tracked samples, or whose track lies outside the pool, is skipped with its reason through
a :class:`~neuroprotect.io.batch.Batch` (see :mod:`neuroprotect.io.batch`); the others are
analysed. Without a batch the first such trial is an error, as before.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze, check_track_in_arena
from neuroprotect.errors import InputError
from neuroprotect.io.batch import Batch

__all__ = ["MIN_TRACK_SAMPLES", "check_track_samples", "usable_trials"]

#: Fewest tracked positions a trial needs: one step (two positions) for a path, a speed, a heading.
#: A short trial is not refused for being short (a rat can find the platform in 2 s).
MIN_TRACK_SAMPLES = 2


def check_track_samples(
    tracks: pd.DataFrame,
    *,
    file: str | PathLike[str] | None = None,
    min_samples: int = MIN_TRACK_SAMPLES,
) -> None:
    """Raise when a trial of ``tracks`` has fewer than ``min_samples`` tracked positions.

    Missing samples (NaN ``x_cm``/``y_cm``) do not count. An empty table is "no samples".
    """
    valid = tracks.dropna(subset=["x_cm", "y_cm"]) if len(tracks) else tracks
    if valid.empty:
        raise InputError("Expected tracked samples, but the track has none", file=file)
    counts = valid.groupby("trial_id", sort=False).size()
    for tid in tracks["trial_id"].drop_duplicates():
        n = int(counts.get(tid, 0))
        if n < min_samples:
            raise InputError(
                f"Expected at least {min_samples} tracked samples in trial {tid}, but got {n}",
                file=file,
            )


def usable_trials(
    tracks: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    batch: Batch,
    arena: ArenaWaterMaze | None = None,
    min_samples: int = MIN_TRACK_SAMPLES,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trials of ``tracks``/``meta`` that pass the per-trial checks; the others go to ``batch``.

    Checks, per trial (``meta`` row, named by its ``source_file``): at least ``min_samples``
    tracked samples, and, with ``arena``, a track inside the pool
    (:func:`~neuroprotect.behavior.arena.check_track_in_arena`).

    Returns
    -------
    (tracks, meta)
        Only the usable trials, in their original order.
    """
    keep: list[str] = []
    # each trial's rows as one slice of arrays sorted by trial (stable: sample order kept); a
    # DataFrame per trial cost more than the checks themselves on batches of a thousand trials
    codes, uniques = pd.factorize(tracks["trial_id"], sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    where = {tid: k for k, tid in enumerate(uniques)}
    xs = tracks["x_cm"].to_numpy()[order]
    ys = tracks["y_cm"].to_numpy()[order]
    tracked = (pd.notna(tracks["x_cm"]).to_numpy() & pd.notna(tracks["y_cm"]).to_numpy())[order]
    labels = meta["label"].astype(str) if "label" in meta else meta["trial_id"].astype(str)
    for tid, source, label in zip(meta["trial_id"], meta["source_file"], labels, strict=True):
        k = where.get(tid)
        rows = slice(0, 0) if k is None else slice(bounds[k], bounds[k + 1])
        # name the trial when the file alone does not (a file of several trials, a study's label)
        named = label != str(tid) or Path(str(source)).stem not in str(tid)
        with batch.item(str(source), trial=label if named else None):
            n = int(tracked[rows].sum())
            if n < min_samples:
                raise InputError(
                    f"Expected at least {min_samples} tracked samples, but got {n}"
                    + (" (no samples)" if n == 0 else ""),
                    file=source,
                )
            if arena is not None:
                x = xs[rows].astype(float)
                check_track_in_arena(
                    x,
                    ys[rows].astype(float),
                    arena=arena,
                    trial_ids=np.full(x.size, tid, dtype=object),
                    labels={tid: label} if label != str(tid) else None,
                    file=str(source),
                )
            keep.append(tid)
    chosen = set(keep)
    return (
        tracks[tracks["trial_id"].isin(chosen)].reset_index(drop=True),
        meta[meta["trial_id"].isin(chosen)].reset_index(drop=True),
    )

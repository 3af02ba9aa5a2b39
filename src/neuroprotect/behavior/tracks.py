"""The track layout and the kinematics every maze readout shares.

A **track table** is one long DataFrame, one row per video sample:

==============  =====================================================================
column          meaning
==============  =====================================================================
``trial_id``    trial (or session) the sample belongs to; text
``time_s``      time since the start of the recording, seconds; strictly increasing
                within a trial
``x_cm``        horizontal position, cm (NaN for a missing sample)
``y_cm``        vertical position, cm (NaN for a missing sample)
``likelihood``  optional pose-estimation confidence in [0, 1]
==============  =====================================================================

Missing samples (the tracker lost the animal: EthoVision writes ``-``, DeepLabCut gives a low
likelihood) are rows with NaN ``x_cm``/``y_cm``. They are never interpolated. Every step is
measured between two consecutive *valid* samples; a step that spans one or more missing samples
(a **gap**) is not counted as a straight line unless the user asks for it with
``bridge_gaps=True``. This is what EthoVision does: its ``Distance moved`` is ``-`` on the first
sample after a gap. :func:`drop_missing_samples` removes the NaN rows and keeps, on each
remaining row, how many samples were dropped just before it, so a gap is still known after the
drop.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

__all__ = [
    "TRACK_COLUMNS",
    "validate_tracks",
    "mask_low_likelihood",
    "drop_missing_samples",
    "compute_step_lengths",
    "compute_speed",
    "compute_path_length",
]

#: Required columns of a track table, in order.
TRACK_COLUMNS: tuple[str, ...] = ("trial_id", "time_s", "x_cm", "y_cm")
#: Optional column added by :func:`drop_missing_samples`.
MISSING_BEFORE = "n_missing_before"


def validate_tracks(
    tracks: pd.DataFrame, *, file: str | PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a track table and return a clean copy.

    Parameters
    ----------
    tracks
        Track table (see the module docstring). Rows of one trial must be contiguous.
    file
        File named in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy with ``trial_id`` as text and the numeric columns as float (``likelihood`` and
        ``n_missing_before`` kept when present), index reset.

    Raises
    ------
    InputError
        Missing column; non-numeric or missing time; time not strictly increasing within a trial;
        a sample with only one of x and y; a likelihood outside [0, 1]; a trial whose rows are
        not contiguous. Rows in messages are 1-based positions in the table.
    """
    missing = [c for c in TRACK_COLUMNS if c not in tracks.columns]
    if missing:
        raise InputError(
            f"Expected the track columns {', '.join(TRACK_COLUMNS)}, but {missing[0]!r} is "
            f"missing (columns: {', '.join(map(str, tracks.columns))})",
            file=file,
            field=missing[0],
        )
    if tracks.empty:
        raise InputError("Expected at least one sample, but the track table is empty", file=file)
    keep = list(TRACK_COLUMNS) + [c for c in ("likelihood", MISSING_BEFORE) if c in tracks]
    out = tracks[keep].reset_index(drop=True).copy()
    if out["trial_id"].isna().any():
        i = int(np.flatnonzero(out["trial_id"].isna().to_numpy())[0])
        raise InputError(
            "Expected a trial id, but the cell is empty", file=file, row=i + 1, field="trial_id"
        )
    out["trial_id"] = out["trial_id"].astype(str)
    for col in keep[1:]:
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() & out[col].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"Expected a number, but got {out[col].iloc[i]!r}", file=file, row=i + 1, field=col
            )
        out[col] = values.astype(float)
    time = out["time_s"].to_numpy()
    if not np.isfinite(time).all():
        i = int(np.flatnonzero(~np.isfinite(time))[0])
        raise InputError(
            "Expected a finite time in seconds, but the time is missing",
            file=file,
            row=i + 1,
            field="time_s",
        )
    x_ok, y_ok = np.isfinite(out["x_cm"].to_numpy()), np.isfinite(out["y_cm"].to_numpy())
    if (x_ok != y_ok).any():
        i = int(np.flatnonzero(x_ok != y_ok)[0])
        raise InputError(
            "Expected both x and y, or neither (a missing sample), but got only one",
            file=file,
            row=i + 1,
            field="x_cm" if not x_ok[i] else "y_cm",
        )
    trial = out["trial_id"].to_numpy()
    starts = np.r_[True, trial[1:] != trial[:-1]]
    if starts.sum() != len(pd.unique(trial)):
        first = pd.Series(trial[starts]).duplicated().to_numpy()
        i = int(np.flatnonzero(starts)[np.flatnonzero(first)[0]])
        raise InputError(
            f"Expected the samples of each trial in one block, but trial {trial[i]!r} starts "
            "again here",
            file=file,
            row=i + 1,
            field="trial_id",
        )
    bad_order = ~starts[1:] & (np.diff(time) <= 0)
    if bad_order.any():
        i = int(np.flatnonzero(bad_order)[0]) + 1
        raise InputError(
            f"Expected time to increase within a trial, but {time[i]:g} s follows "
            f"{time[i - 1]:g} s",
            file=file,
            row=i + 1,
            field="time_s",
        )
    if "likelihood" in out:
        lik = out["likelihood"].to_numpy()
        bad = np.isfinite(lik) & ((lik < 0) | (lik > 1))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"Expected a likelihood between 0 and 1, but got {lik[i]:g}",
                file=file,
                row=i + 1,
                field="likelihood",
            )
    return out


def mask_low_likelihood(tracks: pd.DataFrame, *, min_likelihood: float) -> pd.DataFrame:
    """Mark samples whose pose likelihood is below a threshold as missing (x, y set to NaN).

    Parameters
    ----------
    tracks
        Track table with a ``likelihood`` column.
    min_likelihood
        Samples with ``likelihood < min_likelihood`` (or a missing likelihood) become missing.

    Returns
    -------
    pandas.DataFrame
        A copy; the rows stay, so the missing samples are counted as gaps downstream.
    """
    if "likelihood" not in tracks:
        raise InputError(
            "Expected a 'likelihood' column to filter on, but the tracks have none",
            field="likelihood",
        )
    if not 0 <= min_likelihood <= 1:
        raise InputError(
            f"Expected a likelihood threshold in [0, 1], but got {min_likelihood!r}",
            field="min_likelihood",
        )
    out = tracks.copy()
    low = ~(out["likelihood"].astype(float) >= min_likelihood)
    out.loc[low, ["x_cm", "y_cm"]] = np.nan
    return out


def drop_missing_samples(tracks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop the missing samples and count them.

    Parameters
    ----------
    tracks
        Track table, possibly with NaN positions.

    Returns
    -------
    clean : pandas.DataFrame
        The valid samples with a column ``n_missing_before``: how many samples were dropped
        immediately before this one in the same trial (added to any earlier count). The step
        ending on a row with ``n_missing_before > 0`` is a gap.
    counts : pandas.DataFrame
        One row per trial: ``trial_id, n_samples, n_missing, missing_pct, n_gaps`` (runs of
        consecutive missing samples, including runs at the start or end of a trial).
    """
    t = validate_tracks(tracks)
    miss = ~np.isfinite(t["x_cm"].to_numpy())
    trial = t["trial_id"]
    run_start = pd.Series(miss & ~np.r_[False, miss[:-1]] | (miss & _trial_starts(t)))
    counts = (
        pd.DataFrame({"trial_id": trial, "m": miss, "run": run_start.to_numpy()})
        .groupby("trial_id", sort=False)
        .agg(n_samples=("m", "size"), n_missing=("m", "sum"), n_gaps=("run", "sum"))
        .reset_index()
    )
    counts["n_missing"] = counts["n_missing"].astype(int)
    counts["n_gaps"] = counts["n_gaps"].astype(int)
    counts.insert(3, "missing_pct", 100.0 * counts["n_missing"] / counts["n_samples"])
    before = _missing_before(t, miss)
    clean = t.loc[~miss].copy()
    clean[MISSING_BEFORE] = before[~miss].astype(int)
    return clean.reset_index(drop=True), counts


def _trial_starts(t: pd.DataFrame) -> np.ndarray:
    trial = t["trial_id"].to_numpy()
    return np.r_[True, trial[1:] != trial[:-1]]


def _missing_before(t: pd.DataFrame, miss: np.ndarray) -> np.ndarray:
    """For every row, the missing samples since the previous valid row of its trial (plus any
    ``n_missing_before`` already recorded on the row)."""
    cum = pd.Series(miss.astype(int)).groupby(t["trial_id"].to_numpy(), sort=False).cumsum()
    cum_valid = cum.where(~miss)
    prev = cum_valid.groupby(t["trial_id"].to_numpy(), sort=False).shift(1)
    prev = prev.groupby(t["trial_id"].to_numpy(), sort=False).ffill().fillna(0)
    out = (cum - prev).to_numpy()
    if MISSING_BEFORE in t:
        out = out + t[MISSING_BEFORE].fillna(0).to_numpy()
    return out


def compute_step_lengths(
    tracks: pd.DataFrame,
    *,
    bridge_gaps: bool = False,
    max_interval_s: float | None = None,
) -> pd.DataFrame:
    """Euclidean step between consecutive valid samples of each trial.

    Parameters
    ----------
    tracks
        Track table (missing samples as NaN rows, or dropped with :func:`drop_missing_samples`).
    bridge_gaps
        When True, a step across missing samples is the straight line between the valid samples
        on either side (it is still flagged ``gap``). Default False: its length is NaN, so it
        adds nothing to distances and its time is left out of speeds.
    max_interval_s
        Also treat a step longer than this (seconds) as a gap: useful when a tracker leaves out
        lost samples instead of writing empty rows.

    Returns
    -------
    pandas.DataFrame
        One row per valid sample: ``trial_id, time_s, x_cm, y_cm, dt_s`` (time since the previous
        valid sample; NaN on the first), ``step_cm`` (NaN on the first sample of a trial and on
        unbridged gaps), ``gap`` (bool: the step spans missing samples or exceeds
        ``max_interval_s``).

    Notes
    -----
    s_i = sqrt((x_i - x_{i-1})^2 + (y_i - y_{i-1})^2), computed per trial with a grouped shift.
    Equal to EthoVision's per-sample ``Distance moved``, which is also empty after a gap.
    """
    t = validate_tracks(tracks)
    miss = ~np.isfinite(t["x_cm"].to_numpy())
    before = _missing_before(t, miss)
    v = t.loc[~miss, ["trial_id", "time_s", "x_cm", "y_cm"]].reset_index(drop=True)
    g = v.groupby("trial_id", sort=False)
    dx = v["x_cm"] - g["x_cm"].shift(1)
    dy = v["y_cm"] - g["y_cm"].shift(1)
    dt = v["time_s"] - g["time_s"].shift(1)
    gap = (before[~miss] > 0) & dt.notna().to_numpy()
    if max_interval_s is not None:
        gap |= (dt > max_interval_s).to_numpy()
    step = np.hypot(dx, dy).to_numpy()
    if not bridge_gaps:
        step = np.where(gap, np.nan, step)
    v["dt_s"] = dt.to_numpy()
    v["step_cm"] = step
    v["gap"] = gap
    return v


def compute_speed(
    tracks: pd.DataFrame,
    *,
    bridge_gaps: bool = False,
    max_interval_s: float | None = None,
) -> pd.DataFrame:
    """Instantaneous speed of every step (cm/s).

    Returns
    -------
    pandas.DataFrame
        :func:`compute_step_lengths` plus ``speed_cm_s`` = ``step_cm / dt_s`` (NaN where the step
        is NaN). Equal to EthoVision's per-sample ``Velocity``.
    """
    steps = compute_step_lengths(tracks, bridge_gaps=bridge_gaps, max_interval_s=max_interval_s)
    steps["speed_cm_s"] = steps["step_cm"] / steps["dt_s"]
    return steps


def compute_path_length(
    tracks: pd.DataFrame,
    *,
    bridge_gaps: bool = False,
    max_interval_s: float | None = None,
) -> pd.DataFrame:
    """Path length of every trial, with the missing-data counts that qualify it.

    Returns
    -------
    pandas.DataFrame
        One row per trial (input order): ``trial_id``, ``path_length_cm`` (sum of the counted
        steps), ``duration_s`` (last minus first valid sample), ``tracked_s`` (time covered by
        counted steps, i.e. the duration minus unbridged gaps), ``n_samples`` (rows, valid or
        not), ``n_missing`` (missing samples), ``n_gaps`` (steps across missing samples or longer
        than ``max_interval_s``).

    Notes
    -----
    L = sum_i s_i over the counted steps (Rtrack ``path.length``; EthoVision total distance
    moved). With gaps left unbridged L underestimates the true path by the distance moved while
    the animal was not tracked; ``tracked_s`` says how much time the length covers. On a table
    from :func:`drop_missing_samples`, missing samples after a trial's last valid sample are no
    longer known: take ``n_missing`` from that function's counts table.
    """
    t = validate_tracks(tracks)
    steps = compute_step_lengths(t, bridge_gaps=bridge_gaps, max_interval_s=max_interval_s)
    counted = steps["step_cm"].notna()
    steps["tracked"] = np.where(counted, steps["dt_s"], 0.0)
    g = steps.groupby("trial_id", sort=False)
    out = pd.DataFrame(
        {
            "path_length_cm": g["step_cm"].sum(min_count=0),
            "duration_s": g["time_s"].max() - g["time_s"].min(),
            "tracked_s": g["tracked"].sum(),
            "n_gaps": g["gap"].sum().astype(int),
        }
    )
    raw = t.groupby("trial_id", sort=False)
    sizes = raw.size()
    n_missing = raw["x_cm"].apply(lambda s: int(s.isna().sum()))
    if MISSING_BEFORE in t:
        sizes = sizes + raw[MISSING_BEFORE].sum().astype(int)
        n_missing = n_missing + raw[MISSING_BEFORE].sum().astype(int)
    out = out.reindex(sizes.index)
    out["path_length_cm"] = out["path_length_cm"].fillna(0.0)
    out["n_samples"] = sizes.astype(int)
    out["n_missing"] = n_missing.astype(int)
    out["n_gaps"] = out["n_gaps"].fillna(0).astype(int)
    out = out.reset_index()
    return out[
        [
            "trial_id",
            "path_length_cm",
            "duration_s",
            "tracked_s",
            "n_samples",
            "n_missing",
            "n_gaps",
        ]
    ]

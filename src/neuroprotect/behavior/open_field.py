"""Open field / locomotor activity: distance, speed, mobility, centre time, activity per time bin.

The arena is given as plain arguments: ``rectangle=(x_min, y_min, x_max, y_max)`` or
``circle=(x, y, radius)``, in cm, in the track's coordinates. Steps across missing samples are
not counted (see :mod:`neuroprotect.behavior.tracks`), so every time-based measure refers to the
*tracked* time: the time covered by counted steps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from neuroprotect.behavior.tracks import compute_speed, validate_tracks
from neuroprotect.errors import InputError

__all__ = ["centre_zone_mask", "wall_distance", "compute_open_field", "compute_distance_by_bin"]

#: Points further outside the arena than this fraction of its size raise an error.
OUTSIDE_TOLERANCE = 0.10


def _arena(
    rectangle: Sequence[float] | None, circle: Sequence[float] | None
) -> tuple[str, tuple[float, ...]]:
    if (rectangle is None) == (circle is None):
        raise InputError(
            "Expected exactly one arena: rectangle=(x_min, y_min, x_max, y_max) or "
            "circle=(x, y, radius)",
            field="arena",
        )
    if rectangle is not None:
        r = tuple(float(v) for v in rectangle)
        if len(r) != 4 or not np.isfinite(r).all() or r[2] <= r[0] or r[3] <= r[1]:
            raise InputError(
                f"Expected a rectangle (x_min, y_min, x_max, y_max) with x_max > x_min and "
                f"y_max > y_min, but got {tuple(rectangle)!r}",
                field="arena",
            )
        return "rectangle", r
    assert circle is not None
    c = tuple(float(v) for v in circle)
    if len(c) != 3 or not np.isfinite(c).all() or c[2] <= 0:
        raise InputError(
            f"Expected a circle (x, y, radius) with radius > 0, but got {tuple(circle)!r}",
            field="arena",
        )
    return "circle", c


def _scaled_distance(
    x: np.ndarray, y: np.ndarray, shape: str, geom: tuple[float, ...]
) -> np.ndarray:
    """Distance from the arena centre in units of the arena's half-size: 1 on the wall.

    Rectangle: Chebyshev distance with each axis scaled by its half-side; circle: r / R.
    """
    if shape == "rectangle":
        x0, y0, x1, y1 = geom
        hx, hy = (x1 - x0) / 2, (y1 - y0) / 2
        return np.maximum(np.abs(x - (x0 + hx)) / hx, np.abs(y - (y0 + hy)) / hy)
    cx, cy, r = geom
    return np.hypot(x - cx, y - cy) / r


def centre_zone_mask(
    x: np.ndarray,
    y: np.ndarray,
    *,
    rectangle: Sequence[float] | None = None,
    circle: Sequence[float] | None = None,
    centre_fraction: float = 0.25,
) -> np.ndarray:
    """True for points in the centre zone.

    The centre zone is the arena shrunk about its centre to ``centre_fraction`` of its area
    (linear scale sqrt(centre_fraction)): for the default 0.25 a 40 x 40 cm box has a central
    20 x 20 cm square. Rtrack's open-field centre (half-width 0.2 of the arena's) is
    ``centre_fraction=0.04``.
    """
    if not 0 < centre_fraction < 1:
        raise InputError(
            f"Expected a centre fraction between 0 and 1, but got {centre_fraction!r}",
            field="centre_fraction",
        )
    shape, geom = _arena(rectangle, circle)
    return _scaled_distance(np.asarray(x, float), np.asarray(y, float), shape, geom) <= np.sqrt(
        centre_fraction
    )


def wall_distance(x: np.ndarray, y: np.ndarray, shape: str, geom: tuple[float, ...]) -> np.ndarray:
    """Distance (cm) from each point to the nearest wall; negative outside the arena."""
    if shape == "rectangle":
        x0, y0, x1, y1 = geom
        return np.minimum.reduce([x - x0, x1 - x, y - y0, y1 - y])
    cx, cy, r = geom
    return r - np.hypot(x - cx, y - cy)


def _check_inside(t: pd.DataFrame, shape: str, geom: tuple[float, ...]) -> None:
    d = _scaled_distance(t["x_cm"].to_numpy(), t["y_cm"].to_numpy(), shape, geom)
    far = np.isfinite(d) & (d > 1 + 2 * OUTSIDE_TOLERANCE)
    if far.any():
        i = int(np.flatnonzero(far)[0])
        raise InputError(
            f"Expected the track inside the {shape} arena {geom}, but trial "
            f"{t['trial_id'].iloc[i]!r} is at ({t['x_cm'].iloc[i]:g}, {t['y_cm'].iloc[i]:g}) at "
            f"{t['time_s'].iloc[i]:g} s (wrong arena, or coordinates not in cm?)",
            field="arena",
        )


def _mobile_time(steps: pd.DataFrame, threshold: float, min_bout_s: float) -> pd.Series:
    """Per trial, the time of mobile bouts lasting at least ``min_bout_s``."""
    counted = steps["step_cm"].notna().to_numpy()
    fast = counted & (steps["speed_cm_s"].to_numpy() > threshold)
    trial = steps["trial_id"].to_numpy()
    new_bout = fast & ~np.r_[False, fast[:-1] & (trial[1:] == trial[:-1])]
    bout_id = np.cumsum(new_bout)
    frame = pd.DataFrame(
        {"trial_id": trial, "bout": np.where(fast, bout_id, 0), "dt": steps["dt_s"].to_numpy()}
    )
    bouts = frame[frame["bout"] > 0].groupby(["trial_id", "bout"], sort=False)["dt"].sum()
    kept = bouts[bouts >= min_bout_s - 1e-9]
    return kept.groupby(level=0, sort=False).sum()


def compute_open_field(
    tracks: pd.DataFrame,
    *,
    rectangle: Sequence[float] | None = None,
    circle: Sequence[float] | None = None,
    centre_fraction: float = 0.25,
    mobility_threshold_cm_s: float = 2.0,
    min_bout_s: float = 1.0,
    wall_band_cm: float = 5.0,
    bridge_gaps: bool = False,
    max_interval_s: float | None = None,
) -> pd.DataFrame:
    """Locomotor activity of every trial in an open field.

    Parameters
    ----------
    tracks
        Track table (:mod:`neuroprotect.behavior.tracks`).
    rectangle, circle
        The arena (exactly one): ``(x_min, y_min, x_max, y_max)`` or ``(x, y, radius)``, cm.
    centre_fraction
        Area of the centre zone as a fraction of the arena (see :func:`centre_zone_mask`).
    mobility_threshold_cm_s
        A step is mobile when its speed is above this (default 2 cm/s).
    min_bout_s
        A run of consecutive mobile steps counts as mobile only when it lasts at least this long
        (default 1 s), so tracking jitter and brief twitches are not activity.
    wall_band_cm
        Width of the band along the walls (thigmotaxis zone, default 5 cm).
    bridge_gaps, max_interval_s
        As in :func:`~neuroprotect.behavior.tracks.compute_step_lengths`.

    Returns
    -------
    pandas.DataFrame
        One row per trial (input order): ``trial_id``, ``distance_cm`` (path length of the
        counted steps), ``duration_s`` (first to last valid sample), ``tracked_s`` (time of the
        counted steps), ``mean_speed_cm_s`` (distance / tracked time), ``time_mobile_s``,
        ``time_mobile_pct`` (of tracked time), ``time_in_centre_s``, ``time_in_centre_pct`` (of
        tracked time), ``distance_in_centre_cm``, ``centre_entries``, ``time_near_wall_s``,
        ``time_near_wall_pct`` (of tracked time), ``distance_near_wall_cm`` (steps starting
        within ``wall_band_cm`` of a wall), ``n_missing`` (missing samples), ``n_gaps``.

    Raises
    ------
    InputError
        Bad arena, or a sample further outside the arena than 10 % of its size (wrong arena or
        units).

    Notes
    -----
    A step i (from sample i-1 to i, duration dt_i, length s_i) belongs to the zone of its start
    sample i-1; time in centre = sum dt_i over counted steps starting in the centre (Rtrack and
    EthoVision count samples, which is the same at a constant frame rate). Mobile time = sum dt_i
    over runs of consecutive steps with s_i / dt_i > threshold lasting >= ``min_bout_s``. A centre
    entry is a counted step from outside the centre zone into it.
    """
    shape, geom = _arena(rectangle, circle)
    if not np.isfinite(wall_band_cm) or wall_band_cm <= 0:
        raise InputError(
            f"Expected a wall band > 0 cm, but got {wall_band_cm!r}", field="wall_band_cm"
        )
    if mobility_threshold_cm_s < 0 or min_bout_s < 0:
        raise InputError(
            "Expected a mobility threshold and minimum bout duration >= 0",
            field="mobility_threshold_cm_s",
        )
    t = validate_tracks(tracks)
    _check_inside(t, shape, geom)
    steps = compute_speed(t, bridge_gaps=bridge_gaps, max_interval_s=max_interval_s)
    inside = centre_zone_mask(
        steps["x_cm"].to_numpy(),
        steps["y_cm"].to_numpy(),
        rectangle=rectangle,
        circle=circle,
        centre_fraction=centre_fraction,
    )
    trial = steps["trial_id"].to_numpy()
    same = np.r_[False, trial[1:] == trial[:-1]]
    start_in = np.r_[False, inside[:-1]] & same
    near = wall_distance(steps["x_cm"].to_numpy(), steps["y_cm"].to_numpy(), shape, geom)
    start_wall = np.r_[False, near[:-1] <= wall_band_cm] & same
    counted = steps["step_cm"].notna().to_numpy()
    dt = np.where(counted, steps["dt_s"].to_numpy(), 0.0)
    step = np.where(counted, steps["step_cm"].to_numpy(), 0.0)
    frame = pd.DataFrame(
        {
            "trial_id": trial,
            "time_s": steps["time_s"].to_numpy(),
            "step": step,
            "dt": dt,
            "centre_dt": np.where(start_in, dt, 0.0),
            "centre_step": np.where(start_in, step, 0.0),
            "wall_dt": np.where(start_wall, dt, 0.0),
            "wall_step": np.where(start_wall, step, 0.0),
            "entry": counted & inside & ~start_in,
            "gap": steps["gap"].to_numpy(),
        }
    )
    g = frame.groupby("trial_id", sort=False)
    out = pd.DataFrame(
        {
            "distance_cm": g["step"].sum(),
            "duration_s": g["time_s"].max() - g["time_s"].min(),
            "tracked_s": g["dt"].sum(),
            "time_in_centre_s": g["centre_dt"].sum(),
            "distance_in_centre_cm": g["centre_step"].sum(),
            "centre_entries": g["entry"].sum().astype(int),
            "time_near_wall_s": g["wall_dt"].sum(),
            "distance_near_wall_cm": g["wall_step"].sum(),
            "n_gaps": g["gap"].sum().astype(int),
        }
    )
    ids = pd.unique(t["trial_id"])
    out = out.reindex(ids)
    mobile = _mobile_time(steps, mobility_threshold_cm_s, min_bout_s).reindex(ids).fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_speed_cm_s"] = out["distance_cm"] / out["tracked_s"]
        out["time_mobile_s"] = mobile
        out["time_mobile_pct"] = 100 * mobile / out["tracked_s"]
        out["time_in_centre_pct"] = 100 * out["time_in_centre_s"] / out["tracked_s"]
        out["time_near_wall_pct"] = 100 * out["time_near_wall_s"] / out["tracked_s"]
    out["n_missing"] = (
        t.groupby("trial_id", sort=False)["x_cm"].apply(lambda s: int(s.isna().sum())).reindex(ids)
    )
    out = out.rename_axis("trial_id").reset_index()
    return out[
        [
            "trial_id",
            "distance_cm",
            "duration_s",
            "tracked_s",
            "mean_speed_cm_s",
            "time_mobile_s",
            "time_mobile_pct",
            "time_in_centre_s",
            "time_in_centre_pct",
            "distance_in_centre_cm",
            "centre_entries",
            "time_near_wall_s",
            "time_near_wall_pct",
            "distance_near_wall_cm",
            "n_missing",
            "n_gaps",
        ]
    ]


def compute_distance_by_bin(
    tracks: pd.DataFrame,
    *,
    bin_s: float,
    duration_s: float | None = None,
    bridge_gaps: bool = False,
    max_interval_s: float | None = None,
) -> pd.DataFrame:
    """Distance travelled in consecutive time bins from the start of each trial.

    Parameters
    ----------
    tracks
        Track table.
    bin_s
        Bin width in seconds (e.g. 300 for 5-min bins).
    duration_s
        Session length; bins cover [0, duration_s). Default: up to the trial's last sample.
    bridge_gaps, max_interval_s
        As in :func:`~neuroprotect.behavior.tracks.compute_step_lengths`.

    Returns
    -------
    pandas.DataFrame
        One row per trial and bin: ``trial_id, bin`` (0, 1, ...), ``bin_start_s, bin_end_s``
        (relative to the trial's first sample), ``distance_cm``, ``tracked_s`` (time of counted
        steps in the bin).

    Notes
    -----
    A step from t_{i-1} to t_i is split between bins in proportion to its time overlap with each
    bin (exact for straight-line motion at constant speed within a step). The habituation
    (hyperactivity) curve is distance per bin; a hyperactivity index is the per-bin ratio to the
    sham mean.
    """
    if not np.isfinite(bin_s) or bin_s <= 0:
        raise InputError(f"Expected a bin width > 0 seconds, but got {bin_s!r}", field="bin_s")
    t = validate_tracks(tracks)
    steps = _steps_relative(t, bridge_gaps=bridge_gaps, max_interval_s=max_interval_s)
    parts = []
    for trial, s in steps.groupby("trial_id", sort=False):
        end = duration_s if duration_s is not None else float(s["t1"].max())
        n_bins = max(1, int(np.ceil(end / bin_s - 1e-9)))
        counted = s["step_cm"].notna().to_numpy()
        t0 = s["t0"].to_numpy()[counted]
        t1 = s["t1"].to_numpy()[counted]
        length = s["step_cm"].to_numpy()[counted]
        dt = t1 - t0
        for b in range(n_bins):
            lo, hi = b * bin_s, (b + 1) * bin_s
            overlap = np.clip(np.minimum(t1, hi) - np.maximum(t0, lo), 0.0, None)
            frac = np.divide(overlap, dt, out=np.zeros_like(overlap), where=dt > 0)
            parts.append(
                {
                    "trial_id": trial,
                    "bin": b,
                    "bin_start_s": lo,
                    "bin_end_s": hi,
                    "distance_cm": float((length * frac).sum()),
                    "tracked_s": float(overlap.sum()),
                }
            )
    return pd.DataFrame(parts)


def _steps_relative(
    tracks: pd.DataFrame, *, bridge_gaps: bool, max_interval_s: float | None
) -> pd.DataFrame:
    """Steps with their start and end times relative to each trial's first valid sample."""
    steps = compute_speed(tracks, bridge_gaps=bridge_gaps, max_interval_s=max_interval_s)
    start = steps.groupby("trial_id", sort=False)["time_s"].transform("min")
    steps["t1"] = steps["time_s"] - start
    steps["t0"] = steps["t1"] - steps["dt_s"]
    return steps.dropna(subset=["dt_s"])

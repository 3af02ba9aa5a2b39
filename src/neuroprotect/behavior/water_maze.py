"""Morris water maze metrics per trial, vectorised over all trials at once.

One call computes every metric for every trial of a long track table with numpy array operations
and pandas group reductions: no Python loop runs per sample (or per trial).

Definitions follow Rtrack 2.0.4 (``calculate_mwm_metrics.R``, ``read_arena.R``) wherever Rtrack
has the metric: positions are normalised to the pool (centre 0, radius 1), the wall zone is the
annulus 0.8-1.0, quadrants are centred on the goal, zone times are fractions of samples, crossings
are half the in/out transitions rounded up. The differences from Rtrack are deliberate and listed
in ``docs/behavior-metrics.md``: missing samples are dropped (Rtrack interpolates them), samples
slightly outside the pool are kept (Rtrack drops them), zones are exact circles (Rtrack uses
360-gons), and escape latency is censored at the trial length when the goal is never entered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze, check_track_in_arena
from neuroprotect.errors import InputError

__all__ = [
    "WATER_MAZE_COLUMNS",
    "compute_water_maze_metrics",
    "prepare_tracks",
    "compute_roaming_entropy",
]

#: Output columns of :func:`compute_water_maze_metrics`, in order.
WATER_MAZE_COLUMNS = (
    "trial_id",
    "n_samples",
    "n_gaps",
    "duration_s",
    "escape_latency_s",
    "goal_reached",
    "path_length_cm",
    "mean_speed_cm_s",
    "median_speed_cm_s",
    "mean_distance_to_goal_cm",
    "median_distance_to_goal_cm",
    "cumulative_distance_to_goal_cm_s",
    "cipl_cm_s",
    "initial_heading_error_deg",
    "initial_trajectory_error_cm",
    "efficiency_pct",
    "time_in_target_quadrant_pct",
    "time_in_adjacent_right_quadrant_pct",
    "time_in_opposite_quadrant_pct",
    "time_in_adjacent_left_quadrant_pct",
    "time_in_goal_zone_pct",
    "time_in_annulus_pct",
    "time_in_wall_zone_pct",
    "time_in_far_wall_zone_pct",
    "goal_crossings",
    "annulus_crossings",
    "roaming_entropy",
    "latency_to_old_goal_s",
    "mean_distance_to_old_goal_cm",
    "time_in_old_goal_zone_pct",
    "old_goal_crossings",
)

_HEADING_EFFICIENCY_DEG = 15.0  # Rtrack: efficiency = % initial angles below 15 degrees
_ENTROPY_GRID = 50  # Rtrack: bkde2D on a 50 x 50 grid over [-1, 1]^2, bandwidth 1/50


class Prepared:
    """Tracks as flat arrays in normalised pool units, with trial group codes and boundaries."""

    def __init__(
        self, tracks: pd.DataFrame, arena: ArenaWaterMaze, check_arena: bool = True
    ) -> None:
        missing = {"trial_id", "time_s", "x_cm", "y_cm"} - set(tracks.columns)
        if missing:
            raise InputError(
                f"Expected track columns trial_id, time_s, x_cm, y_cm, but {', '.join(sorted(missing))} missing"
            )
        codes, ids = pd.factorize(tracks["trial_id"], sort=False)
        order = np.argsort(codes, kind="stable")
        self.ids = np.asarray(ids)
        self.g = codes[order]
        t = tracks["time_s"].to_numpy(dtype=float)[order]
        x = tracks["x_cm"].to_numpy(dtype=float)[order]
        y = tracks["y_cm"].to_numpy(dtype=float)[order]
        finite = np.isfinite(t) & np.isfinite(x) & np.isfinite(y)
        if not finite.all():
            raise InputError(
                "Expected tracks without missing samples (readers drop and count them), but "
                f"{int((~finite).sum())} rows have NaN time or position"
            )
        if check_arena:
            check_track_in_arena(x, y, arena=arena, trial_ids=self.ids[self.g])
        self.t = t
        self.u = (x - arena.pool.x) / arena.pool.radius
        self.v = (y - arena.pool.y) / arena.pool.radius
        self.scale_cm = arena.pool.radius * arena.cm_per_unit  # normalised unit -> cm
        self.n_trials = len(self.ids)
        self.n = np.bincount(self.g, minlength=self.n_trials)
        self.starts = np.concatenate([[0], np.cumsum(self.n)[:-1]])
        self.ends = self.starts + self.n - 1
        self.same = self.g[1:] == self.g[:-1]  # step i joins sample i and i + 1 of one trial
        self.step = np.hypot(np.diff(self.u), np.diff(self.v))
        self.step[~self.same] = 0.0
        self.dt = np.diff(self.t)
        # A step across dropped (missing) samples is a gap: the path during it is unknown, so it
        # counts neither in the path length nor in the speeds (as EthoVision's "Distance moved",
        # which is '-' after a gap). Gap = interval > 1.5 x the trial's median sampling interval.
        med_dt = self.median(self.dt[self.same], self.g[1:][self.same])
        self.gap = self.same & (self.dt > 1.5 * med_dt[self.g[1:]])
        self.step[self.gap] = 0.0
        self.sample_in_trial = np.arange(self.g.size) - self.starts[self.g]

    def sum(self, values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Per-trial sum of a per-sample array."""
        w = values if mask is None else np.where(mask, values, 0.0)
        return np.bincount(self.g, weights=w, minlength=self.n_trials)

    def mean(self, values: np.ndarray) -> np.ndarray:
        return self.sum(values) / self.n

    def median(self, values: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Per-trial median of values labelled with trial codes ``groups`` (NaN for empty trials)."""
        out = pd.Series(values).groupby(groups).median()
        return out.reindex(range(self.n_trials)).to_numpy(dtype=float)

    def first_time(self, mask: np.ndarray) -> np.ndarray:
        """Time of the first sample where mask is true, minus the trial start (NaN if never)."""
        times = np.where(mask, self.t, np.inf)
        first = np.minimum.reduceat(times, self.starts)
        out = first - self.t[self.starts]
        out[~np.isfinite(first)] = np.nan
        return out

    def crossings(self, inside: np.ndarray) -> np.ndarray:
        """Rtrack's zone crossings: ceil(number of in/out transitions / 2) per trial."""
        change = (inside[1:] != inside[:-1]) & self.same
        counts = np.bincount(self.g[1:][change], minlength=self.n_trials)
        return np.ceil(counts / 2.0).astype(int)

    def pct(self, inside: np.ndarray) -> np.ndarray:
        return 100.0 * self.sum(inside.astype(float)) / self.n


def prepare_tracks(
    tracks: pd.DataFrame, *, arena: ArenaWaterMaze, check_arena: bool = True
) -> Prepared:
    """Flat normalised arrays of a track table (used by the metrics and the strategy classifiers).

    ``check_arena`` runs :func:`~neuroprotect.behavior.arena.check_track_in_arena` (readable error
    for a track far outside its pool).
    """
    return Prepared(tracks, arena, check_arena)


def compute_roaming_entropy(
    u: np.ndarray, v: np.ndarray, g: np.ndarray, n_trials: int, *, fft_roundoff: bool = False
) -> np.ndarray:
    """Rtrack's roaming entropy per trial, from normalised positions.

    Notes
    -----
    As KernSmooth's ``bkde2D(path, range.x = list(c(-1, 1), c(-1, 1)), bandwidth = 1/50,
    gridsize = 50)``: linear binning of the samples on a 50 x 50 grid over [-1, 1]^2 (samples
    outside the grid are dropped), then a Gaussian kernel truncated at 3.4 bandwidths (here one
    grid cell either side). With f the smoothed density and p = f / sum(f) over the cells with
    f > 0, H = -sum(p ln p) / ln(number of those cells). The convolution is done directly, so
    empty cells are exactly 0. KernSmooth convolves by FFT and keeps the positive round-off
    (~1e-17) in empty cells; those cells enter the count in the denominator, so Rtrack's value
    depends on the FFT's round-off pattern (0.740 vs 0.880 here for Rtrack's Track_1.tab).
    ``fft_roundoff=True`` imitates that with numpy's FFT (within ~2% of Rtrack on its examples;
    the round-off pattern of R's FFT cannot be reproduced exactly).
    """
    m = _ENTROPY_GRID
    delta = 2.0 / (m - 1)
    h = 1.0 / m
    fx = (u + 1.0) / delta
    fy = (v + 1.0) / delta
    ix = np.floor(fx).astype(np.int64)
    iy = np.floor(fy).astype(np.int64)
    ok = (ix >= 0) & (ix <= m - 2) & (iy >= 0) & (iy <= m - 2)
    rx, ry = (fx - ix)[ok], (fy - iy)[ok]
    ix, iy, gg = ix[ok], iy[ok], g[ok]
    counts = np.zeros(n_trials * m * m)
    base = gg * m * m
    for dx, dy, w in (
        (0, 0, (1 - rx) * (1 - ry)),
        (1, 0, rx * (1 - ry)),
        (0, 1, (1 - rx) * ry),
        (1, 1, rx * ry),
    ):
        counts += np.bincount(base + (ix + dx) * m + (iy + dy), weights=w, minlength=counts.size)
    grid = counts.reshape(n_trials, m, m)
    n_lags = min(int(np.floor(3.4 * h / delta)), m - 1)
    lags = np.arange(-n_lags, n_lags + 1)
    kern = np.exp(-0.5 * (lags * delta / h) ** 2)
    padded = np.pad(grid, ((0, 0), (n_lags, n_lags), (0, 0)))
    smooth = sum(
        k * padded[:, n_lags + lag : n_lags + lag + m, :] for k, lag in zip(kern, lags, strict=True)
    )
    padded = np.pad(smooth, ((0, 0), (0, 0), (n_lags, n_lags)))
    smooth = sum(
        k * padded[:, :, n_lags + lag : n_lags + lag + m] for k, lag in zip(kern, lags, strict=True)
    )
    if fft_roundoff:
        size = 2 ** int(np.ceil(np.log2(m + n_lags)))
        rp = np.zeros((n_trials, size, size))
        rp[:, :m, :m] = grid
        k1 = np.zeros(size)
        k1[: n_lags + 1] = kern[n_lags:]
        if n_lags:
            k1[size - n_lags :] = kern[:n_lags]
        sp = np.outer(k1, k1)
        conv = np.fft.ifft2(np.fft.fft2(rp) * np.fft.fft2(sp)[None]).real[:, :m, :m]
        smooth = np.where(conv > 0, conv, 0.0)
    f = smooth.reshape(n_trials, -1)
    positive = f > 0
    total = f.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(positive, f / total, 1.0)
        plogp = np.where(positive, p * np.log(p), 0.0).sum(axis=1)
        k = positive.sum(axis=1)
        return np.where(k > 1, -plogp / np.log(k), np.nan)


def _angle_at(
    ax: np.ndarray | float,
    ay: np.ndarray | float,
    bx: np.ndarray | float,
    by: np.ndarray | float,
    cx: np.ndarray | float,
    cy: np.ndarray | float,
) -> np.ndarray:
    """Angle at a between a->b and a->c, in degrees, by the cosine rule (NaN when c == a).

    The cosine is clipped to [-1, 1], so points exactly on the line give 0 (Rtrack's acos returns
    NaN there from round-off and then counts them as not efficient).
    """
    ba = np.hypot(bx - ax, by - ay)
    ca = np.hypot(cx - ax, cy - ay)
    bc = np.hypot(bx - cx, by - cy)
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = np.clip((ba**2 + ca**2 - bc**2) / (2 * ba * ca), -1.0, 1.0)
        ang = np.degrees(np.arccos(cos))
    ang[~np.isfinite(ang)] = np.nan
    return ang


def compute_water_maze_metrics(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    trial_length_s: float | None = None,
    entropy_fft_roundoff: bool = False,
    check_arena: bool = True,
) -> pd.DataFrame:
    """Per-trial water maze metrics.

    Parameters
    ----------
    tracks
        Long table ``trial_id, time_s, x_cm, y_cm`` in the arena's units (as the readers return
        it; missing samples already dropped). Rows of one trial must be in time order.
    arena
        Pool, goal (and optional old goal) geometry; ``cm_per_unit`` converts to cm.
    trial_length_s
        Cut-off at which a trial without a goal entry is censored; default ``arena.trial_length_s``,
        else each trial's own duration.
    entropy_fft_roundoff
        Imitate KernSmooth's FFT round-off in the roaming entropy (see
        :func:`compute_roaming_entropy`); default the exact, deterministic value.
    check_arena
        Reject tracks far outside the pool (see :func:`~neuroprotect.behavior.arena.check_track_in_arena`).

    Returns
    -------
    pandas.DataFrame
        One row per trial, columns :data:`WATER_MAZE_COLUMNS`:

        * ``n_samples``; ``n_gaps``: intervals longer than 1.5 x the median sampling interval
          (where missing samples were dropped); ``duration_s`` = t_last - t_first (Rtrack ``total.time``).
        * ``escape_latency_s``: time from the first sample to the first sample inside the goal
          circle (Rtrack ``latency.to.goal``); the trial length when never entered, then
          ``goal_reached`` is False (a right-censored latency).
        * ``path_length_cm`` = sum of step lengths, gaps excluded (EthoVision "Distance moved",
          Rtrack ``path.length``).
        * ``mean_speed_cm_s`` = path / swim time outside gaps; ``median_speed_cm_s`` = median of step / dt
          over steps with dt > 0 (Rtrack ``velocity``).
        * ``mean_distance_to_goal_cm`` = mean distance from the goal centre (Gallagher proximity);
          ``median_distance_to_goal_cm`` = median distance from the goal *edge*, 0 inside the goal
          (Rtrack ``distance.from.goal``).
        * ``cumulative_distance_to_goal_cm_s`` = sum(d_i) dt (Gallagher cumulative search error);
          ``cipl_cm_s`` = that minus the same sum for an ideal straight swim at the trial's mean
          speed from the start to the goal edge, floored at 0 (Pathfinder's ideal path error).
        * ``initial_heading_error_deg``: median angle at the start between start->goal and
          start->p_i over the initial path shorter than |start - goal| (Rtrack);
          ``initial_trajectory_error_cm``: distance from the goal to the end of that initial
          path; ``efficiency_pct``: % of those angles below 15 degrees (Rtrack ``efficiency``).
        * ``time_in_*_quadrant_pct``: % of samples in the goal-centred quadrants (target = Rtrack
          n, adjacent_right = e, opposite = s, adjacent_left = w).
        * ``time_in_goal_zone_pct``, ``time_in_annulus_pct`` (ring |goal| ± r_goal about the
          centre), ``time_in_wall_zone_pct`` (r >= 0.8 R; thigmotaxis), ``time_in_far_wall_zone_pct``
          (between the annulus and the wall zone).
        * ``goal_crossings``, ``annulus_crossings``: ceil(in/out transitions / 2) (Rtrack).
        * ``roaming_entropy``: see :func:`compute_roaming_entropy`.
        * ``*old_goal*``: the same measures for the former platform (NaN without ``old_goal``).

    Notes
    -----
    Rtrack 2.0.4 reference outputs matched in ``tests/behavior/test_water_maze.py``.
    """
    if not isinstance(arena, ArenaWaterMaze):
        raise InputError(f"Expected a water maze arena, but got {getattr(arena, 'type', arena)!r}")
    if len(tracks) == 0:
        raise InputError("Expected at least one track sample, but the track table is empty")
    p = Prepared(tracks, arena, check_arena)
    cut = trial_length_s if trial_length_s is not None else arena.trial_length_s
    s = p.scale_cm
    nt = p.n_trials
    g = p.g
    t0 = p.t[p.starts]
    duration = p.t[p.ends] - t0
    path = np.bincount(g[1:], weights=p.step, minlength=nt) * s
    moving = p.same & (p.dt > 0) & ~p.gap
    swim_time = np.bincount(g[1:][moving], weights=p.dt[moving], minlength=nt)
    with np.errstate(divide="ignore", invalid="ignore"):
        velocity = p.step[moving] / p.dt[moving] * s
        mean_speed = np.where(swim_time > 0, path / swim_time, np.nan)
    median_speed = p.median(velocity, g[1:][moving])
    r = np.hypot(p.u, p.v)
    out: dict[str, np.ndarray] = {
        "trial_id": p.ids,
        "n_samples": p.n,
        "n_gaps": np.bincount(g[1:][p.gap], minlength=nt),
        "duration_s": duration,
        "path_length_cm": path,
        "mean_speed_cm_s": mean_speed,
        "median_speed_cm_s": median_speed,
    }
    nan = np.full(nt, np.nan)
    zero_int = np.zeros(nt, dtype=int)

    def goal_measures(goal: object, key: str) -> None:
        gx = (goal.x - arena.pool.x) / arena.pool.radius  # type: ignore[attr-defined]
        gy = (goal.y - arena.pool.y) / arena.pool.radius  # type: ignore[attr-defined]
        gr = goal.radius / arena.pool.radius  # type: ignore[attr-defined]
        d = np.hypot(p.u - gx, p.v - gy)
        inside = d <= gr
        latency = p.first_time(inside)
        if key == "goal":
            reached = np.isfinite(latency)
            censor = np.full(nt, cut) if cut is not None else duration
            out["escape_latency_s"] = np.where(reached, latency, censor)
            out["goal_reached"] = reached
            out["mean_distance_to_goal_cm"] = p.mean(d) * s
            out["median_distance_to_goal_cm"] = p.median(np.maximum(d - gr, 0.0), g) * s
            dt_mean = np.where(p.n > 1, duration / np.maximum(p.n - 1, 1), np.nan)
            cumulative = p.sum(d) * s * dt_mean
            out["cumulative_distance_to_goal_cm_s"] = cumulative
            d0 = d[p.starts] * s
            r_goal = gr * s
            stride = mean_speed * dt_mean
            with np.errstate(divide="ignore", invalid="ignore"):
                k = np.where((d0 > r_goal) & (stride > 0), np.ceil((d0 - r_goal) / stride), 0.0)
            ideal = (k * d0 - stride * k * (k - 1) / 2.0) * dt_mean
            out["cipl_cm_s"] = np.maximum(cumulative - ideal, 0.0)
            _initial_path(p, gx, gy, out)
            _quadrants(p, gx, gy, out)
            ring = np.hypot(gx, gy)
            annulus = np.abs(r - ring) <= gr
            out["time_in_goal_zone_pct"] = p.pct(inside)
            out["time_in_annulus_pct"] = p.pct(annulus)
            out["time_in_far_wall_zone_pct"] = p.pct((r > ring + gr) & (r < arena.wall_zone_inner))
            out["goal_crossings"] = p.crossings(inside)
            out["annulus_crossings"] = p.crossings(annulus)
        else:
            out["latency_to_old_goal_s"] = latency
            out["mean_distance_to_old_goal_cm"] = p.mean(d) * s
            out["time_in_old_goal_zone_pct"] = p.pct(inside)
            out["old_goal_crossings"] = p.crossings(inside)

    if arena.goal is not None:
        goal_measures(arena.goal, "goal")
    else:
        for col in WATER_MAZE_COLUMNS:
            if col not in out and "old_goal" not in col:
                out[col] = zero_int if col.endswith("crossings") else nan
        out["goal_reached"] = np.zeros(nt, dtype=bool)
    if arena.old_goal is not None:
        goal_measures(arena.old_goal, "old_goal")
    else:
        out["latency_to_old_goal_s"] = nan
        out["mean_distance_to_old_goal_cm"] = nan
        out["time_in_old_goal_zone_pct"] = nan
        out["old_goal_crossings"] = np.full(nt, -1)
    out["time_in_wall_zone_pct"] = p.pct(r >= arena.wall_zone_inner)
    out["roaming_entropy"] = compute_roaming_entropy(
        p.u, p.v, g, nt, fft_roundoff=entropy_fft_roundoff
    )
    frame = pd.DataFrame(out)
    if arena.old_goal is None:
        frame["old_goal_crossings"] = pd.array([pd.NA] * nt, dtype="Int64")
    return frame[list(WATER_MAZE_COLUMNS)]


def _initial_path(p: Prepared, gx: float, gy: float, out: dict[str, np.ndarray]) -> None:
    """Rtrack's initial heading error, initial trajectory error and efficiency."""
    g = p.g
    su, sv = p.u[p.starts], p.v[p.starts]
    target = np.hypot(gx - su, gy - sv)
    # Cumulative path length at the end of the step leaving each sample (Rtrack's indexing: sample
    # j belongs to the initial path when the path up to sample j + 1 is shorter than |start-goal|).
    cum = np.cumsum(p.step)
    offset = np.concatenate([[0.0], cum])[p.starts]
    cum_next = cum - offset[g[:-1]]
    initial = np.zeros(g.size, dtype=bool)
    initial[:-1] = p.same & (cum_next < target[g[:-1]])
    angles = _angle_at(su[g], sv[g], gx, gy, p.u, p.v)
    idx = np.flatnonzero(initial)
    n_init = np.bincount(g[idx], minlength=p.n_trials)
    med = p.median(angles[idx], g[idx])
    below = np.bincount(
        g[idx], weights=(angles[idx] < _HEADING_EFFICIENCY_DEG).astype(float), minlength=p.n_trials
    )
    last = np.full(p.n_trials, -1)
    np.maximum.at(last, g[idx], idx)
    has = last >= 0
    err = np.full(p.n_trials, np.nan)
    err[has] = np.hypot(p.u[last[has]] - gx, p.v[last[has]] - gy) * p.scale_cm
    with np.errstate(divide="ignore", invalid="ignore"):
        out["initial_heading_error_deg"] = med
        out["initial_trajectory_error_cm"] = err
        out["efficiency_pct"] = np.where(n_init > 0, 100.0 * below / n_init, np.nan)


def _quadrants(p: Prepared, gx: float, gy: float, out: dict[str, np.ndarray]) -> None:
    """% samples per goal-centred quadrant (bearing from +y towards +x, target centred on the goal)."""
    phi = np.arctan2(gx, gy)
    rel = np.mod(np.arctan2(p.u, p.v) - phi + np.pi, 2 * np.pi) - np.pi  # in [-pi, pi)
    q = (
        np.floor((rel + np.pi / 4) / (np.pi / 2)).astype(int) % 4
    )  # 0 target, 1 right, 2 opp, 3 left
    for k, name in enumerate(("target", "adjacent_right", "opposite", "adjacent_left")):
        out[f"time_in_{name}_quadrant_pct"] = p.pct(q == k)

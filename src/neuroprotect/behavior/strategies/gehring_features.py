"""Path segments and rig-robust segment features for the Gehring-2015 classifier.

Features are computed in a *pool frame* that does not depend on the camera: positions in pool
radii around the fitted pool centre, corrected for a pool circle that does not follow the wall
(lens distortion, a tracker calibration that bends the pool into another shape, a circle fitted a
few percent small) by the *wall envelope* of the tracks classified together (per 10-degree
sector, the 99th percentile of the distance from the centre; :func:`wall_envelope`): distances
are rescaled per direction so that the envelope lands on r = 1, near the centre by the
envelope's 10th percentile over directions, in between smoothly (:func:`undistort_radius`). The goal is mapped the same way. Segments are cut along
this corrected path; features use positions clipped to the pool (r <= 1). Every feature is a
ratio or a fraction in pool radii or turns, so neither the camera scale nor ``cm_per_unit``
enters (path lengths in cm, i.e. pool radii x ``pool.radius x cm_per_unit``, only decide where
segments start and end).

Features per segment (goal g, radius r_g): ``r_mean, r_std`` distance from the pool centre;
``d_goal_mean, d_goal_min``; ``near_goal`` fraction within 3 r_g of the goal centre;
``centroid_r``, ``centroid_goal`` position of the segment centroid; ``spread`` mean distance to the
centroid; ``eccentricity`` sqrt(1 - lambda_min/lambda_max) of the position covariance; ``wall``
fraction with r >= 0.8; ``annulus`` fraction in the goal annulus; ``alpha_mean`` mean angle
between the step and the direction to the goal / 180 deg; ``straightness`` |end - start| / path
length; ``turning_abs`` and ``turning_net`` sum |heading change| and |sum heading change| in turns
per pool radius of path; ``goal_approach`` (d_goal at the start - d_goal at the end) / path length.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze
from neuroprotect.behavior.water_maze import Prepared, _angle_at, prepare_tracks
from neuroprotect.errors import InputError

__all__ = [
    "SEGMENT_FEATURES",
    "compute_segment_features",
    "pool_frame",
    "segment_bounds",
    "wall_envelope",
]

SEGMENT_FEATURES = (
    "r_mean",
    "r_std",
    "d_goal_mean",
    "d_goal_min",
    "near_goal",
    "centroid_r",
    "centroid_goal",
    "spread",
    "eccentricity",
    "wall",
    "annulus",
    "alpha_mean",
    "straightness",
    "turning_abs",
    "turning_net",
    "goal_approach",
)

ENVELOPE_SECTORS = 36
ENVELOPE_QUANTILE = 0.99
ENVELOPE_MIN_SAMPLES = 20  # fewer samples in a sector: keep the fitted circle there
CENTRE_QUANTILE = 0.1  # scale at the centre: a low quantile of the envelope over directions
ENVELOPE_MIN_SECTORS = 30  # shape correction only when the swims go round the pool


def wall_envelope(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Where the wall lies (pool radii) per sector of ``ENVELOPE_SECTORS``, from the swims.

    The ``ENVELOPE_QUANTILE`` of the distance from the centre in each sector, smoothed by a
    circular median over 3 sectors (sectors with fewer than ``ENVELOPE_MIN_SAMPLES`` samples are
    left out). When at least ``ENVELOPE_MIN_SECTORS`` sectors have samples, its *shape* (each
    sector over the median of all, clipped to 0.8-1.6) corrects a pool that is not round in the
    coordinates (lens, tracker calibration) and its *level* (that median) a circle fitted too
    small, never a circle fitted too large (swims need not reach the wall: a level < 1 is taken
    as 1). With fewer sectors (a few trials) only sectors reaching outside the circle are
    corrected. Sectors without samples get the level.
    """
    n = ENVELOPE_SECTORS
    r = np.hypot(u, v)
    sector = np.floor((np.arctan2(v, u) + np.pi) / (2 * np.pi) * n).astype(int) % n
    order = np.lexsort((r, sector))
    counts = np.bincount(sector, minlength=n)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pick = first + np.floor(ENVELOPE_QUANTILE * np.maximum(counts - 1, 0)).astype(int)
    env = np.where(counts >= ENVELOPE_MIN_SAMPLES, r[order][np.minimum(pick, r.size - 1)], np.nan)
    window = np.vstack([np.roll(env, 1), env, np.roll(env, -1)])
    has = np.isfinite(window).any(axis=0)
    env = np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        env[has] = np.nanmedian(window[:, has], axis=0)
    valid = np.isfinite(env)
    if valid.sum() < ENVELOPE_MIN_SECTORS:
        return np.maximum(np.where(valid, env, 1.0), 1.0)
    level = float(np.median(env[valid]))
    shape = np.clip(np.where(valid, env / level, 1.0), 0.8, 1.6)
    return shape * max(level, 1.0)


def _envelope_at(u: np.ndarray, v: np.ndarray, env: np.ndarray) -> np.ndarray:
    """Envelope radius at each position's angle (linear between sector centres)."""
    n = env.size
    centres = -np.pi + (np.arange(n) + 0.5) * 2 * np.pi / n
    return np.interp(np.arctan2(v, u), centres, env, period=2 * np.pi)


def undistort_radius(rho: np.ndarray, edge: np.ndarray, centre: float = 1.0) -> np.ndarray:
    """Corrected radius ``r = rho / (c (1 + (edge / c - 1) t^2))`` with ``t = min(rho / edge, 1)``.

    A radial distortion model whose coefficient is set per direction so that the wall envelope
    ``edge`` lands on r = 1: positions near the centre are scaled by 1 / ``centre`` (c), those
    near the wall by 1 / edge, in between smoothly (to first order the inverse of a cubic lens,
    ``rho = c r (1 + k r^2)``); beyond the envelope by 1 / edge. A lens or a tracker calibration
    that bends the pool magnifies the centre and the wall differently; a misfitted circle
    scales both alike. Monotone in rho while edge < 2 c.
    """
    t = np.minimum(rho / edge, 1.0)
    return rho / (centre * (1.0 + (edge / centre - 1.0) * t**2))


def pool_frame(
    p: Prepared, arena: ArenaWaterMaze, *, envelope: bool = True
) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float]]:
    """Positions and goal ``(x, y, radius)`` in the rig-independent pool frame (module notes),
    before clipping to the pool (:func:`clip_to_pool`)."""
    assert arena.goal is not None
    pool, goal = arena.pool, arena.goal
    gx, gy = (goal.x - pool.x) / pool.radius, (goal.y - pool.y) / pool.radius
    gr = goal.radius / pool.radius
    u, v = p.u, p.v
    if envelope and u.size:
        env = wall_envelope(u, v)
        rho = np.hypot(u, v)
        centre = float(np.quantile(env, CENTRE_QUANTILE))
        s = undistort_radius(rho, _envelope_at(u, v, env), centre) / np.maximum(rho, 1e-12)
        u, v = u * s, v * s
        rg = float(np.hypot(gx, gy))
        edge_g = float(_envelope_at(np.array([gx]), np.array([gy]), env)[0])
        # r / rho, also at rg = 0
        sg = 1.0 / (centre * (1.0 + (edge_g / centre - 1.0) * min(rg / edge_g, 1.0) ** 2))
        # the platform's size scales as the positions around it
        gx, gy, gr = gx * sg, gy * sg, gr * sg
    return u, v, (gx, gy, gr)


def clip_to_pool(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions outside the pool (r > 1) moved radially onto its wall."""
    r = np.hypot(u, v)
    clip = np.where(r > 1.0, 1.0 / np.maximum(r, 1e-12), 1.0)
    return u * clip, v * clip


def frame_steps(p: Prepared, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Step lengths between consecutive samples in frame units (0 across trials and gaps)."""
    step = np.hypot(np.diff(u), np.diff(v))
    step[~p.same | p.gap] = 0.0
    return step


def segment_bounds(
    p: Prepared, length_cm: float, overlap: float, step: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Start/end sample of every segment, vectorised over trials.

    ``step``: step lengths in pool radii (default: those of the fitted pool circle).
    """
    if not (length_cm > 0 and 0 <= overlap < 1):
        raise InputError(
            f"Expected segment length > 0 and 0 <= overlap < 1, but got {length_cm} and {overlap}",
            field="segment_length_cm",
        )
    step_cm = length_cm * (1 - overlap)
    step = p.step if step is None else step
    cum = np.concatenate([[0.0], np.cumsum(step)]) * p.scale_cm  # global, cm
    cum = cum - cum[p.starts][p.g]  # from each trial's start
    total = cum[p.ends]
    nseg = np.where(
        total >= length_cm, np.floor((total - length_cm) / step_cm + 1e-9) + 1, 1
    ).astype(int)
    trial = np.repeat(np.arange(p.n_trials), nseg)
    k = np.arange(trial.size) - np.repeat(np.cumsum(nseg) - nseg, nseg)
    # sortable key: trial code * big + cumulative length (cum <= total < big)
    big = float(total.max()) * 2 + length_cm * 2 + 1.0
    key = p.g * big + cum
    tol = 1e-6 * length_cm  # cumulative sums carry round-off
    start = np.searchsorted(key, trial * big + k * step_cm - tol, side="left")
    start = np.minimum(start, p.ends[trial])
    end = np.searchsorted(key, trial * big + cum[start] + length_cm - tol, side="left")
    end = np.minimum(end, p.ends[trial])
    return {
        "trial": trial,
        "segment": k,
        "start": start,
        "end": end,
        "offset_cm": cum[start],
        "length_cm": cum[end] - cum[start],
    }


def compute_segment_features(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    segment_length_cm: float = 250.0,
    overlap: float = 0.9,
    check_arena: bool = True,
    envelope: bool = True,
) -> pd.DataFrame:
    """Segments (as :func:`~neuroprotect.behavior.strategies.gehring2015.segment_tracks`) with
    the features :data:`SEGMENT_FEATURES`.

    ``envelope`` corrects the pool circle by the wall envelope of ``tracks`` (module notes); the
    shipped model was trained with it on. Vectorised: every (segment, sample) pair is expanded
    once and reduced with ``bincount``.
    """
    if arena.goal is None:
        raise InputError(
            "Expected an arena with a goal for segment features, but it has none", field="goal"
        )
    p = prepare_tracks(tracks, arena=arena, check_arena=check_arena)
    pu, pv, (gx, gy, gr) = pool_frame(p, arena, envelope=envelope)
    # segments by the unclipped path (clipping would drop the radial jitter of wall swims);
    # features from positions inside the pool
    s = segment_bounds(p, segment_length_cm, overlap, frame_steps(p, pu, pv))
    pu, pv = clip_to_pool(pu, pv)
    step = frame_steps(p, pu, pv)
    ns = s["trial"].size
    npts = s["end"] - s["start"] + 1
    seg = np.repeat(np.arange(ns), npts)
    idx = np.arange(seg.size) - np.repeat(np.cumsum(npts) - npts, npts) + s["start"][seg]
    u, v = pu[idx], pv[idx]
    cnt = npts.astype(float)

    def mean(vals: np.ndarray) -> np.ndarray:
        return np.bincount(seg, weights=vals, minlength=ns) / cnt

    r = np.hypot(u, v)
    d = np.hypot(u - gx, v - gy)
    r_mean = mean(r)
    d_min = np.full(ns, np.inf)
    np.minimum.at(d_min, seg, d)
    cx, cy = mean(u), mean(v)
    du, dv = u - cx[seg], v - cy[seg]
    sxx, syy, sxy = mean(du * du), mean(dv * dv), mean(du * dv)
    tr, det = sxx + syy, sxx * syy - sxy**2
    disc = np.sqrt(np.maximum(tr**2 / 4 - det, 0))
    lmax, lmin = tr / 2 + disc, np.maximum(tr / 2 - disc, 0)
    # steps in the pool frame; gaps (dropped samples) and trial boundaries count as no step
    last = pu.size - 1
    nxt = np.minimum(idx + 1, last)
    step_at = np.append(step, 0.0)[idx]
    inner = idx < s["end"][seg]  # steps start..end-1 of each segment
    path = np.bincount(seg[inner], weights=step_at[inner], minlength=ns)
    alpha = _angle_at(u, v, gx, gy, pu[nxt], pv[nxt])
    ok = inner & np.isfinite(alpha) & (step_at > 0)
    n_ok = np.bincount(seg[ok], minlength=ns)
    heading = np.arctan2(np.diff(pv), np.diff(pu))
    moved = step > 0
    turn = np.zeros(pu.size)
    # heading change at sample i between step i-1 and step i (both in the trial and non-zero)
    dh = np.angle(np.exp(1j * (heading[1:] - heading[:-1])))
    turn[1:-1] = np.where(p.same[1:] & p.same[:-1] & moved[1:] & moved[:-1], dh, 0.0)
    tsel = inner & (idx > s["start"][seg])
    turn_abs = np.bincount(seg[tsel], weights=np.abs(turn[idx][tsel]), minlength=ns)
    # an exact reversal is +pi or -pi by round-off: it counts in |turning| but not in the net
    net = np.where(np.abs(turn) > np.pi - 1e-6, 0.0, turn)
    turn_net = np.abs(np.bincount(seg[tsel], weights=net[idx][tsel], minlength=ns))
    d_start = np.hypot(pu[s["start"]] - gx, pv[s["start"]] - gy)
    d_end = np.hypot(pu[s["end"]] - gx, pv[s["end"]] - gy)
    seg_len = np.maximum(path, 1e-9)
    turns_per_radius = 1 / (2 * np.pi) / seg_len
    with np.errstate(invalid="ignore", divide="ignore"):
        feats = {
            "r_mean": r_mean,
            "r_std": np.sqrt(np.maximum(mean(r * r) - r_mean**2, 0)),
            "d_goal_mean": mean(d),
            "d_goal_min": d_min,
            "near_goal": mean((d <= 3 * gr).astype(float)),
            "centroid_r": np.hypot(cx, cy),
            "centroid_goal": np.hypot(cx - gx, cy - gy),
            "spread": mean(np.hypot(du, dv)),
            "eccentricity": np.where(lmax > 0, np.sqrt(1 - lmin / lmax), 0.0),
            "wall": mean((r >= arena.wall_zone_inner).astype(float)),
            "annulus": mean((np.abs(r - np.hypot(gx, gy)) <= gr).astype(float)),
            "alpha_mean": np.where(
                n_ok > 0,
                np.bincount(seg[ok], weights=alpha[ok], minlength=ns) / np.maximum(n_ok, 1) / 180.0,
                0.5,
            ),
            "straightness": np.hypot(pu[s["end"]] - pu[s["start"]], pv[s["end"]] - pv[s["start"]])
            / seg_len,
            "turning_abs": turn_abs * turns_per_radius,
            "turning_net": turn_net * turns_per_radius,
            "goal_approach": (d_start - d_end) / seg_len,
        }
    out = pd.DataFrame(
        {
            "trial_id": p.ids[s["trial"]],
            "segment": s["segment"],
            "offset_cm": s["offset_cm"],
            "length_cm": s["length_cm"],
        }
    )
    for name in SEGMENT_FEATURES:
        out[name] = np.nan_to_num(feats[name], nan=0.0, posinf=0.0)
    return out

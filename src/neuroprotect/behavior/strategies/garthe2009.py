"""Rule-based search strategies after Garthe, Behr & Kempermann (2009), PLoS ONE 4:e5464.

The thresholds and their order are those of Rtrack's translation of Garthe's MATLAB code
(``call_mwm_strategy_garthe``, Rtrack 1.x), on positions normalised to a pool of radius 1 (distances
below are divided by the pool diameter, 2). First matching rule wins:

====================  ==================================================================
direct swimming       meanalpha < 25 and eff > 80
focal search          dtPOG < 0.25 and dtGOAL < 0.18
perseverance          dtOLDGOAL < 0.25 and dtPOG < 0.2 and dtGOAL > 0.3   (needs old_goal)
directed search       outliersrel < 0.45 and dtGOAL < 0.28
chaining              annuluszonerel > 0.5 and dtCENTER > 0.65
scanning              covsurfacerel < 0.7 and wallzonerel < 0.75 and dtCENTER < 0.6
thigmotaxis           wallzonerel > 0.65 and dtCENTER > 0.58
random search         covsurfacerel > 0.35 and wallzonerel < 0.8
unknown               otherwise
====================  ==================================================================

Features (per trial): ``meanalpha`` mean angle (deg) at each sample between the direction to the
goal and the next step; ``eff`` % of those angles below 15 deg; ``dtGOAL``, ``dtOLDGOAL`` mean
distance to the goal and old goal (1 when none) in pool diameters; ``dtPOG`` mean distance to the
path's centre of gravity (centroid) in pool diameters; ``dtCENTER`` mean distance to the pool
centre in pool *radii* (Garthe's MATLAB scales x and y to [-1, 1] for this one); ``annuluszonerel``, ``wallzonerel``
fractions of samples in the goal annulus and the wall zone (0.8-1.0); ``covsurfacerel`` area of
the ellipse spanned by the x and y ranges over the pool area; ``outliersrel`` fraction of samples
whose bearing from the start deviates > 22.5 deg from the start-goal line.

Three of Rtrack's translations are not followed, because they change Garthe's meaning: Rtrack
computes ``eff`` as the % of angles *above* 15 deg, ``dtPOG`` as the distance to the pool centre,
and ``dtCENTER`` in diameters (so it never exceeds 0.5 and the thigmotaxis and chaining rules,
which need dtCENTER > 0.58 / 0.65, can never fire). Rule-based calls have no probability: ``confidence`` is NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze
from neuroprotect.behavior.water_maze import _angle_at, prepare_tracks

__all__ = ["GARTHE_STRATEGIES", "compute_garthe_features", "classify_garthe2009"]

#: Class names in Rtrack's Garthe numbering (1-8; 0 = unknown).
GARTHE_STRATEGIES = {
    1: "thigmotaxis",
    2: "random search",
    3: "scanning",
    4: "chaining",
    5: "directed search",
    6: "focal search",
    7: "direct swimming",
    8: "perseverance",
    0: "unknown",
}


def compute_garthe_features(
    tracks: pd.DataFrame, *, arena: ArenaWaterMaze, check_arena: bool = True
) -> pd.DataFrame:
    """Per-trial Garthe features (see the module docstring), vectorised over all trials.

    Returns
    -------
    pandas.DataFrame
        ``trial_id, meanalpha, eff, dtPOG, dtGOAL, dtOLDGOAL, dtCENTER, annuluszonerel,
        wallzonerel, covsurfacerel, outliersrel``.
    """
    p = prepare_tracks(tracks, arena=arena, check_arena=check_arena)
    g, nt = p.g, p.n_trials
    pool = arena.pool
    goal = arena.goal if arena.goal is not None else arena.old_goal
    assert goal is not None
    gx, gy = (goal.x - pool.x) / pool.radius, (goal.y - pool.y) / pool.radius
    gr = goal.radius / pool.radius
    # alpha at sample i: angle between i->goal and i->i+1 (steps of zero length give NaN)
    alpha = _angle_at(p.u[:-1], p.v[:-1], gx, gy, p.u[1:], p.v[1:])
    ok = p.same & np.isfinite(alpha) & (p.step > 0)
    ga = g[:-1][ok]
    n_alpha = np.bincount(ga, minlength=nt)
    with np.errstate(invalid="ignore", divide="ignore"):
        meanalpha = np.bincount(ga, weights=alpha[ok], minlength=nt) / n_alpha
        eff = (
            100.0 * np.bincount(ga, weights=(alpha[ok] < 15).astype(float), minlength=nt) / n_alpha
        )
    r = np.hypot(p.u, p.v)
    d_goal = np.hypot(p.u - gx, p.v - gy)
    cx = p.mean(p.u)
    cy = p.mean(p.v)
    d_pog = np.hypot(p.u - cx[g], p.v - cy[g])
    if arena.old_goal is not None and arena.goal is not None:
        ox = (arena.old_goal.x - pool.x) / pool.radius
        oy = (arena.old_goal.y - pool.y) / pool.radius
        dt_old = p.mean(np.hypot(p.u - ox, p.v - oy)) / 2.0
    else:
        dt_old = np.ones(nt)
    ring = np.hypot(gx, gy)
    annulus = np.abs(r - ring) <= gr
    xmin = np.minimum.reduceat(p.u, p.starts)
    xmax = np.maximum.reduceat(p.u, p.starts)
    ymin = np.minimum.reduceat(p.v, p.starts)
    ymax = np.maximum.reduceat(p.v, p.starts)
    cov = np.pi * (xmax - xmin) / 2 * (ymax - ymin) / 2 / np.pi
    su, sv = p.u[p.starts][g], p.v[p.starts][g]
    heading = _angle_at(su, sv, gx, gy, p.u, p.v)
    hok = np.isfinite(heading)
    with np.errstate(invalid="ignore", divide="ignore"):
        outliers = np.bincount(
            g[hok], weights=(heading[hok] > 22.5).astype(float), minlength=nt
        ) / np.bincount(g[hok], minlength=nt)
    return pd.DataFrame(
        {
            "trial_id": p.ids,
            "meanalpha": meanalpha,
            "eff": eff,
            "dtPOG": p.mean(d_pog) / 2.0,
            "dtGOAL": p.mean(d_goal) / 2.0,
            "dtOLDGOAL": dt_old,
            "dtCENTER": p.mean(r),
            "annuluszonerel": p.sum(annulus.astype(float)) / p.n,
            "wallzonerel": p.sum((r >= arena.wall_zone_inner).astype(float)) / p.n,
            "covsurfacerel": cov,
            "outliersrel": outliers,
        }
    )


def classify_garthe2009(
    tracks: pd.DataFrame, *, arena: ArenaWaterMaze, check_arena: bool = True
) -> pd.DataFrame:
    """Garthe et al. (2009) strategy per trial.

    Returns
    -------
    pandas.DataFrame
        ``trial_id, strategy`` (name, see :data:`GARTHE_STRATEGIES`), ``strategy_code`` (0-8),
        ``confidence`` (NaN: rules have no probability), and the features of
        :func:`compute_garthe_features`.
    """
    f = compute_garthe_features(tracks, arena=arena, check_arena=check_arena)
    conditions = [
        (f.meanalpha < 25) & (f.eff > 80),
        (f.dtPOG < 0.25) & (f.dtGOAL < 0.18),
        (f.dtOLDGOAL < 0.25) & (f.dtPOG < 0.2) & (f.dtGOAL > 0.3),
        (f.outliersrel < 0.45) & (f.dtGOAL < 0.28),
        (f.annuluszonerel > 0.5) & (f.dtCENTER > 0.65),
        (f.covsurfacerel < 0.7) & (f.wallzonerel < 0.75) & (f.dtCENTER < 0.6),
        (f.wallzonerel > 0.65) & (f.dtCENTER > 0.58),
        (f.covsurfacerel > 0.35) & (f.wallzonerel < 0.8),
    ]
    codes = np.select([c.to_numpy() for c in conditions], [7, 6, 8, 5, 4, 3, 1, 2], default=0)
    out = pd.DataFrame(
        {
            "trial_id": f.trial_id,
            "strategy": [GARTHE_STRATEGIES[int(c)] for c in codes],
            "strategy_code": codes,
            "confidence": np.nan,
        }
    )
    return pd.concat([out, f.drop(columns="trial_id")], axis=1)

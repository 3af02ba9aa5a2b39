"""Seeded synthetic behaviour data with known ground truth (Y-maze, open field, passive avoidance).

Every generator takes a ``seed`` and returns the data together with the truth it was built from,
so tests can check the analysis against numbers fixed by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.y_maze import make_y_maze_arms

__all__ = ["make_y_maze_track", "make_open_field_track", "make_passive_avoidance_table"]


def _walk(waypoints: list[np.ndarray], speed: float, dt: float) -> np.ndarray:
    """Positions every ``dt`` seconds along straight segments at constant speed."""
    out = [waypoints[0]]
    for a, b in zip(waypoints[:-1], waypoints[1:], strict=True):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / (speed * dt))))
        frac = np.arange(1, n + 1)[:, None] / n
        out.extend(a + frac * (b - a))
    return np.vstack(out)


def make_y_maze_track(
    sequence: str,
    *,
    seed: int,
    arm_length_cm: float = 35.0,
    arm_width_cm: float = 8.0,
    entry_depth_cm: float = 5.0,
    centre_excursions: int = 3,
    noise_cm: float = 0.3,
    fps: float = 25.0,
    speed_cm_s: float = 20.0,
    missing_fraction: float = 0.0,
    trial_id: str = "ymaze",
) -> tuple[pd.DataFrame, dict[str, object]]:
    """A Y-maze track that enters the arms in ``sequence``, with jitter at the centre.

    The animal starts at the far end of ``sequence[0]``; before each next entry it returns to the
    centre and makes ``centre_excursions`` short forays past random arm entrances, each at most
    60 % of ``entry_depth_cm`` deep, which the hysteresis rule must not count as entries.

    Returns
    -------
    tracks : pandas.DataFrame
        Track table (``trial_id, time_s, x_cm, y_cm``); with ``missing_fraction`` > 0 that fraction
        of samples (never the first) is set to NaN.
    truth : dict
        ``sequence``, ``arms`` and ``centre_zone`` (polygons of :func:`~neuroprotect.behavior.
        y_maze.make_y_maze_arms`; the sorted arm symbols point to 90, 210 and 330 degrees),
        ``entry_depth_cm``.
    """
    rng = np.random.default_rng(seed)
    labels = "".join(sorted(set(sequence)))
    labels = (labels + "".join(c for c in "ABC123" if c not in labels))[:3]
    arms, centre_zone = make_y_maze_arms(
        arm_length_cm=arm_length_cm, arm_width_cm=arm_width_cm, labels=labels
    )
    apothem = arm_width_cm / (2 * np.sqrt(3))
    axis = {
        k: np.array([np.cos(np.radians(a)), np.sin(np.radians(a))])
        for k, a in zip(labels, (90.0, 210.0, 330.0), strict=True)
    }

    def at_depth(arm: str, depth: float, lateral: float = 0.0) -> np.ndarray:
        u = axis[arm]
        return (apothem + depth) * u + lateral * np.array([-u[1], u[0]])

    far = arm_length_cm - 3.0
    points = [at_depth(sequence[0], far)]
    for arm in sequence[1:]:
        points.append(np.zeros(2))
        for _ in range(centre_excursions):
            k = labels[int(rng.integers(3))]
            depth = float(rng.uniform(0.5, 0.6 * entry_depth_cm))
            lateral = float(rng.uniform(-0.25, 0.25) * arm_width_cm)
            points += [at_depth(k, depth, lateral), np.zeros(2)]
        points.append(at_depth(arm, far))
    xy = _walk(points, speed_cm_s, 1.0 / fps)
    xy = xy + rng.normal(0.0, noise_cm, xy.shape)
    if missing_fraction > 0:
        drop = rng.random(len(xy)) < missing_fraction
        drop[0] = False
        xy[drop] = np.nan
    tracks = pd.DataFrame(
        {
            "trial_id": trial_id,
            "time_s": np.arange(len(xy)) / fps,
            "x_cm": xy[:, 0],
            "y_cm": xy[:, 1],
        }
    )
    truth = {
        "sequence": sequence,
        "arms": arms,
        "centre_zone": centre_zone,
        "entry_depth_cm": entry_depth_cm,
    }
    return tracks, truth


def make_open_field_track(
    *,
    seed: int,
    duration_s: float = 600.0,
    fps: float = 10.0,
    box_cm: float = 40.0,
    speed_cm_s: float = 5.0,
    trial_id: str = "open_field",
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A random walk at constant speed in a square box (reflected at the walls).

    Returns
    -------
    tracks : pandas.DataFrame
        Track table sampled at ``fps``.
    truth : dict
        ``distance_cm`` (= speed x duration exactly: reflections keep every step's length),
        ``speed_cm_s``, ``rectangle`` (0, 0, box, box).
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fps))
    step = speed_cm_s / fps
    heading = np.cumsum(rng.normal(0.0, 0.3, n))
    pos = np.empty((n + 1, 2))
    pos[0] = (box_cm / 2, box_cm / 2)
    for i in range(n):
        d = step * np.array([np.cos(heading[i]), np.sin(heading[i])])
        nxt = pos[i] + d
        for j in range(2):
            if not 0.0 <= nxt[j] <= box_cm:
                d[j] = -d[j]
                heading[i:] = np.arctan2(d[1], d[0]) + (heading[i:] - heading[i])
                nxt = pos[i] + d
        pos[i + 1] = nxt
    tracks = pd.DataFrame(
        {
            "trial_id": trial_id,
            "time_s": np.arange(n + 1) / fps,
            "x_cm": pos[:, 0],
            "y_cm": pos[:, 1],
        }
    )
    return tracks, {
        "distance_cm": step * n,
        "speed_cm_s": speed_cm_s,
        "rectangle": (0.0, 0.0, box_cm, box_cm),
    }


def make_passive_avoidance_table(
    *,
    seed: int,
    groups: Mapping[str, float],
    n_per_group: int = 10,
    cutoff_s: float = 300.0,
    training_mean_s: float = 20.0,
) -> pd.DataFrame:
    """Step-through latencies: exponential retention latencies censored at the cut-off.

    Parameters
    ----------
    groups
        Group id -> mean retention latency (s) of the uncensored exponential distribution
        (Shulz et al. 1986 model an exponential fraction remaining in the light compartment).
    n_per_group, cutoff_s, training_mean_s
        Animals per group, trial cut-off, mean training latency.

    Returns
    -------
    pandas.DataFrame
        ``animal_id, group, training_latency_s, retention_latency_s`` with latencies
        ``min(L, cutoff)`` rounded to 0.1 s.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for g, mean in groups.items():
        for i in range(n_per_group):
            train = min(round(float(rng.exponential(training_mean_s)), 1), cutoff_s)
            ret = min(round(float(rng.exponential(mean)), 1), cutoff_s)
            rows.append(
                {
                    "animal_id": f"{g}-{i}",
                    "group": g,
                    "training_latency_s": train,
                    "retention_latency_s": ret,
                }
            )
    return pd.DataFrame(rows)

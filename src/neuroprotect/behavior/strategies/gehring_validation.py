"""Validation of the Gehring-2015 segment classifier on the expert labels (sets 1 and 2).

Used by :mod:`~neuroprotect.behavior.strategies.train_gehring` (figures stored in the model
file) and by the real-data tests. Reference: the experts' segment labels
(``segment_labels_250c.csv``); a call agrees when its code is among the segment's tags. Figures:

* within-cohort: 5-fold cross-validation grouped by rat over sets 1+2;
* cross-cohort: trained on set 1, tested on set 2, and the reverse;
* other rigs: the test cohort's tracks transformed as another camera would record them
  (:data:`RIGS`: rescaled and shifted, a pool circle fitted a few % off, radial lens distortion,
  all together), with the arena a lab would fit to them, classified by the cross-cohort model.

Agreement is given over all segments and over the confidently called ones (probability >=
``min_confidence``) with the fraction called (coverage).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze, Circle, load_arena
from neuroprotect.behavior.readers import read_tracks

ARENA = Path(__file__).parent / "data" / "gehring2015_set12.yaml"
LABEL_FILE = "segment_labels_250c.csv"
MATCH_TOLERANCE_CM = 30.0

# Another rig: scale/shift of the coordinates, pool circle misfit (radius fraction, centre offset
# in radii), radial lens distortion rho = r (1 + k1 r^2) about an optical axis off the pool centre.
RIGS: dict[str, dict[str, Any]] = {
    "rescaled x1.7, shifted": {"scale": 1.7, "shift": (35.0, -60.0)},
    "pool circle 4% too large, 3% off-centre": {"misfit_r": 0.04, "misfit_c": (0.03, -0.02)},
    "pool circle 4% too small, 3% off-centre": {"misfit_r": -0.04, "misfit_c": (-0.02, 0.03)},
    "barrel distortion k1 = -0.08": {"k1": -0.08, "axis_off": (0.05, -0.03)},
    "pincushion distortion k1 = +0.05": {"k1": 0.05, "axis_off": (-0.04, 0.02)},
    "tracker calibration bending the pool square (0.8)": {"bend": 0.8},
    "all of these at once (x0.6)": {
        "scale": 0.6,
        "shift": (10.0, 20.0),
        "misfit_r": 0.04,
        "misfit_c": (0.03, -0.02),
        "k1": -0.08,
        "axis_off": (0.05, -0.03),
    },
}


@dataclasses.dataclass
class LabelledTracks:
    """Set 1-2 tracks, their arena, and the expert segment labels."""

    tracks: pd.DataFrame
    arena: ArenaWaterMaze
    labels: list[tuple[int, str, float, list[str]]]  # set, trial_id, offset_cm, tags
    group: dict[str, str]  # trial_id -> "set/rat"


def load_labelled_tracks(data_dir: Path) -> LabelledTracks:
    """Read the labelled set 1-2 tracks (``setS/dayD_TTTT_00.csv``, trial id ``S/D/T``)."""
    labels = []
    for line in (data_dir / LABEL_FILE).read_text().splitlines():
        cells = [c.strip() for c in line.split(",") if c.strip()]
        if len(cells) < 6:
            continue
        s, d, tr = (int(float(c)) for c in cells[:3])
        labels.append((s, f"{s}/{d}/{tr}", float(cells[3]), cells[5:]))
    parts, group = [], {}
    for tid in sorted({lab[1] for lab in labels}):
        s, d, tr = (int(k) for k in tid.split("/"))
        t, m = read_tracks(
            data_dir / f"set{s}" / f"day{d}_{tr:04d}_00.csv", format="ethovision3", trial_id=tid
        )
        parts.append(t)
        group[tid] = f"{s}/{m.animal_id.iloc[0]}"
    arena = load_arena(ARENA)
    assert isinstance(arena, ArenaWaterMaze)
    return LabelledTracks(pd.concat(parts, ignore_index=True), arena, labels, group)


def match_labels(feats: pd.DataFrame, data: LabelledTracks) -> tuple[pd.DataFrame, list[list[str]]]:
    """Our segment nearest to each labelled one by path offset (within ``MATCH_TOLERANCE_CM``).

    Returns the matched feature rows (with ``label``: index of the label, ``set``, ``group``) and
    the tags of each.
    """
    by_trial = {k: g for k, g in feats.groupby("trial_id", sort=False)}
    rows, tags, which = [], [], []
    for i, (_s, tid, off, tag) in enumerate(data.labels):
        seg = by_trial.get(tid)
        if seg is None:
            continue
        j = int(np.argmin(np.abs(seg.offset_cm.to_numpy() - off)))
        if abs(seg.offset_cm.iloc[j] - off) <= MATCH_TOLERANCE_CM:
            rows.append(seg.index[j])
            tags.append(tag)
            which.append(i)
    out = feats.loc[rows].reset_index(drop=True)
    out["label"] = which
    out["set"] = [data.labels[i][0] for i in which]
    out["group"] = out.trial_id.map(data.group).to_numpy()
    return out, tags


def agreement(
    proba: np.ndarray, tags: list[list[str]], classes: list[str], min_confidence: float
) -> dict[str, float]:
    """Agreement with the experts over all segments and over the confidently called ones."""
    best = proba.argmax(axis=1)
    hit = np.array([classes[b] in t for b, t in zip(best, tags, strict=True)])
    called = proba.max(axis=1) >= min_confidence
    return {
        "n_segments": int(hit.size),
        "agreement_all": float(hit.mean()),
        "agreement_called": float(hit[called].mean()) if called.any() else float("nan"),
        "coverage": float(called.mean()),
    }


def _fit_circle(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    a = np.c_[2 * x, 2 * y, np.ones_like(x)]
    cx, cy, c = np.linalg.lstsq(a, x**2 + y**2, rcond=None)[0]
    return float(cx), float(cy), float(np.sqrt(c + cx**2 + cy**2))


def rig_transform(
    tracks: pd.DataFrame,
    arena: ArenaWaterMaze,
    *,
    scale: float = 1.0,
    shift: tuple[float, float] = (0.0, 0.0),
    misfit_r: float = 0.0,
    misfit_c: tuple[float, float] = (0.0, 0.0),
    k1: float = 0.0,
    axis_off: tuple[float, float] = (0.0, 0.0),
    bend: float = 0.0,
) -> tuple[pd.DataFrame, ArenaWaterMaze]:
    """The same swims as another rig records them, and the arena its lab would fit.

    Positions are distorted radially about an optical axis ``axis_off`` (pool radii) from the pool
    centre, then scaled and shifted. The lab's pool circle is the least-squares circle through
    the transformed wall, made ``misfit_r`` larger and moved by ``misfit_c`` radii; the platform
    is where the transformed platform lies; ``cm_per_unit`` is set so the fitted pool has its
    true size (how a lab calibrates).
    """
    pool, goal = arena.pool, arena.goal
    assert goal is not None
    ox, oy = pool.x + axis_off[0] * pool.radius, pool.y + axis_off[1] * pool.radius

    def move(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx, dy = (x - ox) / pool.radius, (y - oy) / pool.radius
        f = 1 + k1 * (dx**2 + dy**2)
        dx, dy = dx * f, dy * f
        dx, dy = dx * (1 + bend * dy**2), dy * (1 + bend * dx**2)
        return (ox + dx * pool.radius) * scale + shift[0], (oy + dy * pool.radius) * scale + shift[
            1
        ]

    x, y = move(tracks.x_cm.to_numpy(float), tracks.y_cm.to_numpy(float))
    th = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    px, py, pr = _fit_circle(
        *move(pool.x + pool.radius * np.cos(th), pool.y + pool.radius * np.sin(th))
    )
    gx, gy = move(np.array([goal.x]), np.array([goal.y]))
    ex, ey = move(goal.x + goal.radius * np.cos(th), goal.y + goal.radius * np.sin(th))
    gr = float(np.mean(np.hypot(ex - gx[0], ey - gy[0])))
    lab = dataclasses.replace(
        arena,
        pool=Circle(px + misfit_c[0] * pr, py + misfit_c[1] * pr, pr * (1 + misfit_r)),
        goal=Circle(float(gx[0]), float(gy[0]), gr),
        cm_per_unit=arena.cm_per_unit * pool.radius / pr,
    )
    return tracks.assign(x_cm=x, y_cm=y), lab

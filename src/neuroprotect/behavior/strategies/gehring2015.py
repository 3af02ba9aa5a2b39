"""Path-segment strategies after Gehring, Luksys, Sandi & Vasilaki (2015), Sci Rep 5:14562.

A swim path is cut into overlapping segments of fixed length (250 cm with 90 % overlap: a new
segment starts every 25 cm of path). Each segment gets a feature vector (below) and a class from a
small multinomial logistic-regression model trained on the expert segment labels of Gehring's
sets 1 and 2 (``segment_labels_250c.csv``); the model ships as JSON
(``data/gehring2015_model.json``), its training script is
:mod:`neuroprotect.behavior.strategies.train_gehring`, and its grouped cross-validated accuracy is
stored in the model file and in ``docs/behavior-metrics.md``.

Class codes as in the label files: TT thigmotaxis, IC incursion, SS scanning-surroundings,
SC scanning, FS focused search, SO self-orienting, CR chaining response, ST scanning-target
(target scanning), TS target sweep, DF direct finding, AT approaching target, CI circling. The
shipped model predicts the codes present in the segment labels (TT, IC, SS, SC, FS, SO, CR, ST).

Features per segment (positions normalised to a pool of radius 1; goal g, radius r_g):
``r_mean, r_std`` distance from the pool centre; ``d_goal_mean, d_goal_min``; ``near_goal``
fraction of samples within 3 r_g of the goal centre; ``centroid_r``, ``centroid_goal`` position of
the segment centroid; ``spread`` mean distance to the centroid; ``eccentricity`` sqrt(1 -
lambda_min/lambda_max) of the position covariance; ``wall`` fraction with r >= 0.8; ``annulus``
fraction in the goal annulus; ``alpha_mean`` mean angle between the step and the direction to
the goal / 180 deg; ``straightness`` |end - start| / path length; ``turning_abs`` sum |heading
change| / (2 pi) and ``turning_net`` |sum heading change| / (2 pi) per 100 cm of path.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze
from neuroprotect.behavior.water_maze import Prepared, _angle_at, prepare_tracks
from neuroprotect.errors import InputError

__all__ = [
    "GEHRING_CODES",
    "SEGMENT_FEATURES",
    "segment_tracks",
    "compute_segment_features",
    "load_gehring_model",
    "predict_proba",
    "classify_gehring2015",
    "summarise_segments",
]

GEHRING_CODES = {
    "TT": "thigmotaxis",
    "IC": "incursion",
    "SS": "scanning-surroundings",
    "SC": "scanning",
    "FS": "focused search",
    "SO": "self-orienting",
    "CR": "chaining response",
    "ST": "scanning-target",
    "TS": "target sweep",
    "DF": "direct finding",
    "AT": "approaching target",
    "CI": "circling",
}

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
)

MODEL_FILE = "gehring2015_model.json"


def _segments(p: Prepared, length_cm: float, overlap: float) -> dict[str, np.ndarray]:
    """Start/end sample of every segment, vectorised over trials."""
    if not (length_cm > 0 and 0 <= overlap < 1):
        raise InputError(
            f"Expected segment length > 0 and 0 <= overlap < 1, but got {length_cm} and {overlap}",
            field="segment_length_cm",
        )
    step_cm = length_cm * (1 - overlap)
    cum = np.concatenate([[0.0], np.cumsum(p.step)]) * p.scale_cm  # global, cm
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


def segment_tracks(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    segment_length_cm: float = 250.0,
    overlap: float = 0.9,
    check_arena: bool = True,
) -> pd.DataFrame:
    """Overlapping segments of each swim path.

    A segment k starts at the first sample whose cumulative path length reaches k x
    ``segment_length_cm`` x (1 - ``overlap``) and ends at the first sample at least
    ``segment_length_cm`` further along (segments that would run past the end are not made; a
    path shorter than one segment is one segment).

    Returns
    -------
    pandas.DataFrame
        ``trial_id, segment, offset_cm, length_cm, start_sample, end_sample`` (sample indices
        within the trial).
    """
    p = prepare_tracks(tracks, arena=arena, check_arena=check_arena)
    s = _segments(p, segment_length_cm, overlap)
    return pd.DataFrame(
        {
            "trial_id": p.ids[s["trial"]],
            "segment": s["segment"],
            "offset_cm": s["offset_cm"],
            "length_cm": s["length_cm"],
            "start_sample": s["start"] - p.starts[s["trial"]],
            "end_sample": s["end"] - p.starts[s["trial"]],
        }
    )


def compute_segment_features(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    segment_length_cm: float = 250.0,
    overlap: float = 0.9,
    check_arena: bool = True,
) -> pd.DataFrame:
    """Segments (as :func:`segment_tracks`) with the features :data:`SEGMENT_FEATURES`.

    Vectorised: every (segment, sample) pair is expanded once and reduced with ``bincount``.
    """
    if arena.goal is None:
        raise InputError(
            "Expected an arena with a goal for segment features, but it has none", field="goal"
        )
    p = prepare_tracks(tracks, arena=arena, check_arena=check_arena)
    s = _segments(p, segment_length_cm, overlap)
    ns = s["trial"].size
    npts = s["end"] - s["start"] + 1
    seg = np.repeat(np.arange(ns), npts)
    idx = np.arange(seg.size) - np.repeat(np.cumsum(npts) - npts, npts) + s["start"][seg]
    pool, goal = arena.pool, arena.goal
    gx, gy = (goal.x - pool.x) / pool.radius, (goal.y - pool.y) / pool.radius
    gr = goal.radius / pool.radius
    u, v = p.u[idx], p.v[idx]
    cnt = npts.astype(float)

    def mean(
        vals: np.ndarray, weights_count: np.ndarray = cnt, sel: np.ndarray | None = None
    ) -> np.ndarray:
        if sel is None:
            return np.bincount(seg, weights=vals, minlength=ns) / weights_count
        return np.bincount(seg[sel], weights=vals[sel], minlength=ns) / weights_count

    r = np.hypot(u, v)
    d = np.hypot(u - gx, v - gy)
    r_mean = mean(r)
    r_std = np.sqrt(np.maximum(mean(r * r) - r_mean**2, 0))
    d_min = np.full(ns, np.inf)
    np.minimum.at(d_min, seg, d)
    cx, cy = mean(u), mean(v)
    du, dv = u - cx[seg], v - cy[seg]
    sxx, syy, sxy = mean(du * du), mean(dv * dv), mean(du * dv)
    tr, det = sxx + syy, sxx * syy - sxy**2
    disc = np.sqrt(np.maximum(tr**2 / 4 - det, 0))
    lmax, lmin = tr / 2 + disc, np.maximum(tr / 2 - disc, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ecc = np.where(lmax > 0, np.sqrt(1 - lmin / lmax), 0.0)
    ring = np.hypot(gx, gy)
    # step-based features: steps start..end-1 of each segment
    inner = idx < s["end"][seg]
    alpha = _angle_at(
        p.u[idx],
        p.v[idx],
        gx,
        gy,
        p.u[np.minimum(idx + 1, p.u.size - 1)],
        p.v[np.minimum(idx + 1, p.v.size - 1)],
    )
    ok = inner & np.isfinite(alpha) & (p.step[np.minimum(idx, p.step.size - 1)] > 0)
    n_ok = np.bincount(seg[ok], minlength=ns)
    heading = np.arctan2(np.diff(p.v), np.diff(p.u))
    moved = p.step > 0
    turn = np.zeros(p.u.size)
    # heading change at sample i between step i-1 and step i (both in the trial and non-zero)
    dh = np.angle(np.exp(1j * (heading[1:] - heading[:-1])))
    valid = p.same[1:] & p.same[:-1] & moved[1:] & moved[:-1]
    turn[1:-1] = np.where(valid, dh, 0.0)
    tsel = inner & (idx > s["start"][seg])
    turn_abs = np.bincount(seg[tsel], weights=np.abs(turn[idx][tsel]), minlength=ns)
    turn_net = np.abs(np.bincount(seg[tsel], weights=turn[idx][tsel], minlength=ns))
    seg_len = np.maximum(s["length_cm"], 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        feats = {
            "r_mean": r_mean,
            "r_std": r_std,
            "d_goal_mean": mean(d),
            "d_goal_min": d_min,
            "near_goal": mean((d <= 3 * gr).astype(float)),
            "centroid_r": np.hypot(cx, cy),
            "centroid_goal": np.hypot(cx - gx, cy - gy),
            "spread": mean(np.hypot(du, dv)),
            "eccentricity": ecc,
            "wall": mean((r >= arena.wall_zone_inner).astype(float)),
            "annulus": mean((np.abs(r - ring) <= gr).astype(float)),
            "alpha_mean": np.where(
                n_ok > 0,
                np.bincount(seg[ok], weights=alpha[ok], minlength=ns) / np.maximum(n_ok, 1) / 180.0,
                0.5,
            ),
            "straightness": np.hypot(
                p.u[s["end"]] - p.u[s["start"]], p.v[s["end"]] - p.v[s["start"]]
            )
            * p.scale_cm
            / seg_len,
            "turning_abs": turn_abs / (2 * np.pi) / seg_len * 100,
            "turning_net": turn_net / (2 * np.pi) / seg_len * 100,
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


# --- model -----------------------------------------------------------------------------------------
def expand_features(x: np.ndarray) -> np.ndarray:
    """Design matrix of the model: standardised features and their squares."""
    return np.hstack([x, x**2])


@lru_cache(maxsize=4)
def _load_model_text(path: str | None) -> str:
    if path is None:
        return (
            resources.files("neuroprotect.behavior.strategies")
            .joinpath("data", MODEL_FILE)
            .read_text()
        )
    return Path(path).read_text()


def load_gehring_model(path: str | Path | None = None) -> dict[str, Any]:
    """The shipped (or a given) segment-classifier model as a dict (see ``train_gehring``)."""
    try:
        return json.loads(_load_model_text(None if path is None else str(path)))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"Expected a readable model JSON, but got {exc}", file=path) from None


def predict_proba(features: pd.DataFrame | np.ndarray, model: dict[str, Any]) -> np.ndarray:
    """Class probabilities (rows: segments, columns: ``model['classes']``)."""
    x = np.asarray(
        features[list(model["features"])] if isinstance(features, pd.DataFrame) else features,
        dtype=float,
    )
    z = (x - np.asarray(model["mean"])) / np.asarray(model["scale"])
    design = expand_features(z)
    logits = design @ np.asarray(model["coef"]).T + np.asarray(model["intercept"])
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def classify_gehring2015(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    segment_length_cm: float = 250.0,
    overlap: float = 0.9,
    model: dict[str, Any] | None = None,
    check_arena: bool = True,
) -> pd.DataFrame:
    """Classify every path segment.

    Returns
    -------
    pandas.DataFrame
        ``trial_id, segment, offset_cm, length_cm, strategy`` (Gehring code), ``confidence``
        (the model's probability of that class) and ``p_<code>`` per class.
    """
    model = model or load_gehring_model()
    feats = compute_segment_features(
        tracks,
        arena=arena,
        segment_length_cm=segment_length_cm,
        overlap=overlap,
        check_arena=check_arena,
    )
    proba = predict_proba(feats, model)
    classes = np.asarray(model["classes"])
    best = proba.argmax(axis=1)
    out = feats[["trial_id", "segment", "offset_cm", "length_cm"]].copy()
    out["strategy"] = classes[best]
    out["confidence"] = proba[np.arange(len(best)), best]
    for j, c in enumerate(classes):
        out[f"p_{c}"] = proba[:, j]
    return out


def summarise_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """One strategy per trial from its segments: the class with the highest mean probability.

    Returns
    -------
    pandas.DataFrame
        ``trial_id, strategy, confidence`` (that mean probability), ``n_segments``.
    """
    pcols = [c for c in segments.columns if c.startswith("p_")]
    mean = segments.groupby("trial_id", sort=False)[pcols].mean()
    best = mean.to_numpy().argmax(axis=1)
    return pd.DataFrame(
        {
            "trial_id": mean.index,
            "strategy": [pcols[j][2:] for j in best],
            "confidence": mean.to_numpy()[np.arange(len(best)), best],
            "n_segments": segments.groupby("trial_id", sort=False).size().to_numpy(),
        }
    )

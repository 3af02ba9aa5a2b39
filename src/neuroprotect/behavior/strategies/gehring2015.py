"""Path-segment strategies after Gehring, Luksys, Sandi & Vasilaki (2015), Sci Rep 5:14562.

A swim path is cut into overlapping segments of fixed length (250 cm with 90 % overlap: a new
segment starts every 25 cm of path). Each segment gets a feature vector (see Features) and a class from a
small multinomial logistic-regression model trained on the expert segment labels of Gehring's
sets 1 and 2 (``segment_labels_250c.csv``); the model ships as JSON
(``data/gehring2015_model.json``), its training script is
:mod:`neuroprotect.behavior.strategies.train_gehring`, and its validation figures are
stored in the model file and in ``docs/behavior-metrics.md``.

Class codes as in the label files: TT thigmotaxis, IC incursion, SS scanning-surroundings,
SC scanning, FS focused search, SO self-orienting, CR chaining response, ST scanning-target
(target scanning), TS target sweep, DF direct finding, AT approaching target, CI circling. The
shipped model predicts the codes present in the segment labels (TT, IC, SS, SC, FS, SO, CR, ST).

Features (:mod:`~neuroprotect.behavior.strategies.gehring_features`) are computed in a pool frame
that does not depend on the camera scale, the pool circle's exact fit or the lens: pool radii, a
wall envelope correction, ratios and angles relative to the goal.

A segment whose most probable class has a probability below the model's ``min_confidence`` (0.4)
is called ``unclassified``; its most probable class stays in ``best_guess`` and its probability in
``confidence``. Cross-cohort figures (train on set 1, test on set 2 and the reverse) and the
agreement on tracks transformed as another rig records them are in ``docs/behavior-metrics.md``.
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
from neuroprotect.behavior.strategies.gehring_features import (
    SEGMENT_FEATURES,
    compute_segment_features,
    frame_steps,
    pool_frame,
    segment_bounds,
)
from neuroprotect.behavior.water_maze import prepare_tracks
from neuroprotect.errors import InputError

__all__ = [
    "GEHRING_CODES",
    "SEGMENT_FEATURES",
    "segment_tracks",
    "compute_segment_features",
    "load_gehring_model",
    "predict_proba",
    "UNCLASSIFIED",
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

MODEL_FILE = "gehring2015_model.json"
UNCLASSIFIED = "unclassified"
Z_CLIP = 4.0  # standardised features are clipped: squares must not extrapolate far


def segment_tracks(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    segment_length_cm: float = 250.0,
    overlap: float = 0.9,
    check_arena: bool = True,
) -> pd.DataFrame:
    """Overlapping segments of each swim path.

    Path lengths are measured in the pool frame of the features (wall-envelope corrected, not
    clipped; see :mod:`~neuroprotect.behavior.strategies.gehring_features`), in cm of the
    pool's radius (``pool.radius x cm_per_unit``). A segment k starts at the first sample whose cumulative path length reaches k x
    ``segment_length_cm`` x (1 - ``overlap``) and ends at the first sample at least
    ``segment_length_cm`` further along (segments that would run past the end are not made; a
    path shorter than one segment is one segment).

    Returns
    -------
    pandas.DataFrame
        ``trial_id, segment, offset_cm, length_cm, start_sample, end_sample`` (sample indices
        within the trial).
    """
    if arena.goal is None:
        raise InputError(
            "Expected an arena with a goal for segments, but it has none", field="goal"
        )
    p = prepare_tracks(tracks, arena=arena, check_arena=check_arena)
    u, v, _ = pool_frame(p, arena)
    s = segment_bounds(p, segment_length_cm, overlap, frame_steps(p, u, v))
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


# --- model -----------------------------------------------------------------------------------------
def expand_features(x: np.ndarray) -> np.ndarray:
    """Design matrix of the model: standardised features (clipped to +-``Z_CLIP``) and squares."""
    x = np.clip(x, -Z_CLIP, Z_CLIP)
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
    min_confidence: float | None = None,
) -> pd.DataFrame:
    """Classify every path segment.

    ``min_confidence`` (default: the model's, 0.4 for the shipped one): below it a segment is
    called :data:`UNCLASSIFIED` rather than given a class the model is unsure of. The pool frame
    of the features is fitted to all ``tracks`` together (pass the trials of one rig at once).

    Returns
    -------
    pandas.DataFrame
        ``trial_id, segment, offset_cm, length_cm, strategy`` (Gehring code or ``unclassified``),
        ``best_guess`` (the most probable code), ``confidence`` (its probability) and ``p_<code>``
        per class.
    """
    model = model or load_gehring_model()
    threshold = float(
        model.get("min_confidence", 0.0) if min_confidence is None else min_confidence
    )
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
    conf = proba[np.arange(len(best)), best]
    out = feats[["trial_id", "segment", "offset_cm", "length_cm"]].copy()
    out["strategy"] = np.where(conf >= threshold, classes[best], UNCLASSIFIED)
    out["best_guess"] = classes[best]
    out["confidence"] = conf
    for j, c in enumerate(classes):
        out[f"p_{c}"] = proba[:, j]
    return out


def summarise_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """One strategy per trial from its segments: the class with the highest mean probability.

    Returns
    -------
    pandas.DataFrame
        ``trial_id, strategy, confidence`` (that mean probability), ``n_segments`` and
        ``unclassified_pct`` (% of the trial's segments called unclassified).
    """
    pcols = [c for c in segments.columns if c.startswith("p_")]
    by_trial = segments.groupby("trial_id", sort=False)
    mean = by_trial[pcols].mean()
    best = mean.to_numpy().argmax(axis=1)
    unsure = (segments["strategy"] == UNCLASSIFIED).groupby(segments["trial_id"], sort=False)
    return pd.DataFrame(
        {
            "trial_id": mean.index,
            "strategy": [pcols[j][2:] for j in best],
            "confidence": mean.to_numpy()[np.arange(len(best)), best],
            "n_segments": by_trial.size().to_numpy(),
            "unclassified_pct": 100 * unsure.mean().reindex(mean.index).to_numpy(),
        }
    )

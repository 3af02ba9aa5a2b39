"""One table per water maze experiment: metrics, missing-sample counts and a strategy per trial."""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.behavior.arena import ArenaWaterMaze, check_track_in_arena
from neuroprotect.behavior.strategies import (
    classify_garthe2009,
    classify_gehring2015,
    summarise_segments,
)
from neuroprotect.behavior.water_maze import WATER_MAZE_COLUMNS, compute_water_maze_metrics
from neuroprotect.errors import InputError

__all__ = ["SCHEMES", "analyse_water_maze_trials", "check_tracks_in_pool", "classify_strategies"]

SCHEMES = ("garthe2009", "gehring2015", "none")


def check_tracks_in_pool(
    tracks: pd.DataFrame, meta: pd.DataFrame | None, *, arena: ArenaWaterMaze
) -> None:
    """:func:`~neuroprotect.behavior.arena.check_track_in_arena` on a track table, naming the
    offending trial's file (``meta.source_file``) and, when ``meta`` has it, its ``label``
    (animal, day, trial)."""
    sources = labels = None
    if meta is not None:
        ids = meta["trial_id"].to_numpy()
        sources = dict(zip(ids, meta["source_file"].astype(str), strict=True))
        if "label" in meta:
            labels = dict(zip(ids, meta["label"].astype(str), strict=True))
    check_track_in_arena(
        tracks["x_cm"].to_numpy(dtype=float),
        tracks["y_cm"].to_numpy(dtype=float),
        arena=arena,
        trial_ids=tracks["trial_id"].to_numpy(),
        sources=sources,
        labels=labels,
    )


def classify_strategies(
    tracks: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    scheme: str = "garthe2009",
    segment_length_cm: float = 250.0,
    overlap: float = 0.9,
    check_arena: bool = True,
    meta: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Strategy rows ``trial_id, segment, offset_cm, length_cm, strategy, best_guess, confidence``.

    ``garthe2009``: one row per trial (``segment`` missing, ``offset_cm`` 0, ``length_cm`` the
    path length, ``best_guess`` = ``strategy``, ``confidence`` NaN). ``gehring2015``: one row per
    path segment; ``strategy`` is ``unclassified`` when the model's probability of its best guess
    is below the model's ``min_confidence``. ``meta`` (from
    the track readers) names the file of a track outside the pool.
    """
    if check_arena:
        check_tracks_in_pool(tracks, meta, arena=arena)
        check_arena = False
    if scheme == "garthe2009":
        calls = classify_garthe2009(tracks, arena=arena, check_arena=check_arena)
        metrics = compute_water_maze_metrics(tracks, arena=arena, check_arena=check_arena)
        return pd.DataFrame(
            {
                "trial_id": calls.trial_id,
                "segment": pd.array([pd.NA] * len(calls), dtype="Int64"),
                "offset_cm": 0.0,
                "length_cm": metrics.path_length_cm.to_numpy(),
                "strategy": calls.strategy,
                "best_guess": calls.strategy,
                "confidence": np.nan,
            }
        )
    if scheme == "gehring2015":
        seg = classify_gehring2015(
            tracks,
            arena=arena,
            segment_length_cm=segment_length_cm,
            overlap=overlap,
            check_arena=check_arena,
        )
        return seg
    raise InputError(
        f"Expected a scheme among garthe2009, gehring2015, but got {scheme!r}", field="scheme"
    )


def analyse_water_maze_trials(
    tracks: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    arena: ArenaWaterMaze,
    trial_length_s: float | None = None,
    scheme: str = "garthe2009",
    check_arena: bool = True,
) -> pd.DataFrame:
    """Per-trial metrics (:data:`WATER_MAZE_COLUMNS`) with ``source_file``, ``n_missing`` and the
    trial's ``strategy``/``strategy_confidence`` (Garthe rules, or Gehring segments summarised by
    :func:`~neuroprotect.behavior.strategies.summarise_segments`; ``none`` leaves them empty).
    A track outside the pool is an error naming its ``source_file`` (and ``label``, if ``meta``
    has one).
    """
    if scheme not in SCHEMES:
        raise InputError(
            f"Expected a scheme among {', '.join(SCHEMES)}, but got {scheme!r}", field="scheme"
        )
    if check_arena:
        check_tracks_in_pool(tracks, meta, arena=arena)
        check_arena = False
    metrics = compute_water_maze_metrics(
        tracks, arena=arena, trial_length_s=trial_length_s, check_arena=check_arena
    )
    info = meta.set_index("trial_id")
    metrics.insert(1, "source_file", metrics.trial_id.map(info["source_file"]))
    metrics.insert(3, "n_missing", metrics.trial_id.map(info["n_missing"]).astype(int))
    if scheme == "garthe2009":
        calls = classify_garthe2009(tracks, arena=arena, check_arena=check_arena).set_index(
            "trial_id"
        )
        metrics["strategy"] = metrics.trial_id.map(calls["strategy"])
        metrics["strategy_confidence"] = np.nan
    elif scheme == "gehring2015":
        per_trial = summarise_segments(
            classify_gehring2015(tracks, arena=arena, check_arena=check_arena)
        ).set_index("trial_id")
        metrics["strategy"] = metrics.trial_id.map(per_trial["strategy"])
        metrics["strategy_confidence"] = metrics.trial_id.map(per_trial["confidence"])
    else:
        metrics["strategy"] = None
        metrics["strategy_confidence"] = np.nan
    return metrics[
        [
            "trial_id",
            "source_file",
            "n_missing",
            *WATER_MAZE_COLUMNS[1:],
            "strategy",
            "strategy_confidence",
        ]
    ]

"""Behavioural readouts: neurological deficit scores and water maze tracking.

Water maze: :mod:`~neuroprotect.behavior.readers` (track files), :mod:`~neuroprotect.behavior.arena`
(geometry), :mod:`~neuroprotect.behavior.water_maze` (per-trial metrics),
:mod:`~neuroprotect.behavior.strategies` (Garthe rules, Gehring segment classifier) and
:mod:`~neuroprotect.behavior.plots` (figures).
"""

from neuroprotect.behavior.arena import (
    ArenaOpenField,
    ArenaWaterMaze,
    ArenaYMaze,
    Circle,
    load_arena,
)
from neuroprotect.behavior.neuro_score import SCALES, ScoreScale, check_neuro_scores, get_scale
from neuroprotect.behavior.readers import read_many_tracks, read_tracks
from neuroprotect.behavior.water_maze import WATER_MAZE_COLUMNS, compute_water_maze_metrics

__all__ = [
    "SCALES",
    "ScoreScale",
    "check_neuro_scores",
    "get_scale",
    "ArenaOpenField",
    "ArenaWaterMaze",
    "ArenaYMaze",
    "Circle",
    "load_arena",
    "read_tracks",
    "read_many_tracks",
    "WATER_MAZE_COLUMNS",
    "compute_water_maze_metrics",
]

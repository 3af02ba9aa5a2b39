"""Behavioural readouts: neurological deficit scores."""

from neuroprotect.behavior.neuro_score import SCALES, ScoreScale, check_neuro_scores, get_scale

__all__ = ["SCALES", "ScoreScale", "check_neuro_scores", "get_scale"]

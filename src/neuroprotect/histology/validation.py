"""Accuracy of cell detection against ground truth: matching, F1, count and area error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["DetectionScores", "score_detections"]


@dataclass(frozen=True)
class DetectionScores:
    """Detection accuracy (see :func:`score_detections`)."""

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    count_error_pct: float
    matched_pred: np.ndarray
    matched_true: np.ndarray


def score_detections(
    pred_xy: np.ndarray, true_xy: np.ndarray, *, radius_px: float
) -> DetectionScores:
    """Match detected to true centres one-to-one within ``radius_px`` and score them.

    Parameters
    ----------
    pred_xy, true_xy
        ``(n, 2)`` arrays of centres (any consistent order of coordinates).
    radius_px
        Largest distance of a match (half a cell diameter is usual).

    Returns
    -------
    DetectionScores
        ``tp`` (matched pairs), ``fp``, ``fn``, ``precision = tp / n_pred``, ``recall = tp /
        n_true``, ``f1 = 2 tp / (n_pred + n_true)``, ``count_error_pct = 100 (n_pred - n_true) /
        n_true`` and the indices of matched pairs.

    Notes
    -----
    Optimal one-to-one assignment (Hungarian algorithm, :func:`scipy.optimize.linear_sum_assignment`)
    minimising total distance, pairs farther than ``radius_px`` discarded; the point-matching
    criterion of cell-detection challenges, used instead of IoU >= 0.5 when only centres are known.
    """
    p = np.asarray(pred_xy, dtype=float).reshape(-1, 2)
    t = np.asarray(true_xy, dtype=float).reshape(-1, 2)
    if len(p) and len(t):
        d = np.hypot(p[:, None, 0] - t[None, :, 0], p[:, None, 1] - t[None, :, 1])
        big = 1e6 + d.max()
        cost = np.where(d <= radius_px, d, big)
        i, j = linear_sum_assignment(cost)
        ok = d[i, j] <= radius_px
        i, j = i[ok], j[ok]
    else:
        i = j = np.zeros(0, dtype=int)
    tp = len(i)
    n_p, n_t = len(p), len(t)
    return DetectionScores(
        tp=tp,
        fp=n_p - tp,
        fn=n_t - tp,
        precision=tp / n_p if n_p else float("nan"),
        recall=tp / n_t if n_t else float("nan"),
        f1=2 * tp / (n_p + n_t) if n_p + n_t else float("nan"),
        count_error_pct=100.0 * (n_p - n_t) / n_t if n_t else float("nan"),
        matched_pred=i,
        matched_true=j,
    )

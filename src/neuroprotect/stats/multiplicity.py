"""Multiplicity adjustment of p-values (Holm, Bonferroni, Benjamini-Hochberg)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from neuroprotect.errors import InputError

__all__ = ["P_ADJUST_METHODS", "PAdjust", "p_adjust"]

PAdjust = Literal["holm", "bonferroni", "bh", "none"]
P_ADJUST_METHODS: tuple[str, ...] = ("holm", "bonferroni", "bh", "none")

#: Names used in method text.
P_ADJUST_LABELS = {
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "bh": "Benjamini-Hochberg",
    "none": "no adjustment",
}


def p_adjust(p_values: np.ndarray | list[float], *, method: str = "holm") -> np.ndarray:
    """Adjust a family of p-values for multiple testing, as R ``p.adjust``.

    Parameters
    ----------
    p_values
        Unadjusted p-values of one family of tests (NaN entries are kept as NaN and do not
        count towards the family size).
    method
        ``"holm"`` (step-down, controls the family-wise error), ``"bonferroni"``, ``"bh"``
        (Benjamini-Hochberg step-up, controls the false discovery rate) or ``"none"``.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order, capped at 1.

    Notes
    -----
    With m tests and ``p_(1) <= ... <= p_(m)``: Bonferroni ``min(1, m p)``; Holm (1979)
    ``max_{j<=i} min(1, (m - j + 1) p_(j))``; Benjamini & Hochberg (1995)
    ``min_{j>=i} min(1, m p_(j) / j)``.
    """
    if method not in P_ADJUST_METHODS:
        raise InputError(
            f"Expected a p-value adjustment among {', '.join(P_ADJUST_METHODS)}, but got {method!r}"
        )
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    if method == "none":
        adj = q.copy()
    elif method == "bonferroni":
        adj = np.minimum(1.0, m * q)
    elif method == "holm":
        idx = np.argsort(q, kind="mergesort")
        steps = (m - np.arange(m)) * q[idx]
        adj_sorted = np.minimum(1.0, np.maximum.accumulate(steps))
        adj = np.empty(m)
        adj[idx] = adj_sorted
    else:  # bh
        idx = np.argsort(q, kind="mergesort")[::-1]
        steps = m / np.arange(m, 0, -1) * q[idx]
        adj_sorted = np.minimum(1.0, np.minimum.accumulate(steps))
        adj = np.empty(m)
        adj[idx] = adj_sorted
    out[ok] = adj
    return out

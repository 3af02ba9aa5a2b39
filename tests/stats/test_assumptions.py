"""Assumption checks when they cannot be computed: the ``note`` column says why.

References are analytic: the residuals of a group of 2 are -d/2, +d/2, so divided by the group
SD (d / sqrt(2)) they are always -1/sqrt(2), +1/sqrt(2); a constant group has residuals 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from neuroprotect.stats.assumptions import check_assumptions, shapiro_residuals


def _checks(samples: list[list[float]]):
    return check_assumptions([np.asarray(s, dtype=float) for s in samples]).set_index("check")


def test_groups_of_two_leave_the_scaled_check_out() -> None:
    """Three pairs: the scaled residuals would be six times +-1/sqrt(2) whatever the data (a
    two-point sample that Shapiro-Wilk rejects, p = 0.024 with scipy), so the scaled check is not
    assessable; the plain residuals are still tested, as R shapiro.test(residuals(aov(y ~ g)))."""
    pairs = [[10.0, 10.2], [11.0, 12.5], [13.0, 13.1]]
    two_point = np.tile([-1, 1], 3) / np.sqrt(2)
    assert stats.shapiro(two_point).pvalue < 0.05  # what would have been reported
    a = _checks(pairs)
    assert np.isnan(a.loc["shapiro_wilk_scaled_residuals", "p_val"])
    assert a.loc["shapiro_wilk_scaled_residuals", "note"] == "no group of 3 or more values varies"
    assert a.loc["brown_forsythe", "note"] == "a group has fewer than 3 values"
    resid = np.concatenate([np.subtract(p, np.mean(p)) for p in pairs])
    assert a.loc["shapiro_wilk_residuals", "p_val"] == pytest.approx(stats.shapiro(resid).pvalue)
    assert a.loc["shapiro_wilk_residuals", "note"] == ""
    assert a["passed"].all()


def test_scaled_check_uses_only_groups_of_three_or_more() -> None:
    """A pair next to two groups of 4: the scaled residuals are those of the two larger groups."""
    big = [[1.0, 2.0, 4.0, 8.0], [3.0, 3.5, 5.0, 4.0]]
    with_pair = _checks([*big, [7.0, 9.0]])
    alone = shapiro_residuals([np.asarray(s) for s in big], scaled=True)
    assert with_pair.loc["shapiro_wilk_scaled_residuals", "p_val"] == pytest.approx(alone[1])


def test_not_assessable_reasons() -> None:
    """Constant groups: every residual is 0 (Shapiro-Wilk undefined) and every value equals its
    group median (Brown-Forsythe 0/0); one group of 2: only 2 residuals."""
    flat = _checks([[3.0] * 4, [1.0] * 4])
    assert flat.loc["shapiro_wilk_residuals", "note"].startswith("every residual is 0")
    assert flat.loc["brown_forsythe", "note"] == "every value equals its group median"
    assert flat["p_val"].isna().all()
    tiny = _checks([[1.0, 2.0]])
    assert tiny.loc["shapiro_wilk_residuals", "note"] == "only 2 residuals, 3 needed"

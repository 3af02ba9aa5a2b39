"""Hodges-Lehmann shift and CI for two samples (as R ``wilcox.test(x, y, conf.int = TRUE)``).

References (R is not installed here):
- Hollander & Wolfe (1973) Examples 4.1, 4.3 and 4.4, the permeability data of the ``?wilcox.test``
  help page: point estimate (median of the pairwise differences) 0.305 (-0.30 for y - x, as
  reproduced at https://www.stat.umn.edu/geyer/5601/examp/ranksum.html), exact interval with an
  achieved confidence of 96.0% (same page).
- A second, independent implementation: inverting scipy's Mann-Whitney U test (exact, or normal
  with tie and continuity corrections) over a grid of shifts d, i.e. the set of d for which
  ``mannwhitneyu(x - d, y).pvalue > 0.05``; its closure is R's interval.
- Hand-computable small cases (null counts of U = Gaussian binomial coefficients).
"""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats import compare_two
from neuroprotect.stats.hodges_lehmann import (
    hodges_lehmann,
    hodges_lehmann_or_point,
    wilcoxon_rank_sum_counts,
)

TERM = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
EARLY = [1.15, 0.88, 0.90, 0.74, 1.21]


def _inverted_interval(x: np.ndarray, y: np.ndarray, method: str) -> tuple[float, float]:
    """Closure of {d : scipy mannwhitneyu(x - d, y) two-sided p > 0.05}."""
    points = np.unique(np.subtract.outer(x, y))
    mids = np.concatenate([[points[0] - 1], (points[:-1] + points[1:]) / 2, [points[-1] + 1]])
    kept = [
        i
        for i, d in enumerate(mids)
        if stats.mannwhitneyu(x - d, y, method=method, use_continuity=True).pvalue > 0.05
    ]
    # interval k of mids lies between points[k - 1] and points[k]
    return float(points[kept[0] - 1]), float(points[kept[-1]])


def test_null_counts_of_u() -> None:
    """m = n = 2: U in 0..4 with counts 1, 1, 2, 1, 1 (6 arrangements); totals C(m + n, m)."""
    assert wilcoxon_rank_sum_counts(2, 2).tolist() == [1, 1, 2, 1, 1]
    assert wilcoxon_rank_sum_counts(3, 2).tolist() == [1, 1, 2, 2, 2, 1, 1]
    for m, n in [(10, 5), (7, 7), (49, 49)]:
        counts = wilcoxon_rank_sum_counts(m, n)
        assert counts.sum() == pytest.approx(comb(m + n, m), rel=1e-12)
        assert counts.tolist() == counts[::-1].tolist()  # symmetric


def test_hollander_wolfe_exact() -> None:
    """Estimate 0.305 (H&W Example 4.3), exact interval = scipy exact test inverted; 96.0%."""
    res = hodges_lehmann(TERM, EARLY)
    assert res.exact
    assert res.estimate == pytest.approx(0.305, abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((-0.15, 0.76), abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx(
        _inverted_interval(np.array(TERM), np.array(EARLY), "exact"), abs=1e-12
    )
    counts = wilcoxon_rank_sum_counts(10, 5)
    k = 9  # R qwilcox(0.025, 10, 5); achieved confidence 1 - 2 pwilcox(8, 10, 5) = 0.960
    assert 1 - 2 * counts[:k].sum() / counts.sum() == pytest.approx(0.960, abs=5e-4)
    flipped = hodges_lehmann(EARLY, TERM)
    assert (flipped.estimate, flipped.ci_low, flipped.ci_high) == pytest.approx(
        (-0.305, -0.76, 0.15), abs=1e-12
    )


def test_tiny_samples_report_the_achievable_level() -> None:
    """x = (1, 2), y = (3, 4): differences -3, -2, -2, -1; R: qwilcox(0.025, 2, 2) = 0 -> 1, the
    interval (-3, -1) at 1 - signif(2/6, 2) = 0.67 ("requested conf.level not achievable")."""
    res = hodges_lehmann([1, 2], [3, 4])
    assert (res.estimate, res.ci_low, res.ci_high) == (-2.0, -3.0, -1.0)
    assert res.conf_level == pytest.approx(0.67)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_normal_approximation_with_ties_matches_inverted_test(seed: int) -> None:
    """Tied scores (normal approximation): limits = scipy asymptotic test inverted; estimate =
    median of the differences."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, size=9).astype(float)
    y = rng.integers(1, 8, size=11).astype(float)
    res = hodges_lehmann(x, y)
    assert not res.exact
    assert res.estimate == np.median(np.subtract.outer(x, y))
    assert (res.ci_low, res.ci_high) == pytest.approx(
        _inverted_interval(x, y, "asymptotic"), abs=1e-12
    )


def test_large_samples_use_normal_approximation(exercise) -> None:
    """exercise pulse, running vs rest (ties, n = 30 / 30): inverted scipy asymptotic test."""
    x = exercise.loc[exercise["kind"] == "running", "pulse"].to_numpy(float)
    y = exercise.loc[exercise["kind"] == "rest", "pulse"].to_numpy(float)
    res = hodges_lehmann(x, y)
    assert (res.ci_low, res.ci_high) == pytest.approx(
        _inverted_interval(x, y, "asymptotic"), abs=1e-12
    )
    assert res.ci_low < res.estimate < res.ci_high


def test_bad_input() -> None:
    with pytest.raises(InputError, match="not all equal"):
        hodges_lehmann([1, 1], [1, 1])
    with pytest.raises(InputError, match="no ties"):
        hodges_lehmann([1, 2], [2, 3], exact=True)
    with pytest.raises(InputError, match="both samples"):
        hodges_lehmann([], [1, 2])


def test_compare_two_mann_whitney_reports_the_shift_and_ci() -> None:
    data = pd.DataFrame(
        {"g": ["term"] * 10 + ["early"] * 5, "y": TERM + EARLY},
    )
    res = compare_two(data, dv="y", group="g", a="term", b="early", ordinal=True)
    row = res.contrasts.iloc[0]
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (0.305, -0.15, 0.76), abs=1e-12
    )
    assert "Hodges-Lehmann" in res.method_reason
    # R: wilcox.test(x, y) W = 35 (H&W: U = 15 for y), exact p = 2 * P(U <= 15) = 0.2544
    assert row["statistic"] == 35
    assert row["p_val"] == pytest.approx(0.2544122, abs=1e-6)
    tiny = compare_two(
        pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1, 2, 3, 4]}),
        dv="y",
        group="g",
        a="a",
        b="b",
        ordinal=True,
    )
    assert any("67% interval" in w for w in tiny.warnings)


def test_two_constant_samples_have_no_interval() -> None:
    """R wilcox.test(rep(1, 4), rep(3, 4), conf.int = TRUE) stops with "cannot compute confidence
    interval when all observations are tied" (at the ends of the range the shifted samples are
    all equal, so the rank-sum variance is 0); a zero-width interval at -2 must not be reported.
    hodges_lehmann_or_point gives the shift -2 (every difference) with NaN limits and level."""
    with pytest.raises(InputError, match="each holds one repeated value"):
        hodges_lehmann([1, 1, 1, 1], [3, 3, 3, 3])
    point = hodges_lehmann_or_point([1, 1, 1, 1], [3, 3, 3, 3])
    assert point.estimate == -2.0
    assert np.isnan([point.ci_low, point.ci_high, point.conf_level]).all()
    assert hodges_lehmann_or_point(TERM, EARLY) == hodges_lehmann(TERM, EARLY)

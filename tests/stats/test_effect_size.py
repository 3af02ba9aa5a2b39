"""Effect sizes and their intervals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from neuroprotect.stats.effect_size import (
    _kruskal_h_rows,
    epsilon_squared,
    epsilon_squared_ci,
    eta_squared_ci,
    hedges_correction,
    hedges_g,
    rank_biserial,
)

DARK_BRUNETTE = [32, 39, 51, 30, 35]
DARK_BLOND = [63, 57, 52, 41, 43]


def test_hedges_g_matches_base_r_noncentral_t():
    """R (base): sp pooled, d = diff / sp, J = exp(lgamma(df/2) - log(sqrt(df/2)) -
    lgamma((df-1)/2)), CI from uniroot(pt(t, df, ncp) = 0.975 / 0.025) scaled by J ->
    g = -1.4127780340792258, CI -2.6911195337105132 to -0.0717630158694164."""
    es = hedges_g(np.array(DARK_BRUNETTE), np.array(DARK_BLOND))
    assert es.value == pytest.approx(-1.4127780340792258, rel=1e-10)
    assert es.ci_low == pytest.approx(-2.6911195337105132, rel=1e-6)
    assert es.ci_high == pytest.approx(-0.0717630158694164, rel=1e-5)
    assert es.kind == "hedges_g" and es.ci_method == "noncentral t"


def test_hedges_correction_limits():
    """J(df) -> 1 - 3/(4 df - 1) for large df (Hedges 1981)."""
    assert hedges_correction(200) == pytest.approx(1 - 3 / (4 * 200 - 1), rel=1e-6)
    assert hedges_correction(8) < 1


def test_rank_biserial_analytic_and_ci():
    """Analytic: U counts pairs; r = 2U/(n1 n2) - 1. Fisher-z interval computed by hand:
    tanh(atanh(r) +- 1.959964 sqrt((n1 + n2 + 1) / (3 n1 n2)))."""
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([2.5, 5.0, 6.0])
    es = rank_biserial(x, y)  # pairs x > y: 3 > 2.5, 4 > 2.5 -> U = 2
    assert es.value == pytest.approx(2 * 2 / 12 - 1)
    se = np.sqrt(8 / 36)
    z = 1.959963984540054
    assert es.ci_low == pytest.approx(np.tanh(np.arctanh(es.value) - z * se))
    assert es.ci_high == pytest.approx(np.tanh(np.arctanh(es.value) + z * se))
    assert rank_biserial(y, x).value == pytest.approx(-es.value)
    ties = rank_biserial(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert ties.value == 0


def test_epsilon_squared():
    """ε² = H / (N - 1)."""
    assert epsilon_squared(10.588630377524, 19) == pytest.approx(10.588630377524 / 18)


def test_eta_squared_ci_noncentral_f():
    """R (base): f <- 6.791407046264 (pain ANOVA, df 3, 15);
    g <- function(t) uniroot(function(l) pf(f, 3, 15, ncp = l) - t, c(0, 500), tol = 1e-12)$root;
    lo <- g(0.975); hi <- g(0.025); c(lo / (lo + 19), hi / (hi + 19))
    -> 0.105273359573568 0.710898209936688."""
    lo, hi = eta_squared_ci(6.791407046264, 3, 15)
    assert lo == pytest.approx(0.105273359573568, rel=1e-6)
    assert hi == pytest.approx(0.710898209936688, rel=1e-6)
    lo, hi = eta_squared_ci(0.3, 3, 15)  # F below its null median: lower bound 0
    assert lo == 0 and 0 < hi < 1


def test_vectorised_kruskal_matches_scipy():
    """The bootstrap's row-wise H equals scipy.stats.kruskal (tie-corrected, = R kruskal.test)
    on seeded integer data with many ties."""
    rng = np.random.default_rng(11)
    sizes = np.array([4, 6, 5])
    labels = np.repeat(np.arange(3), sizes)
    rows = rng.integers(0, 5, size=(20, sizes.sum())).astype(float)
    h = _kruskal_h_rows(rows, labels, sizes.astype(float))
    for row, hi in zip(rows, h, strict=True):
        groups = [row[labels == g] for g in range(3)]
        if np.ptp(row) == 0:
            continue
        assert hi == pytest.approx(stats.kruskal(*groups).statistic, rel=1e-12)


def test_epsilon_squared_ci_brackets_and_is_seeded(exercise):
    """Seeded bootstrap: reproducible, brackets ε² = 36.2566 / 89, and moves only by Monte Carlo
    error with another seed."""
    samples = [
        exercise.pulse[exercise.kind == k].to_numpy(float) for k in ("rest", "running", "walking")
    ]
    eps = 36.256555974076 / 89
    lo, hi = epsilon_squared_ci(samples)
    assert lo < eps < hi and 0 <= lo and hi <= 1
    assert epsilon_squared_ci(samples) == (lo, hi)
    lo2, hi2 = epsilon_squared_ci(samples, seed=7)
    assert abs(lo2 - lo) < 0.03 and abs(hi2 - hi) < 0.03

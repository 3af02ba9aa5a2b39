"""Dunnett's distribution by quadrature, against R multcomp/mvtnorm and Dunnett's 1955 tables."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special, stats

from neuroprotect.stats.distributions import dunnett_critical_value, dunnett_pvalue


def _case(case):
    control = np.asarray(case["control"], dtype=float)
    samples = [np.asarray(s, dtype=float) for s in case["samples"]]
    groups = [control, *samples]
    dof = sum(len(g) for g in groups) - len(groups)
    mse = sum(float(np.sum((g - g.mean()) ** 2)) for g in groups) / dof
    se = np.array([np.sqrt(mse * (1 / len(s) + 1 / len(control))) for s in samples])
    est = np.array([s.mean() - control.mean() for s in samples])
    return est, se, est / se, [len(s) for s in samples], len(control), dof


@pytest.mark.parametrize("name", ["case_1", "case_2", "case_3", "case_4"])
def test_scipy_cases_against_r(name, dunnett_cases, r_multcomp):
    """R: glht(aov(y ~ g), mcp(g = "Dunnett")) two-sided, single-step (02_multcomp.R, keys
    scipy_case_*). For two contrasts R integrates exactly; with more it is Monte Carlo (1e-3)."""
    est, se, t, n, n0, dof = _case(dunnett_cases[name])
    ref = r_multcomp[f"scipy_{name}"]["two.sided"]
    np.testing.assert_allclose(t, ref["statistic"], rtol=1e-9)
    p = [dunnett_pvalue(ti, n_groups=n, n_control=n0, dof=dof) for ti in t]
    atol = 1e-9 if len(n) == 2 else 1e-3
    np.testing.assert_allclose(p, ref["p"], atol=atol)
    crit = dunnett_critical_value(n_groups=n, n_control=n0, dof=dof)
    # R's confint quantile (qmvt, ptol = 1e-3) carries Monte Carlo error: compare loosely
    np.testing.assert_allclose(est - crit * se, ref["lwr"], atol=3e-3 * se.max())


def test_matlab_tiny_p_value(dunnett_cases):
    """Matlab multcompare gives 4.727e-06 for case 1, group 1 (R prints only '< 1e-4')."""
    est, se, t, n, n0, dof = _case(dunnett_cases["case_1"])
    assert dunnett_pvalue(t[0], n_groups=n, n_control=n0, dof=dof) == pytest.approx(
        4.727e-06, rel=2e-3
    )


@pytest.mark.parametrize("row", [[1, 10, 2.23], [2, 30, 2.32]])
def test_dunnett_1955_two_sided_table(row, dunnett_cases):
    """Dunnett (1955) two-sided table (alpha 0.05, equal n: rho = 0.5), 2 decimals, as stored in
    cases.json. Only k <= 2 is used: the 1955 two-sided entries for k >= 3 were approximations
    that Dunnett (1964, Biometrics 20:482) revised downwards (e.g. df 20, k 3: 2.57 -> 2.54,
    confirmed by R mvtnorm in test_cdf_against_r_pmvt)."""
    table = dunnett_cases["dunnett1955_critical_values"]["two_sided"]
    assert row + [0.05] in table
    k, dof, expected = row
    crit = dunnett_critical_value(n_groups=[5] * k, n_control=5, dof=dof)
    assert crit == pytest.approx(expected, abs=0.005)


def test_quadrature_against_nested_adaptive_integration():
    """Independent check: scipy.integrate.quad over z and s of the same double integral."""
    n, n0, dof, c = np.array([3, 5, 8]), 4, 13, 2.4
    lam = np.sqrt(n / (n + n0))
    tau = np.sqrt(1 - lam**2)

    def inner(s):
        def f(z):
            return stats.norm.pdf(z) * np.prod(
                special.ndtr((c * s - lam * z) / tau) - special.ndtr((-c * s - lam * z) / tau)
            )

        return integrate.quad(f, -10, 10, epsabs=1e-12)[0]

    def outer(s):
        return inner(s) * 2 * dof * s * stats.chi2.pdf(dof * s * s, dof)

    expected = 1 - integrate.quad(outer, 0, np.inf, epsabs=1e-12, limit=200)[0]
    assert dunnett_pvalue(c, n_groups=n, n_control=n0, dof=dof) == pytest.approx(expected, abs=1e-9)


def test_one_contrast_is_a_t_test():
    """Analytic: with one treated group Dunnett's p is the two-sided t-test p."""
    p = dunnett_pvalue(2.1, n_groups=[6], n_control=7, dof=11)
    assert p == pytest.approx(2 * stats.t.sf(2.1, 11), abs=1e-10)
    crit = dunnett_critical_value(n_groups=[6], n_control=7, dof=11)
    assert crit == pytest.approx(stats.t.ppf(0.975, 11), abs=1e-8)


@pytest.mark.parametrize("name", ["case_1", "case_2", "case_3", "case_4"])
@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_scipy_cases_one_sided(name, alternative, dunnett_cases, r_multcomp):
    """R: glht(aov(y ~ g), mcp(g = "Dunnett"), alternative = "greater" / "less") (02_multcomp.R)."""
    est, se, t, n, n0, dof = _case(dunnett_cases[name])
    ref = r_multcomp[f"scipy_{name}"][alternative]
    p = [dunnett_pvalue(ti, n_groups=n, n_control=n0, dof=dof, alternative=alternative) for ti in t]
    np.testing.assert_allclose(p, ref["p"], atol=1e-9 if len(n) == 2 else 1e-3)
    crit = dunnett_critical_value(n_groups=n, n_control=n0, dof=dof, alternative=alternative)
    bound, key = (est - crit * se, "lwr") if alternative == "greater" else (est + crit * se, "upr")
    np.testing.assert_allclose(bound, ref[key], atol=4e-3 * se.max())


def test_dunnett_1955_one_sided_table(dunnett_cases):
    """Dunnett (1955) Tables 1a/1b (one-sided, equal n, rho = 0.5), 2 decimals: all rows.
    One entry (k = 5, df = 30: 2.33) is 0.005 low: R mvtnorm gives the exact value 2.3352
    (see test_cdf_against_r_pmvt)."""
    for k, dof, expected, alpha in dunnett_cases["dunnett1955_critical_values"]["one_sided"]:
        crit = dunnett_critical_value(
            n_groups=[5] * k, n_control=5, dof=dof, level=1 - alpha, alternative="greater"
        )
        assert crit == pytest.approx(expected, abs=0.0055), (k, dof, alpha)


def test_cdf_against_r_pmvt():
    """R: library(mvtnorm); set.seed(1); R <- matrix(0.5, k, k); diag(R) <- 1;
    pmvt(upper = rep(2.3352, 5), df = 30, corr = R, algorithm = GenzBretz(maxpts = 2e6,
    abseps = 1e-7)) -> 0.950002035061 (one-sided, 5 contrasts);
    pmvt(lower = rep(-2.54, 3), upper = rep(2.54, 3), df = 20, corr = R3, ...) -> 0.949964156591
    (two-sided, 3 contrasts; Dunnett's 1964 revised table value 2.54, the 1955 table had 2.57)."""
    p1 = dunnett_pvalue(2.3352, n_groups=[5] * 5, n_control=5, dof=30, alternative="greater")
    assert 1 - p1 == pytest.approx(0.950002035061, abs=1e-6)
    p2 = dunnett_pvalue(2.54, n_groups=[4] * 3, n_control=4, dof=20)
    assert 1 - p2 == pytest.approx(0.949964156591, abs=1e-6)

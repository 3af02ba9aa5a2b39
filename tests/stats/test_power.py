"""Power and sample size against R pwr 1.3-0 (reference) and simulation against closed forms.

References: ``../shared/data/stats/pwr-power/expected_R_pwr.json`` (R 4.2.2, pwr 1.3-0, script
``r_scripts/03_survival_pwr_lme4.R``), and values computed here with the R code in the docstrings.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from tests.conftest import shared_data

from neuroprotect.errors import InputError
from neuroprotect.stats.power import (
    compute_effect_size_t,
    compute_n_anova,
    compute_n_t,
    compute_power_anova,
    compute_power_t,
    compute_power_t2n,
    sample_size,
)

RTOL = 1e-4


@pytest.fixture(scope="module")
def pwr() -> dict[str, Any]:
    path = shared_data("stats", "pwr-power", "expected_R_pwr.json")
    return json.loads(path.read_text())["pwr"]


def test_t_power_matches_pwr(pwr: dict[str, Any]) -> None:
    """pwr.t.test(d=0.5, n=20)$power; alternative="greater"; type="one.sample";
    pwr.t2n.test(n1=20, n2=18, d=0.5)$power."""
    assert compute_power_t(d=0.5, n=20) == pytest.approx(pwr["t2_d0.5_n20_twosided"], rel=RTOL)
    assert compute_power_t(d=0.5, n=20, alternative="greater") == pytest.approx(
        pwr["t2_d0.5_n20_greater"], rel=RTOL
    )
    assert compute_power_t(d=0.5, n=20, kind="one-sample") == pytest.approx(
        pwr["t1_d0.5_n20_twosided"], rel=RTOL
    )
    assert compute_power_t2n(d=0.5, n1=20, n2=18) == pytest.approx(
        pwr["t2n_n1_20_n2_18_d0.5"], rel=RTOL
    )


def test_t_n_and_d_match_pwr(pwr: dict[str, Any]) -> None:
    """pwr.t.test(d=0.5, power=0.8)$n; pwr.t.test(d=1.2, power=0.8)$n;
    pwr.t.test(d=1.5, power=0.9)$n; pwr.t.test(n=20, power=0.8)$d (R solves with uniroot)."""
    assert compute_n_t(d=0.5, power=0.8) == pytest.approx(pwr["t2_d0.5_power0.8_n"], rel=RTOL)
    assert compute_n_t(d=1.2, power=0.8) == pytest.approx(
        pwr["d1.2_power0.8_n_per_group"], rel=RTOL
    )
    assert compute_n_t(d=1.5, power=0.9) == pytest.approx(
        pwr["d1.5_power0.9_n_per_group"], rel=RTOL
    )
    assert compute_effect_size_t(n=20, power=0.8) == pytest.approx(
        pwr["t2_n20_power0.8_d"], rel=RTOL
    )


def test_anova_matches_pwr(pwr: dict[str, Any]) -> None:
    """pwr.anova.test(k=4, n=20, f=sqrt(0.0727003/(1-0.0727003)))$power;
    pwr.anova.test(k=4, f=0.25, power=0.8)$n."""
    f = math.sqrt(0.0727003 / (1 - 0.0727003))
    assert compute_power_anova(f=f, k=4, n=20) == pytest.approx(
        pwr["anova_k4_n20_f_from_eta0.0727003"], rel=RTOL
    )
    assert compute_n_anova(f=0.25, k=4, power=0.8) == pytest.approx(
        pwr["anova_k4_f0.25_power0.8_n"], rel=RTOL
    )


def test_more_pwr_values() -> None:
    """R (pwr 1.3-0): pwr.t.test(d=1.2, power=.8, sig.level=0.05/3)$n = 16.0476130606674;
    pwr.anova.test(k=4, f=0.4, power=.8)$n = 18.0426159202722;
    pwr.anova.test(k=3, f=0.5, n=12)$power = 0.729407918905865;
    pwr.t.test(d=1.0, n=17)$power = 0.807036715147404."""
    assert compute_n_t(d=1.2, power=0.8, alpha=0.05 / 3) == pytest.approx(
        16.0476130606674, rel=RTOL
    )
    assert compute_n_anova(f=0.4, k=4, power=0.8) == pytest.approx(18.0426159202722, rel=RTOL)
    assert compute_power_anova(f=0.5, k=3, n=12) == pytest.approx(0.729407918905865, rel=RTOL)
    assert compute_power_t(d=1.0, n=17) == pytest.approx(0.807036715147404, rel=RTOL)


def test_sample_size_t_rounds_up_and_inflates(pwr: dict[str, Any]) -> None:
    """d = 1.2, power .8: R gives n = 11.94 -> 12 per group; 2 groups, 20 % attrition:
    ceil(24 / 0.8) = 30 animals; power at n = 12 equals pwr.t.test(d=1.2, n=12)$power."""
    res = sample_size("t", effect_size=1.2, power=0.8, attrition=0.2)
    assert res.n_per_group_exact == pytest.approx(pwr["d1.2_power0.8_n_per_group"], rel=RTOL)
    assert res.n_per_group == 12
    assert res.n_total == 24
    assert res.n_total_with_attrition == 30
    assert res.power_achieved == pytest.approx(compute_power_t(d=1.2, n=12), rel=1e-12)
    assert res.power_achieved >= 0.8
    assert "pwr.t.test" in res.method and "20% attrition" in res.method


def test_sample_size_from_difference_and_sd() -> None:
    """Analytic: difference 30 mm3 with SD 25 mm3 is d = 1.2, same n as effect_size=1.2."""
    a = sample_size("t", difference=30.0, sd=25.0)
    b = sample_size("t", effect_size=1.2)
    assert a.effect_size == pytest.approx(1.2)
    assert a.n_per_group == b.n_per_group == 12


def test_sample_size_dunnett_bonferroni() -> None:
    """4 groups, 3 comparisons vs control at 0.05/3 each: R pwr.t.test(d=1.2, power=.8,
    sig.level=0.05/3)$n = 16.0476130606674 -> 17 per group, 68 analysed, ceil(68/0.85) = 80."""
    res = sample_size("t", effect_size=1.2, groups=4, adjust_vs_control=True, attrition=0.15)
    assert res.alpha_per_test == pytest.approx(0.05 / 3)
    assert res.n_per_group_exact == pytest.approx(16.0476130606674, rel=RTOL)
    assert res.n_per_group == 17
    assert res.n_total == 68
    assert res.n_total_with_attrition == 80
    assert "Bonferroni approximation of Dunnett" in res.method


def test_sample_size_anova_and_power_mode() -> None:
    """pwr.anova.test(k=4, f=0.4, power=.8)$n = 18.0426 -> 19; power mode:
    pwr.anova.test(k=3, f=0.5, n=12)$power = 0.729407918905865."""
    res = sample_size("anova", effect_size=0.4, groups=4)
    assert res.n_per_group_exact == pytest.approx(18.0426159202722, rel=RTOL)
    assert res.n_per_group == 19
    assert res.effect_type == "cohen_f"
    got = sample_size("anova", effect_size=0.5, groups=3, n=12)
    assert got.n_per_group_exact is None and got.power_target is None
    assert got.power_achieved == pytest.approx(0.729407918905865, rel=RTOL)
    assert got.n_total_with_attrition == 36


def test_anova_difference_uses_minimum_variability_f() -> None:
    """Cohen (1988) eq. 8.2.5: f = d sqrt(1/(2k)); checked against f computed from the means
    (0, d/2 x (k-2), d) / SD as the SD of the group means (population form)."""
    res = sample_size("anova", difference=10.0, sd=8.0, groups=4)
    means = np.array([0.0, 5.0, 5.0, 10.0])
    assert res.effect_size == pytest.approx(means.std() / 8.0, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Expected an effect size, or a difference and an SD"),
        ({"effect_size": 1.0, "sd": 2.0}, "but got both"),
        ({"difference": 1.0, "sd": 0.0}, "Expected a positive SD"),
        ({"effect_size": 1.0, "attrition": 1.0}, "Expected attrition"),
        ({"effect_size": 1.0, "alpha": 1.5}, "Expected alpha"),
        ({"effect_size": 1.0, "power": 1.2}, "Expected a target power"),
        ({"effect_size": 1.0, "groups": 1}, "Expected at least 2 groups"),
        ({"effect_size": 1.0, "n": 1}, "Expected a whole number"),
    ],
)
def test_sample_size_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        sample_size("t", **kwargs)


def test_anova_adjustment_is_refused() -> None:
    with pytest.raises(InputError, match="Expected test 't' for the adjustment"):
        sample_size("anova", effect_size=0.4, groups=3, adjust_vs_control=True)


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_sample_size_one_sided(pwr: dict[str, Any], alternative: str) -> None:
    """One-sided two-sample t, d = 0.5, alpha 0.05, power 0.8: R pwr.t.test(d=0.5, power=0.8,
    alternative="greater")$n = 50.15 -> 51 per group (G*Power: 51); two-sided 63.77 -> 64
    (stored reference). Power at n = 20: stored pwr.t.test(d=0.5, n=20, "greater") 0.4633743."""
    res = sample_size("t", effect_size=0.5, alternative=alternative)  # type: ignore[arg-type]
    assert res.n_per_group_exact == pytest.approx(50.15, abs=0.005)
    assert res.n_per_group == 51
    assert res.alternative == alternative
    assert "one-sided" in res.method and alternative in res.method
    two = sample_size("t", effect_size=0.5)
    assert two.n_per_group_exact == pytest.approx(pwr["t2_d0.5_power0.8_n"], rel=RTOL)
    assert two.n_per_group == 64
    at20 = sample_size("t", difference=5.0, sd=10.0, n=20, alternative=alternative)  # type: ignore[arg-type]
    assert at20.power_achieved == pytest.approx(pwr["t2_d0.5_n20_greater"], rel=RTOL)


def test_one_sided_anova_is_refused() -> None:
    with pytest.raises(InputError, match="alternative 'two-sided' for the ANOVA"):
        sample_size("anova", effect_size=0.4, groups=3, alternative="greater")
    with pytest.raises(InputError, match="Expected alternative"):
        sample_size("t", effect_size=0.4, alternative="up")  # type: ignore[arg-type]

"""Study planning with sample_size: rounding, attrition, adjustment, method text.

References: R pwr 1.3-0 (``../shared/data/stats/pwr-power/expected_R_pwr.json``, R 4.2.2, script
``r_scripts/03_survival_pwr_lme4.R``, fixture ``pwr`` in conftest.py) and the R calls in the
docstrings; rounding and attrition by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from neuroprotect.errors import InputError
from neuroprotect.stats.power import compute_power_t
from neuroprotect.stats.sample_size import sample_size

RTOL = 1e-4


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


def test_manifest_snippet_keeps_power_below_one() -> None:
    """The manifest accepts 0 < power < 1: 0.99996 is not rounded up to 1, a power of 1 is left out."""
    import yaml

    from neuroprotect.stats.sample_size import manifest_snippet

    def fields(power: float) -> dict[str, Any]:
        text = manifest_snippet("m: x", alpha=0.05, power=power, attrition=0, effect_size=1 / 3)
        return yaml.safe_load(text)["design"]["sample_size"]

    assert fields(0.80213) == {
        "method": "m: x",
        "effect_size": 0.3333,
        "alpha": 0.05,
        "power": 0.8021,
        "attrition": 0,
    }
    assert fields(0.99996)["power"] == 0.99996
    assert "power" not in fields(1.0)

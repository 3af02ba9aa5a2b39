"""Power and sample size against R pwr 1.3-0 (reference) and simulation against closed forms.

References: ``../shared/data/stats/pwr-power/expected_R_pwr.json`` (R 4.2.2, pwr 1.3-0, script
``r_scripts/03_survival_pwr_lme4.R``), and values computed here with the R code in the docstrings.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from neuroprotect.stats.power import (
    compute_effect_size_t,
    compute_n_anova,
    compute_n_t,
    compute_power_anova,
    compute_power_t,
    compute_power_t2n,
)

RTOL = 1e-4


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

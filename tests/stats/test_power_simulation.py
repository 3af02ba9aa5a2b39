"""Simulation power of the group x day repeated-measures design.

Expected numbers are analytic (kind 1): under the random-intercept model the group F-test is a
two-sample t-test on animal means, so its power and n have closed forms (R pwr.t.test, checked
against R in test_power.py); with no effects the rejection rate is alpha; and the vectorised
analysis equals :func:`rm_anova`, itself matched to afex in test_repeated.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.stats.power import compute_n_t, compute_power_t
from neuroprotect.stats.power_simulation import (
    _split_plot_p_values,
    compute_n_repeated,
    sample_size_repeated,
    simulate_power_repeated,
)
from neuroprotect.stats.repeated import rm_anova


def test_split_plot_equals_rm_anova() -> None:
    """The vectorised simulation analysis gives the same p-values as rm_anova (balanced data)."""
    rng = np.random.default_rng(7)
    g, n, k = 3, 5, 4
    y = rng.normal(size=(1, g * n, k)) + np.arange(k)[None, None, :] * 0.3
    p = _split_plot_p_values(y, g, n)
    long = pd.DataFrame(
        [
            {"rat": i, "group": f"g{i // n}", "day": d, "latency": y[0, i, d]}
            for i in range(g * n)
            for d in range(k)
        ]
    )
    table = rm_anova(long, dv="latency", subject="rat", within="day", between="group")
    np.testing.assert_allclose(
        [p["group"][0], p["day"][0], p["group:day"][0]], table["p_val"], rtol=1e-9
    )


def test_simulated_group_power_matches_closed_form() -> None:
    """Analytic ground truth: under the random-intercept model the group F-test is a t-test on
    animal means, so power = pwr.t.test(d = mean effect / sqrt(sd_b^2 + sd_e^2 / k), n)."""
    sim = simulate_power_repeated(
        n_per_group=8,
        control_means=[60, 45, 35, 28, 25],
        effect_per_day=[0, -6, -10, -10, -10],
        subject_sd=6.0,
        residual_sd=10.0,
        nsim=2000,
        seed=11,
    ).set_index("effect")
    d = 7.2 / math.sqrt(6.0**2 + 10.0**2 / 5)
    exact = compute_power_t(d=d, n=8)
    assert abs(sim.loc["group", "power"] - exact) < 4 * math.sqrt(exact * (1 - exact) / 2000)
    assert sim.loc["day", "power"] > 0.99  # a 35 s drop over 5 days


def test_simulated_type_one_error_is_nominal() -> None:
    """Analytic ground truth: with no group, day or interaction effect, rejections ~ alpha."""
    sim = simulate_power_repeated(
        n_per_group=6,
        control_means=[40.0] * 4,
        effect_per_day=[0.0] * 4,
        subject_sd=5.0,
        residual_sd=8.0,
        nsim=3000,
        seed=5,
    )
    se = math.sqrt(0.05 * 0.95 / 3000)
    assert np.all(np.abs(sim["power"] - 0.05) < 4 * se)
    assert sim["nsim"].eq(3000).all()


def test_simulation_is_reproducible_and_checks_input() -> None:
    kw = dict(
        n_per_group=4,
        control_means=[50, 40, 30],
        effect_per_day=[0, -5, -5],
        subject_sd=5.0,
        residual_sd=5.0,
        nsim=50,
    )
    a = simulate_power_repeated(seed=3, **kw)
    b = simulate_power_repeated(seed=3, **kw)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(InputError, match="Expected an effect for each of the 3 days"):
        simulate_power_repeated(**{**kw, "effect_per_day": [0, 1]})


def test_simulated_n_matches_closed_form_n() -> None:
    """Analytic ground truth: for the group effect the simulated n is the t-test n
    (compute_n_t with d = mean effect / sqrt(sd_b^2 + sd_e^2 / k)), give or take one animal."""
    kw = dict(
        control_means=[60, 45, 35, 28, 25],
        effect_per_day=[0, -10, -15, -15, -15],
        subject_sd=6.0,
        residual_sd=10.0,
    )
    n, table = compute_n_repeated(effect="group", nsim=1000, seed=2, **kw)
    exact = compute_n_t(d=11.0 / math.sqrt(36.0 + 100.0 / 5), power=0.8)
    assert abs(n - math.ceil(exact)) <= 1
    assert table["n_per_group"].iloc[-1] == n
    with pytest.raises(InputError, match="reach power"):
        compute_n_repeated(effect="group", nsim=50, n_max=3, **kw)


def test_sample_size_repeated_power_mode() -> None:
    """Given n, the reported power is the simulated power of the chosen effect at that n."""
    kw = dict(
        control_means=[60, 45, 35],
        effect_per_day=[0, -8, -8],
        subject_sd=5.0,
        residual_sd=8.0,
        nsim=300,
        seed=4,
    )
    out = sample_size_repeated(n=8, effect="group:day", attrition=0.1, **kw)
    sim = simulate_power_repeated(n_per_group=8, **kw).set_index("effect")
    assert out["power_achieved"] == sim.loc["group:day", "power"]
    assert out["n_total"] == 16 and out["n_total_with_attrition"] == 18
    assert out["power_target"] is None

"""Power of the group x day repeated-measures design (water-maze acquisition) by simulation.

Studies are simulated from the random-intercept model of
:func:`~neuroprotect.stats.repeated.fit_mixed_model` and each is analysed with the split-plot
RM ANOVA of :func:`~neuroprotect.stats.repeated.rm_anova` (vectorised over simulations, so a
thousand studies take milliseconds).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats.power import check_alpha, check_power

__all__ = ["compute_n_repeated", "sample_size_repeated", "simulate_power_repeated"]


def _split_plot_p_values(y: np.ndarray, g: int, n: int) -> dict[str, np.ndarray]:
    """p-values of a balanced split-plot ANOVA for each simulated data set.

    ``y`` has shape (nsim, g * n, k), animals ordered by group. Group effect uncorrected; day and
    group:day Greenhouse-Geisser corrected (same tests as :func:`~.repeated.rm_anova`).
    """
    nsim, big_n, k = y.shape
    yg = y.reshape(nsim, g, n, k)
    cell = yg.mean(axis=2)  # (nsim, g, k)
    gmean = cell.mean(axis=2)  # (nsim, g)
    day = cell.mean(axis=1)  # (nsim, k)
    grand = gmean.mean(axis=1)  # (nsim,)
    subj = yg.mean(axis=3)  # (nsim, g, n)
    ss_group = k * n * ((gmean - grand[:, None]) ** 2).sum(axis=1)
    ss_subj = k * ((subj - gmean[:, :, None]) ** 2).sum(axis=(1, 2))
    ss_day = g * n * ((day - grand[:, None]) ** 2).sum(axis=1)
    inter = cell - gmean[:, :, None] - day[:, None, :] + grand[:, None, None]
    ss_inter = n * (inter**2).sum(axis=(1, 2))
    dev = yg - cell[:, :, None, :]  # within-group deviations, (nsim, g, n, k)
    sscp = np.einsum("sgia,sgib->sab", dev, dev)
    h = np.eye(k) - 1.0 / k
    e = h @ sscp @ h
    tr_e = np.trace(e, axis1=1, axis2=2)
    ss_err_w = tr_e
    eps = tr_e**2 / ((k - 1) * np.einsum("sab,sba->s", e, e))
    df_e = big_n - g
    out = {"group": stats.f.sf((ss_group / (g - 1)) / (ss_subj / df_e), g - 1, df_e)}
    for name, ss, df1 in (("day", ss_day, k - 1), ("group:day", ss_inter, (g - 1) * (k - 1))):
        f_val = (ss / df1) / (ss_err_w / (df_e * (k - 1)))
        out[name] = stats.f.sf(f_val, df1 * eps, df_e * (k - 1) * eps)
    return out


def simulate_power_repeated(
    *,
    n_per_group: int,
    control_means: ArrayLike,
    effect_per_day: ArrayLike,
    subject_sd: float,
    residual_sd: float,
    alpha: float = 0.05,
    nsim: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Power of the group x day RM ANOVA (water-maze acquisition) by simulation.

    Parameters
    ----------
    n_per_group
        Animals per group (balanced).
    control_means
        Mean response of the control group on each day, length k (e.g. escape latency in s).
    effect_per_day
        Difference treated - control on each day: length k for one treated group, or shape
        (groups - 1, k) for several.
    subject_sd
        SD of the animal random intercept.
    residual_sd
        SD of the day-to-day residual (of the daily mean of the trials).
    alpha
        Significance level of each test.
    nsim
        Number of simulated studies.
    seed
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        One row per effect (``group``, ``day``, ``group:day``): ``effect``, ``power`` (fraction of
        simulated studies with p < alpha), ``mc_se`` (Monte Carlo SE ``sqrt(p (1 - p) / nsim)``),
        ``nsim``, ``test`` (``"F"`` for group, ``"F (GG)"`` for the within effects).

    Notes
    -----
    Data are drawn from ``y_ij = mu_gj + b_i + e_ij``, ``b_i ~ N(0, subject_sd^2)``,
    ``e_ij ~ N(0, residual_sd^2)``, the random-intercept model of
    :func:`~neuroprotect.stats.repeated.fit_mixed_model`, and analysed with the split-plot
    RM ANOVA of :func:`~neuroprotect.stats.repeated.rm_anova` (vectorised over simulations;
    Greenhouse-Geisser for day and group:day). Under this model the group test equals a t-test on
    animal means, so its power has the closed form of :func:`compute_power_t` with
    ``d = mean(effect) / sqrt(subject_sd^2 + residual_sd^2 / k)``, which the tests check.
    """
    check_alpha(alpha)
    mu0 = np.asarray(control_means, dtype=float).ravel()
    eff = np.atleast_2d(np.asarray(effect_per_day, dtype=float))
    k = mu0.size
    if k < 2:
        raise InputError(f"Expected at least 2 days, but got {k}", field="control_means")
    if eff.shape[1] != k:
        raise InputError(
            f"Expected an effect for each of the {k} days, but got {eff.shape[1]}",
            field="effect_per_day",
        )
    if n_per_group < 2:
        raise InputError(f"Expected at least 2 animals per group, but got {n_per_group}")
    if subject_sd < 0 or not residual_sd > 0:
        raise InputError("Expected subject_sd >= 0 and residual_sd > 0")
    if nsim < 1:
        raise InputError(f"Expected nsim >= 1, but got {nsim}", field="nsim")
    means = np.vstack([mu0, mu0 + eff])  # (g, k)
    g = means.shape[0]
    rng = np.random.default_rng(seed)
    chunk = max(1, int(2_000_000 // (g * n_per_group * k)))
    pvals: dict[str, list[np.ndarray]] = {"group": [], "day": [], "group:day": []}
    done = 0
    while done < nsim:
        m = min(chunk, nsim - done)
        b = rng.normal(0.0, subject_sd, size=(m, g * n_per_group, 1))
        e = rng.normal(0.0, residual_sd, size=(m, g * n_per_group, k))
        y = np.repeat(means, n_per_group, axis=0)[None] + b + e
        for key, p in _split_plot_p_values(y, g, n_per_group).items():
            pvals[key].append(p)
        done += m
    rows = []
    for key, parts in pvals.items():
        p = np.concatenate(parts)
        pw = float(np.mean(p < alpha))
        rows.append(
            {
                "effect": key,
                "power": pw,
                "mc_se": math.sqrt(pw * (1 - pw) / nsim),
                "nsim": nsim,
                "test": "F" if key == "group" else "F (GG)",
            }
        )
    return pd.DataFrame(rows)


def compute_n_repeated(
    *,
    control_means: ArrayLike,
    effect_per_day: ArrayLike,
    subject_sd: float,
    residual_sd: float,
    effect: Literal["group", "day", "group:day"] = "group",
    power: float = 0.8,
    alpha: float = 0.05,
    nsim: int = 1000,
    seed: int = 0,
    n_max: int = 200,
) -> tuple[int, pd.DataFrame]:
    """Smallest n per group whose simulated power for ``effect`` reaches ``power``.

    Calls :func:`simulate_power_repeated` for n = 2, 3, ... with the same ``seed`` (common random
    numbers, so the power curve is smooth in n) and stops at the first n that reaches the target.

    Returns
    -------
    tuple
        ``n_per_group`` and the power table (``n_per_group, effect, power, mc_se, nsim, test``)
        of every n tried.

    Raises
    ------
    InputError
        Target not reached by ``n_max`` animals per group, or bad parameters.
    """
    check_power(power, alpha)
    if effect not in ("group", "day", "group:day"):
        raise InputError(f"Expected effect group, day or group:day, but got {effect!r}")
    tried = []
    for n in range(2, n_max + 1):
        table = simulate_power_repeated(
            n_per_group=n,
            control_means=control_means,
            effect_per_day=effect_per_day,
            subject_sd=subject_sd,
            residual_sd=residual_sd,
            alpha=alpha,
            nsim=nsim,
            seed=seed,
        )
        tried.append(table.assign(n_per_group=n))
        if float(table.set_index("effect").loc[effect, "power"]) >= power:
            out = pd.concat(tried, ignore_index=True)
            return n, out[["n_per_group", *table.columns]]
    raise InputError(
        f"Expected the {effect} effect to reach power {power} with at most {n_max} animals per "
        "group, but it does not",
        field="effect_per_day",
    )


def sample_size_repeated(
    *,
    control_means: ArrayLike,
    effect_per_day: ArrayLike,
    subject_sd: float,
    residual_sd: float,
    effect: Literal["group", "day", "group:day"] = "group",
    power: float = 0.8,
    n: int | None = None,
    alpha: float = 0.05,
    attrition: float = 0.0,
    nsim: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Plan a group x day repeated-measures study (water maze) by simulation.

    Parameters are those of :func:`simulate_power_repeated` and :func:`compute_n_repeated`; with
    ``n`` the power at that n is simulated instead of searching n.

    Returns
    -------
    dict
        The layout of :class:`SampleSizeResult` (``n_per_group``, ``n_total``,
        ``n_total_with_attrition = ceil(n_per_group * groups / (1 - attrition))``,
        ``power_achieved`` (simulated, for ``effect``), ``mc_se``, ``method``) plus
        ``power_table`` (one row per effect at the chosen n).
    """
    if not 0 <= attrition < 1:
        raise InputError(
            f"Expected attrition as a fraction in [0, 1), but got {attrition}", field="attrition"
        )
    groups = 1 + np.atleast_2d(np.asarray(effect_per_day, dtype=float)).shape[0]
    if n is None:
        n_round, _ = compute_n_repeated(
            control_means=control_means,
            effect_per_day=effect_per_day,
            subject_sd=subject_sd,
            residual_sd=residual_sd,
            effect=effect,
            power=power,
            alpha=alpha,
            nsim=nsim,
            seed=seed,
        )
        target: float | None = power
    else:
        if n < 2 or int(n) != n:
            raise InputError(
                f"Expected a whole number of at least 2 animals, but got {n}", field="n"
            )
        n_round, target = int(n), None
    table = simulate_power_repeated(
        n_per_group=n_round,
        control_means=control_means,
        effect_per_day=effect_per_day,
        subject_sd=subject_sd,
        residual_sd=residual_sd,
        alpha=alpha,
        nsim=nsim,
        seed=seed,
    )
    row = table.set_index("effect").loc[effect]
    n_total = n_round * groups
    n_attr = math.ceil(n_total / (1 - attrition) - 1e-9)
    method = (
        f"Simulation ({nsim} studies, seed {seed}) of the random-intercept model "
        f"(animal SD {subject_sd:g}, residual SD {residual_sd:g}), each analysed by the "
        f"{groups} group x {np.asarray(control_means).size} day RM ANOVA "
        f"({'F-test' if effect == 'group' else 'Greenhouse-Geisser corrected F-test'} of {effect}, "
        f"alpha {alpha:g}); "
        + (
            f"smallest n per group reaching power {target:g}."
            if target is not None
            else f"n = {n_round}."
        )
    )
    if attrition:
        method += f" Randomise {n_attr} animals in total to allow for {attrition:.0%} attrition."
    return {
        "n_per_group": n_round,
        "n_total_with_attrition": n_attr,
        "power_achieved": float(row["power"]),
        "method": method,
        "test": "repeated",
        "effect": effect,
        "groups": groups,
        "alpha": alpha,
        "power_target": target,
        "n_total": n_total,
        "attrition": attrition,
        "mc_se": float(row["mc_se"]),
        "nsim": nsim,
        "seed": seed,
        "power_table": [
            {"effect": r["effect"], "power": float(r["power"]), "mc_se": float(r["mc_se"])}
            for r in table.to_dict("records")
        ],
    }

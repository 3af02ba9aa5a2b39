"""Drug combinations: Bliss independence and Loewe additivity (Chou-Talalay combination index).

Effects are fractions affected, ``fa`` in [0, 1] (0 = no effect, 1 = the maximal effect, e.g. the
fraction of the ischaemic lesion prevented or the fraction of an amnesic deficit reversed). The
monotherapy arms (``dose_b == 0`` for drug A, ``dose_a == 0`` for drug B) must be in the same table
as the combination arms.

Notes
-----
Bliss independence (Bliss 1939, Ann Appl Biol 26:585): two drugs acting independently give
``E_ab = E_a + E_b - E_a * E_b``; the Bliss excess ``E_obs - E_ab`` is > 0 for synergy, < 0 for
antagonism. Its standard error follows from the delta method with independent arms,
``Var = Var(E_obs) + (1 - E_b)^2 Var(E_a) + (1 - E_a)^2 Var(E_b)``.

Loewe additivity and the combination index (Chou & Talalay 1984, Adv Enzyme Regul 22:27; Chou 2006,
Pharmacol Rev 58:621): each drug alone follows the median-effect equation
``fa / (1 - fa) = (D / Dm)^m``, fitted by least squares of ``log(fa / (1 - fa))`` on ``log(D)``.
The dose of drug i alone giving the combination's effect is ``Dx_i = Dm_i (fa/(1 - fa))^(1/m_i)``
and ``CI = d_a / Dx_a + d_b / Dx_b`` (mutually exclusive drugs). CI < 1 synergy, = 1 additive,
> 1 antagonism; Chou's grading calls 0.9-1.1 nearly additive. The Loewe-expected effect of a pair
is the ``fa`` that solves ``d_a / Dx_a(fa) + d_b / Dx_b(fa) = 1``. A drug combined with itself
(a sham combination) gives CI = 1 exactly, whereas its Bliss excess is not zero unless ``m = 1``:
the two reference models answer different questions, and the report shows both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats

from neuroprotect.errors import InputError


def bliss_expected(effect_a: ArrayLike, effect_b: ArrayLike) -> np.ndarray:
    """Bliss-independent expected effect ``E_a + E_b - E_a E_b`` of fractional effects in [0, 1]."""
    a = np.asarray(effect_a, dtype=float)
    b = np.asarray(effect_b, dtype=float)
    for name, x in (("effect_a", a), ("effect_b", b)):
        if np.any((x < 0) | (x > 1)):
            raise InputError(
                f"Expected fractional effects in [0, 1], but got {x.tolist()}", field=name
            )
    return a + b - a * b


def _arm_stats(data: pd.DataFrame, dose_a: str, dose_b: str, effect: str) -> pd.DataFrame:
    for col in (dose_a, dose_b, effect):
        if col not in data.columns:
            raise InputError(
                f"Expected a column {col!r}, but the table has {list(data.columns)}", field=col
            )
    g = data.groupby([dose_a, dose_b])[effect]
    out = pd.DataFrame({"mean": g.mean(), "n": g.size(), "var": g.var(ddof=1)}).reset_index()
    out["sem2"] = (out["var"] / out["n"]).where(out["n"] > 1)
    return out


def compute_bliss_excess(
    data: pd.DataFrame,
    *,
    dose_a: str = "dose_a",
    dose_b: str = "dose_b",
    effect: str = "effect",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Bliss excess of every combination arm, with a delta-method confidence interval and z-test.

    Parameters
    ----------
    data
        Long table, one row per animal (or well) or per arm mean, with the two doses and the
        fractional effect. Each combination ``(a, b)`` needs the monotherapy arms ``(a, 0)`` and
        ``(0, b)``.
    dose_a, dose_b, effect
        Column names.
    alpha
        1 - confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per combination arm: ``dose_a, dose_b, effect_a, effect_b, observed, expected,
        excess, se, ci_low, ci_high, p_val, n, note``. ``se``, ``ci_low``, ``ci_high`` and
        ``p_val`` are NaN, and ``note`` (empty otherwise) says why, when an arm has a single value
        or when no arm varies (standard error 0: a zero-width interval and p = 0 or NaN would
        mislead).
    """
    arms = _arm_stats(data, dose_a, dose_b, effect)
    outside = arms[(arms["mean"] < 0) | (arms["mean"] > 1)]
    if len(outside):
        arm = outside.iloc[0]
        raise InputError(
            "Expected mean fractional effects in [0, 1] for Bliss independence (e.g. 0.35, not "
            f"35 %), but got {arm['mean']:g} at {dose_a} = {arm[dose_a]:g}, "
            f"{dose_b} = {arm[dose_b]:g}",
            field=effect,
        )
    look = arms.set_index([dose_a, dose_b])
    rows = []
    for arm in arms[(arms[dose_a] > 0) & (arms[dose_b] > 0)].to_dict("records"):
        da, db = arm[dose_a], arm[dose_b]
        if (da, 0) not in look.index or (0, db) not in look.index:
            raise InputError(
                f"Expected monotherapy arms ({da}, 0) and (0, {db}) "
                f"for the combination ({da}, {db})",
                field=f"{dose_a}/{dose_b}",
            )
        a, b = look.loc[(da, 0)], look.loc[(0, db)]
        expected = float(bliss_expected(a["mean"], b["mean"]))
        excess = float(arm["mean"]) - expected
        var = arm["sem2"] + (1 - b["mean"]) ** 2 * a["sem2"] + (1 - a["mean"]) ** 2 * b["sem2"]
        at = f"Bliss excess at {dose_a} = {da:g}, {dose_b} = {db:g}"
        arm_ns = [int(a["n"]), int(b["n"]), int(arm["n"])]
        note = ""
        if min(arm_ns) < 2:
            note = (
                f"{at}: no CI or p-value, because an arm has a single value (arm sizes A alone, "
                f"B alone, combination: {', '.join(map(str, arm_ns))}); the standard error needs "
                "replicate values (one row per animal) in every arm."
            )
        elif not var > 0:
            note = (
                f"{at}: no CI or p-value, because the effect does not vary within the arms A "
                "alone, B alone and combination (standard error 0); check the effect column."
            )
        se = float(np.sqrt(var)) if not note else float("nan")
        z = stats.norm.ppf(1 - alpha / 2)
        p = float(2 * stats.norm.sf(abs(excess) / se)) if not note else float("nan")
        rows.append(
            {
                "dose_a": da,
                "dose_b": db,
                "effect_a": float(a["mean"]),
                "effect_b": float(b["mean"]),
                "observed": float(arm["mean"]),
                "expected": expected,
                "excess": excess,
                "se": se,
                "ci_low": excess - z * se,
                "ci_high": excess + z * se,
                "p_val": p,
                "n": int(arm["n"]),
                "note": note,
            }
        )
    cols = [
        "dose_a",
        "dose_b",
        "effect_a",
        "effect_b",
        "observed",
        "expected",
        "excess",
        "se",
        "ci_low",
        "ci_high",
        "p_val",
        "n",
        "note",
    ]
    return pd.DataFrame(rows, columns=cols)


@dataclass
class MedianEffectFitter:
    """Chou's median-effect fit ``log(fa/(1-fa)) = m log(D) - m log(Dm)`` of one drug alone.

    Attributes (after ``fit``)
    --------------------------
    m_
        Slope (sigmoidicity; 1 = hyperbolic).
    dm_
        Median-effect dose (``fa = 0.5``), in the dose units given.
    r_
        Linear correlation of the median-effect plot (Chou asks r > 0.95 in vitro, > 0.90 in vivo).
    """

    m_: float = float("nan")
    dm_: float = float("nan")
    r_: float = float("nan")
    n_: int = 0

    def fit(self, dose: ArrayLike, fa: ArrayLike) -> MedianEffectFitter:
        d = np.asarray(dose, dtype=float)
        f = np.asarray(fa, dtype=float)
        if d.shape != f.shape or d.size < 2:
            raise InputError(
                f"Expected at least two (dose, fa) pairs of equal length, but got "
                f"{d.size} doses and {f.size} effects"
            )
        if np.any(d <= 0):
            raise InputError(
                f"Expected positive single-drug doses, but got {d.tolist()}", field="dose"
            )
        if np.any((f <= 0) | (f >= 1)):
            raise InputError(
                f"Expected fractional effects strictly between 0 and 1 for the median-effect fit, "
                f"but got {f.tolist()}",
                field="fa",
            )
        if np.unique(d).size < 2:
            raise InputError(
                "Expected at least two different doses for the median-effect fit", field="dose"
            )
        x, y = np.log(d), np.log(f / (1 - f))
        res = stats.linregress(x, y)
        self.m_ = float(res.slope)
        self.dm_ = float(np.exp(-res.intercept / res.slope))
        self.r_ = float(res.rvalue)
        self.n_ = int(d.size)
        return self

    def effect_at(self, dose: ArrayLike) -> np.ndarray:
        """Fraction affected predicted at ``dose``."""
        d = np.asarray(dose, dtype=float)
        ratio = (d / self.dm_) ** self.m_
        return ratio / (1 + ratio)

    def dose_for_effect(self, fa: ArrayLike) -> np.ndarray:
        """Dose of this drug alone that gives effect ``fa`` (``Dx = Dm (fa/(1-fa))^(1/m)``)."""
        f = np.asarray(fa, dtype=float)
        return self.dm_ * (f / (1 - f)) ** (1 / self.m_)

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{"m": self.m_, "dm": self.dm_, "r": self.r_, "n": self.n_}])


def _check_increasing(*fits: MedianEffectFitter) -> None:
    for fit in fits:
        if not fit.m_ > 0:
            raise InputError(
                f"Expected each drug's effect to rise with dose (median-effect slope m > 0), "
                "but got "
                f"m = {fit.m_:.3g}"
            )


def combination_index(
    dose_a: ArrayLike,
    dose_b: ArrayLike,
    fa: ArrayLike,
    *,
    fit_a: MedianEffectFitter,
    fit_b: MedianEffectFitter,
) -> np.ndarray:
    """Chou-Talalay combination index ``d_a/Dx_a + d_b/Dx_b`` at the observed effect ``fa``."""
    _check_increasing(fit_a, fit_b)
    f = np.asarray(fa, dtype=float)
    if np.any((f <= 0) | (f >= 1)):
        raise InputError(
            f"Expected combination effects strictly between 0 and 1, but got {f.tolist()}",
            field="fa",
        )
    return np.asarray(dose_a, float) / fit_a.dose_for_effect(f) + np.asarray(
        dose_b, float
    ) / fit_b.dose_for_effect(f)


def loewe_expected_effect(
    dose_a: ArrayLike, dose_b: ArrayLike, *, fit_a: MedianEffectFitter, fit_b: MedianEffectFitter
) -> np.ndarray:
    """Effect expected under Loewe additivity: ``fa`` with ``d_a/Dx_a(fa) + d_b/Dx_b(fa) = 1``."""
    _check_increasing(fit_a, fit_b)
    da = np.atleast_1d(np.asarray(dose_a, dtype=float))
    db = np.atleast_1d(np.asarray(dose_b, dtype=float))
    out = np.empty(np.broadcast(da, db).shape)
    for i, (a, b) in enumerate(np.broadcast(da, db)):
        if a == 0 and b == 0:
            out.flat[i] = 0.0
            continue

        def gap(logit: float, a: float = a, b: float = b) -> float:
            # Dx_i = Dm_i * (fa / (1 - fa))^(1/m_i), with fa / (1 - fa) = exp(logit)
            dx_a = fit_a.dm_ * np.exp(logit / fit_a.m_)
            dx_b = fit_b.dm_ * np.exp(logit / fit_b.m_)
            return float(a / dx_a + b / dx_b - 1)

        root = optimize.brentq(gap, -40.0, 40.0, xtol=1e-13)
        out.flat[i] = 1 / (1 + np.exp(-root))
    return out


def compute_combination_index(
    data: pd.DataFrame,
    *,
    dose_a: str = "dose_a",
    dose_b: str = "dose_b",
    effect: str = "effect",
    n_boot: int = 0,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, MedianEffectFitter]]:
    """Combination index and Loewe excess of every combination arm, from one dose-response table.

    Parameters
    ----------
    data
        Long table as for :func:`compute_bliss_excess`; each drug alone needs at least two doses.
    n_boot
        When > 0, a percentile bootstrap interval for CI: animals are resampled within each arm,
        both
        median-effect curves refitted (seeded with ``seed``).

    Returns
    -------
    table, fits
        ``table`` has one row per combination arm: ``dose_a, dose_b, observed, dx_a, dx_b, ci,
        ci_low, ci_high, loewe_expected, loewe_excess, interpretation`` (``synergy`` CI < 0.9,
        ``additive`` 0.9-1.1, ``antagonism`` > 1.1, Chou 2006); ``fits`` is
        ``{"a": ..., "b": ...}``.
    """
    arms = _arm_stats(data, dose_a, dose_b, effect)

    def fits_from(arm_means: pd.DataFrame) -> tuple[MedianEffectFitter, MedianEffectFitter]:
        mono_a = arm_means[(arm_means[dose_a] > 0) & (arm_means[dose_b] == 0)]
        mono_b = arm_means[(arm_means[dose_a] == 0) & (arm_means[dose_b] > 0)]
        return (
            MedianEffectFitter().fit(mono_a[dose_a], mono_a["mean"]),
            MedianEffectFitter().fit(mono_b[dose_b], mono_b["mean"]),
        )

    fit_a, fit_b = fits_from(arms)
    combo = arms[(arms[dose_a] > 0) & (arms[dose_b] > 0)].reset_index(drop=True)
    ci = combination_index(combo[dose_a], combo[dose_b], combo["mean"], fit_a=fit_a, fit_b=fit_b)
    loewe = loewe_expected_effect(
        combo[dose_a].to_numpy(), combo[dose_b].to_numpy(), fit_a=fit_a, fit_b=fit_b
    )
    low = np.full(len(combo), np.nan)
    high = np.full(len(combo), np.nan)
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        groups = {k: g[effect].to_numpy() for k, g in data.groupby([dose_a, dose_b])}
        draws = []
        for _ in range(n_boot):
            means = [
                {dose_a: k[0], dose_b: k[1], "mean": rng.choice(v, v.size).mean()}
                for k, v in groups.items()
            ]
            boot = pd.DataFrame(means)
            try:
                fa_, fb_ = fits_from(boot)
                bc = boot.set_index([dose_a, dose_b]).loc[
                    list(zip(combo[dose_a], combo[dose_b], strict=True)), "mean"
                ]
                draws.append(
                    combination_index(
                        combo[dose_a], combo[dose_b], bc.to_numpy(), fit_a=fa_, fit_b=fb_
                    )
                )
            except InputError:  # a resample hit fa = 0 or 1: skip it
                continue
        if draws:
            arr = np.vstack(draws)
            low, high = np.percentile(arr, [2.5, 97.5], axis=0)
    table = pd.DataFrame(
        {
            "dose_a": combo[dose_a],
            "dose_b": combo[dose_b],
            "observed": combo["mean"],
            "dx_a": fit_a.dose_for_effect(combo["mean"]),
            "dx_b": fit_b.dose_for_effect(combo["mean"]),
            "ci": ci,
            "ci_low": low,
            "ci_high": high,
            "loewe_expected": loewe,
            "loewe_excess": combo["mean"].to_numpy() - loewe,
        }
    )
    table["interpretation"] = np.select(
        [table["ci"] < 0.9, table["ci"] > 1.1], ["synergy", "antagonism"], "additive"
    )
    return table, {"a": fit_a, "b": fit_b}


def plot_combination(
    data: pd.DataFrame,
    *,
    dose_a: str = "dose_a",
    dose_b: str = "dose_b",
    effect: str = "effect",
    names: tuple[str, str] = ("drug A", "drug B"),
) -> Any:
    """Three panels: normalised isobologram, Fa-CI plot and Bliss excess per combination arm.

    The isobologram plots ``d_a/Dx_a`` against ``d_b/Dx_b``; points below the line ``x + y = 1`` are
    synergistic (Loewe), above it antagonistic. Bliss excess bars carry their delta-method 95 % CI.
    """
    import matplotlib.pyplot as plt

    table, _ = compute_combination_index(data, dose_a=dose_a, dose_b=dose_b, effect=effect)
    bliss = compute_bliss_excess(data, dose_a=dose_a, dose_b=dose_b, effect=effect)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    ax = axes[0]
    x, y = table["dose_a"] / table["dx_a"], table["dose_b"] / table["dx_b"]
    ax.plot([0, 1], [1, 0], color="#495057", linestyle="--", label="Loewe additivity")
    ax.scatter(x, y, c=np.where(table["ci"] < 1, "#2b8a3e", "#c92a2a"), zorder=3)
    lim = max(1.2, float(np.nanmax(np.r_[x, y])) * 1.1)
    ax.set(
        xlim=(0, lim),
        ylim=(0, lim),
        xlabel=f"{names[0]}: d / Dx",
        ylabel=f"{names[1]}: d / Dx",
        title="Normalised isobologram",
    )
    ax.legend(frameon=False, fontsize=8)
    ax = axes[1]
    ax.axhline(1.0, color="#495057", linestyle="--")
    ax.scatter(table["observed"], table["ci"], color="#4c6ef5")
    if table["ci_low"].notna().any():
        ax.errorbar(
            table["observed"],
            table["ci"],
            yerr=[table["ci"] - table["ci_low"], table["ci_high"] - table["ci"]],
            fmt="none",
            ecolor="#4c6ef5",
        )
    ax.set(
        xlabel="fraction affected (combination)",
        ylabel="combination index",
        title="Fa-CI plot (CI < 1 synergy)",
    )
    ax = axes[2]
    labels = [f"{a:g}+{b:g}" for a, b in zip(bliss["dose_a"], bliss["dose_b"], strict=True)]
    yerr = None
    if bliss["se"].notna().any():
        yerr = [bliss["excess"] - bliss["ci_low"], bliss["ci_high"] - bliss["excess"]]
    ax.bar(labels, bliss["excess"], yerr=yerr, color="#74c0fc", capsize=3)
    ax.axhline(0.0, color="#495057")
    ax.set(
        xlabel=f"dose {names[0]} + {names[1]}",
        ylabel="observed - Bliss expected",
        title="Bliss excess (> 0 synergy)",
    )
    ax.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    return fig

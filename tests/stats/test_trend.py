"""Trend tests across doses: Jonckheere-Terpstra, Williams and polynomial contrasts.

References: Hollander & Wolfe (1999) Example 6.2 (textbook); R multcomp 1.4-22 / emmeans 1.8.4
output in ../shared/data/stats/multcomp-recovery/expected_R_multcomp.json (from
``r_scripts/02_multcomp.R``); R literals computed here (R 4.2.2, multcomp 1.4-22), named in each
docstring.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.errors import InputError
from neuroprotect.stats.trend import (
    dose_groups,
    jonckheere_null_distribution,
    jonckheere_terpstra,
    polynomial_contrasts,
    williams_contrasts,
)

# Hollander & Wolfe (1999), Example 6.2 (Hundal 1969): motivational effect of knowledge of
# performance; groups no information < rough information < accurate information.
MOTIVATION = pd.DataFrame(
    {
        "pieces": [40, 35, 38, 43, 44, 41, 38, 40, 47, 44, 40, 42, 48, 40, 45, 43, 46, 44],
        "level": [0] * 6 + [1] * 6 + [2] * 6,
    }
)


def _multcomp() -> dict:
    path = shared_data("stats", "multcomp-recovery", "expected_R_multcomp.json")
    return json.loads(path.read_text())


def _toothgrowth() -> pd.DataFrame:
    return pd.read_csv(shared_data("stats", "multcomp-recovery", "ToothGrowth.csv"))


def _recovery() -> pd.DataFrame:
    data = pd.read_csv(shared_data("stats", "multcomp-recovery", "recovery.csv"))
    data["dose"] = data["blanket"].str[1].astype(int)  # b0 < b1 < b2 < b3
    return data


def test_jt_hollander_wolfe_example_6_2() -> None:
    """Hollander & Wolfe (1999) Example 6.2: J = 79, E0(J) = 54, tie-corrected Var0(J) = 150.29,
    J* = 2.04, one-sided (increasing) normal-approximation p = 0.0207 (ties -> normal method)."""
    res = jonckheere_terpstra(MOTIVATION, dv="pieces", dose="level", alternative="increasing")
    row = res.iloc[0]
    assert row["statistic"] == 79
    assert row["mean"] == 54
    assert row["variance"] == pytest.approx(150.29, abs=5e-3)
    assert row["z"] == pytest.approx(2.04, abs=5e-3)
    assert row["p_val"] == pytest.approx(0.0207, abs=5e-5)
    assert row["method"] == "normal"
    two = jonckheere_terpstra(MOTIVATION, dv="pieces", dose="level").iloc[0]
    assert two["p_val"] == pytest.approx(2 * row["p_val"])


def test_jt_exact_distribution_equals_enumeration() -> None:
    """Analytic: the exact null distribution equals the one obtained by enumerating every
    assignment of ranks 1..7 to groups of sizes (2, 2, 3)."""
    sizes = [2, 2, 3]
    labels = [0, 0, 1, 1, 2, 2, 2]
    counts: dict[int, int] = {}
    perms = set(itertools.permutations(labels))
    for perm in perms:
        g = np.array(perm)
        j = sum(
            int(a < b)
            for i, k in ((0, 1), (0, 2), (1, 2))
            for a in np.flatnonzero(g == i)
            for b in np.flatnonzero(g == k)
        )
        counts[j] = counts.get(j, 0) + 1
    pmf = jonckheere_null_distribution(sizes)
    expected = np.array([counts.get(j, 0) for j in range(pmf.size)]) / len(perms)
    assert pmf == pytest.approx(expected, abs=1e-15)
    assert pmf.sum() == pytest.approx(1.0)


def _jt_counts_by_recursion(sizes: tuple[int, ...]) -> dict[int, int]:
    """Independent check: condition on which group holds the largest observation. If group i holds
    it, it exceeds every remaining member of groups l < i, adding sum_{l<i} n_l to J."""
    memo: dict[tuple[int, ...], dict[int, int]] = {}

    def rec(n: tuple[int, ...]) -> dict[int, int]:
        if sum(n) == 0:
            return {0: 1}
        if n in memo:
            return memo[n]
        out: dict[int, int] = {}
        for i, ni in enumerate(n):
            if ni == 0:
                continue
            shift = sum(n[:i])
            smaller = n[:i] + (ni - 1,) + n[i + 1 :]
            for j, c in rec(smaller).items():
                out[j + shift] = out.get(j + shift, 0) + c
        memo[n] = out
        return out

    return rec(sizes)


def test_jt_exact_p_value_without_ties() -> None:
    """Analytic: exact p-values for ordered groups of 4, 6, 5 without ties (J = 59) equal the tails
    of the null distribution computed by an independent recursion on the largest observation."""
    y = [447, 396, 383, 410, 438, 521, 468, 391, 504, 472, 513, 543, 506, 489, 407]
    data = pd.DataFrame({"y": y, "dose": [0] * 4 + [1] * 6 + [2] * 5})
    row = jonckheere_terpstra(data, dv="y", dose="dose").iloc[0]
    assert row["method"] == "exact"
    assert row["statistic"] == 59
    counts = _jt_counts_by_recursion((4, 6, 5))
    total = sum(counts.values())
    upper = sum(c for j, c in counts.items() if j >= 59) / total
    lower = sum(c for j, c in counts.items() if j <= 59) / total
    assert row["p_val"] == pytest.approx(2 * min(upper, lower), rel=1e-12)
    assert row["p_val"] == pytest.approx(0.019733, abs=1e-6)  # regression on top of the above
    inc = jonckheere_terpstra(data, dv="y", dose="dose", alternative="increasing").iloc[0]
    dec = jonckheere_terpstra(data, dv="y", dose="dose", alternative="decreasing").iloc[0]
    assert inc["p_val"] == pytest.approx(upper, rel=1e-12)
    assert dec["p_val"] == pytest.approx(lower, rel=1e-12)
    pmf = jonckheere_null_distribution([4, 6, 5])
    assert pmf == pytest.approx([counts.get(j, 0) / total for j in range(pmf.size)], abs=1e-15)


def test_jt_normal_method_without_ties_uses_plain_variance() -> None:
    """Analytic: without ties the variance is [N^2(2N+3) - sum n^2(2n+3)]/72."""
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"y": rng.normal(size=12), "dose": [0] * 4 + [1] * 4 + [2] * 4})
    row = jonckheere_terpstra(data, dv="y", dose="dose", method="normal").iloc[0]
    assert row["variance"] == pytest.approx((144 * 27 - 3 * 16 * 11) / 72)
    with pytest.raises(InputError, match="no tied"):
        jonckheere_terpstra(MOTIVATION, dv="pieces", dose="level", method="exact")


def test_williams_toothgrowth_matches_multcomp() -> None:
    """R: summary(glht(aov(len ~ factor(dose), ToothGrowth), linfct = mcp(dose = "Williams"),
    alternative = "greater")): t = 11.5506, 10.5981; p ~ 7e-16, 3e-15 (JSON key
    toothgrowth_williams_greater)."""
    ref = _multcomp()["toothgrowth_williams_greater"]
    res = williams_contrasts(_toothgrowth(), dv="len", dose="dose", alternative="increasing")
    assert res["statistic"].to_numpy() == pytest.approx(ref["t"], rel=1e-10)
    assert res["p_adj"].to_numpy() == pytest.approx(ref["p"], abs=1e-3)
    assert res["dof"].tolist() == [57, 57]
    means = _toothgrowth().groupby("dose")["len"].mean()
    assert res["estimate"].to_numpy() == pytest.approx(
        [means[2.0] - means[0.5], (means[1.0] + means[2.0]) / 2 - means[0.5]], rel=1e-12
    )
    assert res["contrast"].str.startswith(("C 1", "C 2")).all()


@pytest.mark.parametrize(
    ("alternative", "p_r"),
    [
        ("decreasing", [0.04952464443248, 0.00275257993007, 0.00222195057182]),
        ("two-sided", [0.09801610481768, 0.00562924811207, 0.00472454545486]),
        ("increasing", [0.979867335360, 0.999211597637, 0.999277755557]),
    ],
)
def test_williams_unequal_n_matches_multcomp(alternative: str, p_r: list[float]) -> None:
    """R 4.2.2, multcomp 1.4-22 (n = 20, 3, 3, 15):
    summary(glht(aov(minutes ~ blanket, recovery), linfct = mcp(blanket = "Williams"),
    alternative = "less" | "two.sided" | "greater")):
    estimates -1.66666666667, -2.63333333333, -2.56190476190; SE 0.884772752080, 0.841586756234,
    0.809329979066; t -1.88372286867, -3.12900994916, -3.16546381349. The p-values come from
    mvtnorm's randomised integration with abseps 1e-3 (R reports error ~7e-4), hence atol 1e-3."""
    res = williams_contrasts(_recovery(), dv="minutes", dose="dose", alternative=alternative)
    assert res["estimate"].to_numpy() == pytest.approx(
        [-1.66666666667, -2.63333333333, -2.56190476190], rel=1e-10
    )
    assert res["se"].to_numpy() == pytest.approx(
        [0.884772752080, 0.841586756234, 0.809329979066], rel=1e-10
    )
    assert res["statistic"].to_numpy() == pytest.approx(
        [-1.88372286867, -3.12900994916, -3.16546381349], rel=1e-10
    )
    assert res["p_adj"].to_numpy() == pytest.approx(p_r, abs=1e-3)
    assert res["dof"].iloc[0] == 37
    assert res["group"].tolist() == ["3", "2, 3", "1, 2, 3"]


def test_polynomial_contrasts_match_emmeans() -> None:
    """R: summary(contrast(emmeans(aov(len ~ factor(dose)), ~dose), "poly")): linear 15.495
    (t 11.5506, p 1.4695e-16), quadratic -2.765 (t -1.19, p 0.23898)
    (JSON key toothgrowth_poly_contrasts)."""
    ref = _multcomp()["toothgrowth_poly_contrasts"]
    res = polynomial_contrasts(_toothgrowth(), dv="len", dose="dose")
    assert res["contrast"].tolist() == ref["contrast"]
    assert res["coefficients"].tolist() == ["-1, 0, 1", "1, -2, 1"]
    assert res["estimate"].to_numpy() == pytest.approx(ref["estimate"], rel=1e-10)
    assert res["statistic"].to_numpy() == pytest.approx(ref["t"], rel=1e-10)
    assert res["p_val"].to_numpy() == pytest.approx(ref["p"], rel=1e-6)


def test_polynomial_coefficients_four_levels() -> None:
    """emmeans poly.emmc for 4 levels: linear -3 -1 1 3, quadratic 1 -1 -1 1, cubic -1 3 -3 1."""
    res = polynomial_contrasts(_recovery(), dv="minutes", dose="dose")
    assert res["coefficients"].tolist() == ["-3, -1, 1, 3", "1, -1, -1, 1", "-1, 3, -3, 1"]
    assert res["dof"].iloc[0] == 37


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"y": [1.0, 2.0, 3.0], "d": [0, 0, 0]}, "at least two dose levels"),
        ({"y": [1.0, 2.0, 3.0], "d": [0, 0, 1]}, "at least 2 observations"),
        ({"y": [1.0, "x", 3.0, 4.0], "d": [0, 0, 1, 1]}, "Expected numbers in column 'y'"),
        ({"y": [1.0, 2.0, 3.0, 4.0], "d": [0, "low", 1, 1]}, "Expected a number"),
        ({"y": [1.0, np.inf, 3.0, 4.0], "d": [0, 0, 1, 1]}, "Expected a number"),
        ({"y": [1.0, np.nan, 3.0, 4.0], "d": [0, 0, 1, 1]}, "at least 2 observations"),
    ],
)
def test_bad_input(data: dict, message: str) -> None:
    frame = pd.DataFrame(data)
    for func in (jonckheere_terpstra, williams_contrasts, polynomial_contrasts):
        with pytest.raises(InputError, match=message):
            func(frame, dv="y", dose="d")


def test_missing_column_and_constant_groups() -> None:
    with pytest.raises(InputError, match="column 'dose'"):
        jonckheere_terpstra(MOTIVATION, dv="pieces", dose="dose")
    flat = pd.DataFrame({"y": [1.0, 1.0, 2.0, 2.0], "d": [0, 0, 1, 1]})
    with pytest.raises(InputError, match="varies within doses"):
        williams_contrasts(flat, dv="y", dose="d")
    with pytest.raises(InputError, match="alternative"):
        williams_contrasts(MOTIVATION, dv="pieces", dose="level", alternative="up")  # type: ignore[arg-type]


def test_missing_responses_are_left_out_and_counted() -> None:
    """Hollander & Wolfe Example 6.2 with three extra animals whose response is missing (NaN,
    empty text, "NA"): the rows are left out with a note giving the count, as in stats compare,
    and J = 79, E0(J) = 54, J* = 2.04, one-sided p = 0.0207 as in the textbook; Williams and
    polynomial results equal those of the complete table."""
    extra = pd.DataFrame({"pieces": [np.nan, None, None], "level": [0, 1, 2]})
    with_missing = pd.concat([MOTIVATION.astype({"pieces": object}), extra], ignore_index=True)
    with_missing.loc[19, "pieces"] = ""
    with_missing.loc[20, "pieces"] = "NA"
    prepared = dose_groups(with_missing, dv="pieces", dose="level")
    assert prepared.warnings == ["3 row(s) with a missing 'pieces' or 'level' were left out."]
    assert [g.size for g in prepared.samples] == [6, 6, 6]
    jt = jonckheere_terpstra(with_missing, dv="pieces", dose="level", alternative="increasing")
    row = jt.iloc[0]
    assert (row["statistic"], row["mean"], row["n"]) == (79, 54, 18)
    assert row["z"] == pytest.approx(2.04, abs=5e-3)
    assert row["p_val"] == pytest.approx(0.0207, abs=5e-5)
    for func in (williams_contrasts, polynomial_contrasts):
        pd.testing.assert_frame_equal(
            func(with_missing, dv="pieces", dose="level"),
            func(MOTIVATION, dv="pieces", dose="level"),
        )
    assert dose_groups(MOTIVATION, dv="pieces", dose="level").warnings == []

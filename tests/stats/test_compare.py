"""Group comparisons against R (multcomp, TukeyHSD, oneway.test, kruskal.test, PMCMRplus Dunn).

Reference numbers: ../shared/data/stats/multcomp-recovery/expected_R_multcomp.json, produced by
shared/data/stats/r_scripts/02_multcomp.R (R 4.2.2, multcomp 1.4-22). Tolerances: estimates
and statistics 1e-6 relative; Dunnett p 1e-3 absolute (R integrates the multivariate t by
Monte Carlo), other p-values 1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.schema.columns import RESULT_COLUMNS
from neuroprotect.stats import compare_groups, compare_two
from neuroprotect.stats.hodges_lehmann import hodges_lehmann

PAIN_ORDER = ["Dark Blond", "Dark Brunette", "Light Blond", "Light Brunette"]
REL = 1e-6


def _by_contrast(result, column):
    return result.contrasts.set_index("contrast")[column]


# --- anova-dunnett --------------------------------------------------------------------------------


def test_dunnett_recovery_two_sided(recovery, r_multcomp):
    """R: summary(glht(aov(minutes ~ blanket, recovery), linfct = mcp(blanket = "Dunnett"))),
    confint(); unequal n (b3 has 20 animals, the others 3-6)."""
    ref = r_multcomp["recovery_dunnett_twosided"]
    res = compare_groups(
        recovery, dv="minutes", group="blanket", control="b0", method="anova-dunnett"
    )
    c = res.contrasts
    assert list(c["contrast"]) == ["b1 - b0", "b2 - b0", "b3 - b0"]
    np.testing.assert_allclose(c["estimate"], ref["estimate"], rtol=REL)
    np.testing.assert_allclose(c["statistic"], ref["t"], rtol=REL)
    np.testing.assert_allclose(c["p_adj"], ref["p"], atol=1e-3)
    # simultaneous CI: R's confint quantile carries ~1e-3 Monte Carlo error on the probability
    se = c["se"].to_numpy()
    np.testing.assert_allclose(c["ci_low"], ref["lwr"], atol=2e-3 * se.max())
    np.testing.assert_allclose(c["ci_high"], ref["upr"], atol=2e-3 * se.max())
    assert (c["dof"] == r_multcomp["recovery_dunnett_less"]["df"]).all()
    np.testing.assert_allclose(c["se"], r_multcomp["recovery_dunnett_less"]["se"], rtol=REL)
    assert res.omnibus["statistic"] == pytest.approx(
        r_multcomp["recovery_anova"][0]["F value"], rel=REL
    )
    assert res.omnibus["p_val"] == pytest.approx(r_multcomp["recovery_anova"][0]["Pr(>F)"], rel=REL)
    assert res.omnibus["dof"] == (3, 37)


def test_dunnett_recovery_one_sided_less(recovery, r_multcomp):
    """R (multcomp help page): glht(aov(minutes ~ blanket, recovery), mcp(blanket = "Dunnett"),
    alternative = "less"); summary() and confint() (upper bounds, quantile 2.1823837)."""
    ref = r_multcomp["recovery_dunnett_less"]
    res = compare_groups(
        recovery,
        dv="minutes",
        group="blanket",
        control="b0",
        method="anova-dunnett",
        alternative="less",
    )
    c = res.contrasts
    np.testing.assert_allclose(c["statistic"], ref["t"], rtol=REL)
    np.testing.assert_allclose(c["p_adj"], ref["p"], atol=1e-3)
    np.testing.assert_allclose(c["ci_high"], ref["upr"], atol=2e-3 * c["se"].max())
    assert np.isneginf(c["ci_low"]).all()
    assert "one-sided" in res.method_reason
    with pytest.raises(InputError, match="anova-dunnett"):
        compare_groups(recovery, dv="minutes", group="blanket", control="b0", alternative="less")


def test_dunnett_toothgrowth(toothgrowth, r_multcomp):
    """R: glht(aov(len ~ dose), mcp(dose = "Dunnett")); emmeans trt.vs.ctrl adjust = "mvt" CIs."""
    ref = r_multcomp["toothgrowth_dunnett"]
    em = r_multcomp["toothgrowth_emmeans_trt_vs_ctrl_mvt"]
    res = compare_groups(toothgrowth, dv="len", group="dose", control="0.5", method="anova-dunnett")
    c = res.contrasts
    np.testing.assert_allclose(c["estimate"], ref["estimate"], rtol=REL)
    np.testing.assert_allclose(c["statistic"], ref["t"], rtol=REL)
    np.testing.assert_allclose(c["se"], em["SE"], rtol=REL)
    np.testing.assert_allclose(c["p_adj"], ref["p"], atol=1e-3)
    assert c["p_adj"].iloc[0] == pytest.approx(ref["p"][0], rel=1e-3)  # 1.34e-8, R exact in 2-d
    np.testing.assert_allclose(c["ci_low"], em["lower"], atol=3e-3)
    np.testing.assert_allclose(c["ci_high"], em["upper"], atol=3e-3)
    assert (c["dof"] == 57).all()


def test_dunnett_exercise(exercise, r_multcomp):
    """R: glht(aov(pulse ~ kind), mcp(kind = "Dunnett")), rest as control; p == PMCMRplus."""
    ref = r_multcomp["exercise_dunnett_vs_rest"]
    res = compare_groups(
        exercise,
        dv="pulse",
        group="kind",
        control="rest",
        method="anova-dunnett",
        order=["rest", "running", "walking"],
    )
    assert list(res.contrasts["contrast"]) == ref["contrasts"]
    np.testing.assert_allclose(res.contrasts["statistic"], ref["t"], rtol=REL)
    np.testing.assert_allclose(res.contrasts["p_adj"], ref["p"], atol=1e-3)
    assert res.contrasts["p_adj"].iloc[0] == pytest.approx(ref["p"][0], rel=1e-3)
    # confint(glht) printed in R: running - rest 15.60988 to 28.85679 (quantile 2.2486)
    assert res.contrasts["ci_low"].iloc[0] == pytest.approx(15.60988031602254, abs=2e-3)
    assert res.contrasts["ci_high"].iloc[0] == pytest.approx(28.8567863506442, abs=2e-3)


def test_dunnett_pain_high_precision(pain):
    """R: set.seed(1); summary(glht(aov(Pain ~ Hair), mcp(Hair = "Dunnett")),
    test = adjusted("single-step", abseps = 1e-7, maxpts = 1e7)) -> error 6.3e-8."""
    res = compare_groups(
        pain,
        dv="pain",
        group="hair",
        control="Dark Blond",
        method="anova-dunnett",
        order=PAIN_ORDER,
    )
    np.testing.assert_allclose(
        res.contrasts["p_adj"],
        [0.0449731359439276, 0.3180348268285766, 0.2999637882907801],
        atol=1e-6,
    )
    # unadjusted p = the treatment-coded lm coefficients' p, R:
    # summary(lm(Pain ~ relevel(Hair, "Dark Blond")))$coefficients
    np.testing.assert_allclose(
        res.contrasts["p_val"],
        [1.74797106286074e-02, 1.42506550892386e-01, 1.33371754668605e-01],
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        res.contrasts["se"], [5.16862328542782, 5.16862328542782, 5.48215286178705], rtol=1e-12
    )


def test_contrast_rows_have_fixed_columns(pain):
    res = compare_groups(pain, dv="pain", group="hair", control="Dark Blond")
    assert list(res.contrasts.columns[: len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)
    row = res.contrasts.iloc[0]
    assert row["contrast"] == f"{row['group']} - Dark Blond"
    assert row["n"] == 5 and row["effect_type"] == "hedges_g"


# --- welch / games-howell ----------------------------------------------------------------------


def test_welch_pain(pain, r_multcomp):
    """R: oneway.test(Pain ~ Hair, var.equal = FALSE); Games-Howell by hand with ptukey
    (02_multcomp.R), == JASP."""
    ref = r_multcomp["pain_welch_anova"]
    gh = r_multcomp["pain_gameshowell"]
    res = compare_groups(
        pain, dv="pain", group="hair", control="Dark Blond", method="welch", order=PAIN_ORDER
    )
    assert res.omnibus["statistic"] == pytest.approx(ref["F"], rel=REL)
    assert res.omnibus["dof"][1] == pytest.approx(ref["df2"], rel=REL)
    assert res.omnibus["p_val"] == pytest.approx(ref["p"], rel=1e-6)
    # the first three R pairs are the contrasts against Dark Blond (R: diff = B - A)
    c = res.contrasts
    assert list(c["contrast"]) == [
        f"{b} - {a}" for a, b in zip(gh["A"][:3], gh["B"][:3], strict=True)
    ]
    np.testing.assert_allclose(c["estimate"], gh["diff"][:3], rtol=REL)
    np.testing.assert_allclose(c["statistic"], gh["t"][:3], rtol=REL)
    np.testing.assert_allclose(c["se"], gh["se"][:3], rtol=REL)
    np.testing.assert_allclose(c["dof"], gh["df"][:3], rtol=REL)
    np.testing.assert_allclose(c["p_adj"], gh["p"][:3], rtol=1e-5)
    # R: d <- -13.8; se <- 5.576737397439; df <- 7.906609454971;
    # d + c(-1, 1) * qtukey(0.95, 4, df) / sqrt(2) * se -> -31.70736376395656, 4.10736376395656
    assert c["ci_low"].iloc[0] == pytest.approx(-31.70736376395656, rel=1e-7)
    assert c["ci_high"].iloc[0] == pytest.approx(4.10736376395656, rel=1e-6)


def test_games_howell_all_pairs(pain, r_multcomp):
    """R: Games-Howell by hand with ptukey (02_multcomp.R); JASP p 0.1401 ... 0.0378."""
    gh = r_multcomp["pain_gameshowell"]
    res = compare_groups(
        pain, dv="pain", group="hair", control="Dark Blond", method="games-howell", order=PAIN_ORDER
    )
    c = res.contrasts
    assert list(c["contrast"]) == [f"{b} - {a}" for a, b in zip(gh["A"], gh["B"], strict=True)]
    np.testing.assert_allclose(c["statistic"], gh["t"], rtol=REL)
    np.testing.assert_allclose(c["dof"], gh["df"], rtol=REL)
    np.testing.assert_allclose(c["p_adj"], gh["p"], rtol=1e-5)


# --- tukey -------------------------------------------------------------------------------------


def test_tukey_pain(pain, r_multcomp):
    """R: TukeyHSD(aov(Pain ~ Hair)) with levels in alphabetical order."""
    ref = r_multcomp["pain_tukeyhsd"]
    res = compare_groups(
        pain, dv="pain", group="hair", control="Dark Blond", method="tukey", order=PAIN_ORDER
    )
    c = res.contrasts
    assert [s.replace(" - ", "-") for s in c["contrast"]] == ref["pairs"]
    np.testing.assert_allclose(c["estimate"], ref["diff"], rtol=REL)
    np.testing.assert_allclose(c["ci_low"], ref["lwr"], rtol=1e-6)
    np.testing.assert_allclose(c["ci_high"], ref["upr"], rtol=1e-6)
    np.testing.assert_allclose(c["p_adj"], ref["p_adj"], rtol=1e-5)
    assert res.omnibus["statistic"] == pytest.approx(r_multcomp["pain_anova"]["F"], rel=REL)
    assert res.omnibus["p_val"] == pytest.approx(r_multcomp["pain_anova"]["p"], rel=REL)
    assert res.omnibus["effect_size"] == pytest.approx(r_multcomp["pain_anova"]["eta2"], rel=REL)


def test_tukey_exercise(exercise, r_multcomp):
    """R: TukeyHSD(aov(pulse ~ kind)); == scikit-posthocs/PMCMRplus (4.3086e-10 ...)."""
    ref = r_multcomp["exercise_tukeyhsd"]
    res = compare_groups(
        exercise,
        dv="pulse",
        group="kind",
        control="rest",
        method="tukey",
        order=["rest", "running", "walking"],
    )
    assert [s.replace(" - ", "-") for s in res.contrasts["contrast"]] == ref["pairs"]
    # R's ptukey(lower.tail = FALSE) is 1 - P, accurate to ~1e-9 absolute only (running - rest:
    # R 4.31e-10, scipy's direct upper-tail integration 1.22e-10)
    np.testing.assert_allclose(res.contrasts["p_adj"], ref["p_adj"], rtol=1e-5, atol=1e-9)


# --- kruskal / dunn ----------------------------------------------------------------------------


def test_kruskal_pain(pain, r_multcomp):
    """R: kruskal.test(Pain ~ Hair)."""
    ref = r_multcomp["pain_kruskal"]
    res = compare_groups(pain, dv="pain", group="hair", control="Dark Blond", method="kruskal-dunn")
    assert res.omnibus["statistic"] == pytest.approx(ref["H"], rel=REL)
    assert res.omnibus["p_val"] == pytest.approx(ref["p"], rel=REL)
    assert res.omnibus["dof"] == 3


def test_dunn_all_pairs_exercise(exercise, r_multcomp):
    """R: tie-corrected Dunn z by hand + p.adjust(holm) (02_multcomp.R) == PMCMRplus
    kwAllPairsDunnTest (scikit-posthocs r_results). R pairs are A - B; ours are later - earlier."""
    ref = r_multcomp["exercise_dunn_holm"]
    res = compare_groups(
        exercise,
        dv="pulse",
        group="kind",
        control="rest",
        method="dunn-all",
        order=["rest", "running", "walking"],
    )
    c = res.contrasts
    assert list(c["contrast"]) == [f"{b} - {a}" for a, b in zip(ref["A"], ref["B"], strict=True)]
    np.testing.assert_allclose(c["statistic"], -np.asarray(ref["z"]), rtol=REL)
    np.testing.assert_allclose(c["p_val"], ref["p"], rtol=1e-6)
    np.testing.assert_allclose(c["p_adj"], ref["p_adj"], rtol=1e-6)
    kw = r_multcomp["exercise_kruskal"]
    assert res.omnibus["statistic"] == pytest.approx(kw["H"], rel=REL)
    assert res.omnibus["p_val"] == pytest.approx(kw["p"], rel=1e-6)


def test_dunn_vs_control_holm_and_bonferroni(exercise, r_multcomp):
    """Against rest only the family has k - 1 = 2 tests: R p.adjust(c(p1, p2), "holm") and
    "bonferroni" applied to the tie-corrected Dunn p-values of 02_multcomp.R."""
    ref = r_multcomp["exercise_dunn_holm"]
    p_raw = np.array(ref["p"][:2])  # rest-running, rest-walking
    holm = compare_groups(
        exercise,
        dv="pulse",
        group="kind",
        control="rest",
        method="kruskal-dunn",
        order=["rest", "running", "walking"],
    )
    np.testing.assert_allclose(holm.contrasts["p_val"], p_raw, rtol=1e-6)
    # p.adjust(c(3.190332566697e-09, 0.0439006584412), "holm") = 6.380665e-09, 0.04390066
    np.testing.assert_allclose(holm.contrasts["p_adj"], [2 * p_raw[0], p_raw[1]], rtol=1e-6)
    bonf = compare_groups(
        exercise,
        dv="pulse",
        group="kind",
        control="rest",
        method="kruskal-dunn",
        p_adjust="bonferroni",
        order=["rest", "running", "walking"],
    )
    np.testing.assert_allclose(bonf.contrasts["p_adj"], np.minimum(1, 2 * p_raw), rtol=1e-6)
    assert bonf.contrasts["test"].iloc[0] == "Dunn (Bonferroni)"
    assert (holm.contrasts["effect_type"] == "rank_biserial").all()


def _inverted_rank_sum_interval(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float, float]:
    """Second implementation of the shift interval: the closure of the shifts d for which
    scipy's Mann-Whitney test of x - d against y (normal, tie and continuity corrections) has
    two-sided p > alpha."""
    points = np.unique(np.subtract.outer(x, y))
    mids = np.concatenate([[points[0] - 1], (points[:-1] + points[1:]) / 2, [points[-1] + 1]])
    kept = [
        i
        for i, d in enumerate(mids)
        if stats.mannwhitneyu(x - d, y, method="asymptotic", use_continuity=True).pvalue > alpha
    ]
    return float(points[kept[0] - 1]), float(points[kept[-1]])


@pytest.mark.parametrize(
    ("method", "p_adjust", "m"),
    # m: Bonferroni divisor (family size; 1 = no adjustment)
    [("kruskal-dunn", "holm", 2), ("dunn-all", "holm", 3), ("kruskal-dunn", "none", 1)],
)
def test_dunn_intervals_are_adjusted_hodges_lehmann(exercise, r_multcomp, method, p_adjust, m):
    """Each Dunn contrast carries the two-group Hodges-Lehmann shift and its interval at the
    Bonferroni level 1 - 0.05 / m (hodges_lehmann is tested against R wilcox.test in
    test_hodges_lehmann.py), checked here also against a second implementation (scipy's
    Mann-Whitney test inverted at alpha = 0.05 / m); with p_adjust = "none" the intervals stay at
    95%. Dunn's z and p are unchanged (R references of 02_multcomp.R)."""
    order = ["rest", "running", "walking"]
    res = compare_groups(
        exercise,
        dv="pulse",
        group="kind",
        control="rest",
        method=method,
        p_adjust=p_adjust,
        order=order,
    )
    c = res.contrasts
    level = 1 - 0.05 / m
    np.testing.assert_allclose(c["ci_level"], level, rtol=1e-15)
    for row in c.itertuples():
        x = exercise.loc[exercise["kind"] == row.group, "pulse"].to_numpy(float)
        y = exercise.loc[exercise["kind"] == row.control, "pulse"].to_numpy(float)
        shift = hodges_lehmann(x, y, conf_level=level)
        assert (row.estimate, row.ci_low, row.ci_high) == (
            shift.estimate,
            shift.ci_low,
            shift.ci_high,
        )
        assert (row.ci_low, row.ci_high) == pytest.approx(
            _inverted_rank_sum_interval(x, y, 1 - level), abs=1e-12
        )
        assert row.estimate == np.median(np.subtract.outer(x, y))
    if m > 1:  # the adjusted level gives a wider interval than the 95% one for some contrast
        widths = c["ci_high"] - c["ci_low"]
        plain = [
            hodges_lehmann(
                exercise.loc[exercise["kind"] == g, "pulse"].to_numpy(float),
                exercise.loc[exercise["kind"] == ref, "pulse"].to_numpy(float),
            )
            for g, ref in zip(c["group"], c["control"], strict=True)
        ]
        assert (widths >= [p.ci_high - p.ci_low for p in plain]).all()
        assert (widths > [p.ci_high - p.ci_low for p in plain]).any()
        assert f"each at {100 * level:.3g}%" in res.method_reason
        assert f"over the {m} contrasts" in res.method_reason
    else:
        assert "with unadjusted 95% CIs" in res.method_reason
    assert "Hodges-Lehmann" in res.method_reason
    ref = r_multcomp["exercise_dunn_holm"]
    if method == "dunn-all":
        np.testing.assert_allclose(c["statistic"], -np.asarray(ref["z"]), rtol=REL)
        np.testing.assert_allclose(c["p_adj"], ref["p_adj"], rtol=1e-6)


def test_dunn_interval_tiny_groups_and_tied_pair():
    """Hand-computable: with 3 and 3 values (no ties) the exact interval can reach only 90%
    (min to max pairwise difference: 2 / C(6, 3) = 0.1 in the tails, as R wilcox.test says
    "requested conf.level not achievable"), which a warning says; a pair whose six values are
    all equal has shift 0 and no interval."""
    df = pd.DataFrame(
        {
            "g": np.repeat(["a", "b", "c", "d"], 3),
            "y": [1.0, 2, 3, 4, 5, 6, 7, 8, 10, 3, 3, 3],
        }
    )
    res = compare_groups(df, dv="y", group="g", control="a", method="dunn-all")
    c = res.contrasts.set_index("contrast")
    # b - a: differences 1..5 -> estimate 3, interval (min, max) = (1, 5) at 90%
    assert c.loc["b - a", ["estimate", "ci_low", "ci_high", "ci_level"]].tolist() == pytest.approx(
        [3.0, 1.0, 5.0, 0.9]
    )
    assert any("b - a: with n = 3 and 3" in w and "90% one" in w for w in res.warnings)
    assert "each at 99.2%" in res.method_reason  # 1 - 0.05 / 6
    tied = compare_groups(
        df.assign(y=[1.0, 2, 3, 3, 3, 3, 3, 3, 3, 0, 1, 9]),
        dv="y",
        group="g",
        control="b",
        method="dunn-all",
    ).contrasts.set_index("contrast")
    assert tied.loc["c - b", "estimate"] == 0.0
    assert np.isnan(tied.loc["c - b", ["ci_low", "ci_high", "ci_level"]].astype(float)).all()


# --- auto --------------------------------------------------------------------------------------


def test_auto_pain_picks_anova_dunnett(pain):
    """R: shapiro.test(residuals(aov(Pain ~ Hair))) W = 0.954531, p = 0.4701236;
    car::leveneTest(Pain ~ Hair) F = 0.39274, p = 0.76002 -> both pass."""
    res = compare_groups(pain, dv="pain", group="hair", control="Dark Blond")
    assert res.method == "anova-dunnett"
    a = res.assumptions.set_index("check")
    assert a.loc["shapiro_wilk_residuals", "statistic"] == pytest.approx(
        0.954531251362237, rel=1e-6
    )
    assert a.loc["shapiro_wilk_residuals", "p_val"] == pytest.approx(0.470123600504627, rel=1e-4)
    assert a.loc["brown_forsythe", "statistic"] == pytest.approx(0.39274, rel=1e-4)
    assert a.loc["brown_forsythe", "p_val"] == pytest.approx(0.76002, rel=1e-4)
    assert "p = 0.47" in res.method_reason and "p = 0.76" in res.method_reason
    assert "Dunnett" in res.method_reason


def test_auto_exercise_nonnormal_picks_kruskal(exercise):
    """R: car::leveneTest(pulse ~ kind) F = 21.47662, p = 2.6263e-08 (unequal variances), so
    normality is judged on residuals scaled by group SD:
    shapiro.test(unlist(tapply(pulse, kind, function(v) (v - mean(v)) / sd(v))))
    W = 0.9706781042453969, p = 0.0394731604405275 (< 0.05) -> ranks.
    Unscaled: shapiro.test(residuals(aov(pulse ~ kind))) p = 0.0407209162389009."""
    res = compare_groups(exercise, dv="pulse", group="kind", control="rest")
    assert res.method == "kruskal-dunn"
    a = res.assumptions.set_index("check")
    assert a.loc["shapiro_wilk_residuals", "p_val"] == pytest.approx(0.0407209162389009, rel=1e-4)
    assert a.loc["shapiro_wilk_scaled_residuals", "statistic"] == pytest.approx(
        0.9706781042453969, rel=1e-6
    )
    assert a.loc["shapiro_wilk_scaled_residuals", "p_val"] == pytest.approx(
        0.0394731604405275, rel=1e-4
    )
    assert a.loc["brown_forsythe", "statistic"] == pytest.approx(21.47662, rel=1e-5)
    assert "0.0395" in res.method_reason and "not normal" in res.method_reason
    assert "2.63e-08" in res.method_reason


def test_auto_unequal_variances_picks_welch():
    """Seeded synthetic: normal groups with SD 1, 1 and 8 -> Brown-Forsythe fails; the pooled raw
    residuals look non-normal (a scale mixture) but the residuals scaled by group SD pass, so
    auto picks Welch rather than ranks."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "g": np.repeat(["vehicle", "low", "high"], 12),
            "y": np.concatenate(
                [rng.normal(10, 1, 12), rng.normal(12, 1, 12), rng.normal(14, 8, 12)]
            ),
        }
    )
    res = compare_groups(df, dv="y", group="g", control="vehicle")
    a = res.assumptions.set_index("check")
    assert a.loc["brown_forsythe", "p_val"] < 0.05
    assert a.loc["shapiro_wilk_residuals", "p_val"] < 0.05
    assert a.loc["shapiro_wilk_scaled_residuals", "p_val"] >= 0.05
    assert res.method == "welch"
    assert res.omnibus["test"] == "Welch ANOVA"
    assert list(res.contrasts["contrast"]) == ["low - vehicle", "high - vehicle"]
    assert "unequal variances" in res.method_reason


def test_brown_forsythe_not_assessable_with_pairs():
    """Analytic: with n = 2 per group both deviations from the group median are equal, so the
    Brown-Forsythe F is infinite whatever the spread (p = 0 in R car::leveneTest too); the check
    is reported as not assessable and auto does not switch to ranks because of it."""
    df = pd.DataFrame(
        {"g": np.repeat(["vehicle", "low", "high"], 2), "y": [10.0, 10.2, 11.0, 12.5, 13.0, 13.1]}
    )
    res = compare_groups(df, dv="y", group="g", control="vehicle")
    a = res.assumptions.set_index("check")
    assert np.isnan(a.loc["brown_forsythe", "p_val"])
    assert res.method == "anova-dunnett"
    assert "not assessable (a group has fewer than 3 values)" in res.method_reason
    explicit = compare_groups(df, dv="y", group="g", control="vehicle", method="anova-dunnett")
    assert "Brown-Forsythe not assessable (a group has fewer than 3 values)." in (
        explicit.method_reason
    )
    assert "NA" not in explicit.method_reason


def test_constant_groups_say_why_checks_and_intervals_are_missing():
    """Analytic: Longa scores with every animal of a group at the same score. Every residual is
    0 and every value equals its group median, so neither check can be computed, and the method
    text says so (instead of "p = NA" or a group-size reason that is not true at n = 4). Each
    Dunn pair then has all pairwise differences equal: that difference is the shift, with no
    interval (R wilcox.test stops: "all observations are tied")."""
    df = pd.DataFrame(
        {"g": np.repeat(["vehicle", "low", "high"], 4), "y": [3] * 4 + [2] * 4 + [1] * 4}
    )
    res = compare_groups(df, dv="y", group="g", control="vehicle", ordinal=True)
    assert res.method == "kruskal-dunn"
    assert "residuals not assessable (every residual is 0" in res.method_reason
    assert "variances not assessable (every value equals its group median)" in res.method_reason
    assert "fewer than 3 values" not in res.method_reason and "NA" not in res.method_reason
    c = res.contrasts.set_index("contrast")
    assert c["estimate"].tolist() == [-1.0, -2.0]
    assert c[["ci_low", "ci_high", "ci_level"]].isna().all().all()
    assert "high - vehicle: each group holds one repeated value, so the shift is -2" in " ".join(
        res.warnings
    )
    explicit = compare_groups(df, dv="y", group="g", control="vehicle", method="kruskal-dunn")
    assert "checks for information: Shapiro-Wilk on the residuals not assessable" in (
        explicit.method_reason
    )
    two = compare_two(df, dv="y", group="g", a="low", b="vehicle", ordinal=True)
    row = two.contrasts.iloc[0]
    assert row["estimate"] == -1.0 and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    assert "without a CI because each group holds one repeated value" in two.method_reason


def test_auto_constant_group_falls_back_to_ranks():
    """A sham group at floor (all 0) with unequal variances elsewhere: Welch cannot use a group
    with zero variance, so auto compares ranks instead of failing, and says why."""
    df = pd.DataFrame(
        {
            "g": ["sham"] * 6 + ["vehicle"] * 6 + ["drug"] * 6,
            "y": [0, 0, 0, 0, 0, 0, 20, 35, 28, 41, 25, 33, 10, 2, 18, 5, 30, 12],
        }
    )
    res = compare_groups(df, dv="y", group="g", control="vehicle")
    assert res.method == "kruskal-dunn"
    assert "'sham'" in res.method_reason and "repeated value" in res.method_reason


def test_auto_ordinal_picks_kruskal(pain):
    res = compare_groups(pain, dv="pain", group="hair", control="Dark Blond", ordinal=True)
    assert res.method == "kruskal-dunn"
    assert "ordinal" in res.method_reason


def test_explicit_method_warns_on_failed_check(exercise):
    res = compare_groups(exercise, dv="pulse", group="kind", control="rest", method="anova-dunnett")
    assert any("Brown-Forsythe" in w for w in res.warnings)
    assert any("Shapiro-Wilk" in w for w in res.warnings)
    assert "Requested explicitly" in res.method_reason


# --- two groups --------------------------------------------------------------------------------


def test_welch_t_two_groups(exercise):
    """R: t.test(pulse[kind == "running"], pulse[kind == "rest"]) -> t = 6.56116163591015,
    df = 35.2772639345591, p = 1.36698471989512e-07, CI 15.3559858582847 to 29.1106808083819.
    Hedges g with noncentral-t CI by base R uniroot(pt(t, df, ncp)) -> 1.67206761596027
    (1.08221903688261, 2.25125108537516)."""
    res = compare_two(exercise, dv="pulse", group="kind", a="running", b="rest")
    row = res.contrasts.iloc[0]
    assert res.method == "welch-t"
    assert row["contrast"] == "running - rest"
    assert row["estimate"] == pytest.approx(22.233333333333, rel=1e-9)
    assert row["statistic"] == pytest.approx(6.56116163591015, rel=1e-9)
    assert row["dof"] == pytest.approx(35.2772639345591, rel=1e-9)
    assert row["p_val"] == pytest.approx(1.36698471989512e-07, rel=1e-6)
    assert row["ci_low"] == pytest.approx(15.3559858582847, rel=1e-9)
    assert row["ci_high"] == pytest.approx(29.1106808083819, rel=1e-9)
    assert row["effect_size"] == pytest.approx(1.67206761596027, rel=1e-9)
    assert row["effect_ci_low"] == pytest.approx(1.08221903688261, rel=1e-6)
    assert row["effect_ci_high"] == pytest.approx(2.25125108537516, rel=1e-6)


def test_mann_whitney_exact_and_ties(pain, exercise):
    """R: wilcox.test(Dark Brunette, Dark Blond) -> W = 2, exact p = 0.0317460317460317;
    wilcox.test(Light Blond, Dark Blond) -> W = 18, p = 0.30952380952381;
    wilcox.test(running, rest) (ties: normal approx, correct = TRUE) -> W = 823.5,
    p = 3.42050775453162e-08."""
    res = compare_two(
        pain, dv="pain", group="hair", a="Dark Brunette", b="Dark Blond", ordinal=True
    )
    row = res.contrasts.iloc[0]
    assert res.method == "mann-whitney"
    assert row["statistic"] == 2
    assert row["p_val"] == pytest.approx(0.0317460317460317, rel=1e-9)
    # rank-biserial = 2 W / (n1 n2) - 1
    assert row["effect_size"] == pytest.approx(2 * 2 / 25 - 1)
    res = compare_two(pain, dv="pain", group="hair", a="Light Blond", b="Dark Blond", ordinal=True)
    assert res.contrasts["p_val"].iloc[0] == pytest.approx(0.30952380952381, rel=1e-9)
    res = compare_two(exercise, dv="pulse", group="kind", a="running", b="rest", ordinal=True)
    assert res.contrasts["statistic"].iloc[0] == 823.5
    assert res.contrasts["p_val"].iloc[0] == pytest.approx(3.42050775453162e-08, rel=1e-6)
    assert "normal approximation" in res.method_reason


# --- bad input ---------------------------------------------------------------------------------


def _table(groups: dict[str, list[object]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(g, v) for g, vals in groups.items() for v in vals], columns=["group", "y"]
    )


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (_table({"vehicle": [1, 2, 3]}), {}, "at least 2 groups"),
        (_table({"vehicle": [1, 2, 3], "low": [4]}), {}, "at least 2 values per group"),
        (_table({"vehicle": [5, 5, 5], "low": [5, 5]}), {}, "varies"),
        (_table({"sham": [1, 2, 3], "low": [4, 5]}), {}, "control level 'vehicle'"),
        (_table({"vehicle": [1, "x", 3], "low": [4, 5]}), {}, "Expected numbers"),
        (_table({"vehicle": [1, 2, 3], "low": [4, 5]}), {"dv": "volume"}, "column 'volume'"),
        (_table({"vehicle": [1, 2, 3], "low": [4, 5]}), {"group": "arm"}, "column 'arm'"),
        (_table({"vehicle": [1, 2, 3], "low": [4, 5]}), {"method": "anova"}, "method"),
        (_table({"vehicle": [1, 1, 1], "low": [4, 4]}), {"method": "welch"}, "variation"),
    ],
)
def test_bad_input_one_line(table, kwargs, message):
    args = {"dv": "y", "group": "group", "control": "vehicle", **kwargs}
    with pytest.raises(InputError) as err:
        compare_groups(table, **args)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_compare_two_bad_input():
    with pytest.raises(InputError, match="'vehicle'"):
        compare_two(
            _table({"sham": [1, 2, 3], "low": [4, 5]}), dv="y", group="group", a="vehicle", b="sham"
        )
    with pytest.raises(InputError, match="at least 2 values"):
        compare_two(
            _table({"sham": [1, 2, 3], "vehicle": [4]}),
            dv="y",
            group="group",
            a="vehicle",
            b="sham",
        )


def test_to_dict_layout(pain):
    """JSON layout of the issue: method, omnibus {test, statistic, dof, p_val}, contrasts."""
    d = compare_groups(pain, dv="pain", group="hair", control="Dark Blond").to_dict()
    assert set(d["omnibus"]) >= {"test", "statistic", "dof", "p_val"}
    keys = {
        "group",
        "control",
        "estimate",
        "statistic",
        "dof",
        "p_val",
        "p_adj",
        "ci_low",
        "ci_high",
        "effect_size",
        "effect_type",
        "n",
    }
    assert all(keys <= set(c) for c in d["contrasts"])
    assert all({"group", "n", "mean", "sd", "sem", "median"} <= set(s) for s in d["summary"])
    assert d["omnibus"]["dof"] == [3, 15]


def test_two_group_identities(pain):
    """Analytic: with two groups Welch's F equals the squared Welch t and its p, Games-Howell's
    p equals the Welch t-test p (studentized range of 2 = sqrt(2) |t|), and Kruskal-Wallis H
    equals the squared Dunn z."""
    two = ["Dark Blond", "Light Blond"]
    welch = compare_groups(
        pain, dv="pain", group="hair", control="Dark Blond", method="welch", order=two
    )
    t = compare_two(pain, dv="pain", group="hair", a="Light Blond", b="Dark Blond")
    row = t.contrasts.iloc[0]
    assert welch.omnibus["statistic"] == pytest.approx(row["statistic"] ** 2, rel=1e-12)
    assert welch.omnibus["dof"][1] == pytest.approx(row["dof"], rel=1e-12)
    assert welch.omnibus["p_val"] == pytest.approx(row["p_val"], rel=1e-10)
    assert welch.contrasts["p_adj"].iloc[0] == pytest.approx(row["p_val"], rel=1e-6)
    kw = compare_groups(
        pain, dv="pain", group="hair", control="Dark Blond", method="kruskal-dunn", order=two
    )
    assert kw.omnibus["statistic"] == pytest.approx(kw.contrasts["statistic"].iloc[0] ** 2)


def test_every_group_constant_says_auto_chose_and_how_to_proceed():
    """Analytic: groups [1, 1, 1] and [2, 2, 2] leave a parametric test no variance; the error
    says the method was the automatic choice and names the rank-based alternative."""
    df = pd.DataFrame({"g": np.repeat(["vehicle", "low"], 3), "y": [1.0] * 3 + [2.0] * 3})
    with pytest.raises(InputError) as info:
        compare_groups(df, dv="y", group="g", control="vehicle")
    assert "anova-dunnett (the automatic choice)" in str(info.value)
    assert "--method kruskal-dunn" in str(info.value)
    with pytest.raises(InputError) as info:
        compare_groups(df, dv="y", group="g", control="vehicle", method="anova-dunnett")
    assert "automatic" not in str(info.value)

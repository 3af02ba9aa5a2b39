"""Repeated measures: mixed model (lme4/lmerTest) and RM ANOVA (afex), reference numbers from R.

Reference kind 2 (other software). R 4.2.2, lme4 1.1-31, lmerTest 3.1-3, afex 1.2-1. Values from
``../shared/data/stats/lme4-sleepstudy/expected_R_survival_pwr_mixed.json`` (script
``r_scripts/03_survival_pwr_lme4.R``) or, where stated, computed here with the R code in the
docstring and pasted as literals.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.errors import InputError
from neuroprotect.stats.repeated import fit_mixed_model, rm_anova

RTOL = 1e-4


def _sleepstudy() -> pd.DataFrame:
    df = pd.read_csv(shared_data("stats", "lme4-sleepstudy", "sleepstudy.csv"))
    subjects = sorted(df["Subject"].astype(str).unique())
    # deterministic split for a between factor: first 9 subjects (sorted as text) are "vehicle"
    df["Group"] = np.where(df["Subject"].astype(str).isin(subjects[:9]), "vehicle", "drug")
    return df


def _expected() -> dict[str, Any]:
    path = shared_data("stats", "lme4-sleepstudy", "expected_R_survival_pwr_mixed.json")
    return json.loads(path.read_text())


def _mixed_anova() -> pd.DataFrame:
    return pd.read_csv(shared_data("stats", "pingouin", "mixed_anova.csv"))


def test_sleepstudy_random_slope_matches_lme4() -> None:
    """lmer(Reaction ~ Days + (Days | Subject), sleepstudy) (REML); df/p from lmerTest summary:
    (Intercept) df 16.999726, Days df 16.999984, p 3.26382446992738e-06 (R, lmerTest 3.1-3)."""
    ref = _expected()["sleepstudy_lmer_REML"]
    res = fit_mixed_model(
        _sleepstudy(), dv="Reaction", subject="Subject", within="Days", random_slope=True
    )
    fe = res.fixed_effects
    np.testing.assert_allclose(fe["estimate"], ref["fixef"], rtol=RTOL)
    np.testing.assert_allclose(fe["se"], ref["se"], rtol=RTOL)
    np.testing.assert_allclose(
        res.random_effects["sd"], [ref["sd_intercept"], ref["sd_days"]], rtol=RTOL
    )
    assert res.sigma == pytest.approx(ref["sd_resid"], rel=RTOL)
    assert res.reml_criterion == pytest.approx(ref["REMLcrit"], rel=RTOL)
    assert res.re_correlation == pytest.approx(ref["cor"], rel=1e-3)
    assert res.df_method == "satterthwaite"
    np.testing.assert_allclose(fe["dof"], [16.9997262884927, 16.9999837255917], rtol=RTOL)
    np.testing.assert_allclose(fe["statistic"], [36.83808964628439, 6.77148148899918], rtol=RTOL)
    assert fe["p_val"].iloc[1] == pytest.approx(3.26382446992738e-06, rel=RTOL)


def test_sleepstudy_random_intercept_matches_lmertest() -> None:
    """R: library(lmerTest); m <- lmer(Reaction ~ Days + (1 | Subject), sleepstudy)
    summary(m)$coefficients; as.data.frame(VarCorr(m)); REMLcrit(m)"""
    res = fit_mixed_model(_sleepstudy(), dv="Reaction", subject="Subject", within="Days")
    fe = res.fixed_effects
    assert fe["term"].tolist() == ["(Intercept)", "Days"]
    np.testing.assert_allclose(fe["estimate"], [251.405104848484, 10.467285959596], rtol=RTOL)
    np.testing.assert_allclose(fe["se"], [9.74671626920939, 0.80422142894524], rtol=RTOL)
    np.testing.assert_allclose(fe["dof"], [22.8101989552553, 161.0000000545923], rtol=RTOL)
    np.testing.assert_allclose(fe["statistic"], [25.7938261363668, 13.0154278198283], rtol=RTOL)
    np.testing.assert_allclose(fe["p_val"], [2.24135095934467e-18, 6.41260123102367e-27], rtol=RTOL)
    assert res.random_effects["sd"].iloc[0] == pytest.approx(37.1238267667686, rel=RTOL)
    assert res.sigma == pytest.approx(30.9912338986441, rel=RTOL)
    assert res.reml_criterion == pytest.approx(1786.46508539492, rel=RTOL)
    assert res.formula == "Reaction ~ Days + (1 | Subject)"


def test_between_by_numeric_day_matches_lmertest() -> None:
    """R: ss$Group <- factor(ifelse(Subject %in% sort(unique(Subject))[1:9], "vehicle", "drug"),
    levels = c("vehicle", "drug")); summary(lmer(Reaction ~ Group * Days + (1 | Subject), ss))"""
    res = fit_mixed_model(
        _sleepstudy(),
        dv="Reaction",
        subject="Subject",
        within="Days",
        between="Group",
        control="vehicle",
    )
    fe = res.fixed_effects
    assert fe["term"].tolist() == ["(Intercept)", "Group[drug]", "Days", "Group[drug]:Days"]
    est = [252.29158060606321, -1.77295151515441, 7.38848875420850, 6.15759441077470]
    se = [13.30328824586295, 18.81369066145791, 1.08772306310812, 1.53827270795351]
    dof = [21.3502353329121, 21.3502353376784, 160.0000000301627, 160.0000000392702]
    p = [7.64458578833184e-15, 9.25799470314973e-01, 2.05147324486039e-10, 9.54994075657452e-05]
    np.testing.assert_allclose(fe["estimate"], est, rtol=RTOL)
    np.testing.assert_allclose(fe["se"], se, rtol=RTOL)
    np.testing.assert_allclose(fe["dof"], dof, rtol=RTOL)
    np.testing.assert_allclose(fe["p_val"], p, rtol=RTOL)
    assert res.random_effects["sd"].iloc[0] == pytest.approx(35.9071235044688, rel=RTOL)
    assert res.sigma == pytest.approx(29.6392060546137, rel=RTOL)


def test_categorical_within_matches_lmertest() -> None:
    """R: ma$Group <- factor(ma$Group, levels = c("Control", "Meditation"));
    ma$Time <- factor(ma$Time, levels = c("August", "January", "June"))
    summary(lmer(Scores ~ Group * Time + (1 | Subject), ma))  # pingouin mixed_anova.csv"""
    res = fit_mixed_model(
        _mixed_anova(),
        dv="Scores",
        subject="Subject",
        within="Time",
        between="Group",
        control="Control",
        within_categorical=True,
    )
    fe = res.fixed_effects
    assert fe["term"].tolist() == [
        "(Intercept)",
        "Group[Meditation]",
        "Time[January]",
        "Time[June]",
        "Group[Meditation]:Time[January]",
        "Group[Meditation]:Time[June]",
    ]
    est = [
        5.5081844504965156,
        -0.0757020973426787,
        0.0955613286372062,
        0.0834393344404881,
        0.4426844036996079,
        0.8294064132718529,
    ]
    se = [
        0.181810345142155,
        0.257118655879769,
        0.251272429793624,
        0.251272429793624,
        0.355352878064584,
        0.355352878064584,
    ]
    dof = [
        173.299448857370,
        173.299448847643,
        115.999998929513,
        115.999998929573,
        115.999998951813,
        115.999998963779,
    ]
    p = [
        3.78219355135271e-71,
        7.68785724160711e-01,
        7.04411062764274e-01,
        7.40437771475811e-01,
        2.15362803658937e-01,
        2.13148659061388e-02,
    ]
    np.testing.assert_allclose(fe["estimate"], est, rtol=RTOL)
    np.testing.assert_allclose(fe["se"], se, rtol=RTOL)
    np.testing.assert_allclose(fe["dof"], dof, rtol=RTOL)
    np.testing.assert_allclose(fe["p_val"], p, rtol=RTOL)
    assert res.random_effects["sd"].iloc[0] == pytest.approx(0.211145775248800, rel=RTOL)
    assert res.sigma == pytest.approx(0.973173935951776, rel=RTOL)


def test_control_level_sets_reference() -> None:
    """Reference level swap: the intercept becomes the other group's intercept (analytic)."""
    df = _sleepstudy()
    a = fit_mixed_model(
        df, dv="Reaction", subject="Subject", within="Days", between="Group", control="vehicle"
    ).fixed_effects.set_index("term")["estimate"]
    b = fit_mixed_model(
        df, dv="Reaction", subject="Subject", within="Days", between="Group", control="drug"
    ).fixed_effects.set_index("term")["estimate"]
    assert b["(Intercept)"] == pytest.approx(a["(Intercept)"] + a["Group[drug]"], rel=1e-8)
    assert b["Group[vehicle]"] == pytest.approx(-a["Group[drug]"], rel=1e-8)


def _check_anova(table: pd.DataFrame, ref: dict[str, Any], corrected: bool = True) -> None:
    assert table["effect"].tolist() == ref["effect"]
    np.testing.assert_allclose(table["F"], ref["F"], rtol=RTOL)
    np.testing.assert_allclose(table["num_df"], ref["df1"], rtol=RTOL)
    np.testing.assert_allclose(table["den_df"], ref["df2"], rtol=RTOL)
    np.testing.assert_allclose(table["p_val" if corrected else "p_unc"], ref["p"], rtol=RTOL)


def test_mixed_anova_matches_afex() -> None:
    """afex::aov_ez(id="Subject", dv="Scores", data=ma, between="Group", within="Time", type=3,
    anova_table=list(es="pes", correction="GG")) and correction="none" (expected JSON)."""
    exp = _expected()
    table = rm_anova(_mixed_anova(), dv="Scores", subject="Subject", within="Time", between="Group")
    _check_anova(table, exp["mixed_anova_afex_GG"])
    np.testing.assert_allclose(table["p_unc"], exp["mixed_anova_afex_uncorrected"]["p"], rtol=RTOL)
    np.testing.assert_allclose(table["pes"], exp["mixed_anova_afex_GG"]["pes"], rtol=RTOL)
    eps = exp["mixed_anova_sphericity"]["gg_hf"][0][0]  # car: GG eps 0.99812 (= JAMOVI)
    np.testing.assert_allclose(table["eps"].iloc[1:], [eps, eps], rtol=RTOL)
    assert table["correction"].tolist() == ["none", "GG", "GG"]


def test_mixed_anova_generalised_eta_matches_pingouin() -> None:
    """pingouin/JASP ng2 for mixed_anova.csv: 0.03067, 0.04234, 0.02908 (5 significant digits)."""
    table = rm_anova(_mixed_anova(), dv="Scores", subject="Subject", within="Time", between="Group")
    np.testing.assert_allclose(table["ges"], [0.03067, 0.04234, 0.02908], atol=1e-5)


def test_unbalanced_mixed_anova_matches_afex() -> None:
    """Type III with unequal groups. R: mu <- ma[!(ma$Subject %in% 0:6), ]
    aov_ez(id="Subject", dv="Scores", data=mu, between="Group", within="Time",
    anova_table=list(es="ges", correction="GG"))"""
    ma = _mixed_anova()
    table = rm_anova(
        ma[~ma["Subject"].isin(range(7))],
        dv="Scores",
        subject="Subject",
        within="Time",
        between="Group",
    )
    ref = {
        "effect": ["Group", "Time", "Group:Time"],
        "df1": [1, 1.97279880063901, 1.97279880063901],
        "df2": [51, 100.612738832589, 100.612738832589],
        "F": [5.36362490395661, 4.16019001570453, 1.89786110430651],
        "p": [0.0246176736370084, 0.0188019678019347, 0.155777813710324],
    }
    _check_anova(table, ref)
    np.testing.assert_allclose(
        table["p_unc"].iloc[1:], [0.0183301301782437, 0.155144102859513], rtol=RTOL
    )
    np.testing.assert_allclose(
        table["ges"], [0.0370365115522642, 0.049195443550909, 0.0230596614251808], rtol=RTOL
    )


def test_one_way_rm_anova_complete_cases_matches_afex() -> None:
    """rm_anova_wide.csv, complete cases (n = 9): aov_ez(id="id", dv="y", within="time",
    anova_table=list(es="ges", correction="GG")) (expected JSON)."""
    ref = _expected()["rm_anova_wide_completecases_GG"]
    wide = pd.read_csv(shared_data("stats", "pingouin", "rm_anova_wide.csv"))
    wide["id"] = range(len(wide))
    long = wide.melt(id_vars="id", var_name="time", value_name="y")
    table = rm_anova(long, dv="y", subject="id", within="time")
    row = table.iloc[0]
    assert row["F"] == pytest.approx(ref["F"], rel=RTOL)
    assert row["num_df"] == pytest.approx(ref["df1"], rel=RTOL)
    assert row["den_df"] == pytest.approx(ref["df2"], rel=RTOL)
    assert row["p_val"] == pytest.approx(ref["p"], rel=RTOL)
    assert row["ges"] == pytest.approx(ref["ges"], rel=RTOL)
    assert table.attrs["n_subjects"] == ref["n_subjects"]
    assert len(table.attrs["dropped_subjects"]) == 3


def test_sleepstudy_ten_days_rm_anova_matches_afex() -> None:
    """k = 10 within levels. R: ss$DaysF <- factor(ss$Days)
    aov_ez(id="Subject", dv="Reaction", data=ss, within="DaysF", between="Group",
    anova_table=list(es="ges", correction="GG")); and without between."""
    ss = _sleepstudy()
    one = rm_anova(ss, dv="Reaction", subject="Subject", within="Days")
    _check_anova(
        one,
        {
            "effect": ["Days"],
            "df1": [3.32126860314696],
            "df2": [56.4615662534984],
            "F": [18.7026979326383],
            "p": [5.46309176758158e-09],
        },
    )
    assert one["ges"].iloc[0] == pytest.approx(0.292691034227637, rel=RTOL)
    two = rm_anova(ss, dv="Reaction", subject="Subject", within="Days", between="Group")
    _check_anova(
        two,
        {
            "effect": ["Group", "Days", "Group:Days"],
            "df1": [1, 3.35795144894634, 3.35795144894634],
            "df2": [16, 53.7272231831415, 53.7272231831415],
            "F": [2.19805476220815, 19.9591778663402, 2.14208971079277],
            "p": [0.157613256319104, 2.57020434462174e-09, 0.0989228743124842],
        },
    )
    np.testing.assert_allclose(
        two["p_unc"], [0.157613256319104, 1.91419846355337e-21, 0.0295443908625872], rtol=RTOL
    )


def test_trials_are_averaged_per_day() -> None:
    """Analytic: duplicating every row (2 identical trials a day) leaves the RM ANOVA unchanged."""
    ma = _mixed_anova()
    a = rm_anova(ma, dv="Scores", subject="Subject", within="Time", between="Group")
    b = rm_anova(
        pd.concat([ma, ma]), dv="Scores", subject="Subject", within="Time", between="Group"
    )
    np.testing.assert_allclose(a["F"], b["F"], rtol=1e-10)


def test_two_level_within_needs_no_correction() -> None:
    """Analytic: with 2 days the RM ANOVA F equals the squared paired t (scipy.stats.ttest_rel)."""
    from scipy import stats

    rng = np.random.default_rng(3)
    a, b = rng.normal(10, 2, 8), rng.normal(12, 2, 8)
    long = pd.DataFrame(
        {"rat": list(range(8)) * 2, "day": [1] * 8 + [2] * 8, "latency": np.r_[a, b]}
    )
    table = rm_anova(long, dv="latency", subject="rat", within="day")
    t = stats.ttest_rel(a, b)
    assert table["F"].iloc[0] == pytest.approx(t.statistic**2, rel=1e-10)
    assert table["p_val"].iloc[0] == pytest.approx(t.pvalue, rel=1e-10)
    assert table["correction"].iloc[0] == "none"
    assert table["eps"].iloc[0] == pytest.approx(1.0)


def _toy() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for g in ("vehicle", "drug"):
        for i in range(4):
            for day in range(1, 4):
                rows.append(
                    {
                        "rat": f"{g}{i}",
                        "group": g,
                        "day": day,
                        "latency": 50 - 5 * day + rng.normal(0, 3),
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (lambda d: d, {"dv": "missing"}, "Expected a dv column 'missing'"),
        (lambda d: d.assign(rat="r1"), {}, "Expected at least 2 subjects"),
        (lambda d: d.assign(latency="x"), {}, "Expected a number, but got 'x'"),
        (lambda d: d.assign(latency=3.0), {}, "Expected a response that varies"),
        (lambda d: d.assign(group="vehicle"), {}, "Expected at least 2 levels of 'group'"),
        (lambda d: d, {"control": "saline"}, "Expected the control level to be one of"),
        (lambda d: d.assign(day=1), {}, "Expected at least 2 levels of the within factor"),
        (
            lambda d: d.assign(day="d" + d["day"].astype(str)),
            {},
            "Expected numbers in the within factor",
        ),
    ],
)
def test_bad_input_is_one_line_input_error(
    change: Any, kwargs: dict[str, Any], message: str
) -> None:
    base = {"dv": "latency", "subject": "rat", "within": "day", "between": "group"}
    base.update(kwargs)
    with pytest.raises(InputError, match=message) as info:
        fit_mixed_model(change(_toy()), **base)
    assert "\n" not in str(info.value)


def test_rm_anova_bad_input() -> None:
    toy = _toy()
    with pytest.raises(InputError, match="Expected at least 2 subjects with a value"):
        rm_anova(
            toy[(toy["rat"] == "vehicle0") | (toy["day"] < 3)],
            dv="latency",
            subject="rat",
            within="day",
        )
    with pytest.raises(InputError, match="exactly one 'group' level"):
        rm_anova(
            toy.assign(group=np.where(toy["day"] == 1, "a", "b")),
            dv="latency",
            subject="rat",
            within="day",
            between="group",
        )


def test_singular_fit_matches_lme4_and_says_so() -> None:
    """Every rat has the same mean, so the random-intercept variance is 0 (boundary).
    R: m <- lmer(y ~ grp * day + (1 | rat), d); summary(m)$coefficients; isSingular(m) -> TRUE,
    d being this table written with pandas to_csv (lme4 1.1-31)."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(8):
        e = rng.normal(0, 3, 4)
        e -= e.mean()
        for d in range(4):
            rows.append(
                {"rat": i, "grp": "a" if i < 4 else "b", "day": d + 1, "y": 50 - 5 * d + e[d]}
            )
    res = fit_mixed_model(pd.DataFrame(rows), dv="y", subject="rat", within="day", between="grp")
    fe = res.fixed_effects
    np.testing.assert_allclose(
        fe["estimate"], [52.61327596910, 2.74307471291, -4.04531038764, -1.09722988517], rtol=RTOL
    )
    np.testing.assert_allclose(
        fe["se"], [1.107787807070, 1.566648540990, 0.404506913908, 0.572059163722], rtol=RTOL
    )
    assert res.random_effects["sd"].iloc[0] == 0.0
    assert res.sigma == pytest.approx(1.80900991373, rel=RTOL)
    assert res.df_method == "wald-z"
    assert any("Singular fit" in w for w in res.warnings)


def test_own_optimiser_reaches_lme4_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    """If statsmodels fails, Nelder-Mead then Newton from a crude start reach the same optimum
    (lmerTest reference as in test_sleepstudy_random_intercept_matches_lmertest)."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    def broken(*args: Any, **kwargs: Any) -> None:
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(MixedLM, "fit", broken)
    res = fit_mixed_model(_sleepstudy(), dv="Reaction", subject="Subject", within="Days")
    assert res.random_effects["sd"].iloc[0] == pytest.approx(37.1238267667686, rel=RTOL)
    assert res.sigma == pytest.approx(30.9912338986441, rel=RTOL)
    np.testing.assert_allclose(res.fixed_effects["dof"], [22.8101989552553, 161.0], rtol=RTOL)
    ref = _expected()["sleepstudy_lmer_REML"]
    slope = fit_mixed_model(
        _sleepstudy(), dv="Reaction", subject="Subject", within="Days", random_slope=True
    )
    sds = [ref["sd_intercept"], ref["sd_days"]]
    np.testing.assert_allclose(slope.random_effects["sd"], sds, rtol=RTOL)
    assert slope.sigma == pytest.approx(ref["sd_resid"], rel=RTOL)
    np.testing.assert_allclose(slope.fixed_effects["se"], ref["se"], rtol=RTOL)

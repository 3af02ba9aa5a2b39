"""Censored latencies: Kaplan-Meier, log-rank and medians, against R ``survival`` 3.5-3.

Reference numbers come from ../shared/data/stats (``expected_R_survival_pwr_mixed.json`` written by
``r_scripts/03_survival_pwr_lme4.R``) or are literals computed here with R 4.2.2 / survival 3.5-3;
each test names the R call.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from tests.conftest import shared_data

from neuroprotect.errors import InputError
from neuroprotect.stats.plots import plot_kaplan_meier
from neuroprotect.stats.survival import (
    analyse_latencies,
    holm,
    kaplan_meier,
    logrank_test,
    median_latency,
    pairwise_logrank,
    prepare_latencies,
)

RTOL = 1e-6


def _expected() -> dict:
    path = shared_data("stats", "lme4-sleepstudy", "expected_R_survival_pwr_mixed.json")
    return json.loads(path.read_text())


def _aml() -> pd.DataFrame:
    return prepare_latencies(
        pd.read_csv(shared_data("stats", "survival-aml", "aml.csv")),
        time="time",
        group="x",
        event="status",
    )


# Passive-avoidance style data (cut-off 300 s), three groups with ties; made up for these tests.
PA_LATENCY = [12, 35, 35, 60, 88, 120, 300, 300]
PA_LATENCY += [40, 95, 150, 150, 210, 300, 300, 300]
PA_LATENCY += [20, 22, 30, 45, 45, 70, 300, 150]
PA_GROUP = ["vehicle"] * 8 + ["low"] * 8 + ["high"] * 8


def _passive_avoidance() -> pd.DataFrame:
    return pd.DataFrame({"latency_s": PA_LATENCY, "group": PA_GROUP})


def test_aml_logrank_matches_survdiff() -> None:
    """R: survdiff(Surv(time, status) ~ x, data = aml) -> chisq 3.3964, obs 7/11, exp 10.69/7.31."""
    ref = _expected()["aml_logrank"]
    res = logrank_test(_aml())
    assert res["statistic"] == pytest.approx(ref["chisq"], rel=RTOL)
    assert res["p_val"] == pytest.approx(ref["p"], rel=RTOL)
    assert res["dof"] == 1
    assert list(res["observed"].values()) == pytest.approx(ref["obs"], rel=RTOL)
    assert list(res["expected"].values()) == pytest.approx(ref["exp"], rel=RTOL)


@pytest.mark.parametrize(
    ("key", "file", "time", "group", "event"),
    [
        ("g3_logrank", "g3.csv", "time", "group", "event"),
        ("gehan_6MP_logrank", "gehan_freireich_6MP.csv", "t", "g", "e"),
        ("lymphoma_logrank", "lymphoma.csv", "Time", "Stage_group", "Censor"),
    ],
)
def test_lifelines_cases_match_survdiff(
    key: str, file: str, time: str, group: str, event: str
) -> None:
    """R: survdiff(Surv(time, event) ~ group) on the lifelines test data (script 03)."""
    ref = _expected()[key]
    data = pd.read_csv(shared_data("stats", "lifelines-logrank", file))
    res = logrank_test(prepare_latencies(data, time=time, group=group, event=event))
    assert res["statistic"] == pytest.approx(ref["chisq"], rel=RTOL)
    assert res["p_val"] == pytest.approx(ref["p"], rel=RTOL)


def test_anderson_logrank_matches_survdiff() -> None:
    """R: survdiff(Surv(t, status) ~ Rx, data = anderson) -> 16.792940989 (space-separated file)."""
    ref = _expected()["anderson_logrank"]
    data = pd.read_csv(shared_data("stats", "lifelines-logrank", "anderson.csv"), sep=r"\s+")
    res = logrank_test(prepare_latencies(data, time="t", group="Rx", event="status"))
    assert res["statistic"] == pytest.approx(ref["chisq"], rel=RTOL)


@pytest.mark.parametrize(
    ("status", "key"),
    [([1, 0, 1, 1, 0, 1], "tiny_censored_logrank"), ([1] * 6, "tiny_uncensored_logrank")],
)
def test_tiny_cases(status: list[int], key: str) -> None:
    """R: survdiff(Surv(c(10,20,30,10,20,50), status) ~ c(1,1,1,0,0,0)): 0.384615 / 0.254237."""
    data = pd.DataFrame({"t": [10, 20, 30, 10, 20, 50], "e": status, "g": [1, 1, 1, 0, 0, 0]})
    res = logrank_test(prepare_latencies(data, time="t", group="g", event="e"))
    assert res["statistic"] == pytest.approx(_expected()[key]["chisq"], rel=RTOL)


def test_km_medians_match_survfit() -> None:
    """R: summary(survfit(Surv(time, status) ~ x, data = aml))$table: medians 31, 23; LCL 18, 8;
    UCL NA; and the 6-MP data: 23 [16, NA] (6-MP), 8 [4, 12] (control)."""
    ref = _expected()
    med = median_latency(_aml())
    assert med["median"].tolist() == ref["aml_km_median"]["median"]
    assert med["ci_low"].tolist() == ref["aml_km_median"]["lcl"]
    assert med["ci_high"].isna().all()
    assert med["n"].tolist() == [11, 12]
    assert med["n_censored"].tolist() == [4, 1]
    six = pd.read_csv(shared_data("stats", "lifelines-logrank", "gehan_freireich_6MP.csv"))
    med = median_latency(prepare_latencies(six, time="t", group="g", event="e"))
    assert med["group"].tolist() == ["6-MP", "control"]
    assert med["median"].tolist() == ref["gehan_6MP_km_median"]["median"]
    assert med["ci_low"].tolist() == ref["gehan_6MP_km_median"]["lcl"]
    assert np.isnan(med["ci_high"].iloc[0]) and med["ci_high"].iloc[1] == 12


def test_km_curve_and_log_ci_match_survfit() -> None:
    """R: s <- summary(survfit(Surv(time, status) ~ x, data = aml)); s$surv, s$std.err, s$lower,
    s$upper (conf.type = "log", the default), stratum Maintained at times 9 ... 48."""
    km = kaplan_meier(_aml())
    m = km[(km["group"] == "Maintained") & (km["n_event"] > 0)]
    assert m["time"].tolist() == [9, 13, 18, 23, 31, 34, 48]
    surv = [0.9090909090909, 0.8181818181818, 0.7159090909091, 0.6136363636364, 0.4909090909091,
            0.3681818181818, 0.1840909090909]  # fmt: skip
    se = [0.0866784172041, 0.1162912998303, 0.1396649705572, 0.1526323310273, 0.1641932672211,
          0.1626688858271, 0.1534927457863]  # fmt: skip
    lower = [0.7541338450815, 0.6192489873994, 0.4884262874221, 0.3768670595017, 0.2548599511993,
             0.1548771178972, 0.0359178984892]  # fmt: skip
    upper = [1, 1, 1, 0.999157600228, 0.945584955200, 0.875260678144, 0.943525769475]
    assert m["survival"].to_numpy() == pytest.approx(surv, rel=1e-11)
    assert m["std_err"].to_numpy() == pytest.approx(se, rel=1e-10)
    assert m["ci_low"].to_numpy() == pytest.approx(lower, rel=1e-10)
    assert m["ci_high"].to_numpy() == pytest.approx(upper, rel=1e-10)


def test_km_matches_lifelines() -> None:
    """Second oracle: lifelines KaplanMeierFitter survival function on the 6-MP data."""
    from lifelines import KaplanMeierFitter

    six = pd.read_csv(shared_data("stats", "lifelines-logrank", "gehan_freireich_6MP.csv"))
    km = kaplan_meier(prepare_latencies(six, time="t", group="g", event="e"))
    for name, sub in six.groupby("g"):
        kmf = KaplanMeierFitter().fit(sub["t"], sub["e"])
        ours = km[km["group"] == name].set_index("time")["survival"]
        theirs = kmf.survival_function_.iloc[1:, 0]  # lifelines starts at time 0
        assert ours.to_numpy() == pytest.approx(theirs.loc[ours.index].to_numpy(), rel=1e-12)


def test_three_groups_with_cutoff_match_r() -> None:
    """Passive avoidance, cut-off 300 s (300 = censored). R 4.2.2, survival 3.5-3:
    ev <- as.integer(lat < 300); survdiff(Surv(lat, ev) ~ g) -> chisq 3.54271220607 (2 df, p
    0.170102156294); vs vehicle on the two groups only: high 0.418817282591 (p 0.517527787944),
    low 1.56071814263 (p 0.211560101362); p.adjust(c(...), "holm") -> 0.517527787944,
    0.423120202723; summary(survfit(...))$table medians high 45 [30, NA], low 180 [150, NA],
    vehicle 74 [35, NA]."""
    res = analyse_latencies(
        _passive_avoidance(), time="latency_s", group="group", cutoff=300, control="vehicle"
    )
    lr = res["logrank"]
    assert lr["statistic"] == pytest.approx(3.54271220607, rel=RTOL)
    assert lr["dof"] == 2
    assert lr["p_val"] == pytest.approx(0.170102156294, rel=RTOL)
    pw = res["pairwise"].set_index("group")
    assert pw.loc["high", "statistic"] == pytest.approx(0.418817282591, rel=RTOL)
    assert pw.loc["low", "statistic"] == pytest.approx(1.56071814263, rel=RTOL)
    assert pw.loc["high", "p_val"] == pytest.approx(0.517527787944, rel=RTOL)
    assert pw.loc["low", "p_val"] == pytest.approx(0.211560101362, rel=RTOL)
    assert pw.loc["high", "p_adj"] == pytest.approx(0.517527787944, rel=RTOL)
    assert pw.loc["low", "p_adj"] == pytest.approx(0.423120202723, rel=RTOL)
    assert (pw["control"] == "vehicle").all()
    med = res["medians"].set_index("group")
    assert med["median"].to_dict() == {"high": 45.0, "low": 180.0, "vehicle": 74.0}
    assert med["ci_low"].to_dict() == {"high": 30.0, "low": 150.0, "vehicle": 35.0}
    assert med["ci_high"].isna().all()
    assert med["n_censored"].to_dict() == {"high": 1, "low": 3, "vehicle": 2}
    assert med["n"].to_dict() == {"high": 8, "low": 8, "vehicle": 8}


def test_three_groups_match_lifelines() -> None:
    """Second oracle: lifelines multivariate_logrank_test on the same three groups."""
    from lifelines.statistics import multivariate_logrank_test

    lat = prepare_latencies(_passive_avoidance(), time="latency_s", group="group", cutoff=300)
    ref = multivariate_logrank_test(lat["time"], lat["group"], lat["event"])
    assert logrank_test(lat)["statistic"] == pytest.approx(ref.test_statistic, rel=1e-9)


@pytest.mark.parametrize(
    ("times", "events", "median", "lcl"),
    [([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 1], 4.0, 2.0), ([1, 2, 3, 4], [1, 1, 1, 1], 2.5, 1.0)],
)
def test_median_midpoint_rule(
    times: list[int], events: list[int], median: float, lcl: float
) -> None:
    """When the curve sits exactly at 0.5, R takes the midpoint to the next drop:
    summary(survfit(Surv(c(1,2,3,4,5,6), c(1,1,1,0,1,1)) ~ 1))$table median 4, LCL 2, UCL NA;
    Surv(1:4, rep(1, 4)): median 2.5, LCL 1, UCL NA."""
    data = pd.DataFrame(
        {"t": times * 2, "e": events * 2, "g": ["a"] * len(times) + ["b"] * len(times)}
    )
    med = median_latency(prepare_latencies(data, time="t", group="g", event="e"))
    assert med["median"].tolist() == [median, median]
    assert med["ci_low"].tolist() == [lcl, lcl]
    assert med["ci_high"].isna().all()


def test_cutoff_censors_only_latencies_at_the_cutoff() -> None:
    """Analytic: latency == cut-off -> event False; below -> True."""
    data = pd.DataFrame({"t": [10.0, 299.9, 300.0, 300], "g": ["a", "a", "b", "b"]})
    lat = prepare_latencies(data, time="t", group="g", cutoff=300)
    assert lat["event"].tolist() == [True, True, False, False]


def test_event_column_overrides_cutoff() -> None:
    """Analytic: an explicit event column wins over the cut-off rule."""
    data = pd.DataFrame(
        {"t": [10.0, 300.0, 50.0, 300.0], "g": ["a", "a", "b", "b"], "ev": [0, 1, "true", "no"]}
    )
    lat = prepare_latencies(data, time="t", group="g", cutoff=300, event="ev")
    assert lat["event"].tolist() == [False, True, True, False]


def test_holm_matches_p_adjust() -> None:
    """R: p.adjust(c(0.01, 0.04, 0.03, 0.5), "holm") -> 0.04 0.09 0.09 0.50."""
    assert holm(np.array([0.01, 0.04, 0.03, 0.5])) == pytest.approx([0.04, 0.09, 0.09, 0.5])


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        ({"t": [1, 2], "g": ["a", "a"]}, {"cutoff": 300}, "at least two groups"),
        ({"t": [1, -2], "g": ["a", "b"]}, {"cutoff": 300}, "latency >= 0"),
        ({"t": [1, 400], "g": ["a", "b"]}, {"cutoff": 300}, "<= the cut-off"),
        ({"t": [1, 2], "g": ["a", "b"]}, {}, "cut-off"),
        ({"t": [1, 2], "g": ["a", "b"]}, {"cutoff": 300, "event": "nope"}, "column 'nope'"),
        (
            {"t": [1, 2], "g": ["a", "b"], "e": ["x", 1]},
            {"cutoff": 300, "event": "e"},
            "true/false",
        ),
    ],
)
def test_bad_input_is_an_input_error(data: dict, kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        prepare_latencies(pd.DataFrame(data), time="t", group="g", **kwargs)


def test_unknown_control_and_all_censored() -> None:
    lat = prepare_latencies(
        pd.DataFrame({"t": [300, 300, 300, 300], "g": ["a", "a", "b", "b"]}),
        time="t",
        group="g",
        cutoff=300,
    )
    with pytest.raises(InputError, match="uncensored"):
        logrank_test(lat)
    with pytest.raises(InputError, match="control level"):
        pairwise_logrank(lat, control="vehicle")


def test_plot_returns_figure_with_curves_and_censor_ticks() -> None:
    lat = prepare_latencies(_passive_avoidance(), time="latency_s", group="group", cutoff=300)
    fig = plot_kaplan_meier(kaplan_meier(lat), show_ci=True)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["high", "low", "vehicle"]
    ticks = [ln for ln in ax.get_lines() if ln.get_marker() == "|"]
    assert len(ticks) == 3  # every group has censored animals at 300 s
    assert ticks[0].get_xdata().tolist() == [300.0]
    # with the report's names and colours: manifest order, display names, group colours
    fig = plot_kaplan_meier(
        kaplan_meier(lat),
        labels={"vehicle": "Vehicle", "low": "Low dose", "high": "High dose"},
        colours={"vehicle": "#3a3a3a", "low": "#56b4e9", "high": "#0072b2"},
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Vehicle",
        "Low dose",
        "High dose",
    ]
    steps = [ln for ln in ax.get_lines() if ln.get_marker() != "|"]
    assert [ln.get_color() for ln in steps] == ["#3a3a3a", "#56b4e9", "#0072b2"]


def test_numeric_group_labels_are_ordered_as_numbers() -> None:
    """Dose labels 0, 3, 10, 30: numeric order, the lowest dose is the default control."""
    data = pd.DataFrame(
        {
            "t": [5, 9, 20, 40, 7, 30, 100, 300, 12, 50, 300, 300],
            "dose": [10, 10, 10] + [0] * 3 + [3, 3, 3] + [30, 30, 30],
        }  # fmt: skip
    )
    res = analyse_latencies(data, time="t", group="dose", cutoff=300)
    assert res["control"] == "0"
    assert res["medians"]["group"].tolist() == ["0", "3", "10", "30"]
    assert res["pairwise"]["group"].tolist() == ["3", "10", "30"]
    assert list(res["logrank"]["observed"]) == ["0", "3", "10", "30"]
    assert pd.unique(res["km"]["group"]).tolist() == ["0", "3", "10", "30"]

"""Passive avoidance: censoring at the cut-off, and the survival analysis on R's numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.behavior.passive_avoidance import (
    analyse_passive_avoidance,
    ceiling_summary,
    prepare_passive_avoidance,
)
from neuroprotect.errors import InputError


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "animal_id": ["v1", "v2", "v3", "t1", "t2", "t3"],
            "group": ["vehicle"] * 3 + ["drug"] * 3,
            "training_latency_s": [12.0, 300.0, 8.5, 20.0, 15.0, 9.0],
            "retention_latency_s": [40.0, 300.0, 22.0, 300.0, 300.0, 180.5],
        }
    )


def test_latency_at_cutoff_is_censored():
    """Analytic: latencies equal to the 300-s cut-off are censored, the others are events."""
    rec = prepare_passive_avoidance(_table(), cutoff_s=300, group="group")
    assert rec["censored"].tolist() == [False, True, False, True, True, False]
    assert (rec["event"] == ~rec["censored"]).all()
    assert rec["training_censored"].tolist() == [False, True, False, False, False, False]
    assert (rec["cutoff_s"] == 300).all()
    ceiling = ceiling_summary(rec).set_index("group")
    assert ceiling.loc["drug", "n_censored"] == 2
    assert ceiling.loc["drug", "censored_pct"] == pytest.approx(200 / 3)
    assert ceiling.loc["vehicle", "n_training_censored"] == 1


def test_per_animal_cutoff_column_and_training_cutoff():
    table = _table().assign(cutoff_s=[300, 300, 22, 300, 600, 300])
    rec = prepare_passive_avoidance(table, group="group", training_cutoff_s=300)
    assert rec["censored"].tolist() == [False, True, True, True, False, False]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda t: t.assign(retention_latency_s=[40, 301, 22, 300, 300, 1]),
            "retention_latency_s",
            "<= the cut-off",
        ),
        (
            lambda t: t.assign(retention_latency_s=[40, -1, 22, 300, 300, 1]),
            "retention_latency_s",
            ">= 0",
        ),
        (lambda t: t.assign(animal_id=["a", "a", "b", "c", "d", "e"]), "animal_id", "one row"),
        (lambda t: t.drop(columns="retention_latency_s"), "retention_latency_s", "column"),
    ],
)
def test_errors_name_row_and_field(change, field, words):
    table = change(_table()).assign(source_row=range(2, 8))
    with pytest.raises(InputError, match=words) as err:
        prepare_passive_avoidance(table, cutoff_s=300, group="group", file="pa.csv")
    assert err.value.field == field
    assert err.value.file == "pa.csv"
    if words != "column":
        assert err.value.row == 3


def test_cutoff_required():
    with pytest.raises(InputError, match="cut-off"):
        prepare_passive_avoidance(_table(), group="group")


def test_survival_matches_r_survdiff_gehan():
    """Reference: R survival 3.5-3 on Gehan/Freireich 6-MP (shared/data/stats; values in
    expected_R_survival_pwr_mixed.json): survdiff chisq 16.792940989217, p 4.1688e-05;
    survfit medians 23 (6-MP, CI 16 to NA) and 8 (control, CI 4 to 12).

    Written as a passive-avoidance table with a cut-off per animal: censored remission times are
    latencies equal to their own cut-off, observed ones have a later cut-off (60)."""
    data = pd.read_csv(shared_data("stats", "lifelines-logrank", "gehan_freireich_6MP.csv"))
    r = json.loads(
        shared_data("stats", "lme4-sleepstudy", "expected_R_survival_pwr_mixed.json").read_text()
    )
    table = pd.DataFrame(
        {
            "animal_id": [f"a{i}" for i in range(len(data))],
            "group": data["g"],
            "retention_latency_s": data["t"].astype(float),
            "cutoff_s": np.where(data["e"] == 1, 60.0, data["t"]),
        }
    )
    rec = prepare_passive_avoidance(table, group="group", training=None)
    assert rec["event"].tolist() == (data["e"] == 1).tolist()
    res = analyse_passive_avoidance(rec, control="control")
    assert res["logrank"]["statistic"] == pytest.approx(r["gehan_6MP_logrank"]["chisq"], rel=1e-9)
    assert res["logrank"]["p_val"] == pytest.approx(r["gehan_6MP_logrank"]["p"], rel=1e-6)
    med = res["medians"].set_index("group")
    assert med.loc["6-MP", "median"] == 23
    assert med.loc["control", "median"] == 8
    assert (med.loc["control", "ci_low"], med.loc["control", "ci_high"]) == (4, 12)
    assert med.loc["6-MP", "ci_low"] == 16
    assert np.isnan(med.loc["6-MP", "ci_high"])
    pair = res["pairwise"].iloc[0]
    assert (pair["group"], pair["control"]) == ("6-MP", "control")
    assert pair["statistic"] == pytest.approx(r["gehan_6MP_logrank"]["chisq"], rel=1e-9)
    assert res["ceiling"].set_index("group").loc["6-MP", "n_censored"] == 12

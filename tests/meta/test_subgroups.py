"""Stratified meta-analysis against metafor 3.8-1 and the CAMARADES worked example.

R code (metafor 3.8-1)::

    dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    # FE_strata_alloc: rma(yi, vi, method="FE", subset=alloc==s) per stratum, and
    rma(yi, vi, mods=~factor(alloc), method="FE", data=dat)     # FE_modtest_alloc QM
    rma(yi, vi, mods=~factor(alloc), method="REML", data=dat)   # REML_modtest_alloc QM, tau2

camarades-nmd-smd ``NMD_strata_partition``: Q partition of the NMDs by whether a sham value was
reported (comparisons S2 and S4 have sham_mean != 0).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.meta._reference import bcg, camarades, camarades_expected, metafor_expected

from neuroprotect.errors import InputError
from neuroprotect.meta.effect_sizes import compute_effect_sizes
from neuroprotect.meta.subgroups import compute_subgroups

TOL = 1e-4


def test_bcg_alloc_fe_partition_and_reml_moderator() -> None:
    d, ref = bcg(), metafor_expected()
    res = compute_subgroups(d["yi"], d["vi"], d["alloc"], method="REML", by="alloc")
    part = ref["FE_strata_alloc"]
    assert res.strata["stratum"].tolist() == [s["stratum"] for s in part["strata"]]
    assert res.strata["k"].tolist() == [s["k"] for s in part["strata"]]
    np.testing.assert_allclose(
        res.strata["fe_estimate"], [s["est"] for s in part["strata"]], atol=TOL
    )
    np.testing.assert_allclose(res.strata["fe_se"], [s["se"] for s in part["strata"]], atol=TOL)
    np.testing.assert_allclose(res.strata["q"], [s["QE"] for s in part["strata"]], atol=TOL)
    assert res.q_total == pytest.approx(part["Q_total"], abs=TOL)
    assert res.q_within == pytest.approx(part["Q_within"], abs=TOL)
    assert res.q_between == pytest.approx(part["Q_between"], abs=TOL)
    assert res.q_between == pytest.approx(ref["FE_modtest_alloc"]["QM"], abs=TOL)
    assert res.dof_between == part["df_between"]
    assert res.p_between == pytest.approx(part["p_between"], abs=1e-8)
    mix = ref["REML_modtest_alloc"]
    assert res.qm_random == pytest.approx(mix["QM"], abs=TOL)
    assert res.qm_random_p_val == pytest.approx(mix["QMp"], abs=TOL)
    assert res.tau2_residual == pytest.approx(mix["tau2"], abs=TOL)


def test_within_stratum_pooling_is_the_stratum_fit() -> None:
    """Each stratum's RE estimate is the plain RandomEffectsMeta on that stratum only."""
    from neuroprotect.meta.models import RandomEffectsMeta

    d = bcg()
    res = compute_subgroups(d["yi"], d["vi"], d["alloc"], method="DL")
    sub = d[d["alloc"] == "systematic"]
    fit = RandomEffectsMeta("DL").fit(sub["yi"], sub["vi"])
    row = res.strata.set_index("stratum").loc["systematic"]
    assert row["estimate"] == pytest.approx(fit.estimate_, rel=1e-12)
    assert row["tau2"] == pytest.approx(fit.tau2_, rel=1e-12)


def test_camarades_nmd_partition() -> None:
    ref = camarades_expected()["NMD_strata_partition"]
    data = camarades()
    es = compute_effect_sizes(data, measure="nmd")
    res = compute_subgroups(es["yi"], es["vi"], data["sham_mean"] != 0, method="DL")
    assert res.q_total == pytest.approx(ref["Q_total"], abs=TOL)
    assert res.q_within == pytest.approx(ref["Q_within"], abs=TOL)
    assert res.q_between == pytest.approx(ref["Q_between"], abs=TOL)
    assert res.dof_between == ref["df"]
    assert res.p_between == pytest.approx(ref["p"], abs=TOL)


def test_single_study_stratum() -> None:
    res = compute_subgroups([0.1, 0.3, 0.8], [0.04, 0.05, 0.02], ["a", "a", "b"], method="REML")
    b = res.strata.set_index("stratum").loc["b"]
    assert b["k"] == 1
    assert b["estimate"] == pytest.approx(0.8)
    assert b["se"] == pytest.approx(np.sqrt(0.02))
    assert res.to_dict()["strata"][1]["tau2"] is None


def test_one_stratum_is_an_error() -> None:
    with pytest.raises(InputError, match="at least 2 strata"):
        compute_subgroups([0.1, 0.2], [0.1, 0.1], ["x", "x"], by="route")


def test_missing_label_is_an_error() -> None:
    with pytest.raises(InputError, match="stratum label"):
        compute_subgroups([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], ["x", None, "y"], by="route")

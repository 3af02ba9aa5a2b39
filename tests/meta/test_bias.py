"""Small-study tests against metafor 3.8-1: metafor-bcg/expected_R_metafor.json.

R code (metafor 3.8-1, R 4.2.2)::

    res <- rma(yi, vi, data=escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg))
    regtest(res, model="lm")     # Egger_lm_sei
    regtest(res)                 # Egger_rma_sei (default: rma model, predictor sei)
    ranktest(res)                # Begg_ranktest
    trimfill(res)                # trimfill_REML_default
    trimfill(rma(yi, vi, data=dat, method="FE"))          # trimfill_FE
    dat <- escalc("OR", ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=dat.egger2001)
    regtest(rma(yi, vi, data=dat)); regtest(..., model="lm", predictor="sqrtninv"); ranktest(...)

The dat.egger2001 values are those of metafor's own tests/testthat/test_misc_pub_bias.r.
The camarades-nmd-smd Egger ``lm`` value is R ``lm(yi ~ sei, weights=1/vi)`` on the NMDs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data
from tests.meta._reference import bcg, camarades, camarades_expected, metafor_expected

from neuroprotect.errors import InputError
from neuroprotect.meta.bias import egger_test, rank_correlation_test, trim_and_fill
from neuroprotect.meta.effect_sizes import compute_effect_sizes

TOL = 1e-4


def _egger2001() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log odds ratios as escalc("OR") computes them: +0.5 to every cell of a table with a zero."""
    d = pd.read_csv(shared_data("stats", "metafor-bcg", "dat.egger2001.csv"))
    a, n1, c, n2 = (d[k].to_numpy(float) for k in ("ai", "n1i", "ci", "n2i"))
    b, dd = n1 - a, n2 - c
    zero = (a == 0) | (b == 0) | (c == 0) | (dd == 0)
    a, b, c, dd = (np.where(zero, x + 0.5, x) for x in (a, b, c, dd))
    return np.log(a * dd / (b * c)), 1 / a + 1 / b + 1 / c + 1 / dd, n1 + n2


def test_egger_lm_bcg() -> None:
    d, ref = bcg(), metafor_expected()["Egger_lm_sei"]
    res = egger_test(d["yi"], d["vi"], model="lm")
    assert res.statistic == pytest.approx(ref["zval"], abs=TOL)
    assert res.p_val == pytest.approx(ref["pval"], abs=TOL)
    assert res.dof == ref["df"]
    assert res.limit_estimate == pytest.approx(ref["limit_est"], abs=TOL)
    # printed by regtest: "b = -0.1909 (CI: -0.6753, 0.2935)"
    assert (round(res.limit_ci_low, 4), round(res.limit_ci_high, 4)) == (-0.6753, 0.2935)


def test_egger_rma_bcg() -> None:
    d, ref = bcg(), metafor_expected()["Egger_rma_sei"]
    res = egger_test(d["yi"], d["vi"])
    assert (res.model, res.predictor, res.method) == ("rma", "sei", "REML")
    assert res.statistic == pytest.approx(ref["zval"], abs=TOL)
    assert res.p_val == pytest.approx(ref["pval"], abs=TOL)
    assert res.limit_estimate == pytest.approx(ref["limit_est"], abs=TOL)
    assert res.dof is None


def test_egger_2001_metafor_test_suite() -> None:
    ref = metafor_expected()
    yi, vi, ni = _egger2001()
    assert egger_test(yi, vi).statistic == pytest.approx(
        ref["egger2001_regtest_default_zval"], abs=TOL
    )
    lm = egger_test(yi, vi, model="lm", predictor="sqrtninv", ni=ni)
    assert lm.statistic == pytest.approx(ref["egger2001_regtest_lm_sqrtninv_zval"], abs=TOL)
    rank = rank_correlation_test(yi, vi)
    assert rank["tau"] == pytest.approx(ref["egger2001_ranktest"]["tau"], abs=1e-12)
    assert rank["p_val"] == pytest.approx(ref["egger2001_ranktest"]["pval"], abs=TOL)


def test_egger_lm_camarades_nmd() -> None:
    ref = camarades_expected()["NMD_egger_lm"]
    es = compute_effect_sizes(camarades(), measure="nmd")
    res = egger_test(es["yi"], es["vi"], model="lm")
    assert (res.statistic, res.p_val) == pytest.approx((ref["z"], ref["p"]), abs=TOL)


def test_egger_lm_is_classic_radial_regression() -> None:
    """Analytic identity: slope on sei (weights 1/vi) = intercept of yi/sei on 1/sei (OLS)."""
    rng = np.random.default_rng(7)
    vi = rng.uniform(0.01, 0.3, 15)
    yi = 0.4 + 1.2 * np.sqrt(vi) + rng.normal(0, np.sqrt(vi))
    res = egger_test(yi, vi, model="lm")
    se = np.sqrt(vi)
    x = np.column_stack([np.ones_like(se), 1 / se])
    beta, rss, *_ = np.linalg.lstsq(x, yi / se, rcond=None)
    cov = rss[0] / (yi.size - 2) * np.linalg.inv(x.T @ x)
    assert res.slope == pytest.approx(beta[0], rel=1e-10)
    assert res.statistic == pytest.approx(beta[0] / np.sqrt(cov[0, 0]), rel=1e-10)


def test_begg_bcg() -> None:
    d, ref = bcg(), metafor_expected()["Begg_ranktest"]
    res = rank_correlation_test(d["yi"], d["vi"])
    assert res["tau"] == pytest.approx(ref["tau"], abs=1e-12)
    assert res["p_val"] == pytest.approx(ref["pval"], abs=TOL)


def test_trimfill_reml_bcg() -> None:
    d, ref = bcg(), metafor_expected()["trimfill_REML_default"]
    res = trim_and_fill(d["yi"], d["vi"])
    assert (res.k0, res.side) == (ref["k0"], ref["side"])
    m = res.model
    assert m.k_ == 14
    assert m.estimate_ == pytest.approx(ref["est"], abs=TOL)
    assert m.se_ == pytest.approx(ref["se"], abs=TOL)
    assert m.ci_ == pytest.approx((ref["ci.lb"], ref["ci.ub"]), abs=TOL)
    assert m.tau2_ == pytest.approx(ref["tau2"], abs=TOL)
    # printed: "Estimated number of missing studies on the right side: 1 (SE = 2.4528)"
    assert round(res.se_k0, 4) == 2.4528
    assert m.q_ == pytest.approx(154.6750, abs=1e-4)  # printed Q(df = 13) = 154.6750


def test_trimfill_fe_bcg() -> None:
    d, ref = bcg(), metafor_expected()["trimfill_FE"]
    res = trim_and_fill(d["yi"], d["vi"], method="FE")
    assert (res.k0, res.side) == (ref["k0"], ref["side"])
    assert res.model.estimate_ == pytest.approx(ref["est"], abs=TOL)
    assert res.model.se_ == pytest.approx(ref["se"], abs=TOL)
    assert res.model.ci_ == pytest.approx((ref["ci.lb"], ref["ci.ub"]), abs=TOL)


def test_trimfill_symmetric_funnel_fills_nothing() -> None:
    """Analytic: a funnel mirrored about 0 has S_r = k(k+1)/4 -> L0 < 0.5 -> k0 = 0."""
    half = np.array([0.1, 0.3, 0.6, 1.0])
    yi = np.concatenate([half, -half])
    vi = np.concatenate([[0.02, 0.05, 0.1, 0.2]] * 2)
    res = trim_and_fill(yi, vi, method="FE", side="left")
    assert res.k0 == 0
    assert res.filled.empty
    assert res.model.estimate_ == pytest.approx(0.0, abs=1e-12)


def test_trimfill_mirrors_removed_studies() -> None:
    """The filled studies are the k0 largest mirrored about the FE mean of the other k - k0."""
    yi = np.array([0.0, 0.05, -0.05, 0.4, 0.7, 1.0, 1.3])
    vi = np.array([0.01, 0.01, 0.01, 0.1, 0.2, 0.3, 0.4])
    res = trim_and_fill(yi, vi, method="FE", side="left")
    assert res.k0 >= 1
    order = np.argsort(yi)
    kept, trimmed = order[: yi.size - res.k0], order[yi.size - res.k0 :]
    w = 1 / vi[kept]
    centre = float(np.sum(w * yi[kept]) / w.sum())
    np.testing.assert_allclose(res.filled["yi"], 2 * centre - yi[trimmed], atol=1e-12)
    np.testing.assert_allclose(res.filled["vi"], vi[trimmed])
    assert res.model.k_ == yi.size + res.k0


def test_bias_needs_three_studies() -> None:
    with pytest.raises(InputError, match="at least 3"):
        egger_test([0.1, 0.2], [0.1, 0.1])
    with pytest.raises(InputError, match="sample sizes"):
        egger_test([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], predictor="sqrtninv")

"""Pooling against metafor 3.8-1 (R 4.2.2): metafor-bcg/expected_R_metafor.json.

R code (metafor 3.8-1)::

    dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    rma(yi, vi, data=dat, method="FE"|"DL"|"REML"|"PM")
    rma(yi, vi, data=dat, test="knha")
    predict(rma(yi, vi, data=dat), transf=exp)        # REML_pred_RR
    confint(rma(yi, vi, data=dat))                    # Q-profile CI of tau^2
    rma(yi, vi, data=escalc("SMD", ...dat.normand1999), method="REML"|"DL")

The DL numbers are also Stata ``metan``'s (metafor's test_misc_metan_vs_rma.uni_with_dat.bcg.r).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.meta._reference import (
    bcg,
    camarades,
    camarades_expected,
    metafor_expected,
    normand,
)

from neuroprotect.errors import InputError
from neuroprotect.meta._rma import reml_loglik
from neuroprotect.meta.effect_sizes import compute_effect_sizes
from neuroprotect.meta.models import RandomEffectsMeta

TOL = 1e-4


def _compare(fit: RandomEffectsMeta, ref: dict, *, tau2: bool = True) -> None:
    got = {
        "est": fit.estimate_,
        "se": fit.se_,
        "zval": fit.statistic_,
        "pval": fit.p_val_,
        "ci.lb": fit.ci_[0],
        "ci.ub": fit.ci_[1],
        "tau2": fit.tau2_,
        "I2": fit.i2_,
        "H2": fit.h2_,
        "QE": fit.q_,
        "QEp": fit.q_p_val_,
    }
    for key, value in got.items():
        if key in ref and ref[key] is not None and (tau2 or key != "tau2"):
            assert value == pytest.approx(ref[key], rel=TOL, abs=TOL), key


@pytest.mark.parametrize("method", ["FE", "DL", "REML", "PM"])
def test_bcg_matches_metafor(method: str) -> None:
    d = bcg()
    fit = RandomEffectsMeta(method).fit(d["yi"], d["vi"])
    ref = metafor_expected()[method]
    _compare(fit, ref)
    assert fit.k_ == ref["k"]


def test_bcg_se_tau2_matches_metafor() -> None:
    d, ref = bcg(), metafor_expected()
    for method in ("DL", "REML"):
        fit = RandomEffectsMeta(method).fit(d["yi"], d["vi"])
        assert fit.se_tau2_ == pytest.approx(ref[method]["se.tau2"], abs=TOL)


def test_bcg_stata_metan_dl() -> None:
    """Stata metan (independent of metafor): DL -0.7141 [-1.0644, -0.3638], tau2 0.3088."""
    d = bcg()
    fit = RandomEffectsMeta("DL").fit(d["yi"], d["vi"])
    assert round(fit.estimate_, 4) == -0.7141
    assert (round(fit.ci_[0], 4), round(fit.ci_[1], 4)) == (-1.0644, -0.3638)
    assert round(fit.tau2_, 4) == 0.3088
    assert round(fit.i2_, 4) == 92.1173


def test_bcg_knapp_hartung() -> None:
    d, ref = bcg(), metafor_expected()["REML_knha"]
    fit = RandomEffectsMeta("REML", knapp_hartung=True).fit(d["yi"], d["vi"])
    assert fit.estimate_ == pytest.approx(ref["est"], abs=TOL)
    assert fit.se_ == pytest.approx(ref["se"], abs=TOL)
    assert fit.statistic_ == pytest.approx(ref["tval"], abs=TOL)
    assert fit.p_val_ == pytest.approx(ref["pval"], abs=1e-6)
    assert fit.ci_ == pytest.approx((ref["ci.lb"], ref["ci.ub"]), abs=TOL)


def test_bcg_prediction_interval() -> None:
    d, ref = bcg(), metafor_expected()["REML_pred_RR"]
    fit = RandomEffectsMeta("REML").fit(d["yi"], d["vi"])
    assert np.exp(fit.estimate_) == pytest.approx(ref["pred"], abs=TOL)
    assert np.exp(fit.ci_) == pytest.approx((ref["ci.lb"], ref["ci.ub"]), abs=TOL)
    assert np.exp(fit.pi_) == pytest.approx((ref["pi.lb"], ref["pi.ub"]), abs=TOL)


def test_bcg_tau2_q_profile_ci() -> None:
    """metafor's confint uses uniroot (tol ~1e-4); ours is solved to 1e-14."""
    d, ref = bcg(), metafor_expected()["REML_tau2_QP_CI"]["tau2"]
    fit = RandomEffectsMeta("REML").fit(d["yi"], d["vi"])
    assert fit.tau2_ci_ == pytest.approx((ref[1], ref[2]), abs=TOL)


def test_reml_is_the_likelihood_maximum() -> None:
    """Fisher scoring lands on the REML maximum: the log-likelihood is lower on both sides."""
    d = bcg()
    y, v = d["yi"].to_numpy(), d["vi"].to_numpy()
    fit = RandomEffectsMeta("REML").fit(y, v)
    x = np.ones((y.size, 1))
    top = reml_loglik(y, v, x, fit.tau2_)
    for step in (1e-4, -1e-4):
        assert reml_loglik(y, v, x, fit.tau2_ + step) < top
    assert fit.converged_


def test_weights_percent() -> None:
    d = bcg()
    fit = RandomEffectsMeta("DL").fit(d["yi"], d["vi"])
    w = 1 / (d["vi"] + fit.tau2_)
    np.testing.assert_allclose(fit.weights_, 100 * w / w.sum(), rtol=1e-12)
    assert fit.weights_.sum() == pytest.approx(100.0)
    assert list(fit.studies.columns) == ["study", "yi", "vi", "se", "ci_low", "ci_high", "weight"]


def test_summary_columns() -> None:
    d = bcg()
    s = RandomEffectsMeta("REML").fit(d["yi"], d["vi"]).summary
    assert s.shape[0] == 1
    assert {"estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "q_p_val", "pi_low"} <= set(
        s.columns
    )


def test_camarades_nmd_dl_and_reml() -> None:
    exp = camarades_expected()
    es = compute_effect_sizes(camarades(), measure="nmd")
    dl = RandomEffectsMeta("DL").fit(es["yi"], es["vi"])
    ref = exp["NMD_DL"]
    assert dl.estimate_ == pytest.approx(ref["RE"], abs=TOL)
    assert dl.se_ == pytest.approx(ref["RE_se"], abs=TOL)
    assert dl.ci_ == pytest.approx(tuple(ref["RE_ci"]), abs=TOL)
    assert dl.tau2_ == pytest.approx(ref["tau2"], abs=TOL)
    assert dl.i2_ == pytest.approx(ref["I2"], abs=TOL)
    assert dl.q_ == pytest.approx(ref["Q"], abs=TOL)
    assert dl.q_p_val_ == pytest.approx(ref["p_Q"], abs=1e-9)
    fe = RandomEffectsMeta("FE").fit(es["yi"], es["vi"])
    assert (fe.estimate_, fe.se_) == pytest.approx((ref["FE"], ref["FE_se"]), abs=TOL)
    reml = RandomEffectsMeta("REML").fit(es["yi"], es["vi"])
    est, se, tau2 = exp["NMD_REML"]
    assert (reml.estimate_, reml.se_) == pytest.approx((est, se), abs=TOL)
    assert reml.tau2_ == pytest.approx(tau2, rel=1e-6)


def test_camarades_smd_dl() -> None:
    exp = camarades_expected()["SMD_DL"]
    es = compute_effect_sizes(
        camarades(), measure="smd", smd_variance="camarades", lower_is_better=True
    )
    fit = RandomEffectsMeta("DL").fit(es["yi"], es["vi"])
    got = (fit.estimate_, fit.se_, fit.tau2_, fit.i2_, fit.q_)
    assert got == pytest.approx(
        (exp["RE"], exp["RE_se"], exp["tau2"], exp["I2"], exp["Q"]), abs=TOL
    )


@pytest.mark.parametrize(
    ("measure", "method", "key"),
    [
        ("smd", "REML", "normand1999_SMD_REML"),
        ("smd", "DL", "normand1999_SMD_DL"),
        ("md", "DL", "normand1999_MD_DL"),
    ],
)
def test_normand_pooling(measure: str, method: str, key: str) -> None:
    es = compute_effect_sizes(normand(), measure=measure)  # type: ignore[arg-type]
    fit = RandomEffectsMeta(method).fit(es["yi"], es["vi"])
    _compare(fit, metafor_expected()[key])


def test_homogeneous_studies_have_zero_tau2() -> None:
    """Analytic: identical effects -> Q = 0, tau2 = 0 for every estimator, RE = FE."""
    y, v = [0.3, 0.3, 0.3, 0.3], [0.1, 0.2, 0.05, 0.4]
    fe = RandomEffectsMeta("FE").fit(y, v)
    for method in ("DL", "REML", "PM"):
        fit = RandomEffectsMeta(method).fit(y, v)
        assert fit.tau2_ == 0.0
        assert fit.estimate_ == pytest.approx(0.3)
        assert fit.se_ == pytest.approx(fe.se_)
    assert fe.se_ == pytest.approx(1 / np.sqrt(sum(1 / np.array(v))))


@pytest.mark.parametrize(
    ("yi", "vi", "match"),
    [
        ([0.1], [0.1], "at least 2"),
        ([0.1, 0.2], [0.1, 0.0], "positive sampling variances"),
        ([0.1, np.nan], [0.1, 0.1], "finite"),
        ([0.1, 0.2], [0.1], "as many"),
    ],
)
def test_bad_input(yi: list, vi: list, match: str) -> None:
    with pytest.raises(InputError, match=match):
        RandomEffectsMeta().fit(yi, vi)


def test_unknown_method() -> None:
    with pytest.raises(InputError, match="method"):
        RandomEffectsMeta("HS")


def test_reml_fallback_optimiser_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    """If Fisher scoring stops early, the bounded optimiser of the REML likelihood takes over."""
    from neuroprotect.meta import _rma

    d = bcg()
    scoring = RandomEffectsMeta("REML").fit(d["yi"], d["vi"]).tau2_
    monkeypatch.setattr(_rma, "REML_MAXITER", 1)
    fit = _rma.fit_rma(d["yi"].to_numpy(), d["vi"].to_numpy(), method="REML")
    assert fit.iterations == 1
    assert fit.tau2 == pytest.approx(scoring, abs=1e-6)


def test_fe_has_no_tau2_interval() -> None:
    d = bcg()
    fit = RandomEffectsMeta("FE").fit(d["yi"], d["vi"])
    assert fit.tau2_ == 0.0 and np.isnan(fit.tau2_ci_).all()
    assert fit.pi_ == pytest.approx(fit.ci_)

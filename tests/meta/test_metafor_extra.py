"""Further metafor cross-checks, numbers computed here with R 4.2.2 + metafor 3.8-1 (Debian).

R code (each value below is printed by the line named in the test's docstring)::

    library(metafor); options(digits=13)
    dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    r <- rma(yi, vi, data=dat, method="DL", test="knha")       # DL_knha
    predict(r)                                                  # DL_knha_pi
    predict(rma(yi, vi, data=dat, test="knha"))                 # REML_knha_pi
    trimfill(rma(yi, vi, data=dat), estimator="R0")             # tf_R0
    trimfill(rma(yi, vi, data=dat, method="DL"))                # tf_DL
    trimfill(rma(-yi, vi, data=dat))                            # tf_neg (left side)
    trimfill(rma(yi, vi, data=dat, test="knha"))                # tf_knha (refit is z-based)
    rma(yi, vi, mods=~ablat, data=dat, test="knha")             # mr_knha
    regtest(rma(yi, vi, data=dat, test="knha"))                 # egger_knha
    regtest(rma(yi, vi, data=dat, method="DL"))                 # egger_dl
    rma(yi, vi, data=dat, subset=alloc==s)                      # stratum_REML
    n <- escalc(measure="SMD", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i,
                data=dat.normand1999)
    ranktest(rma(yi, vi, data=n))                               # normand_rank
    regtest(rma(yi, vi, data=n), model="lm", predictor="sqrtninv")  # normand_egger
    rma(yi, vi, data=n, method="PM")                            # normand_PM
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.meta._reference import bcg, normand

from neuroprotect.meta import (
    RandomEffectsMeta,
    compute_subgroups,
    egger_test,
    meta_analyse,
    meta_regression,
    rank_correlation_test,
    trim_and_fill,
)

TOL = 1e-4


def test_dl_knapp_hartung_and_prediction_intervals() -> None:
    """DL_knha: -0.7141172220732 0.1806966283355 [-1.107821354168, -0.3204130899781]
    p 0.001920766767047; PI [-1.987206963431, 0.5589725192843]. REML_knha_pi: [-1.996016967022,
    0.5669522702921] (t(k-1) critical value for the PI too)."""
    d = bcg()
    f = RandomEffectsMeta("DL", knapp_hartung=True).fit(d["yi"], d["vi"])
    assert (f.estimate_, f.se_) == pytest.approx((-0.7141172220732, 0.1806966283355), abs=TOL)
    assert f.ci_ == pytest.approx((-1.107821354168, -0.3204130899781), abs=TOL)
    assert f.p_val_ == pytest.approx(0.001920766767047, abs=1e-7)
    assert f.pi_ == pytest.approx((-1.987206963431, 0.5589725192843), abs=TOL)
    r = RandomEffectsMeta("REML", knapp_hartung=True).fit(d["yi"], d["vi"])
    assert r.pi_ == pytest.approx((-1.996016967022, 0.5669522702921), abs=TOL)


def test_trimfill_variants() -> None:
    """tf_R0: k0 0; tf_DL: 1 right -0.6560732129886 (SE 0.1734634024654, tau2 0.308132153287);
    tf_neg: 1 left 0.6570828007604 (SE 0.1785284669556, tau2 0.3312880373366)."""
    d = bcg()
    r0 = trim_and_fill(d["yi"], d["vi"], estimator="R0")
    assert (r0.k0, r0.side) == (0, "right")
    assert r0.model.estimate_ == pytest.approx(-0.7145323483651, abs=TOL)
    dl = trim_and_fill(d["yi"], d["vi"], method="DL")
    assert (dl.k0, dl.side) == (1, "right")
    assert (dl.model.estimate_, dl.model.se_, dl.model.tau2_) == pytest.approx(
        (-0.6560732129886, 0.1734634024654, 0.308132153287), abs=TOL
    )
    neg = trim_and_fill(-d["yi"], d["vi"])
    assert (neg.k0, neg.side) == (1, "left")
    assert (neg.model.estimate_, neg.model.se_, neg.model.tau2_) == pytest.approx(
        (0.6570828007604, 0.1785284669556, 0.3312880373366), abs=TOL
    )


def test_meta_analyse_knha_trimfill_is_z_based_like_metafor() -> None:
    """tf_knha: k0 1 right, -0.6570828007604 [-1.006992166208, -0.3071734353123]."""
    d = bcg()
    result, _, _ = meta_analyse(
        d[["yi", "vi"]].assign(study=d["author"]), measure="given", knapp_hartung=True
    )
    tf = result["trimfill"]
    assert (tf["k0"], tf["side"]) == (1, "right")
    assert (tf["estimate"], tf["ci_low"], tf["ci_high"]) == pytest.approx(
        (-0.6570828007604, -1.006992166208, -0.3071734353123), abs=TOL
    )


def test_meta_regression_knapp_hartung_f_test() -> None:
    """mr_knha (at metafor's tau2 0.07635469470566): coef 0.2514642943743, -0.02910166092801;
    SE 0.2839300374191, 0.008201541796008; F(1, 11) = 12.59054552607, p 0.004565545588957."""
    d = bcg()
    m = meta_regression(d["yi"], d["vi"], d[["ablat"]], knapp_hartung=True, tau2=0.07635469470566)
    np.testing.assert_allclose(
        m.coefficients["se"], [0.2839300374191, 0.008201541796008], atol=1e-8
    )
    assert (m.qm, m.qm_dof, m.qe_dof) == (pytest.approx(12.59054552607, abs=1e-6), 1, 11)
    assert m.qm_p_val == pytest.approx(0.004565545588957, abs=1e-8)
    np.testing.assert_allclose(
        m.coefficients["p_val"], [0.3947518380594, 0.004565545588957], atol=1e-8
    )


def test_egger_variants() -> None:
    """egger_knha: t = -0.7811541037202, p 0.4511966968117, df 11; egger_dl: z =
    -0.8379084404844, p 0.402082127973."""
    d = bcg()
    kh = egger_test(d["yi"], d["vi"], knapp_hartung=True)
    assert (kh.statistic, kh.p_val, kh.dof) == (
        pytest.approx(-0.7811541037202, abs=TOL),
        pytest.approx(0.4511966968117, abs=TOL),
        11,
    )
    dl = egger_test(d["yi"], d["vi"], method="DL")
    assert (dl.statistic, dl.p_val) == pytest.approx((-0.8379084404844, 0.402082127973), abs=1e-8)


def test_within_stratum_reml() -> None:
    """stratum_REML: alternate -0.5407929618493 (SE 0.2816016131039, tau2 0.1325770398781,
    I2 82.02251556666); random -0.9709644757584 (0.275955701509, 0.3925265491184,
    89.93428208169); systematic -0.4242073429544 (0.3597453873688, 0.4003462968139,
    86.4221318019)."""
    d = bcg()
    s = compute_subgroups(d["yi"], d["vi"], d["alloc"], method="REML").strata
    expected = pd.DataFrame(
        {
            "estimate": [-0.5407929618493, -0.9709644757584, -0.4242073429544],
            "se": [0.2816016131039, 0.275955701509, 0.3597453873688],
            "tau2": [0.1325770398781, 0.3925265491184, 0.4003462968139],
            "i2": [82.02251556666, 89.93428208169, 86.4221318019],
        }
    )
    for col in expected:
        np.testing.assert_allclose(s[col], expected[col], atol=TOL)


def test_normand_rank_egger_pm() -> None:
    """normand_rank: tau -0.2777777777778, p 0.358487654321; normand_egger (lm, sqrtninv):
    t 0.03487175784192, p 0.9731555604162; normand_PM: -0.5371716938999 (SE 0.3092886936724,
    tau2 0.7943153579226; metafor's PM stops at a 1e-5 change, ours solves Q = k - 1 exactly)."""
    n = normand()
    rank = rank_correlation_test(n["smd_yi"], n["smd_vi"])
    assert rank["tau"] == pytest.approx(-0.2777777777778, abs=1e-12)
    assert rank["p_val"] == pytest.approx(0.358487654321, abs=1e-9)
    e = egger_test(
        n["smd_yi"], n["smd_vi"], model="lm", predictor="sqrtninv", ni=n["n_treat"] + n["n_ctrl"]
    )
    assert (e.statistic, e.p_val) == pytest.approx((0.03487175784192, 0.9731555604162), abs=1e-8)
    pm = RandomEffectsMeta("PM").fit(n["smd_yi"], n["smd_vi"])
    assert (pm.estimate_, pm.se_, pm.tau2_) == pytest.approx(
        (-0.5371716938999, 0.3092886936724, 0.7943153579226), abs=TOL
    )

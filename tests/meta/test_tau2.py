"""tau^2 estimators beyond the metafor grid (SJ, EB) and the warnings of the likelihood search.

Expected numbers: analytic (the estimators' defining equations evaluated by hand below) and the
pymare/metafor 4.6 grid (../shared/data/stats/pymare-metafor-reference) for the warning cases.
"""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import shared_data
from tests.meta._reference import bcg

from neuroprotect.meta import RandomEffectsMeta, meta_regression


def test_sidik_jonkman_by_its_definition() -> None:
    """Sidik & Jonkman (2005): tau0 = sum (y - ybar)^2 / k; r_i = v_i / tau0; weights
    1 / (r_i + 1); tau2 = sum w_i (y_i - yw)^2 / (k - 1) with yw the weighted mean."""
    d = bcg()
    y, v = d["yi"].to_numpy(), d["vi"].to_numpy()
    k = y.size
    tau0 = sum((yi - y.mean()) ** 2 for yi in y) / k
    w = 1 / (v / tau0 + 1)
    yw = (w * y).sum() / w.sum()
    expected = (w * (y - yw) ** 2).sum() / (k - 1)
    assert RandomEffectsMeta("SJ").fit(y, v).tau2_ == pytest.approx(expected, rel=1e-12)


def test_empirical_bayes_solves_the_paule_mandel_equation() -> None:
    """EB (Morris 1983) and PM both solve Q(tau2) = k - 1 with weights 1/(v + tau2)."""
    d = bcg()
    y, v = d["yi"].to_numpy(), d["vi"].to_numpy()
    eb = RandomEffectsMeta("EB").fit(y, v)
    w = 1 / (v + eb.tau2_)
    q = (w * (y - (w * y).sum() / w.sum()) ** 2).sum()
    assert q == pytest.approx(y.size - 1, rel=1e-10)
    assert eb.tau2_ == pytest.approx(RandomEffectsMeta("PM").fit(y, v).tau2_, rel=1e-12)


def test_clear_likelihood_has_no_warning() -> None:
    d = bcg()
    for method in ("ML", "REML"):
        fit = RandomEffectsMeta(method).fit(d["yi"], d["vi"])
        assert fit.warnings_ == [] and fit.converged_


def _grid_design(name: str) -> pd.DataFrame:
    path = shared_data("stats", "pymare-metafor-reference", "metafor_small_sample.csv")
    data = pd.read_csv(path)
    return data[data["case"] == name].reset_index(drop=True)


def test_flat_restricted_likelihood_is_said() -> None:
    """equal_k5 with mod1, REML: tau^2 = 0.0121 (metafor 4.6: 0.01214); the restricted
    log-likelihood changes by < 0.01 when tau^2 is halved or doubled."""
    d = _grid_design("equal_k5")
    res = meta_regression(d["y"], d["v"], d[["mod1"]], method="REML")
    assert res.tau2 == pytest.approx(0.0121, abs=1e-4)
    (warning,) = res.warnings
    assert "flat in tau^2" in warning and "poorly determined" in warning


def test_boundary_and_interior_maxima_ml() -> None:
    """extreme_k10 with mod1 + mod2, ML: the global maximum is tau^2 = 0 (metafor 4.6 agrees);
    a second, lower maximum at tau^2 = 0.0081 is named."""
    d = _grid_design("extreme_k10")
    res = meta_regression(d["y"], d["v"], d[["mod1", "mod2"]], method="ML")
    assert res.tau2 == 0.0
    (warning,) = res.warnings
    assert "2 local maxima" in warning and "tau^2 = 0.0081" in warning

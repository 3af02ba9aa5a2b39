"""Receptor binding.

References:
- drc ``drm(rootl ~ conc, data = ryegrass, fct = LL.4())`` (Ritz et al. 2015; PROVENANCE of
  ../shared/data/assays/drc_doseresponse): e = 3.05795, b = 2.98222; ``ED(fit, 50, interval =
  "delta")`` SE 0.18573 (drc's observed-information covariance).
- R 4.2.2 ``nls(rate ~ Vm * conc / (K + conc), data = Puromycin[Puromycin$state == "treated", ],
  start = list(Vm = 200, K = 0.05))``: Vm 212.68357997 (SE 6.94714626), K 0.06412102739
  (SE 0.00828092242), sigma 10.93 on 10 df (same algebra as one-site Bmax / Kd).
- Analytic: one-site competition and saturation curves built with known IC50, Kd, Bmax.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.assays.binding import (
    SaturationBindingFitter,
    analyse_competition_binding,
    specific_binding,
)
from neuroprotect.errors import InputError


def test_competition_ryegrass_drc() -> None:
    d = pd.read_csv(shared_data("assays", "drc_doseresponse", "ryegrass.csv"))
    res = analyse_competition_binding(d["conc"], d["rootl"], radioligand_conc=2.0, kd=1.0)
    assert res.ic50 == pytest.approx(3.05795, rel=1e-5)
    assert res.hill_slope == pytest.approx(-2.98222, rel=1e-5)
    assert res.ic50_se == pytest.approx(0.18573, rel=1e-4)
    # Cheng-Prusoff: Ki = IC50 / (1 + [L]/Kd) = IC50 / 3, the CI rescaled the same way
    assert res.ki == pytest.approx(res.ic50 / 3)
    assert res.ki_ci == pytest.approx((res.ic50_ci[0] / 3, res.ic50_ci[1] / 3))


def test_competition_analytic_one_site() -> None:
    """Sigma-1 example: IC50 39 nM (igmesine, knowledge base), [L] = Kd -> Ki = 19.5 nM."""
    x = np.repeat([0, 1, 3, 10, 30, 100, 300, 1000, 3000.0], 3)
    y = 20 + 980 / (1 + x / 39.0)
    res = analyse_competition_binding(x, y, radioligand_conc=3.0, kd=3.0)
    assert res.ic50 == pytest.approx(39.0, rel=1e-8)
    assert res.ki == pytest.approx(19.5, rel=1e-8)
    assert res.hill_slope == pytest.approx(-1.0, rel=1e-8)
    out = res.to_dict()
    assert out["ki"] == pytest.approx(19.5) and out["n"] == 27
    # LL.3: bottom fixed at 0 on specific binding
    res3 = analyse_competition_binding(x, y - 20, model="ll3")
    assert res3.ic50 == pytest.approx(39.0, rel=1e-8) and res3.ki is None


def test_competition_needs_both_l_and_kd() -> None:
    with pytest.raises(InputError, match="both"):
        analyse_competition_binding([1, 2, 3], [3, 2, 1], kd=1.0)


def test_saturation_puromycin_nls() -> None:
    p = pd.read_csv(shared_data("assays", "r_datasets_DNase_Puromycin", "Puromycin.csv"))
    t = p[p["state"] == "treated"]
    fit = SaturationBindingFitter().fit(t["conc"], t["rate"])
    s = fit.summary.set_index("param")
    assert s.loc["bmax", "estimate"] == pytest.approx(212.68357997, rel=1e-5)
    assert s.loc["kd", "estimate"] == pytest.approx(0.06412102739, rel=1e-4)
    assert s.loc["bmax", "se"] == pytest.approx(6.94714626, rel=1e-4)
    assert s.loc["kd", "se"] == pytest.approx(0.00828092242, rel=1e-4)
    assert fit.rse_ == pytest.approx(10.93, abs=0.005)
    assert fit.df_ == 10


def test_saturation_total_minus_nonspecific_analytic() -> None:
    x = np.array([0.25, 0.5, 1, 2, 4, 8, 16.0])
    spec = 1500 * x / (2.5 + x)
    table = pd.DataFrame({"nM": x, "total": spec + 40 * x, "nsb": 40 * x})
    s = specific_binding(table, concentration="nM", total="total", nonspecific="nsb")
    fit = SaturationBindingFitter().fit(s["concentration"], s["specific"])
    assert fit.params_["bmax"] == pytest.approx(1500, rel=1e-8)
    assert fit.params_["kd"] == pytest.approx(2.5, rel=1e-8)
    assert fit.predict([2.5]) == pytest.approx([750])


def test_saturation_errors() -> None:
    with pytest.raises(InputError, match="2 distinct"):
        SaturationBindingFitter().fit([1, 1, 1], [1, 2, 3])
    with pytest.raises(InputError, match="column 'x'"):
        specific_binding(pd.DataFrame({"a": [1]}), concentration="x", total="a", nonspecific="a")


def test_saturation_with_total_and_nonspecific_swapped() -> None:
    """Swapped columns give negative specific binding: an error, not Bmax = -1500."""
    x = np.array([0.25, 0.5, 1, 2, 4, 8, 16.0])
    spec = 1500 * x / (2.5 + x)
    table = pd.DataFrame({"nM": x, "total": 40 * x, "nsb": spec + 40 * x})
    s = specific_binding(table, concentration="nM", total="total", nonspecific="nsb")
    with pytest.raises(InputError, match=r"Bmax = -1500: are total and nonspecific binding swap"):
        SaturationBindingFitter().fit(s["concentration"], s["specific"])

"""Effect sizes against metafor's escalc and the CAMARADES worked example.

References
----------
- metafor 3.8-1 ``escalc`` on dat.normand1999 (../shared/data/stats/metafor-bcg)::

      escalc(measure="SMD"|"MD"|"ROM", m1i, sd1i, n1i, m2i, sd2i, n2i, data=dat.normand1999)

- camarades-nmd-smd: per-comparison NMD/SMD by the Vesterinen et al. (2014) formulas and
  ``escalc(measure="SMD", m1i=mean_c, ..., m2i=mean_rx, ...)`` with n_c split for the shared
  control (synthetic; a regression test of the formulas, not an external oracle).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.meta._reference import camarades, camarades_expected, normand

from neuroprotect.errors import InputError
from neuroprotect.meta.effect_sizes import (
    compute_effect_sizes,
    compute_nmd,
    compute_smd,
    correct_shared_control,
    hedges_correction,
)

TOL = 1e-10


@pytest.mark.parametrize(("measure", "prefix"), [("smd", "smd"), ("md", "md"), ("rom", "lnrom")])
def test_normand_matches_metafor_escalc(measure: str, prefix: str) -> None:
    data = normand()
    out = compute_effect_sizes(data, measure=measure)  # type: ignore[arg-type]
    np.testing.assert_allclose(out["yi"], data[f"{prefix}_yi"], rtol=0, atol=TOL)
    np.testing.assert_allclose(out["vi"], data[f"{prefix}_vi"], rtol=1e-12, atol=TOL)


def test_camarades_nmd_per_comparison() -> None:
    exp = camarades_expected()["NMD_per_comparison"]
    out = compute_effect_sizes(camarades(), measure="nmd")
    np.testing.assert_allclose(out["yi"], [r["ES"] for r in exp], atol=1e-9)
    np.testing.assert_allclose(out["sei"], [r["SE"] for r in exp], atol=1e-9)


def test_camarades_smd_per_comparison_camarades_variance() -> None:
    """CAMARADES SMD: control - treatment (lower infarct is better), J = 1 - 3/(4N - 9), 3.94."""
    exp = camarades_expected()["SMD_per_comparison"]
    out = compute_effect_sizes(
        camarades(), measure="smd", smd_variance="camarades", lower_is_better=True
    )
    np.testing.assert_allclose(out["yi"], [r["ES"] for r in exp], atol=1e-9)
    np.testing.assert_allclose(out["sei"], [r["SE"] for r in exp], atol=1e-9)


def test_camarades_smd_metafor_variance_with_shared_control() -> None:
    exp = camarades_expected()["metafor_escalc_SMD"]
    out = compute_effect_sizes(camarades(), measure="smd", lower_is_better=True)
    np.testing.assert_allclose(out["yi"], [r["yi"] for r in exp], atol=1e-9)
    np.testing.assert_allclose(out["sei"], [r["sei"] for r in exp], atol=1e-9)
    assert out["n_ctrl_effective"].tolist() == [10, 8, 12, 6, 5, 5]


def test_shared_control_split_analytic() -> None:
    data = pd.DataFrame({"n_ctrl": [12, 12, 12, 8, 9], "control_id": ["a", "a", "a", "b", None]})
    assert correct_shared_control(data).tolist() == [4.0, 4.0, 4.0, 8.0, 9.0]


def test_hedges_exact_and_approximate() -> None:
    """Exact J for dof = 10 is Gamma(5) / (sqrt(5) Gamma(4.5)); approx. 1 - 3/39."""
    from math import gamma, sqrt

    assert hedges_correction(10.0) == pytest.approx(gamma(5) / (sqrt(5) * gamma(4.5)), rel=1e-14)
    assert hedges_correction(10.0, exact=False) == pytest.approx(1 - 3 / 39, rel=1e-14)


def test_smd_analytic() -> None:
    """Equal SDs of 2, means 13 vs 10, n 10 vs 10: d = 1.5; metafor variance 0.2 + g^2/40."""
    yi, vi = compute_smd([13.0], [2.0], [10], [10.0], [2.0], [10])
    j = hedges_correction(18.0)
    assert yi[0] == pytest.approx(1.5 * j, rel=1e-14)
    assert vi[0] == pytest.approx(0.2 + (1.5 * j) ** 2 / 40, rel=1e-14)


def test_nmd_is_direction_free() -> None:
    """Rescuing half the deficit is 50% whether lower (infarct) or higher (score) is better."""
    lower, _ = compute_nmd([60.0], [5.0], [8], [100.0], [5.0], [8], [20.0])
    higher, _ = compute_nmd([60.0], [5.0], [8], [20.0], [5.0], [8], [100.0])
    assert lower[0] == pytest.approx(50.0)
    assert higher[0] == pytest.approx(50.0)


def _row(**kw: object) -> pd.DataFrame:
    base = {
        "study": ["A", "B"],
        "n_treat": [8, 8],
        "mean_treat": [10.0, 12.0],
        "sd_treat": [2.0, 2.0],
        "n_ctrl": [8, 8],
        "mean_ctrl": [15.0, 15.0],
        "sd_ctrl": [3.0, 3.0],
        "source_row": [2, 3],
    }
    base.update(kw)  # type: ignore[arg-type]
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    ("change", "measure", "field"),
    [
        ({"sd_treat": [2.0, 0.0]}, "smd", "sd_treat"),
        ({"sd_ctrl": [-1.0, 3.0]}, "md", "sd_ctrl"),
        # n < 2 is accepted with a warning (issue 12: fractional split controls); n <= 0 is not
        ({"n_treat": [8, 0]}, "smd", "n_treat"),
        ({"n_ctrl": [-1, 8]}, "smd", "n_ctrl"),
        ({}, "nmd", "sham_mean"),
        ({"sham_mean": [0.0, 15.0]}, "nmd", "mean_ctrl"),
        ({"mean_treat": [0.0, 12.0]}, "rom", "mean_treat"),
    ],
)
def test_bad_input_is_one_line_input_error(change: dict, measure: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        compute_effect_sizes(_row(**change), measure=measure)  # type: ignore[arg-type]
    assert info.value.field == field
    assert "\n" not in str(info.value)


def test_bad_row_is_named() -> None:
    with pytest.raises(InputError, match="row 3"):
        compute_effect_sizes(_row(sd_treat=[2.0, 0.0]), measure="smd")


def test_unknown_measure() -> None:
    with pytest.raises(InputError, match="measure"):
        compute_effect_sizes(_row(), measure="or")  # type: ignore[arg-type]

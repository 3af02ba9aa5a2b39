"""Evans Blue standard curve and µg/g conversion.

Expected numbers: analytic (standards exactly on A = 0.05 C + 0.02; a three-point fit with
slope 1/2, intercept 1/6, R² = 3/4 worked by hand) and scipy.stats.linregress as an independent
least-squares reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from neuroprotect.assays.evans_blue import compute_evans_blue, fit_standard_curve
from neuroprotect.errors import InputError

CONC = [0.0, 1.0, 2.0, 4.0, 8.0]
ABS = [0.02, 0.07, 0.12, 0.22, 0.42]


def test_exact_line() -> None:
    curve = fit_standard_curve(CONC, ABS)
    assert curve.slope == pytest.approx(0.05)
    assert curve.intercept == pytest.approx(0.02)
    assert curve.r2 == pytest.approx(1.0)
    assert curve.flags == []
    assert (curve.concentration_min, curve.concentration_max) == (0.0, 8.0)


def test_hand_fit_low_r2_is_flagged() -> None:
    """x = 0, 1, 2; y = 0, 1, 1: slope 1/2, intercept 1/6, SSres 1/6, SStot 2/3, R² = 3/4."""
    curve = fit_standard_curve([0, 1, 2], [0, 1, 1])
    assert curve.slope == pytest.approx(0.5)
    assert curve.intercept == pytest.approx(1 / 6)
    assert curve.r2 == pytest.approx(0.75)
    assert curve.flags == ["standard curve R² = 0.7500 is below 0.98"]


def test_matches_linregress() -> None:
    rng = np.random.default_rng(3)
    c = np.repeat([0, 0.5, 1, 2, 4, 8], 2)
    a = 0.045 * c + 0.04 + rng.normal(0, 0.004, c.size)
    curve = fit_standard_curve(c, a)
    ref = stats.linregress(c, a)
    assert curve.slope == pytest.approx(ref.slope, rel=1e-12)
    assert curve.intercept == pytest.approx(ref.intercept, rel=1e-12)
    assert curve.r2 == pytest.approx(ref.rvalue**2, rel=1e-12)


def test_conversion_by_hand() -> None:
    """A = 0.17 -> C = (0.17 - 0.02)/0.05 = 3 µg/mL; 3 * 2 mL / 0.6 g = 10 µg/g; x dilution 2."""
    curve = fit_standard_curve(CONC, ABS)
    s = pd.DataFrame(
        {"animal_id": ["a", "b"], "absorbance": [0.17, 0.5], "tissue_weight_mg": [600.0, 500.0]}
    )
    out = compute_evans_blue(s, curve, extraction_volume_ml=2.0)
    assert out["concentration_ug_ml"].iloc[0] == pytest.approx(3.0)
    assert out["evans_blue_ug_per_g"].iloc[0] == pytest.approx(10.0)
    assert out["range_flag"].tolist() == ["ok", "above_range"]
    assert out["evans_blue_ug_per_g"].iloc[1] == pytest.approx(
        9.6 * 2 / 0.5
    )  # flagged, not dropped
    diluted = compute_evans_blue(s, curve, extraction_volume_ml=2.0, dilution=2.0)
    assert diluted["evans_blue_ug_per_g"].iloc[0] == pytest.approx(20.0)
    grams = s.rename(columns={"tissue_weight_mg": "tissue_weight_g"}).assign(
        tissue_weight_g=[0.6, 0.5]
    )
    assert compute_evans_blue(grams, curve, extraction_volume_ml=2.0)["evans_blue_ug_per_g"].iloc[
        0
    ] == pytest.approx(10.0)


def test_blank_subtraction_shifts_only_the_intercept() -> None:
    curve = fit_standard_curve(CONC, ABS, blank_absorbance=0.02)
    assert curve.intercept == pytest.approx(0.0, abs=1e-12)
    assert curve.concentration_of([0.17])[0] == pytest.approx(3.0)
    assert curve.range_flags([0.01, 0.02, 0.42, 0.43]).tolist() == [
        "below_range",
        "ok",
        "ok",
        "above_range",
    ]


def test_out_of_range_error_mode() -> None:
    curve = fit_standard_curve(CONC, ABS)
    s = pd.DataFrame(
        {"animal_id": ["a", "b"], "absorbance": [0.1, 0.01], "tissue_weight_mg": [600.0, 500.0]}
    )
    with pytest.raises(
        InputError, match=r"eb.csv, row 3, field 'absorbance': Expected an absorbance within"
    ):
        compute_evans_blue(s, curve, extraction_volume_ml=2.0, out_of_range="error", file="eb.csv")


@pytest.mark.parametrize(
    ("c", "a", "expected"),
    [
        ([0, 1], [0, 1], "at least 3 standards"),
        ([1, 1, 1], [0.1, 0.2, 0.3], "2 or more different concentrations"),
        ([0, 1, 2], [0.3, 0.2, 0.1], "increase with concentration"),
        ([0, -1, 2], [0.1, 0.2, 0.3], "concentrations >= 0"),
    ],
)
def test_bad_standards(c: list[float], a: list[float], expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        fit_standard_curve(c, a)


def test_bad_samples() -> None:
    curve = fit_standard_curve(CONC, ABS)
    s = pd.DataFrame({"animal_id": ["a"], "absorbance": [0.1], "tissue_weight_mg": [0.0]})
    with pytest.raises(
        InputError, match="row 2, field 'tissue_weight_mg': Expected a tissue weight > 0"
    ):
        compute_evans_blue(s, curve, extraction_volume_ml=1.0)
    with pytest.raises(InputError, match="'tissue_weight_mg' or 'tissue_weight_g'"):
        compute_evans_blue(s.drop(columns="tissue_weight_mg"), curve, extraction_volume_ml=1.0)
    with pytest.raises(InputError, match="extraction volume"):
        compute_evans_blue(s.assign(tissue_weight_mg=1.0), curve)


def test_zero_extraction_volume_and_two_weight_units_are_errors() -> None:
    """A volume of 0 would give 0 µg/g silently; weights in both mg and g are ambiguous."""
    curve = fit_standard_curve([0, 5, 10, 20], [0.0, 0.1, 0.2, 0.4])
    s = pd.DataFrame({"animal_id": ["a", "b"], "absorbance": [0.1, 0.2],
                      "tissue_weight_mg": [500.0, 400.0], "extraction_volume_ml": [1.0, 0.0],
                      "source_row": [2, 3]})  # fmt: skip
    with pytest.raises(InputError, match=r"row 3, field 'extraction_volume_ml': Expected an extr"):
        compute_evans_blue(s, curve, file="eb.csv")
    s["extraction_volume_ml"] = 1.0
    s["tissue_weight_g"] = [0.5, 0.4]
    with pytest.raises(InputError, match="Expected one tissue weight column, but got both"):
        compute_evans_blue(s, curve, file="eb.csv")

"""TTC infarct volumetry (analytic: hand-computed two-slice tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.histology.ttc import compute_infarct_volumes, compute_slice_areas


def _two_slices(slices: tuple[int, int] = (1, 2)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "animal_id": ["a", "a"],
            "slice": list(slices),
            "ipsilateral_area_mm2": [55.0, 66.0],
            "contralateral_area_mm2": [50.0, 60.0],
            "infarct_area_mm2": [20.0, 30.0],
        }
    )


def test_sum_method_by_hand() -> None:
    """t = 2 mm: V_ipsi = 2*(55+66) = 242, V_contra = 220, V_inf = 100,
    V_corr = 2*((50-35)+(60-36)) = 78 (= Lin: 100 - (242-220)), edema = 22/220 = 10 %,
    hemispheric = 78/220 = 35.4545 %."""
    v = compute_infarct_volumes(_two_slices(), slice_thickness_mm=2.0).iloc[0]
    assert v["n_slices"] == 2
    assert v["ipsilateral_volume_mm3"] == pytest.approx(242.0)
    assert v["contralateral_volume_mm3"] == pytest.approx(220.0)
    assert v["infarct_volume_mm3"] == pytest.approx(100.0)
    assert v["corrected_infarct_volume_mm3"] == pytest.approx(78.0)
    assert v["edema_pct"] == pytest.approx(10.0)
    assert v["hemispheric_infarct_pct"] == pytest.approx(78.0 / 220.0 * 100)


def test_cavalieri_is_sum_and_trapezoid_by_hand() -> None:
    s = _two_slices()
    a = compute_infarct_volumes(s, slice_thickness_mm=2.0, method="sum")
    b = compute_infarct_volumes(s, slice_thickness_mm=2.0, method="cavalieri")
    pd.testing.assert_frame_equal(a, b)
    # trapezoid between sections 2 mm apart: 2 * (20 + 30) / 2 = 50;
    # corrected 2 * (15 + 24) / 2 = 39
    t = compute_infarct_volumes(s, slice_thickness_mm=2.0, method="trapezoid").iloc[0]
    assert t["infarct_volume_mm3"] == pytest.approx(50.0)
    assert t["corrected_infarct_volume_mm3"] == pytest.approx(39.0)
    assert t["edema_pct"] == pytest.approx(10.0)
    # a skipped slice number doubles the spacing
    gap = compute_infarct_volumes(_two_slices((1, 3)), slice_thickness_mm=2.0, method="trapezoid")
    assert gap["infarct_volume_mm3"].iloc[0] == pytest.approx(100.0)


def test_slice_areas_sorted_and_corrected() -> None:
    s = _two_slices().iloc[::-1].reset_index(drop=True)
    out = compute_slice_areas(s)
    assert out["slice"].tolist() == [1.0, 2.0]
    assert out["corrected_infarct_area_mm2"].tolist() == [15.0, 24.0]


def test_several_animals_keep_order_and_sham_can_be_negative() -> None:
    sham = pd.DataFrame(
        {
            "animal_id": ["s"] * 2,
            "slice": [1, 2],
            "ipsilateral_area_mm2": [51.0, 60.0],
            "contralateral_area_mm2": [50.0, 60.0],
            "infarct_area_mm2": [0.0, 0.0],
        }
    )
    v = compute_infarct_volumes(pd.concat([sham, _two_slices()]), slice_thickness_mm=1.0)
    assert v["animal_id"].tolist() == ["s", "a"]
    assert v["corrected_infarct_volume_mm3"].iloc[0] == pytest.approx(-1.0)
    assert v["edema_pct"].iloc[0] == pytest.approx(1.0 / 110.0 * 100)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "ipsilateral_area_mm2",
            -1.0,
            "field 'ipsilateral_area_mm2': Expected an area in mm² >= 0",
        ),
        ("contralateral_area_mm2", "abc", "field 'contralateral_area_mm2': Expected an area"),
        (
            "infarct_area_mm2",
            70.0,
            "field 'infarct_area_mm2': Expected the infarct area to be at most",
        ),
        ("slice", 1, "field 'animal_id': Expected one row per animal_id and slice"),
    ],
)
def test_bad_areas_name_row(column: str, value: object, expected: str) -> None:
    s = _two_slices().astype(object)
    s.loc[1, column] = value
    with pytest.raises(InputError) as info:
        compute_infarct_volumes(s, slice_thickness_mm=2.0, file="ttc.csv")
    assert str(info.value).startswith(f"ttc.csv, row 3, {expected}")


def test_bad_options() -> None:
    with pytest.raises(InputError, match="slice thickness"):
        compute_infarct_volumes(_two_slices(), slice_thickness_mm=0)
    with pytest.raises(InputError, match="method"):
        compute_infarct_volumes(_two_slices(), slice_thickness_mm=2, method="simpson")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="column 'infarct_area_mm2'"):
        compute_infarct_volumes(
            _two_slices().drop(columns="infarct_area_mm2"), slice_thickness_mm=2
        )
    zero = _two_slices()
    zero["contralateral_area_mm2"] = 0.0
    zero["infarct_area_mm2"] = 0.0
    with pytest.raises(InputError, match="contralateral hemisphere volume > 0"):
        compute_infarct_volumes(zero, slice_thickness_mm=2)


def test_slice_thickness_in_micrometres_is_an_error() -> None:
    """2000 (µm) given as mm would make a 1000-times larger infarct volume."""
    with pytest.raises(InputError, match=r"but got 2000: is it in µm\?"):
        compute_infarct_volumes(_two_slices(), slice_thickness_mm=2000)
    assert compute_infarct_volumes(_two_slices(), slice_thickness_mm=10)["n_slices"].iloc[0] == 2

"""Colorimetric and cell assays: analytic expected values (tables built from known formulas)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroprotect.assays.colorimetric import (
    compute_atp,
    compute_griess_nitrite,
    compute_jc1_ratio,
    compute_nos_activity,
    compute_ros_fold_change,
    compute_viability,
    fit_standard_curve,
    summarise_replicates,
)
from neuroprotect.errors import InputError


@pytest.fixture
def nitrite_curve():
    """NaNO2 0-100 µM, A540 = 0.01 * C + 0.05 (blank 0.05 -> intercept 0)."""
    c = np.array([0, 6.25, 12.5, 25, 50, 100.0])
    return fit_standard_curve(c, 0.01 * c + 0.05, blank_absorbance=0.05)


def test_griess(nitrite_curve) -> None:
    s = pd.DataFrame(
        {"sample": ["a", "b", "c"], "absorbance": [0.30, 0.55, 1.55], "dilution": [1, 2, 1],
         "protein_mg_ml": [2.0, 2.0, 2.0]}
    )  # fmt: skip
    out = compute_griess_nitrite(s, nitrite_curve)
    assert out["nitrite_um"].tolist() == pytest.approx([25, 100, 150])
    assert out["range_flag"].tolist() == ["ok", "ok", "above_range"]
    assert out["nitrite_nmol_per_mg_protein"].tolist() == pytest.approx([12.5, 50, 75])


def test_nos_activity(nitrite_curve) -> None:
    s = pd.DataFrame({"absorbance": [0.55], "background": [0.15], "protein_mg": [0.5]})
    out = compute_nos_activity(
        s, nitrite_curve, reaction_volume_ml=0.2, incubation_min=30, background="background"
    )
    # NO2- formed = (0.55 - 0.15) / 0.01 = 40 µM; 40 nmol/mL * 0.2 mL / (30 min * 0.5 mg)
    assert out["nitrite_um"].iloc[0] == pytest.approx(40)
    assert out["nos_activity_nmol_min_mg"].iloc[0] == pytest.approx(40 * 0.2 / 15)
    plain = compute_nos_activity(s, nitrite_curve, reaction_volume_ml=0.2, incubation_min=30)
    assert plain["nitrite_um"].iloc[0] == pytest.approx(50)
    with pytest.raises(InputError, match="incubation_min"):
        compute_nos_activity(s, nitrite_curve, reaction_volume_ml=0.2, incubation_min=0)


def test_viability() -> None:
    wells = pd.DataFrame(
        {"group": ["blank", "blank", "ctrl", "ctrl", "ogd", "ogd", "drug"],
         "absorbance": [0.1, 0.1, 1.1, 0.9, 0.5, 0.4, 0.8]}
    )  # fmt: skip
    out = compute_viability(wells, control="ctrl", blank="blank")
    assert "blank" not in set(out["group"])
    assert out["viability_pct"].tolist() == pytest.approx(
        np.array([1.0, 0.8, 0.4, 0.3, 0.7]) / 0.9 * 100
    )
    summ = summarise_replicates(out, value="viability_pct", by=["group"]).set_index("group")
    assert summ.loc["ctrl", "viability_pct"] == pytest.approx(100)
    assert summ.loc["ogd", "n"] == 2 and np.isnan(summ.loc["drug", "sd"])
    with pytest.raises(InputError, match="control group 'sham'"):
        compute_viability(wells, control="sham")


def test_viability_control_at_or_below_the_blank() -> None:
    """A blank above the control would give sign-flipped percentages (ogd 190 %): an error."""
    wells = pd.DataFrame({"group": ["blank", "ctrl", "ctrl", "ogd"],
                          "absorbance": [1.5, 1.1, 0.9, 0.55]})  # fmt: skip
    with pytest.raises(InputError, match=r"'ctrl' averages -0.5 \(is the blank"):
        compute_viability(wells, control="ctrl", blank="blank")
    wells["absorbance"] = [0.1, 1.1, -0.9, 0.55]  # control averaging exactly the blank
    with pytest.raises(InputError, match="'ctrl' averages 0 "):
        compute_viability(wells, control="ctrl", blank="blank")


def test_ros_fold_change() -> None:
    wells = pd.DataFrame(
        {
            "group": ["ctrl", "ctrl", "ogd"],
            "fluorescence": [1100, 900, 3100],
            "protein_mg": [1, 1, 2],
        }
    )
    out = compute_ros_fold_change(wells, control="ctrl", blank=100.0)
    assert out["ros_fold_change"].tolist() == pytest.approx(np.array([1000, 800, 3000]) / 900)
    per = compute_ros_fold_change(wells, control="ctrl", blank=100.0, per="protein_mg")
    assert per["ros_fold_change"].iloc[2] == pytest.approx(1500 / 900)


def test_jc1() -> None:
    wells = pd.DataFrame({"group": ["ctrl", "ogd"], "red": [800.0, 300.0], "green": [200.0, 300.0]})
    out = compute_jc1_ratio(wells, control="ctrl")
    assert out["jc1_ratio"].tolist() == pytest.approx([4.0, 1.0])
    assert out["jc1_pct_of_control"].tolist() == pytest.approx([100, 25])
    with pytest.raises(InputError, match="green"):
        compute_jc1_ratio(wells, background_green=250.0)


def test_atp() -> None:
    c = np.array([0, 0.1, 0.5, 1, 5, 10.0])
    curve = fit_standard_curve(c, 2000 * c + 100, blank_absorbance=100)
    s = pd.DataFrame({"luminescence": [4100.0, 50.0], "protein_mg_ml": [0.5, 0.5]})
    out = compute_atp(s, curve)
    assert out["atp_um"].tolist() == pytest.approx([2.0, -0.025])
    assert out["range_flag"].tolist() == ["ok", "below_range"]
    assert out["atp_nmol_per_mg_protein"].iloc[0] == pytest.approx(4.0)

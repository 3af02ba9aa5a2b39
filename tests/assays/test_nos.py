"""NOS activity: L-[3H]citrulline formation and total NOx (nitrate reduction + Griess).

References: hand calculations following Bredt & Snyder 1990 (PNAS 87:682, citrulline assay) and
the Cayman Nitrate/Nitrite Colorimetric Assay Kit (780001) calculation, written out below.
"""

from __future__ import annotations

import pandas as pd
import pytest

from neuroprotect.assays.evans_blue import fit_standard_curve
from neuroprotect.assays.nos import compute_citrulline_activity, compute_nox, specific_activity
from neuroprotect.errors import InputError


def test_citrulline_assay_hand_calculation() -> None:
    """Bredt & Snyder 1990 set-up: 50 µL reaction with 10 µM L-arginine (500 pmol) carrying
    100,000 cpm of L-[3H]arginine -> SA = 100000 / 500 = 200 cpm/pmol. Sample g1: complete tubes
    4150 and 4250 cpm (mean 4200), L-NAME (1 mM) tubes 1200 and 1200 -> 3000 specific cpm ->
    3000 / 200 = 15 pmol citrulline; 15 min, 0.1 mg protein -> 15 / (15 x 0.1) = 10
    pmol/min/mg. Sample g2 with an EGTA blank: (2200 - 200) / 200 = 10 pmol; 0.05 mg ->
    13.33 pmol/min/mg."""
    sa = specific_activity(100_000, 500)
    assert sa == 200
    tubes = pd.DataFrame(
        {
            "sample": ["g1", "g1", "g1", "g1", "g2", "g2"],
            "condition": ["complete", "complete", "L-NAME", "L-NAME", "complete", "EGTA"],
            "cpm": [4150, 4250, 1200, 1200, 2200, 200],
            "protein_mg": [0.1, 0.1, 0.1, 0.1, 0.05, 0.05],
        }
    )
    res = compute_citrulline_activity(tubes, specific_activity_cpm_per_pmol=sa, incubation_min=15)
    got = dict(zip(res["sample"], res["nos_activity_pmol_min_mg"], strict=True))
    assert got == pytest.approx({"g1": 10.0, "g2": 10 / (15 * 0.05)})
    assert res.loc[0, "citrulline_pmol"] == pytest.approx(15.0)
    assert res.loc[0, "n_blank"] == 2


def test_citrulline_needs_a_blank_per_sample() -> None:
    tubes = pd.DataFrame(
        {"sample": ["g1"], "condition": ["complete"], "cpm": [100.0], "protein_mg": [0.1]}
    )
    with pytest.raises(InputError, match="blank \\(L-NAME/EGTA\\) tubes for sample 'g1'"):
        compute_citrulline_activity(tubes, specific_activity_cpm_per_pmol=200, incubation_min=15)
    tubes["condition"] = ["boiled"]
    with pytest.raises(InputError, match="'boiled'"):
        compute_citrulline_activity(tubes, specific_activity_cpm_per_pmol=200, incubation_min=15)
    with pytest.raises(InputError, match="arginine_pmol > 0"):
        specific_activity(1000, 0)


def test_total_nox_by_nitrate_reduction() -> None:
    """Cayman 780001-style calculation: nitrate standards (through nitrate reductase) 0-100 µM,
    A540 = 0.04 + 0.01 x C. 80 µL sample in a 200 µL well -> factor 200 / 80 = 2.5.
    Total A 0.34 -> (0.34 - 0.04) / 0.01 = 30 µM x 2.5 = 75 µM NOx; without reductase A 0.14 ->
    10 µM x 2.5 = 25 µM nitrite; nitrate = 75 - 25 = 50 µM; protein 2.5 mg/mL ->
    75 / 2.5 = 30 nmol NOx / mg protein."""
    conc = [0, 10, 20, 50, 100]
    curve = fit_standard_curve(conc, [0.04 + 0.01 * c for c in conc])
    samples = pd.DataFrame(
        {
            "sample": ["g1"],
            "absorbance_total": [0.34],
            "absorbance_nitrite": [0.14],
            "dilution": [2.5],
            "protein_mg_ml": [2.5],
        }
    )
    res = compute_nox(samples, curve)
    row = res.iloc[0]
    assert row["nox_um"] == pytest.approx(75.0)
    assert row["nitrite_um"] == pytest.approx(25.0)
    assert row["nitrate_um"] == pytest.approx(50.0)
    assert row["nox_nmol_per_mg_protein"] == pytest.approx(30.0)
    assert row["range_flag"] == "ok"

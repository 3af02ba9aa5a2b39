"""Cross-species dose conversion (reference: FDA 2005 Table 1 and the knowledge base's worked examples)."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.design.dosing import convert_dose, make_dosing_sheet
from neuroprotect.errors import InputError


@pytest.mark.parametrize(
    ("dose", "species", "expected"),
    [
        (6, "rat", 0.973),  # IMM-H004 6 mg/kg rat -> HED (species.yaml worked example)
        (0.25, "rat", 0.0405),  # SA4503 0.25 mg/kg rat -> HED
        (3, "mouse", 0.243),  # igmesine 3 mg/kg mouse -> HED
        (0.1, "mouse", 0.0081),
        (10, "rat", 1.62),  # FDA 2005 text example
    ],
)
def test_hed_worked_examples(dose: float, species: str, expected: float) -> None:
    got = convert_dose(dose, from_species=species, to_species="human").dose_mg_kg
    assert got == pytest.approx(expected, rel=5e-3)


def test_factors_match_fda_table_multiply_column() -> None:
    """FDA 2005 Table 1 'multiply animal dose by' column (3 significant figures) = Km_animal/37."""
    path = shared_data("stats", "fda-km", "km_factors.csv")
    with open(path) as fh:
        rows = [r for r in csv.DictReader(fh) if r["multiply_animal_dose_by"]]
    assert len(rows) >= 10
    for r in rows:
        name = r["species"].replace("_", " ")
        conv = convert_dose(1.0, from_species=name, to_species="human")
        assert conv.factor == pytest.approx(float(r["multiply_animal_dose_by"]), abs=6e-4), name
        back = convert_dose(1.0, from_species="human", to_species=name)
        # the FDA column is rounded to 2 significant figures (37/20 = 1.85 is printed 1.8)
        assert back.factor == pytest.approx(float(r["divide_animal_dose_by"]), abs=0.051), name


def test_animal_to_animal_and_round_trip() -> None:
    rat = convert_dose(10, from_species="mouse", to_species="rat")
    assert rat.dose_mg_kg == pytest.approx(10 * 3 / 6)
    back = convert_dose(rat.dose_mg_kg, from_species="rat", to_species="mouse")
    assert back.dose_mg_kg == pytest.approx(10)


def test_gerbil_refused_without_km_and_accepted_with_one() -> None:
    with pytest.raises(InputError, match="gerbil"):
        convert_dose(50, from_species="gerbil", to_species="human")
    conv = convert_dose(50, from_species="gerbil", to_species="human", km_from=5.5)
    assert conv.dose_mg_kg == pytest.approx(50 * 5.5 / 37)
    assert "user-supplied" in conv.source


def test_unknown_species_and_bad_dose() -> None:
    with pytest.raises(InputError, match="FDA Km"):
        convert_dose(1, from_species="zebrafish", to_species="human")
    with pytest.raises(InputError, match="dose"):
        convert_dose(-1, from_species="rat", to_species="human")


def test_dosing_sheet_volumes() -> None:
    animals = pd.DataFrame(
        {
            "animal_id": ["a", "b", "c"],
            "group": ["h004_6", "h004_6", "vehicle"],
            "body_weight_g": [250, 300, 280],
        }
    )
    sheet = make_dosing_sheet(
        animals,
        doses_mg_kg={"h004_6": 6.0, "vehicle": None},
        stock_mg_ml={"h004_6": 3.0},
        vehicle_ml_per_kg=2.0,
    )
    # 6 mg/kg x 0.25 kg = 1.5 mg; / 3 mg/mL = 0.5 mL
    assert sheet["dose_mg"].tolist()[:2] == pytest.approx([1.5, 1.8])
    assert sheet["volume_ml"].tolist() == pytest.approx([0.5, 0.6, 0.56])
    assert np.isnan(sheet["dose_mg_kg"].iloc[2])
    with pytest.raises(InputError, match="stock"):
        make_dosing_sheet(animals, doses_mg_kg={"h004_6": 6.0}, stock_mg_ml={})


def test_dosing_sheet_vehicle_dose_zero_gets_vehicle_volume() -> None:
    """A 0 mg/kg vehicle group is injected with the treated groups' mL/kg, not 0 mL."""
    animals = pd.DataFrame(
        {
            "animal_id": ["a", "b", "c"],
            "group": ["h004_6", "h004_3", "vehicle"],
            "body_weight_g": [250, 300, 283],
        }
    )
    doses = {"h004_6": 6.0, "h004_3": 3.0, "vehicle": 0.0}
    stocks = {"h004_6": 3.0, "h004_3": 1.5}
    sheet = make_dosing_sheet(animals, doses_mg_kg=doses, stock_mg_ml=stocks)
    # both treated groups inject 2 mL/kg; vehicle 2 mL/kg x 0.283 kg = 0.566 -> 0.57 mL
    assert sheet["volume_ml_per_kg"].tolist() == [2.0, 2.0, 2.0]
    assert sheet["volume_ml"].iloc[2] == 0.57
    assert sheet["dose_mg"].iloc[2] == 0.0
    given = make_dosing_sheet(animals, doses_mg_kg=doses, stock_mg_ml=stocks, vehicle_ml_per_kg=5)
    assert given["volume_ml"].iloc[2] == 1.42  # 1.415 rounds half up


def test_dosing_sheet_vehicle_volume_ambiguous() -> None:
    animals = pd.DataFrame(
        {"animal_id": ["a", "b"], "group": ["h004_6", "vehicle"], "body_weight_g": [250, 280]}
    )
    with pytest.raises(InputError, match="vehicle-ml-per-kg"):
        make_dosing_sheet(
            pd.concat([animals, animals.assign(animal_id=["c", "d"], group="h004_3")]),
            doses_mg_kg={"h004_6": 6.0, "h004_3": 3.0, "vehicle": 0.0},
            stock_mg_ml={"h004_6": 3.0, "h004_3": 3.0},
        )
    with pytest.raises(InputError, match="Expected a vehicle volume > 0"):
        make_dosing_sheet(
            animals,
            doses_mg_kg={"h004_6": 6.0, "vehicle": 0.0},
            stock_mg_ml={"h004_6": 3.0},
            vehicle_ml_per_kg=-1,
        )


def test_dosing_sheet_rounding() -> None:
    """Volumes to 0.01 mL and amounts to 0.001 mg, computed from the unrounded amount."""
    animals = pd.DataFrame({"animal_id": ["a"], "group": ["low"], "body_weight_g": [270.4]})
    sheet = make_dosing_sheet(animals, doses_mg_kg={"low": 1.5}, stock_mg_ml={"low": 0.75})
    assert sheet["dose_mg"].iloc[0] == 0.406  # 0.4056 mg
    assert sheet["volume_ml"].iloc[0] == 0.54  # 0.5408 mL


def test_dosing_sheet_body_weights() -> None:
    """Only dosed animals need a weight; a missing one names the file, its row and the animal."""
    animals = pd.DataFrame(
        {
            "animal_id": ["s1", "a", "b"],
            "group": ["sham", "h004_6", "h004_6"],
            "body_weight_g": [np.nan, 250, np.nan],
            "source_row": [2, 4, 5],
        }
    )
    doses: dict[str, float | None] = {"h004_6": 6.0, "sham": None}
    with pytest.raises(InputError) as info:
        make_dosing_sheet(animals, doses_mg_kg=doses, stock_mg_ml={"h004_6": 3}, file="a.csv")
    assert str(info.value) == (
        "a.csv, row 5, field 'body_weight_g': Expected a body weight > 0 g for animal b "
        "(group 'h004_6' is dosed), but it is missing"
    )
    sheet = make_dosing_sheet(animals.iloc[:2], doses_mg_kg=doses, stock_mg_ml={"h004_6": 3})
    assert np.isnan(sheet["volume_ml"].iloc[0]) and sheet["volume_ml"].iloc[1] == 0.5

"""Brain water content (analytic: (wet - dry) / wet * 100 by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from neuroprotect.assays.brain_water import compute_brain_water
from neuroprotect.errors import InputError


def test_water_by_hand() -> None:
    w = pd.DataFrame(
        {"animal_id": ["a", "b"], "wet_weight_mg": [1000.0, 850.0], "dry_weight_mg": [220.0, 170.0]}
    )
    out = compute_brain_water(w)
    assert out["brain_water_pct"].tolist() == pytest.approx([78.0, 80.0])
    assert list(out.columns) == ["animal_id", "wet_weight_mg", "dry_weight_mg", "brain_water_pct"]


@pytest.mark.parametrize(
    ("wet", "dry", "expected"),
    [
        (
            800.0,
            900.0,
            "field 'dry_weight_mg': Expected the dry weight to be at most the wet weight",
        ),
        (0.0, 0.0, "field 'wet_weight_mg': Expected a wet weight > 0"),
        ("x", 100.0, "field 'wet_weight_mg': Expected a wet weight > 0, but got 'x'"),
        (800.0, -1.0, "field 'dry_weight_mg': Expected a dry weight >= 0"),
    ],
)
def test_bad_weights(wet: object, dry: object, expected: str) -> None:
    w = pd.DataFrame(
        {"animal_id": ["a", "b"], "wet_weight_mg": [1000.0, wet], "dry_weight_mg": [220.0, dry]}
    )
    with pytest.raises(InputError) as info:
        compute_brain_water(w, file="water.csv")
    assert str(info.value).startswith(f"water.csv, row 3, {expected}")


def test_duplicate_animal() -> None:
    w = pd.DataFrame(
        {"animal_id": ["a", "a"], "wet_weight_mg": [1.0, 1.0], "dry_weight_mg": [0.2, 0.2]}
    )
    with pytest.raises(InputError, match="row 3, field 'animal_id'"):
        compute_brain_water(w)

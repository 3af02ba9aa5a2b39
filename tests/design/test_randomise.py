"""Block randomisation: reproducible, balanced within strata (analytic properties)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroprotect.design.randomise import randomise_animals
from neuroprotect.errors import InputError

GROUPS = ["sham", "vehicle", "low", "high"]


def _animals(n: int = 48, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "animal_id": [f"R{i:03d}" for i in range(n)],
            "sex": ["male", "female"] * (n // 2),
            "body_weight_g": rng.normal(280, 25, n).round(1),
        }
    )


def test_same_seed_same_allocation_other_seed_differs() -> None:
    a = randomise_animals(_animals(), groups=GROUPS, seed=7)
    b = randomise_animals(_animals(), groups=GROUPS, seed=7)
    c = randomise_animals(_animals(), groups=GROUPS, seed=8)
    pd.testing.assert_frame_equal(a.allocation, b.allocation)
    assert not a.allocation["group"].equals(c.allocation["group"])


def test_balanced_within_every_stratum() -> None:
    alloc = randomise_animals(_animals(), groups=GROUPS, seed=3).allocation
    # 48 animals, 2 sexes x 2 weight classes = 4 strata of 12 = 3 full blocks of 4 each
    for _, sub in alloc.groupby("stratum"):
        counts = sub["group"].value_counts().reindex(GROUPS, fill_value=0)
        assert counts.max() - counts.min() == 0
    bal = randomise_animals(_animals(), groups=GROUPS, seed=3).balance
    assert bal["n"].tolist() == [12, 12, 12, 12]
    assert bal["n_male"].tolist() == [6, 6, 6, 6]


def test_uneven_strata_differ_by_at_most_one_per_stratum() -> None:
    alloc = randomise_animals(_animals(n=22), groups=GROUPS, seed=5).allocation
    for _, sub in alloc.groupby("stratum"):
        counts = sub["group"].value_counts().reindex(GROUPS, fill_value=0)
        assert counts.max() - counts.min() <= 1


def test_blinded_codes_unique_and_not_group_names() -> None:
    result = randomise_animals(_animals(), groups=GROUPS, seed=11)
    codes = result.allocation["blinded_code"]
    assert codes.is_unique
    assert not set(codes) & set(GROUPS)
    assert "group" not in result.coded_sheet.columns
    assert set(result.key["group"]) == set(GROUPS)


def test_bad_input() -> None:
    with pytest.raises(InputError, match="two distinct groups"):
        randomise_animals(_animals(), groups=["a"], seed=1)
    dup = _animals()
    dup.loc[1, "animal_id"] = dup.loc[0, "animal_id"]
    with pytest.raises(InputError, match="unique"):
        randomise_animals(dup, groups=GROUPS, seed=1)

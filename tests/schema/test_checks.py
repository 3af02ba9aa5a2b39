"""DataFrame checks of the analysis core: errors name file, row and column in plain words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroprotect.errors import InputError
from neuroprotect.schema.checks import unique_keys


def test_repeated_key_is_shown_plainly() -> None:
    """A numpy number shows as 1, not np.float64(1.0)."""
    table = pd.DataFrame(
        {"animal_id": ["R01", "R01"], "slice": np.array([1.0, 1.0]), "source_row": [2, 9]}
    )
    with pytest.raises(InputError) as info:
        unique_keys(table, ["animal_id", "slice"], file="ttc.csv")
    assert str(info.value) == (
        "ttc.csv, row 9, field 'animal_id': Expected one row per animal_id and slice, "
        "but animal_id='R01', slice=1 appears more than once"
    )

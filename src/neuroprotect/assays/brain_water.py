"""Brain water content by the wet-dry weight method (cerebral edema)."""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.schema.checks import (
    id_column,
    numeric_column,
    require_columns,
    row_number,
    unique_keys,
)

__all__ = ["compute_brain_water"]


def compute_brain_water(
    weights: pd.DataFrame,
    *,
    wet_column: str = "wet_weight_mg",
    dry_column: str = "dry_weight_mg",
    file: str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Water content (%) of each brain sample from its wet and dry weights.

    Parameters
    ----------
    weights
        One row per animal: ``animal_id``, ``wet_weight_mg``, ``dry_weight_mg`` (any unit, the
        same for both; the result is a ratio), optionally ``source_row``.
    wet_column, dry_column
        Names of the weight columns.
    file
        Where the table came from, named in errors.

    Returns
    -------
    pandas.DataFrame
        ``animal_id, wet_weight_mg, dry_weight_mg, brain_water_pct`` (plus ``source_row`` when
        given), one row per input row, in input order. The weight columns keep the names given.

    Raises
    ------
    InputError
        Missing column, a non-numeric weight, a wet weight that is not positive, a negative dry
        weight, a dry weight above the wet weight, or an animal listed twice.

    Notes
    -----
    ``brain_water_pct = (wet - dry) / wet * 100``, the wet-dry method of Elliott and Jasper
    (1949), the usual edema measure after MCAO: the tissue (often the ischemic hemisphere) is
    weighed fresh, dried to constant weight (e.g. 100-110 °C for 24 h) and weighed again. Normal
    rat brain is about 78-79 % water.

    Elliott KAC, Jasper H (1949) Am J Physiol 157:122-129.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"animal_id": ["a"], "wet_weight_mg": [1000.0], "dry_weight_mg": [200.0]})
    >>> float(compute_brain_water(w)["brain_water_pct"].iloc[0])
    80.0
    """
    require_columns(weights, ["animal_id", wet_column, dry_column], file=file)
    ids = id_column(weights, "animal_id", file=file)
    wet = numeric_column(weights, wet_column, file=file, min=0, what="a wet weight > 0")
    zero = wet <= 0
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        raise InputError(
            f"Expected a wet weight > 0, but got {weights[wet_column].iloc[i]!r}",
            file=file,
            row=row_number(weights, i),
            field=wet_column,
        )
    dry = numeric_column(weights, dry_column, file=file, min=0, what="a dry weight >= 0")
    heavier = dry > wet
    if heavier.any():
        i = int(np.flatnonzero(heavier)[0])
        raise InputError(
            f"Expected the dry weight to be at most the wet weight ({wet[i]:g}), "
            f"but got {dry[i]:g}",
            file=file,
            row=row_number(weights, i),
            field=dry_column,
        )
    out = pd.DataFrame({"animal_id": ids, wet_column: wet, dry_column: dry})
    out["brain_water_pct"] = (wet - dry) / wet * 100.0
    if "source_row" in weights.columns:
        out["source_row"] = weights["source_row"].to_numpy()
    unique_keys(out, ["animal_id"], file=file)
    return out

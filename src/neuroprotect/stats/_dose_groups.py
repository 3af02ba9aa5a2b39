"""Dose groups for the trend tests: validate a tidy table and split the response by dose.

Shared by :mod:`neuroprotect.stats.jonckheere` and :mod:`neuroprotect.stats.trend_contrasts`
(re-exported from :mod:`neuroprotect.stats.trend`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.stats.descriptive import drop_missing, numeric_response

__all__ = ["Alternative", "DoseGroups", "check_alternative", "dose_groups"]

Alternative = Literal["two-sided", "increasing", "decreasing"]
_ALTERNATIVES = ("two-sided", "increasing", "decreasing")


@dataclass
class DoseGroups:
    """The response split by dose, in increasing dose order.

    Attributes
    ----------
    levels
        ``(dose, values)`` per dose level.
    warnings
        Notes from preparing the data (rows left out for a missing response or dose).
    """

    levels: list[tuple[float, np.ndarray]]
    warnings: list[str] = field(default_factory=list)

    @property
    def samples(self) -> list[np.ndarray]:
        return [g for _, g in self.levels]


def dose_groups(data: pd.DataFrame, *, dv: str, dose: str) -> DoseGroups:
    """Validate a tidy table and split the response by dose, in increasing dose order.

    Rows with a missing response or dose are left out, and a warning says how many (as
    :func:`~neuroprotect.stats.descriptive.prepare_groups` does for group comparisons).

    Raises
    ------
    InputError
        Missing column, non-numeric or infinite values, fewer than 2 dose levels, n < 2 in a level.
    """
    for col in (dv, dose):
        if col not in data.columns:
            raise InputError(
                f"Expected a column {col!r}, but the table has "
                f"{', '.join(map(repr, data.columns))}",
                field=col,
            )
    response = numeric_response(data, dv)
    doses = pd.to_numeric(data[dose], errors="coerce")
    bad_dose = doses.isna() & data[dose].notna()
    for col, bad in ((dv, np.isinf(response)), (dose, bad_dose | np.isinf(doses.fillna(0)))):
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            row = int(data["source_row"].iloc[i]) if "source_row" in data.columns else i + 1
            raise InputError(
                f"Expected a number, but got {data[col].iloc[i]!r}", row=row, field=col
            )
    kept_y, kept_dose, warnings = drop_missing(response, doses, dv=dv, by=dose)
    y, x = kept_y.to_numpy(float), kept_dose.to_numpy(float)
    levels = np.unique(x)
    if levels.size < 2:
        raise InputError(
            f"Expected at least two dose levels in {dose!r}, but got {levels.size}", field=dose
        )
    groups = [(float(lv), y[x == lv]) for lv in levels]
    small = [lv for lv, g in groups if g.size < 2]
    if small:
        raise InputError(
            f"Expected at least 2 observations per dose, but dose {small[0]:g} has 1", field=dose
        )
    return DoseGroups(groups, warnings)


def check_alternative(alternative: str) -> None:
    if alternative not in _ALTERNATIVES:
        raise InputError(
            f"Expected alternative {', '.join(_ALTERNATIVES)}, but got {alternative!r}",
            field="alternative",
        )

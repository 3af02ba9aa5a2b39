"""Per-group descriptive summaries and the input checks every group comparison shares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.schema.columns import SUMMARY_COLUMNS

__all__ = [
    "GroupedData",
    "describe_groups",
    "drop_missing",
    "numeric_response",
    "prepare_groups",
]


@dataclass
class GroupedData:
    """Validated response values split by group, in analysis order.

    Attributes
    ----------
    dv, group
        Names of the response and grouping columns.
    order
        Group labels (as strings) in analysis order.
    values
        ``label -> 1-d float array`` of the response in that group (missing values dropped).
    warnings
        Notes produced while preparing (e.g. dropped missing values).
    """

    dv: str
    group: str
    order: list[str]
    values: dict[str, np.ndarray]
    warnings: list[str] = field(default_factory=list)

    @property
    def samples(self) -> list[np.ndarray]:
        return [self.values[g] for g in self.order]

    @property
    def sizes(self) -> np.ndarray:
        return np.array([len(self.values[g]) for g in self.order])


def numeric_response(data: pd.DataFrame, dv: str) -> pd.Series:
    """The response column as floats, missing cells (empty, NA, NaN, N/A) as NaN.

    Raises
    ------
    InputError
        A value that is not a number (naming the spreadsheet row when ``source_row`` is there).
    """
    col = data[dv]
    if pd.api.types.is_bool_dtype(col):
        raise InputError(
            f"Expected numbers in column {dv!r}, but it holds true/false values", field=dv
        )
    if pd.api.types.is_numeric_dtype(col):
        return col.astype(float)
    text = col.astype("string").str.strip()
    missing = col.isna() | text.str.upper().isin(["", "NA", "NAN", "N/A"]).fillna(True)
    nums = pd.to_numeric(text.where(~missing).str.replace(",", ".", regex=False), errors="coerce")
    bad = nums.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        row = int(data["source_row"].iloc[i]) if "source_row" in data.columns else None
        raise InputError(
            f"Expected numbers in column {dv!r}, but got {col.iloc[i]!r}", row=row, field=dv
        )
    return nums.astype(float)


def drop_missing(
    y: pd.Series, by_values: pd.Series, *, dv: str, by: str
) -> tuple[pd.Series, pd.Series, list[str]]:
    """Leave out the rows with a missing response ``y`` or grouping value; a note gives the count.

    Returns
    -------
    y, by_values, notes
        The kept rows of both series, and ``["N row(s) with a missing 'dv' or 'by' were left
        out."]`` (empty when nothing was left out).
    """
    keep = y.notna() & by_values.notna()
    notes = []
    if not keep.all():
        notes.append(f"{int((~keep).sum())} row(s) with a missing {dv!r} or {by!r} were left out.")
    return y[keep], by_values[keep], notes


def prepare_groups(
    data: pd.DataFrame,
    *,
    dv: str,
    group: str,
    order: list[str] | None = None,
    control: str | None = None,
    min_groups: int = 1,
    min_n: int = 1,
    require_variation: bool = False,
) -> GroupedData:
    """Check a long table and split its response by group.

    Parameters
    ----------
    data
        Long table, one row per animal.
    dv, group
        Response (numeric) and grouping columns.
    order
        Group labels in the wanted order; only these groups are used. Default: the control
        first (if given), then the other groups in order of first appearance.
    control
        Label that must be present.
    min_groups, min_n
        Smallest number of groups and smallest group size accepted.
    require_variation
        Reject a response that takes one value only.

    Raises
    ------
    InputError
        Missing column, non-numeric response, unknown control or order level, too few groups,
        a group smaller than ``min_n``, a constant response.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"Expected a pandas DataFrame, but got {type(data).__name__}")
    for name in (dv, group):
        if name not in data.columns:
            raise InputError(
                f"Expected a column {name!r}, but the table has "
                f"{', '.join(repr(str(c)) for c in data.columns)}",
                field=name,
            )
    if dv == group:
        raise InputError(f"Expected different response and group columns, but both are {dv!r}")
    y, labels, warnings = drop_missing(numeric_response(data, dv), data[group], dv=dv, by=group)
    labels = labels.astype(str).str.strip()
    present = list(dict.fromkeys(labels))
    control = None if control is None else str(control).strip()
    if order is None:
        order = present
        if control is not None and str(control) in order:
            order = [str(control)] + [g for g in order if g != str(control)]
    else:
        order = [str(g).strip() for g in order]
        if len(set(order)) != len(order):
            raise InputError(f"Expected distinct group labels in order, but got {order}")
        unknown = [g for g in order if g not in present]
        if unknown:
            raise InputError(
                f"Expected the group(s) {', '.join(repr(g) for g in unknown)} in column "
                f"{group!r}, but the groups are {', '.join(repr(g) for g in present)}",
                field=group,
            )
    if control is not None and str(control) not in order:
        raise InputError(
            f"Expected the control level {str(control)!r} in column {group!r}, but the groups "
            f"are {', '.join(repr(g) for g in order)}",
            field=group,
        )
    if len(order) < min_groups:
        raise InputError(
            f"Expected at least {min_groups} groups in column {group!r}, but got {len(order)} "
            f"({', '.join(repr(g) for g in order)})",
            field=group,
        )
    values = {g: y[labels == g].to_numpy(dtype=float) for g in order}
    for g in order:
        if len(values[g]) < min_n:
            raise InputError(
                f"Expected at least {min_n} values per group, but group {g!r} has {len(values[g])}",
                field=dv,
            )
    if require_variation:
        pooled = np.concatenate([values[g] for g in order])
        if np.ptp(pooled) == 0:
            raise InputError(
                f"Expected a response that varies, but every value of {dv!r} is {pooled[0]:g}",
                field=dv,
            )
    return GroupedData(dv=dv, group=group, order=order, values=values, warnings=warnings)


def summarize_samples(grouped: GroupedData) -> pd.DataFrame:
    """Summary table of already prepared groups (see :func:`describe_groups`)."""
    rows = []
    for g in grouped.order:
        x = grouped.values[g]
        n = len(x)
        sd = float(np.std(x, ddof=1)) if n > 1 else np.nan
        q1, med, q3 = (float(v) for v in np.quantile(x, [0.25, 0.5, 0.75])) if n else (np.nan,) * 3
        rows.append(
            {
                "group": g,
                "n": n,
                "mean": float(np.mean(x)) if n else np.nan,
                "sd": sd,
                "sem": sd / np.sqrt(n) if n > 1 else np.nan,
                "median": med,
                "q1": q1,
                "q3": q3,
                "iqr": q3 - q1,
                "min": float(np.min(x)) if n else np.nan,
                "max": float(np.max(x)) if n else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def describe_groups(
    data: pd.DataFrame, *, dv: str, group: str, order: list[str] | None = None
) -> pd.DataFrame:
    """Per-group n, mean, SD, SEM, median and quartiles of a response.

    Parameters
    ----------
    data
        Long table, one row per animal.
    dv
        Numeric response column (e.g. ``infarct_volume_mm3``). Missing values are left out.
    group
        Grouping column.
    order
        Group labels in the wanted row order (only these groups). Default: order of first
        appearance.

    Returns
    -------
    pandas.DataFrame
        One row per group with columns :data:`~neuroprotect.schema.columns.SUMMARY_COLUMNS`:
        ``group, n, mean, sd, sem, median, q1, q3, iqr, min, max``.

    Raises
    ------
    InputError
        Missing column, non-numeric response, unknown level in ``order``.

    Notes
    -----
    ``sd`` is the sample standard deviation (divisor n - 1), ``sem = sd / sqrt(n)``. Quartiles
    use linear interpolation between order statistics, R's default ``quantile(type = 7)``;
    ``iqr = q3 - q1``. A group of one animal has NaN ``sd`` and ``sem``.
    """
    grouped = prepare_groups(data, dv=dv, group=group, order=order)
    return summarize_samples(grouped)

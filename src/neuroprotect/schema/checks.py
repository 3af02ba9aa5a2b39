"""Checks of DataFrames handed to the analysis core, with errors that name file, row and column.

The core functions take plain DataFrames, either straight from
:func:`neuroprotect.io.tables.read_table` (which adds a ``source_row`` column) or built by hand.
These helpers give both cases the same one-line :class:`~neuroprotect.errors.InputError`.

Row numbers follow the spreadsheet convention of ``read_table``: the ``source_row`` column when
the table has one, otherwise the position of the record counted as in a CSV file with a header
(first record = row 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

FileLike = str | PathLike[str] | None


def show_value(value: object) -> str:
    """A cell value for an error message: numbers plainly, text quoted."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{float(value):g}"
    return repr(value)


def row_number(table: pd.DataFrame, position: int) -> int:
    """Spreadsheet row number of the record at ``position`` (0-based) of ``table``."""
    if "source_row" in table.columns:
        value = table["source_row"].iloc[position]
        if pd.notna(value):
            return int(value)
    return position + 2


def require_columns(table: pd.DataFrame, names: Sequence[str], *, file: FileLike = None) -> None:
    """Raise when one of ``names`` is not a column of ``table``."""
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"Expected a pandas DataFrame, but got {type(table).__name__}", file=file)
    for name in names:
        if name not in table.columns:
            raise InputError(
                f"Expected a column {name!r}, but the table has "
                f"{', '.join(repr(str(c)) for c in table.columns)}",
                file=file,
            )
    if table.empty:
        raise InputError("Expected at least one data row, but the table is empty", file=file)


def numeric_column(
    table: pd.DataFrame,
    name: str,
    *,
    file: FileLike = None,
    min: float | None = None,
    max: float | None = None,
    integer: bool = False,
    what: str | None = None,
) -> np.ndarray:
    """The column ``name`` as a float array, checked to be finite numbers within [min, max].

    Parameters
    ----------
    what
        Description of the expected value used in the error ("a number >= 0" by default).
    """
    if what is None:
        what = "a whole number" if integer else "a number"
        if min is not None and max is not None:
            what += f" between {min:g} and {max:g}"
        elif min is not None:
            what += f" >= {min:g}"
        elif max is not None:
            what += f" <= {max:g}"
    raw = table[name]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if min is not None:
        bad |= values < min
    if max is not None:
        bad |= values > max
    if integer:
        bad |= values != np.round(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected {what}, but got {show_value(raw.iloc[i])}",
            file=file,
            row=row_number(table, i),
            field=name,
        )
    return values


def id_column(table: pd.DataFrame, name: str, *, file: FileLike = None) -> np.ndarray:
    """The column ``name`` as stripped strings; empty or missing ids are an error."""
    raw = table[name]
    out = np.array(["" if pd.isna(v) else str(v).strip() for v in raw], dtype=object)
    empty = out == ""
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InputError(
            "Expected an id, but the cell is empty", file=file, row=row_number(table, i), field=name
        )
    return out


def unique_keys(
    table: pd.DataFrame, keys: Sequence[str], *, file: FileLike = None, what: str = "one row"
) -> None:
    """Raise naming the first repeated combination of ``keys``."""
    dup = table.duplicated(subset=list(keys)).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        combo = ", ".join(f"{k}={show_value(table[k].iloc[i])}" for k in keys)
        raise InputError(
            f"Expected {what} per {' and '.join(keys)}, but {combo} appears more than once",
            file=file,
            row=row_number(table, i),
            field=keys[0],
        )

"""DataFrame <-> database rows: typed column conversion with missing values as NULL.

Every value is checked in Python before it is written (SQLite would otherwise store a string in a
REAL column), so a bad value stops the run's transaction with an error that names the table, column
and row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

Kind = Literal["str", "float", "int", "bool"]


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


def _bad(table: str, column: str, row: int, expected: str, value: Any) -> ValueError:
    return ValueError(
        f"Expected {expected} in {table} column {column!r}, but got {value!r} (row {row})"
    )


def _floats(values: Sequence[Any], table: str, column: str) -> list[float | None]:
    out: list[float | None] = []
    for i, v in enumerate(values):
        if is_missing(v):
            out.append(None)
        elif isinstance(v, bool | np.bool_ | str | bytes):
            raise _bad(table, column, i, "a number", v)
        else:
            try:
                out.append(float(v))
            except (TypeError, ValueError):
                raise _bad(table, column, i, "a number", v) from None
    return out


def _ints(values: Sequence[Any], table: str, column: str) -> list[int | None]:
    out: list[int | None] = []
    for i, v in enumerate(values):
        if is_missing(v):
            out.append(None)
            continue
        if isinstance(v, bool | np.bool_ | str | bytes):
            raise _bad(table, column, i, "a whole number", v)
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise _bad(table, column, i, "a whole number", v) from None
        if not f.is_integer():
            raise _bad(table, column, i, "a whole number", v)
        out.append(int(f))
    return out


def _bools(values: Sequence[Any], table: str, column: str) -> list[bool | None]:
    out: list[bool | None] = []
    for i, v in enumerate(values):
        if is_missing(v):
            out.append(None)
        elif isinstance(v, bool | np.bool_):
            out.append(bool(v))
        elif isinstance(v, int | np.integer | float | np.floating) and v in (0, 1):
            out.append(bool(v))
        else:
            raise _bad(table, column, i, "true/false", v)
    return out


def _strs(values: Sequence[Any], table: str, column: str) -> list[str | None]:
    return [None if is_missing(v) else str(v) for v in values]


_CONVERT: dict[Kind, Callable[[Sequence[Any], str, str], list[Any]]] = {
    "str": _strs,
    "float": _floats,
    "int": _ints,
    "bool": _bools,
}


def _fast(series: pd.Series, kind: Kind) -> list[Any] | None:
    """Vectorised conversion of the common clean cases (~10^5-row measurement tables), else None."""
    types = pd.api.types
    if kind == "str":
        if types.infer_dtype(series, skipna=True) in ("string", "empty"):
            return series.astype(object).where(series.notna(), None).tolist()
        return None
    if types.is_bool_dtype(series):
        if kind == "bool" and not series.isna().any():
            return series.astype(bool).tolist()
        return None
    if not types.is_numeric_dtype(series):
        return None
    arr = series.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(arr)
    if kind == "float":
        return [None if x != x else x for x in arr.tolist()]
    if kind == "int" and np.array_equal(arr[~missing], np.trunc(arr[~missing])):
        if types.is_integer_dtype(series) and not missing.any():
            return series.astype("int64").tolist()
        return [None if m else int(x) for x, m in zip(arr.tolist(), missing.tolist(), strict=True)]
    return None


def _convert(series: pd.Series, kind: Kind, table: str, column: str) -> list[Any]:
    fast = _fast(series, kind)
    if fast is not None:
        return fast
    return _CONVERT[kind](series.tolist(), table, column)


def frame_to_rows(
    frame: pd.DataFrame,
    spec: dict[str, Kind],
    *,
    table: str,
    fixed: dict[str, Any] | None = None,
    defaults: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rows (dicts) for an executemany insert.

    Parameters
    ----------
    frame
        The table; columns not in ``spec`` are ignored, columns of ``spec`` absent from it are NULL
        (or their ``defaults`` value).
    spec
        Column name -> kind (``str``, ``float``, ``int``, ``bool``).
    table
        Table name used in error messages.
    fixed
        Values repeated on every row (e.g. the run id).
    """
    n = len(frame)
    columns: dict[str, list[Any]] = {}
    for name, kind in spec.items():
        if name in frame.columns:
            columns[name] = _convert(frame[name], kind, table, name)
        else:
            columns[name] = [(defaults or {}).get(name)] * n
    keys = list(columns)
    extra = fixed or {}
    return [
        {**extra, **dict(zip(keys, vals, strict=True))}
        for vals in zip(*columns.values(), strict=True)
    ]


def rows_to_frame(
    rows: Iterable[Sequence[Any]],
    spec: dict[str, Kind],
    *,
    numeric_if_possible: tuple[str, ...] = (),
) -> pd.DataFrame:
    """DataFrame from database rows in ``spec`` order: NULL -> NaN (floats), ``<NA>`` (ints, bools).

    Columns named in ``numeric_if_possible`` (stored as text, e.g. ``timepoint``) become numeric
    when every non-missing value parses as a number.
    """
    frame = pd.DataFrame.from_records(list(rows), columns=list(spec))
    for name, kind in spec.items():
        if kind == "float":
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        elif kind == "int":
            frame[name] = frame[name].astype("Int64")
        elif kind == "bool":
            frame[name] = frame[name].astype("boolean")
        else:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    for name in numeric_if_possible:
        col = frame[name]
        present = col.dropna()
        parsed = pd.to_numeric(present, errors="coerce")
        if len(present) and parsed.notna().all():
            frame[name] = pd.to_numeric(col)
    return frame

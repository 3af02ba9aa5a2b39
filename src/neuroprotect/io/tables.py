"""Validated reading of the tabular inputs (CSV, TSV, XLSX).

Every table readout states the columns it needs with :class:`Column`; :func:`read_table` checks
them and raises :class:`~neuroprotect.errors.InputError` naming the file, the row and the column of
the first problem. Rows are numbered as a spreadsheet shows them: the header is row 1, the first
data row is row 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

Kind = Literal["str", "float", "int", "bool"]

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


@dataclass(frozen=True)
class Column:
    """A required (or optional) column and the values it may hold."""

    name: str
    kind: Kind = "float"
    required: bool = True
    min: float | None = None
    max: float | None = None
    allow_missing: bool = False
    integer: bool = False
    aliases: tuple[str, ...] = ()

    def expected(self) -> str:
        what = {"str": "text", "float": "a number", "int": "a whole number", "bool": "true/false"}[
            self.kind
        ]
        if self.min is not None and self.max is not None:
            what += f" between {self.min:g} and {self.max:g}"
        elif self.min is not None:
            what += " >= 0" if self.min == 0 else f" >= {self.min:g}"
        return what


def _delimiter(path: Path) -> str:
    """Tab, semicolon or comma, whichever the header line uses most (European CSVs use ';')."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    counts = {sep: header.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ","


def _read_raw(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            return pd.read_excel(path, dtype=str)
        return pd.read_csv(
            path, sep=_delimiter(path), dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except FileNotFoundError:
        raise InputError("Expected an existing file, but it does not exist", file=path) from None
    except pd.errors.EmptyDataError:
        raise InputError(
            "Expected a table with a header row, but the file is empty", file=path
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"Expected a readable CSV/TSV/XLSX table ({first})", file=path) from None


def read_table(
    path: str | Path, columns: list[Column], *, allow_extra: bool = True
) -> pd.DataFrame:
    """Read a table and validate and convert its columns.

    Parameters
    ----------
    path
        CSV (comma or semicolon, detected), TSV or XLSX file. The file is only read.
    columns
        Expected columns. Column names are matched case-insensitively, ignoring surrounding blanks.

    Returns
    -------
    pandas.DataFrame
        The columns converted to their kinds (floats, ints, bools, stripped strings), plus a
        ``source_row`` column with the spreadsheet row number of each record.

    Raises
    ------
    InputError
        Missing column, empty table, a cell that is not of the expected kind or range.
    """
    path = Path(path)
    raw = _read_raw(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    lookup = {c.lower(): c for c in raw.columns}
    if raw.empty:
        raise InputError(
            "Expected at least one data row, but the table has only a header", file=path
        )
    out = pd.DataFrame(index=raw.index)
    for col in columns:
        src = next(
            (lookup[n.lower()] for n in (col.name, *col.aliases) if n.lower() in lookup), None
        )
        if src is None:
            if col.required:
                raise InputError(
                    f"Expected a column {col.name!r} ({col.expected()}), but the header has "
                    f"{', '.join(repr(c) for c in raw.columns)}",
                    file=path,
                )
            continue
        out[col.name] = _convert(raw[src].astype(str).str.strip(), col, path)
    if allow_extra:
        for c in raw.columns:
            if c not in out.columns and c.lower() not in {x.name.lower() for x in columns}:
                out[c] = raw[c]
    out["source_row"] = np.arange(len(raw)) + 2
    return out.reset_index(drop=True)


def _convert(values: pd.Series, col: Column, path: Path) -> pd.Series:
    def fail(i: int, expected: str) -> InputError:
        return InputError(
            f"Expected {expected}, but got {values.iloc[i]!r}", file=path, row=i + 2, field=col.name
        )

    missing = values.str.upper().isin({"", "NA", "NAN", "N/A"})
    if not col.allow_missing and col.kind != "bool" and missing.any():
        raise fail(int(np.flatnonzero(missing.to_numpy())[0]), col.expected())
    if col.kind == "str":
        return values.where(~missing, None)
    if col.kind == "bool":
        low = values.str.lower()
        bad = ~low.isin(_TRUE | _FALSE)
        if bad.any():
            raise fail(int(np.flatnonzero(bad.to_numpy())[0]), col.expected())
        return low.isin(_TRUE)
    nums = pd.to_numeric(
        values.where(~missing, None).str.replace(",", ".", regex=False), errors="coerce"
    )
    bad = nums.isna() & ~missing
    if bad.any():
        raise fail(int(np.flatnonzero(bad.to_numpy())[0]), col.expected())
    finite = nums.dropna()
    if not np.isfinite(finite).all():
        raise fail(int(np.flatnonzero(~np.isfinite(nums.fillna(0)).to_numpy())[0]), col.expected())
    checks = []
    if col.min is not None:
        checks.append(nums < col.min)
    if col.max is not None:
        checks.append(nums > col.max)
    if col.kind == "int" or col.integer:
        checks.append((nums.notna()) & (nums != np.round(nums)))
    for bad in checks:
        if bad.any():
            raise fail(int(np.flatnonzero(bad.fillna(False).to_numpy())[0]), col.expected())
    if col.kind == "int" and not missing.any():
        return nums.astype(int)
    return nums.astype(float)

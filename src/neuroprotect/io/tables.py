"""Validated reading of the tabular inputs (CSV, TSV, XLSX).

Every table readout states the columns it needs with :class:`Column`; :func:`read_table` checks
them and raises :class:`~neuroprotect.errors.InputError` naming the file, the row and the column of
the first problem. Rows are numbered as a spreadsheet shows them: the header is row 1, the first
data row is row 2.
"""

from __future__ import annotations

import csv
import difflib
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError, InputWarning
from neuroprotect.io.columns import Column, Kind

__all__ = ["Column", "Kind", "read_table"]

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}

#: Sheet of an Excel workbook: its name, or its position counted from 1.
Sheet = str | int | None

#: First bytes of an old binary Excel (.xls, OLE2 compound) file.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL = {".xlsx", ".xlsm"}


def _delimiter(header: str) -> str:
    """Tab, semicolon or comma, whichever the header line uses most (European CSVs use ';')."""
    counts = {sep: header.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ","


def read_text(path: Path) -> str:
    """A text file's content: UTF-8 (with or without BOM), else Windows-1252 with a warning.

    Excel on Windows saves "CSV" in Windows-1252, so a header like ``volume (µL)`` or ``temp °C``
    is not UTF-8; it is decoded as Windows-1252 and an :class:`InputWarning` says so.
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # every byte decodes; cp1252 leaves 5 undefined
    warnings.warn(
        InputWarning(
            f"{path}: not UTF-8; read as Windows-1252 (as Excel saves CSV). Check special "
            "characters such as µ or ° in the output, or save the file as CSV UTF-8"
        ),
        stacklevel=3,
    )
    return text


def _excel_sheet(path: Path, sheet: Sheet) -> str | int:
    """pandas' ``sheet_name`` for ``sheet`` (name, else 1-based position); default the first."""
    if sheet is None:
        return 0
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        names = list(wb.sheetnames)
    finally:
        wb.close()
    text = str(sheet).strip()
    if text in names:
        return text
    if text.isdigit() and 1 <= int(text) <= len(names):
        return names[int(text) - 1]
    raise InputError(
        f"Expected a sheet name or a position from 1 to {len(names)}, but got {text!r}; "
        f"the workbook has {', '.join(repr(n) for n in names)}",
        file=path,
        field="--sheet",
    )


def _header_names(cells: list[str]) -> list[str]:
    """Header cells as column names: blanks named ``Unnamed: i``, repeats ``name.1`` (as pandas)."""
    names: list[str] = []
    for i, cell in enumerate(cells):
        name = cell.strip() or f"Unnamed: {i}"
        base, k = name, 0
        while name in names:
            k += 1
            name = f"{base}.{k}"
        names.append(name)
    return names


def _parse_csv(text: str, path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Text cells of a CSV/TSV and the file line of each record (blank lines kept as blank rows).

    Short rows are padded with empty cells and blank cells past the header's width (a trailing
    ``,`` as Excel leaves) are dropped; a row with more filled cells than the header is an error
    rather than columns silently shifted.
    """
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(first), skipinitialspace=True)
    records = [(reader.line_num, row) for row in reader]
    while records and not any(c.strip() for c in records[0][1]):
        records.pop(0)  # blank lines above the header
    if not records:
        raise InputError("Expected a table with a header row, but the file is empty", file=path)
    header = _header_names(records[0][1])
    width = len(header)
    cells, rows = [], []
    for line, row in records[1:]:
        if len(row) > width and any(c.strip() for c in row[width:]):
            raise InputError(
                f"Expected at most {width} cells as in the header, but got {len(row)}: "
                f"{', '.join(repr(c) for c in row)}",
                file=path,
                row=line,
            )
        cells.append((row + [""] * width)[:width])
        rows.append(line)
    return pd.DataFrame(cells, columns=header, dtype=str), np.asarray(rows, dtype=int)


def _read_raw(path: Path, sheet: Sheet = None) -> pd.DataFrame:
    """The table as text cells, with fully blank rows dropped and ``_row`` = spreadsheet row."""
    suffix = path.suffix.lower()
    rows = np.zeros(0, dtype=int)
    try:
        if not path.is_file():
            raise FileNotFoundError(path)
        with path.open("rb") as fh:
            magic = fh.read(len(_OLE2_MAGIC))
        if suffix == ".xls" or magic == _OLE2_MAGIC:
            raise InputError(
                "Expected a .xlsx or CSV table, but got an old Excel .xls workbook; "
                "open it in Excel and save it as .xlsx or CSV",
                file=path,
            )
        if suffix in _EXCEL:
            raw = pd.read_excel(path, dtype=str, sheet_name=_excel_sheet(path, sheet))
            raw = raw.fillna("")
        else:
            if sheet is not None:
                raise InputError(
                    f"Expected an Excel workbook (.xlsx) with --sheet, but got a {suffix or 'text'}"
                    " file",
                    file=path,
                )
            raw, rows = _parse_csv(read_text(path), path)
    except FileNotFoundError:
        raise InputError("Expected an existing file, but it does not exist", file=path) from None
    except InputError:
        raise
    except (csv.Error, UnicodeDecodeError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"Expected a readable CSV/TSV/XLSX table ({first})", file=path) from None
    if suffix in _EXCEL:
        rows = np.arange(len(raw)) + 2
    blank = raw.astype(str).apply(lambda c: c.str.strip().eq("")).all(axis=1).to_numpy()
    raw = raw.loc[~blank].reset_index(drop=True)
    raw["_row"] = rows[~blank]
    return raw


def read_table(
    path: str | Path, columns: list[Column], *, allow_extra: bool = True, sheet: Sheet = None
) -> pd.DataFrame:
    """Read a table and validate and convert its columns.

    Fully blank rows (``,,`` lines, empty rows at the end of a sheet) are ignored; row numbers
    in errors stay those of the file. A CSV that is not UTF-8 is read as Windows-1252 with an
    :class:`~neuroprotect.errors.InputWarning`. An old ``.xls`` workbook is refused with a
    one-line message (save it as .xlsx or CSV).

    Parameters
    ----------
    path
        CSV (comma or semicolon, detected), TSV or XLSX file. The file is only read.
    columns
        Expected columns. Column names are matched case-insensitively, ignoring surrounding blanks.
    sheet
        Excel only: the sheet's name or its position (1 = first sheet); default the first sheet.

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
    raw = _read_raw(path, sheet)
    source_rows = raw.pop("_row").to_numpy()
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
            _refuse_misspelt(col, raw.columns, columns, path)
            continue
        out[col.name] = _convert(raw[src].astype(str).str.strip(), col, path, source_rows)
    if allow_extra:
        for c in raw.columns:
            if c not in out.columns and c.lower() not in {x.name.lower() for x in columns}:
                out[c] = raw[c]
    out["source_row"] = source_rows
    return out.reset_index(drop=True)


def _refuse_misspelt(col: Column, header: pd.Index, columns: list[Column], path: Path) -> None:
    """An absent optional column whose name the header nearly has ('dilutoin' for 'dilution') is
    an error: ignored, it would silently change the numbers (a dilution of 1)."""
    known = {n.lower() for c in columns for n in (c.name, *c.aliases)}
    unknown = {str(h).lower(): str(h) for h in header if str(h).lower() not in known}
    for name in (col.name, *col.aliases):
        close = difflib.get_close_matches(name.lower(), list(unknown), n=1, cutoff=0.85)
        if close:
            raise InputError(
                f"Expected a column {col.name!r}, but got {unknown[close[0]]!r}: rename it, "
                "else it is ignored",
                file=path,
                field=unknown[close[0]],
            )


def _convert(values: pd.Series, col: Column, path: Path, rows: np.ndarray) -> pd.Series:
    def fail(i: int, expected: str) -> InputError:
        return InputError(
            f"Expected {expected}, but got {values.iloc[i]!r}",
            file=path,
            row=int(rows[i]),
            field=col.name,
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

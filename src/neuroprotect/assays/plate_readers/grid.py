"""Generic plate-reader tables: 96/384-well grids (as exported by most readers) and long tables."""

from __future__ import annotations

import csv
import io
import string
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.assays.plate_readers.wells import PLATE_FORMATS, format_well, is_overflow
from neuroprotect.errors import InputError

__all__ = ["read_plate_grid", "read_plate_long"]


def _text(file: Path) -> str:
    try:
        raw = file.read_bytes()
    except OSError:
        raise InputError("Expected an existing, readable file", file=file) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _rows(text: str, file: Path) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in ("\t", ";", ",")}
    sep = max(counts, key=lambda k: counts[k]) if max(counts.values()) else ","
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=sep)]
    except csv.Error as exc:  # garbage bytes, a binary file saved as .csv
        raise InputError(
            f"Expected a plate as CSV/TSV text, but it cannot be read ({exc})", file=file
        ) from None


def _cell(text: str) -> float:
    t = text.strip()
    if t.upper() in ("", "NA", "NAN", "N/A", "-"):
        return np.nan
    try:
        return float(t.replace(",", ".")) if t.count(",") == 1 and "." not in t else float(t)
    except ValueError:
        return np.nan


def _bad(raw: str, value: float) -> bool:
    """A non-empty cell that is neither a number, NA nor an overflow marker."""
    t = raw.strip()
    return bool(t) and np.isnan(value) and t.upper() not in ("NA", "NAN") and not is_overflow(t)


def read_plate_grid(path: str | PathLike[str], *, wells: int | None = None) -> pd.DataFrame:
    """Read one or more plate grids (rows A-H x columns 1-12, or A-P x 1-24) from a CSV/TSV.

    Parameters
    ----------
    path
        A CSV/TSV in which each plate is a block of lines whose first cell is the row letter
        (``A`` ... ``H``), optionally preceded by a header line of column numbers (``,1,2,...``).
        Other lines (titles, ``Plate 2``, blank lines) separate plates. Empty cells are wells
        without a reading.
    wells
        96 or 384; inferred from the largest row letter and column when omitted.

    Returns
    -------
    pandas.DataFrame
        ``plate`` (1, 2, ... in file order), ``well`` (``A1``), ``value`` (NaN when empty or
        an overflow marker such as ``OVRFLW``), ``raw`` (the cell text: an overflow is flagged
        ``overflow`` by :func:`neuroprotect.assays.plates.apply_layout`).

    Raises
    ------
    InputError
        No grid found, a row letter beyond the plate format, or a cell that is neither a number
        nor empty (named with its well).
    """
    file = Path(path)
    rows = _rows(_text(file), file)
    plates: list[list[tuple[str, list[str]]]] = []
    current: list[tuple[str, list[str]]] = []
    for row in rows:
        head = row[0].upper() if row else ""
        if len(head) == 1 and head in string.ascii_uppercase[:16] and len(row) > 1:
            if current and string.ascii_uppercase.index(head) <= string.ascii_uppercase.index(
                current[-1][0]
            ):
                plates.append(current)
                current = []
            current.append((head, row[1:]))
        elif current:
            plates.append(current)
            current = []
    if current:
        plates.append(current)
    if not plates:
        raise InputError(
            "Expected a plate grid: lines starting with the row letters A, B, C ... followed by "
            "one value per column, but found none",
            file=file,
        )
    n_rows = max(string.ascii_uppercase.index(r) + 1 for p in plates for r, _ in p)
    n_cols = max(
        max((i + 1 for i, c in enumerate(cells) if c != ""), default=0)
        for p in plates
        for _, cells in p
    )
    if wells is None:
        wells = 96 if n_rows <= 8 and n_cols <= 12 else 384
    if wells not in PLATE_FORMATS:
        raise InputError(f"Expected a 96- or 384-well plate, but got wells={wells}", file=file)
    max_rows, max_cols = PLATE_FORMATS[wells]
    if n_rows > max_rows or n_cols > max_cols:
        raise InputError(
            f"Expected a {wells}-well grid ({max_rows} rows x {max_cols} columns), but the file "
            f"has rows up to {string.ascii_uppercase[n_rows - 1]} and {n_cols} columns",
            file=file,
        )
    records = []
    for k, plate in enumerate(plates, start=1):
        for letter, cells in plate:
            for c in range(max_cols):
                raw = cells[c] if c < len(cells) else ""
                value = _cell(raw)
                if _bad(raw, value):
                    raise InputError(
                        f"Expected a number or an empty cell, but got {raw!r} in well "
                        f"{letter}{c + 1} of plate {k}",
                        file=file,
                    )
                records.append({"plate": k, "well": f"{letter}{c + 1}", "value": value, "raw": raw})
    return pd.DataFrame(records)


def read_plate_long(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a long plate table: one row per well with ``well`` and ``value`` (optional ``plate``).

    ``value`` may also be called ``od``, ``absorbance``, ``signal``, ``fluorescence``, ``rlu`` or
    ``luminescence``. Empty or ``NA`` values are wells without a reading.

    Returns
    -------
    pandas.DataFrame
        ``plate``, ``well`` (canonical ``A1``), ``value``, ``raw``.

    Raises
    ------
    InputError
        Missing columns, a bad well name, a non-numeric value or a well listed twice.
    """
    file = Path(path)
    rows = _rows(_text(file), file)
    rows = [r for r in rows if any(r)]
    if len(rows) < 2:
        raise InputError("Expected a header and at least one well row", file=file)
    header = [h.strip().lower() for h in rows[0]]
    aliases = ("value", "od", "absorbance", "signal", "fluorescence", "rlu", "luminescence")
    if "well" not in header or not any(a in header for a in aliases):
        raise InputError(
            f"Expected columns 'well' and 'value', but the header has {', '.join(rows[0])}",
            file=file,
        )
    iw = header.index("well")
    iv = next(header.index(a) for a in aliases if a in header)
    ip = header.index("plate") if "plate" in header else None
    records = []
    for n, row in enumerate(rows[1:], start=2):
        raw = row[iv] if iv < len(row) else ""
        value = _cell(raw)
        if _bad(raw, value):
            raise InputError(
                f"Expected a number or an empty cell, but got {raw!r}",
                file=file,
                row=n,
                field=rows[0][iv],
            )
        plate = 1
        if ip is not None:
            try:
                plate = int(float(row[ip]))
            except (ValueError, IndexError):
                raise InputError(
                    f"Expected a plate number, but got {row[ip] if ip < len(row) else ''!r}",
                    file=file,
                    row=n,
                    field="plate",
                ) from None
        records.append(
            {
                "plate": plate,
                "well": format_well(row[iw], file=file, row=n),
                "value": value,
                "raw": raw,
            }
        )
    out = pd.DataFrame(records)
    dup = out.duplicated(["plate", "well"], keep=False)
    if dup.any():
        listed = ", ".join(
            f"{r.well} (plate {r.plate})"
            for r in out[dup].drop_duplicates(["plate", "well"]).itertuples()
        )
        raise InputError(f"Expected each well once, but these appear twice: {listed}", file=file)
    return out

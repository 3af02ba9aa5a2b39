"""Well names and plate formats (96 and 384 wells), shared by the plate readers."""

from __future__ import annotations

import re
import string

from neuroprotect.errors import InputError

__all__ = ["OVERFLOW", "PLATE_FORMATS", "format_well", "is_overflow", "parse_well", "plate_wells"]

#: Cell texts plate readers write for a signal beyond the detector's range (saturated well).
OVERFLOW = frozenset({"OVRFLW", "OVER", "OVERFLOW", "SAT", "SATURATED", "*", "OUT OF RANGE", "INF"})


def is_overflow(text: object) -> bool:
    """True for a reader's "signal too high" marker (``OVRFLW``, ``OVER``, ``*``, ...)."""
    return str(text).strip().upper() in OVERFLOW


#: rows x columns of the supported plate formats.
PLATE_FORMATS: dict[int, tuple[int, int]] = {96: (8, 12), 384: (16, 24)}

_WELL = re.compile(r"^\s*([A-Pa-p])\s*0*(\d{1,2})\s*$")


def parse_well(name: object, *, file: object = None, row: int | None = None) -> tuple[str, int]:
    """Split a well name (``"A1"``, ``"b07"``) into its row letter and column number.

    Raises
    ------
    InputError
        The name is not a letter A-P followed by a column number 1-24.
    """
    m = _WELL.match(str(name))
    if m is None or not 1 <= int(m.group(2)) <= 24:
        raise InputError(
            f"Expected a well name like A1 or H12, but got {name!r}",
            file=file,  # type: ignore[arg-type]
            row=row,
            field="well",
        )
    return m.group(1).upper(), int(m.group(2))


def format_well(name: object, *, file: object = None, row: int | None = None) -> str:
    """Canonical well name (``"b07"`` -> ``"B7"``)."""
    letter, col = parse_well(name, file=file, row=row)
    return f"{letter}{col}"


def plate_wells(n_wells: int) -> list[str]:
    """All well names of a plate format, row by row (A1, A2, ..., H12 for 96 wells)."""
    if n_wells not in PLATE_FORMATS:
        raise InputError(f"Expected a 96- or 384-well plate, but got {n_wells} wells")
    rows, cols = PLATE_FORMATS[n_wells]
    return [f"{string.ascii_uppercase[r]}{c + 1}" for r in range(rows) for c in range(cols)]


def well_index(name: str) -> tuple[int, int]:
    """Zero-based (row, column) of a canonical well name."""
    letter, col = parse_well(name)
    return string.ascii_uppercase.index(letter), col - 1

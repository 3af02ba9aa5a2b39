"""ANY-maze CSV exports of the animal's position.

Accepted layout (the one Rtrack's ``anymaze.csv`` and Pathfinder read): a header row, then one row
per sample. Columns, matched case-insensitively:

* time: ``Time`` as ``HH:MM:SS.s``, ``MM:SS.s`` or plain seconds;
* x: ``Centre position X`` (also ``Center position X``, ``Centre X``, ``X``);
* y: ``Centre position Y`` (also ``Center position Y``, ``Centre Y``, ``Y``).

Other columns are ignored. Empty cells or ``-`` mark missing samples (dropped and counted).
Coordinates are in the units of the export (set ``cm_per_unit`` in the arena file otherwise).
"""

from __future__ import annotations

import io
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.behavior.readers._common import (
    MISSING_TOKENS,
    finish_track,
    frames,
    read_text,
    to_float,
)
from neuroprotect.errors import InputError

__all__ = ["read_anymaze", "looks_like_anymaze", "parse_clock_time"]

_X = ("centre position x", "center position x", "centre x", "center x", "x")
_Y = ("centre position y", "center position y", "centre y", "center y", "y")


def looks_like_anymaze(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0].lower() if head.strip() else ""
    return first.startswith(("time,", '"time",')) and ("position x" in first)


def parse_clock_time(values: pd.Series, *, file: Path) -> np.ndarray:
    """Seconds from ``HH:MM:SS.s``, ``MM:SS.s`` or plain-second strings (NaN for missing)."""
    text = values.astype(str).str.strip()
    out = np.full(len(text), np.nan)
    for i, cell in enumerate(text):
        if cell in MISSING_TOKENS:
            continue
        parts = cell.split(":")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            raise InputError(
                f"Expected a time as HH:MM:SS.s or seconds, but got {cell!r}",
                file=file,
                row=i + 1,
                field="Time",
            ) from None
        if len(nums) > 3:
            raise InputError(
                f"Expected at most HH:MM:SS, but got {cell!r}", file=file, row=i + 1, field="Time"
            )
        total = 0.0
        for n in nums:
            total = total * 60.0 + n
        out[i] = total
    return out


def read_anymaze(
    path: str | PathLike[str], *, trial_id: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an ANY-maze position export (see the module docstring for accepted columns)."""
    path = Path(path)
    table = pd.read_csv(io.StringIO(read_text(path)), dtype=str, keep_default_na=False)
    lower = {c.strip().lower(): c for c in table.columns}
    if "time" not in lower:
        raise InputError(f"Expected a 'Time' column, but got {', '.join(table.columns)}", file=path)
    xcol = next((lower[k] for k in _X if k in lower), None)
    ycol = next((lower[k] for k in _Y if k in lower), None)
    if xcol is None or ycol is None:
        raise InputError(
            "Expected 'Centre position X' and 'Centre position Y' columns, but got "
            f"{', '.join(table.columns)}",
            file=path,
        )
    t = parse_clock_time(table[lower["time"]], file=path)
    x = to_float(table[xcol], file=path, field=xcol, header_rows=1)
    y = to_float(table[ycol], file=path, field=ycol, header_rows=1)
    return frames(
        [
            finish_track(
                trial_id=trial_id or path.stem, source_file=path, fmt="anymaze", time_s=t, x=x, y=y
            )
        ]
    )

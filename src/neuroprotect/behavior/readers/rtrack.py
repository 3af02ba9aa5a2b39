"""Rtrack's raw coordinate formats: ``raw.tab``, ``raw.csv``, ``raw.csv2`` (and headerless ``raw.nh.*``).

Three columns in this order: time (s), x, y; a header row (``Time X Y``) is optional. Tab, comma
or semicolon separated (``raw.csv2`` uses ``;`` and a decimal comma). ``NA``/``-``/empty cells
mark missing samples. Rtrack arena files are read by :func:`neuroprotect.behavior.arena.load_arena`.
"""

from __future__ import annotations

import io
from os import PathLike
from pathlib import Path

import pandas as pd

from neuroprotect.behavior.readers._common import finish_track, frames, read_text, to_float
from neuroprotect.errors import InputError

__all__ = ["read_rtrack_raw", "looks_like_rtrack_raw"]


def _first_data_line(text: str) -> str:
    return next((ln for ln in text.splitlines() if ln.strip()), "")


def looks_like_rtrack_raw(path: Path, head: str) -> bool:
    first = _first_data_line(head)
    if "\t" not in first:
        return False
    return len(first.split("\t")) == 3


def read_rtrack_raw(
    path: str | PathLike[str], *, trial_id: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an Rtrack raw track (time, x, y), with or without a header row.

    Returns
    -------
    tracks, meta
        In the common layout (see :mod:`neuroprotect.behavior.readers`).
    """
    path = Path(path)
    text = read_text(path)
    first = _first_data_line(text)
    if "\t" in first:
        sep, decimal = "\t", "."
    elif ";" in first:
        sep, decimal = ";", ","
    else:
        sep, decimal = ",", "."
    cells = [c.strip().strip('"') for c in first.split(sep)]
    if len(cells) < 3:
        raise InputError(
            f"Expected three columns (time, x, y), but the first line has {len(cells)}: {first!r}",
            file=path,
        )
    try:
        float(cells[0].replace(decimal, "."))
        header = None
    except ValueError:
        header = 0
    table = pd.read_csv(io.StringIO(text), sep=sep, header=header, dtype=str, keep_default_na=False)
    if table.shape[1] < 3:
        raise InputError(
            f"Expected three columns (time, x, y), but got {table.shape[1]}", file=path
        )
    cols = table.columns[:3]
    vals = [
        table[c].str.replace(decimal, ".", regex=False) if decimal != "." else table[c]
        for c in cols
    ]
    off = 1 if header == 0 else 0
    t = to_float(vals[0], file=path, field=str(cols[0]), header_rows=off)
    x = to_float(vals[1], file=path, field=str(cols[1]), header_rows=off)
    y = to_float(vals[2], file=path, field=str(cols[2]), header_rows=off)
    return frames(
        [
            finish_track(
                trial_id=trial_id or path.stem,
                source_file=path,
                fmt="rtrack_raw",
                time_s=t,
                x=x,
                y=y,
            )
        ]
    )

"""The documented generic track CSV: ``time_s, x, y`` and optionally ``trial_id``, ``likelihood``.

Format (comma, semicolon or tab separated; XLSX also accepted)::

    time_s,x,y
    0.00,12.5,30.1
    0.04,12.9,30.0
    0.08,,          <- a missing sample: empty, NA, NaN or "-" in both x and y

* ``time_s`` (aliases ``time``, ``t``): seconds, strictly increasing within a trial.
* ``x``, ``y`` (aliases ``x_cm``, ``y_cm``, then ``x_px``, ``y_px``): position in the file's
  units, multiplied by ``cm_per_unit`` (default 1: the file is in cm). A track written by
  ``neuroprotect behavior track`` has ``x_cm, y_cm`` (read first) when it had an arena, else only
  pixels; its ``frame, x_px, y_px, quality`` columns are otherwise ignored.
* ``trial_id`` (alias ``trial``), optional: without it the whole file is one trial named after
  the file (its stem). With it, the rows of each trial must be contiguous.
* ``likelihood``, optional: pose-estimation confidence in [0, 1].

Rows are numbered as a spreadsheet shows them (header = row 1) in error messages.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.behavior.tracks import validate_tracks
from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table

__all__ = ["read_generic_csv"]

_MISSING = {"", "-", "NA", "NAN", "N/A", "NONE", "NULL"}


def read_generic_csv(path: str | Path, *, cm_per_unit: float = 1.0) -> pd.DataFrame:
    """Read a generic track CSV into a track table.

    Parameters
    ----------
    path
        CSV/TSV/XLSX file in the format of the module docstring. The file is only read.
    cm_per_unit
        Centimetres per unit of the file's x and y (e.g. 0.1 for millimetres, or the pixel size).

    Returns
    -------
    pandas.DataFrame
        Track table ``trial_id, time_s, x_cm, y_cm`` (+ ``likelihood`` when present); missing
        samples kept as NaN rows (see :mod:`neuroprotect.behavior.tracks`).

    Raises
    ------
    InputError
        One line naming the file, the row and the field: missing column, text where a number is
        expected, a missing time, only one of x and y, time not increasing within a trial.
    """
    path = Path(path)
    if not np.isfinite(cm_per_unit) or cm_per_unit <= 0:
        raise InputError(f"Expected cm_per_unit > 0, but got {cm_per_unit!r}", field="cm_per_unit")
    columns = [
        Column("time_s", "str", allow_missing=True, aliases=("time", "t")),
        Column("x", "str", allow_missing=True, aliases=("x_cm", "x_px")),
        Column("y", "str", allow_missing=True, aliases=("y_cm", "y_px")),
        Column("trial_id", "str", required=False, allow_missing=True, aliases=("trial",)),
        Column("likelihood", "str", required=False, allow_missing=True),
    ]
    raw = read_table(path, columns, allow_extra=False)
    rows = raw["source_row"].to_numpy()
    out = pd.DataFrame(
        {
            "trial_id": _trial_ids(raw, path, rows),
            "time_s": _numbers(raw["time_s"], path, rows, "time_s", allow_missing=False),
            "x_cm": _numbers(raw["x"], path, rows, "x") * cm_per_unit,
            "y_cm": _numbers(raw["y"], path, rows, "y") * cm_per_unit,
        }
    )
    if "likelihood" in raw:
        out["likelihood"] = _numbers(raw["likelihood"], path, rows, "likelihood")
    try:
        return validate_tracks(out, file=path)
    except InputError as exc:
        row = int(rows[exc.row - 1]) if exc.row is not None else None
        field = {"x_cm": "x", "y_cm": "y"}.get(exc.field or "", exc.field)
        raise InputError(exc.message, file=path, row=row, field=field) from None


def _trial_ids(raw: pd.DataFrame, path: Path, rows: np.ndarray) -> np.ndarray:
    if "trial_id" not in raw:
        return np.full(len(raw), path.stem, dtype=object)
    ids = raw["trial_id"]
    empty = ids.isna().to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InputError(
            "Expected a trial id, but the cell is empty",
            file=path,
            row=int(rows[i]),
            field="trial_id",
        )
    return ids.astype(str).to_numpy()


def _numbers(
    values: pd.Series, path: Path, rows: np.ndarray, field: str, *, allow_missing: bool = True
) -> np.ndarray:
    text = values.fillna("").astype(str).str.strip()
    missing = text.str.upper().isin(_MISSING).to_numpy()
    if missing.any() and not allow_missing:
        i = int(np.flatnonzero(missing)[0])
        raise InputError(
            f"Expected a number, but got {values.iloc[i]!r}",
            file=path,
            row=int(rows[i]),
            field=field,
        )
    nums = pd.to_numeric(text.where(~missing, None), errors="coerce").to_numpy(dtype=float)
    bad = ~missing & ~np.isfinite(nums)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected a number, but got {values.iloc[i]!r}",
            file=path,
            row=int(rows[i]),
            field=field,
        )
    return nums

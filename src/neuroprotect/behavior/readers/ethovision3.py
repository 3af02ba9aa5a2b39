"""EthoVision 3.x track exports (csv): a short ``key,value`` header, then ``Sample no.,Time,X,Y,...``.

The header ends at the row starting ``Sample no.`` (as Rtrack's ``ethovision.3.csv`` reader
expects); the column order after it varies between exports, so ``Time``, ``X`` and ``Y`` are found
by name. ``-`` marks a missing sample. Coordinates are in the units EthoVision was calibrated in
(normally cm). Header fields ``rat``/``id``/``Name``/``Subject`` become ``animal_id`` and
``trial``/``Trial`` becomes ``trial`` in the metadata.
"""

from __future__ import annotations

import csv
import io
from os import PathLike
from pathlib import Path

import pandas as pd

from neuroprotect.behavior.readers._common import finish_track, frames, read_text, to_float
from neuroprotect.errors import InputError

__all__ = ["read_ethovision3", "looks_like_ethovision3"]

_ANIMAL_KEYS = ("rat", "id", "name", "subject", "animal", "mouse")
_TRIAL_KEYS = ("trial",)


def looks_like_ethovision3(path: Path, head: str) -> bool:
    """True when the first lines hold an EthoVision 3 header ending in a ``Sample no.`` row."""
    lines = head.splitlines()
    return (
        bool(lines)
        and lines[0].startswith("Track file")
        and any(ln.startswith("Sample no.") for ln in lines[:60])
    )


def read_ethovision3(
    path: str | PathLike[str], *, trial_id: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one EthoVision 3 csv track.

    Parameters
    ----------
    path
        The ``.csv`` export (UTF-8 or Latin-1).
    trial_id
        Identifier of the trial; default the file stem.

    Returns
    -------
    tracks
        ``trial_id, time_s, x_cm, y_cm`` (missing samples dropped).
    meta
        One row: ``trial_id, source_file, format, n_samples, n_missing, animal_id, trial``
        (the last two when the header has them).

    Raises
    ------
    InputError
        When the ``Sample no.`` row or the ``Time``/``X``/``Y`` columns are missing, or a cell is
        neither a number nor ``-``.
    """
    path = Path(path)
    text = read_text(path)
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("Sample no.")), None)
    if start is None:
        raise InputError(
            "Expected an EthoVision 3 export with a 'Sample no.' header row, but found none",
            file=path,
        )
    extra: dict[str, object] = {}
    for row in csv.reader(lines[:start]):
        if len(row) >= 2 and row[1].strip():
            key = row[0].strip().lower()
            if key in _ANIMAL_KEYS and "animal_id" not in extra:
                extra["animal_id"] = row[1].strip()
            elif key in _TRIAL_KEYS and "trial" not in extra:
                extra["trial"] = row[1].strip()
    table = pd.read_csv(
        io.StringIO("\n".join(lines[start:])),
        dtype=str,
        keep_default_na=False,
        skipinitialspace=True,
    )
    table.columns = [c.strip() for c in table.columns]
    for col in ("Time", "X", "Y"):
        if col not in table.columns:
            raise InputError(
                f"Expected a column {col!r} after the 'Sample no.' row, but got "
                f"{', '.join(table.columns)}",
                file=path,
            )
    t = to_float(table["Time"], file=path, field="Time", header_rows=start + 1)
    x = to_float(table["X"], file=path, field="X", header_rows=start + 1)
    y = to_float(table["Y"], file=path, field="Y", header_rows=start + 1)
    part = finish_track(
        trial_id=trial_id or path.stem,
        source_file=path,
        fmt="ethovision3",
        time_s=t,
        x=x,
        y=y,
        extra=extra,
    )
    return frames([part])

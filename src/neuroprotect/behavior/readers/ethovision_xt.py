"""EthoVision XT "Export raw data" files: xlsx (one sheet per track) and csv.

Layout (verified on real exports): the first row is ``Number of header lines:, N``; rows 2..N-2
are ``key, value`` pairs (Experiment, Trial name, Subject, user variables such as ``Mouse ID``,
``Trial``, ``Day``); row N-1 holds the column names and row N their units; data follow. Missing
values are ``-``. The text export is UTF-8 with a BOM. Time is ``Recording time`` (s, from the
start of recording; Rtrack uses the same column), position ``X center``/``Y center`` (cm).
"""

from __future__ import annotations

import csv
import io
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.behavior.readers._common import finish_track, frames, read_text, to_float
from neuroprotect.errors import InputError

__all__ = ["read_ethovision_xt", "looks_like_ethovision_xt"]

_TIME = ("Recording time", "Trial time")
_ANIMAL_KEYS = ("mouse id", "animal id", "rat id", "animal", "subject id ", "id")
_KEEP = {"trial": "trial", "day": "day", "subject name": "subject"}


def looks_like_ethovision_xt(path: Path, head: str) -> bool:
    return head.lstrip("\ufeff").startswith(("Number of header lines", '"Number of header lines'))


def _n_header(value: Any, path: Path, where: str) -> int:
    try:
        n = int(float(str(value).strip().strip('"')))
    except ValueError:
        raise InputError(
            f"Expected a number of header lines, but got {value!r}", file=path, field=where
        ) from None
    if n < 3:
        raise InputError(f"Expected at least 3 header lines, but got {n}", file=path, field=where)
    return n


def _from_rows(
    rows: list[list[Any]], path: Path, trial_id: str, sheet: str | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    where = f"sheet {sheet!r}" if sheet else None
    if not rows or not str(rows[0][0]).startswith("Number of header lines"):
        raise InputError(
            "Expected 'Number of header lines' in the first cell, but got "
            f"{rows[0][0] if rows else 'an empty file'!r}",
            file=path,
            field=where,
        )
    n = _n_header(rows[0][1] if len(rows[0]) > 1 else None, path, where or "Number of header lines")
    if len(rows) < n:
        raise InputError(f"Expected {n} header lines, but the file has {len(rows)} rows", file=path)
    extra: dict[str, Any] = {}
    for row in rows[1 : n - 2]:
        if len(row) >= 2 and row[0] is not None and row[1] not in (None, ""):
            key = str(row[0]).strip().lower()
            if key in _ANIMAL_KEYS and "animal_id" not in extra:
                extra["animal_id"] = str(row[1]).strip()
            elif key in _KEEP:
                extra[_KEEP[key]] = str(row[1]).strip()
    names = [str(c).strip() if c is not None else "" for c in rows[n - 2]]
    time_col = next((c for c in _TIME if c in names), None)
    for col, label in (
        (time_col, "Recording time"),
        ("X center", "X center"),
        ("Y center", "Y center"),
    ):
        if col is None or col not in names:
            raise InputError(
                f"Expected a column {label!r} in header row {n - 1}, but got {', '.join(names)}",
                file=path,
                field=where,
            )
    assert time_col is not None
    data = rows[n:]
    idx = {c: names.index(c) for c in (time_col, "X center", "Y center")}

    def column(name: str) -> list[Any]:
        j = idx[name]
        return [r[j] if j < len(r) else None for r in data]

    t = to_float(column(time_col), file=path, field=time_col, header_rows=n)
    x = to_float(column("X center"), file=path, field="X center", header_rows=n)
    y = to_float(column("Y center"), file=path, field="Y center", header_rows=n)
    if sheet:
        extra["sheet"] = sheet
    return finish_track(
        trial_id=trial_id, source_file=path, fmt="ethovision_xt", time_s=t, x=x, y=y, extra=extra
    )


def read_ethovision_xt(
    path: str | PathLike[str], *, trial_id: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an EthoVision XT raw-data export (``.xlsx`` with one track per sheet, or ``.csv``).

    Parameters
    ----------
    path
        The export. In a workbook every sheet whose first cell is ``Number of header lines`` is
        one trial; its ``trial_id`` is ``<stem>`` for a single sheet, else ``<stem>:<sheet>``.
    trial_id
        Identifier for a single-track file; default the file stem.

    Returns
    -------
    tracks
        ``trial_id, time_s, x_cm, y_cm`` (``Recording time``, ``X center``, ``Y center``; samples
        with ``-`` dropped).
    meta
        ``trial_id, source_file, format, n_samples, n_missing`` plus ``animal_id``, ``trial``,
        ``day``, ``subject`` and ``sheet`` when present.
    """
    path = Path(path)
    base = trial_id or path.stem
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on bad files
            raise InputError(
                f"Expected a readable xlsx workbook, but got {exc}", file=path
            ) from None
        parts = []
        try:
            sheets = [
                (name, [list(r) for r in wb[name].iter_rows(values_only=True)])
                for name in wb.sheetnames
            ]
        finally:
            wb.close()
        tracks = [
            (s, r) for s, r in sheets if r and str(r[0][0]).startswith("Number of header lines")
        ]
        if not tracks:
            raise InputError(
                "Expected a sheet starting with 'Number of header lines', but found none", file=path
            )
        for name, rows in tracks:
            tid = base if len(tracks) == 1 else f"{base}:{name}"
            parts.append(_from_rows(rows, path, tid, name))
        return frames(parts)
    rows = list(csv.reader(io.StringIO(read_text(path))))
    return frames([_from_rows(rows, path, base, None)])

"""Shared pieces of the Ct readers: column names, Ct-cell parsing, CSV reading, the long well table."""

from __future__ import annotations

import csv
import io
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

FileLike = str | PathLike[str]

#: Columns of every table returned by :func:`read_ct_table`.
CT_COLUMNS: tuple[str, ...] = (
    "sample",
    "group",
    "gene",
    "ct",
    "undetermined",
    "efficiency",
    "well",
    "source_row",
)
#: Cell texts read as "no amplification" (compared case-insensitively).
UNDETERMINED_WORDS = frozenset(
    {"undetermined", "undet", "no ct", "no cq", "nan", "n/a", "na", "", "-", "none", "not detected"}
)


SAMPLE_COLS = ("sample", "sample_name", "sample name", "animal_id", "animal", "sample_id")
GENE_COLS = ("gene", "target", "target_name", "target name", "detector", "detector name", "assay")
CT_COLS = ("ct", "cq", "cт", "c_t", "ct_value", "cq_value")
GROUP_COLS = ("group", "condition", "treatment", "biological set name", "biological_set_name")
WELL_COLS = ("well", "well position", "well_position", "pos", "position")


def parse_ct_values(
    values: pd.Series,
    *,
    file: FileLike | None = None,
    field: str = "ct",
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ct cells -> (ct floats, undetermined flags).

    Words in :data:`UNDETERMINED_WORDS` give ``(nan, True)``; numbers (decimal comma accepted)
    give ``(value, False)``; anything else raises naming the row. Ct must be > 0: a Ct of 0 is
    no measurement (some software writes 0 for no amplification), so it is refused rather than
    averaged in.
    """
    text = values.astype(str).str.strip()
    low = text.str.lower()
    undetermined = low.isin(UNDETERMINED_WORDS).to_numpy() | values.isna().to_numpy()
    nums = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)
    bad = np.isnan(nums) & ~undetermined
    rows = np.arange(len(values)) + 2 if rows is None else rows
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected a Ct value (a number, or 'Undetermined'), but got {text.iloc[i]!r}",
            file=file,
            row=int(rows[i]),
            field=field,
        )
    neg = (nums <= 0) & ~undetermined
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise InputError(
            f"Expected a Ct value > 0 (or 'Undetermined' for no amplification), but got "
            f"{text.iloc[i]!r}",
            file=file,
            row=int(rows[i]),
            field=field,
        )
    nums[undetermined] = np.nan
    return nums, undetermined


def find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    low = {c.lower().strip(): c for c in columns}
    return next((low[n] for n in names if n in low), None)


def read_csv_text(path: Path | io.StringIO) -> pd.DataFrame:
    if isinstance(path, Path):
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            sheet = pd.read_excel(path, dtype=str, header=None).fillna("")
            if sheet.empty:
                raise InputError(
                    "Expected a Ct table with a header row, but the sheet is empty", file=str(path)
                )
            names = [str(c) for c in sheet.iloc[0]]
            _check_unique_names(names, path)
            sheet = sheet.iloc[1:].reset_index(drop=True)
            sheet.columns = [c.strip() for c in names]
            return sheet.loc[:, [c for c in sheet.columns if c]]
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline()
    else:
        header = path.getvalue().splitlines()[0] if path.getvalue() else ""
    counts = {sep: header.count(sep) for sep in ("\t", ";", ",")}
    sep = max(counts, key=lambda k: counts[k]) if any(counts.values()) else ","
    try:
        raw = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Expected a readable Ct table ({str(exc).splitlines()[0]})", file=str(path)
        ) from None
    _check_unique_header(path, sep)
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw.loc[:, [c for c in raw.columns if c and not c.startswith("Unnamed")]]


def _check_unique_header(path: Path | io.StringIO, sep: str) -> None:
    """Refuse a header that names a column twice (pandas would rename or pick one silently)."""
    if isinstance(path, Path):
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = fh.readline()
    else:
        first = path.getvalue().splitlines()[0] if path.getvalue() else ""
    _check_unique_names(next(csv.reader([first], delimiter=sep), []), path)


def _check_unique_names(names: list[str], path: Path | io.StringIO) -> None:
    seen: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        key = name.strip().lower()
        if not key:
            continue
        if key in seen:
            raise InputError(
                f"Expected each column name once in the header, but {name.strip()!r} is "
                f"column {seen[key]} and column {index}",
                file=str(path),
            )
        seen[key] = index


def assemble(
    sample: pd.Series,
    gene: pd.Series,
    ct_cells: pd.Series,
    *,
    file: Path,
    rows: np.ndarray,
    group: pd.Series | None = None,
    efficiency: pd.Series | None = None,
    well: pd.Series | None = None,
    ct_field: str = "ct",
) -> pd.DataFrame:
    ct, und = parse_ct_values(ct_cells.reset_index(drop=True), file=file, field=ct_field, rows=rows)
    out = pd.DataFrame(
        {
            "sample": sample.astype(str).str.strip().to_numpy(),
            "group": group.astype(str).str.strip().to_numpy() if group is not None else None,
            "gene": gene.astype(str).str.strip().to_numpy(),
            "ct": ct,
            "undetermined": und,
            "efficiency": np.nan,
            "well": well.astype(str).str.strip().to_numpy() if well is not None else None,
            "source_row": rows.astype(int),
        }
    )
    if efficiency is not None:
        eff = pd.to_numeric(
            efficiency.astype(str).str.replace(",", ".", regex=False), errors="coerce"
        ).to_numpy(float)
        out["efficiency"] = eff
    for col, what in (("sample", "a sample name"), ("gene", "a gene name")):
        empty = out[col].isin(["", "nan", "None"])
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(
                f"Expected {what}, but the cell is empty", file=file, row=int(rows[i]), field=col
            )
    return out

"""Microplates: read plate-reader files and plate layouts, and put the two together.

A plate read is a long table ``plate, well, value`` (one row per well; NaN = no reading). A
layout says what each well holds, one row per used well:

=============== ==========================================================================
column          meaning
=============== ==========================================================================
``well``        ``A1`` ... ``H12`` (``P24`` on a 384-well plate)
``type``        ``standard``, ``blank``, ``sample``, ``control`` or ``empty``
``sample``      name; replicate wells share it (standards may leave it empty: named by
                their concentration)
``concentration`` nominal concentration (standards only)
``dilution``    dilution factor of the sample in the well (default 1)
``masked``      ``true`` to exclude the well (bubble, pipetting error); default false
``plate``       optional: plate number (1, 2, ...) for a multi-plate file
=============== ==========================================================================

:func:`apply_layout` joins the two and checks them: layout wells that are not on the plate are an
error listing the wells; a used well without a reading is kept with ``flag = "no_signal"``.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.assays.plate_readers.grid import read_plate_grid, read_plate_long
from neuroprotect.assays.plate_readers.softmax import SoftMaxExport, read_softmax_text
from neuroprotect.assays.plate_readers.wells import format_well, is_overflow, plate_wells
from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table

__all__ = [
    "LAYOUT_TYPES",
    "PlateWells",
    "apply_layout",
    "read_layout",
    "read_plate",
    "read_plate_file",
]

LAYOUT_TYPES = ("standard", "blank", "sample", "control", "empty")

_LAYOUT_COLUMNS = [
    Column("well", "str"),
    Column("type", "str", aliases=("well_type", "role")),
    Column("sample", "str", required=False, allow_missing=True, aliases=("name", "sample_id")),
    Column(
        "concentration",
        "float",
        required=False,
        allow_missing=True,
        min=0,
        aliases=("conc", "standard_concentration"),
    ),
    Column("dilution", "float", required=False, allow_missing=True, aliases=("dilution_factor",)),
    Column("masked", "bool", required=False, aliases=("mask", "exclude", "excluded")),
    Column("plate", "int", required=False, min=1),
]

PlateWells = pd.DataFrame
"""The joined table of :func:`apply_layout` (a type alias, for signatures)."""


def read_plate_file(path: str | PathLike[str]) -> tuple[pd.DataFrame, SoftMaxExport | None]:
    """Read a plate file of any supported format.

    SoftMax Pro text exports are recognised by their ``##BLOCKS`` first line; a table whose
    header has a ``well`` column is read as a long table; anything else as plate grids.

    Returns
    -------
    (reads, export)
        ``reads``: ``plate, well, value`` (+ reader-specific columns); ``export``: the whole
        :class:`~neuroprotect.assays.plate_readers.softmax.SoftMaxExport` for a SoftMax file
        (its embedded layout and SoftMax's own results), else None.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError("Expected an existing plate file, but it does not exist", file=file)
    with open(file, "rb") as fh:
        head = fh.read(4096).decode("latin-1")
    if head.startswith("##BLOCKS"):
        export = read_softmax_text(file)
        return export.reads, export
    first = head.split("\n", 1)[0].lower().replace(";", ",").replace("\t", ",")
    if "well" in [c.strip().strip('"') for c in first.split(",")]:
        return read_plate_long(file), None
    return read_plate_grid(file), None


def read_plate(path: str | PathLike[str]) -> pd.DataFrame:
    """Plate reads ``plate, well, value`` from a SoftMax export, a grid CSV or a long table."""
    return read_plate_file(path)[0]


def read_layout(path: str | PathLike[str]) -> pd.DataFrame:
    """Read and check a plate layout CSV/TSV/XLSX (columns in the module notes).

    Returns
    -------
    pandas.DataFrame
        ``plate, well, type, sample, concentration, dilution, masked, source_row``; standards
        without a name are named ``std <concentration>``.

    Raises
    ------
    InputError
        Unknown type, bad well name, a well listed twice on a plate, a standard without a
        concentration, a sample or control without a name, a dilution that is not > 0.
    """
    file = Path(path)
    table = read_table(file, _LAYOUT_COLUMNS)
    return check_layout(table, file=file)


def check_layout(table: pd.DataFrame, *, file: str | PathLike[str] | None = None) -> pd.DataFrame:
    """Validate and complete a layout table (see :func:`read_layout`)."""
    t = table.copy()
    rows = t["source_row"] if "source_row" in t.columns else pd.Series(np.arange(len(t)) + 2)
    t["source_row"] = rows.to_numpy()
    if "plate" not in t.columns:
        t["plate"] = 1
    kinds = t["type"].astype(str).str.strip().str.lower()
    if "concentration" not in t.columns and (kinds == "standard").any():
        header = ", ".join(repr(c) for c in table.columns if c != "source_row")
        raise InputError(
            f"Expected a column 'concentration' for the standard wells, but the header has {header}",
            file=file,
        )
    for col, default in (("sample", None), ("concentration", np.nan), ("dilution", 1.0)):
        if col not in t.columns:
            t[col] = default
    if "masked" not in t.columns:
        t["masked"] = False
    t["masked"] = t["masked"].fillna(False).astype(bool)
    t["dilution"] = pd.to_numeric(t["dilution"], errors="coerce").fillna(1.0)
    t["concentration"] = pd.to_numeric(t["concentration"], errors="coerce")
    types, wells, samples = [], [], []
    for i, rec in enumerate(t.itertuples()):
        row = int(rec.source_row)
        kind = str(rec.type).strip().lower()
        if kind not in LAYOUT_TYPES:
            raise InputError(
                f"Expected a well type among {', '.join(LAYOUT_TYPES)}, but got {rec.type!r}",
                file=file,
                row=row,
                field="type",
            )
        types.append(kind)
        wells.append(format_well(rec.well, file=file, row=row))
        name = None if rec.sample is None or pd.isna(rec.sample) else str(rec.sample).strip()
        if kind == "standard":
            if not np.isfinite(rec.concentration):
                raise InputError(
                    "Expected a concentration for a standard well, but it is empty",
                    file=file,
                    row=row,
                    field="concentration",
                )
            name = name or f"std {rec.concentration:g}"
        elif kind in ("sample", "control") and not name:
            raise InputError(
                f"Expected a sample name for a {kind} well, but it is empty",
                file=file,
                row=row,
                field="sample",
            )
        elif kind == "blank":
            name = name or "blank"
        samples.append(name)
        if not rec.dilution > 0:
            raise InputError(
                f"Expected a dilution factor > 0, but got {rec.dilution!r}",
                file=file,
                row=row,
                field="dilution",
            )
        del i
    t["type"], t["well"], t["sample"] = types, wells, samples
    dup = t.duplicated(["plate", "well"], keep=False)
    if dup.any():
        listed = ", ".join(
            f"{r.well} (plate {r.plate}, row {r.source_row})" for r in t[dup].itertuples()
        )
        raise InputError(f"Expected each well once per plate, but got {listed}", file=file)
    cols = ["plate", "well", "type", "sample", "concentration", "dilution", "masked", "source_row"]
    extra = [c for c in t.columns if c not in cols]
    return t[cols + extra].reset_index(drop=True)


def apply_layout(
    reads: pd.DataFrame,
    layout: pd.DataFrame,
    *,
    plate_file: str | PathLike[str] | None = None,
    layout_file: str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Join plate reads and a layout, checking that they match.

    Parameters
    ----------
    reads
        ``plate, well, value`` (from :func:`read_plate`).
    layout
        From :func:`read_layout` (or a SoftMax export's ``layout``).
    plate_file, layout_file
        Named in messages.

    Returns
    -------
    pandas.DataFrame
        One row per layout well that is not ``empty``: ``plate, well, type, sample,
        concentration, dilution, masked, value, flag`` where ``flag`` is ``"ok"``, ``"masked"``
        or ``"no_signal"`` (no reading in a used, unmasked well: kept, never silently NaN) or
        ``"overflow"`` (the reader's saturation marker, e.g. ``OVRFLW``).

    Raises
    ------
    InputError
        The layout names plates that are not in the file, or wells that are not on the plate
        (the message lists every such well).
    """
    lay = layout.copy()
    if "plate" not in lay.columns:
        lay["plate"] = 1
    plates_in_file = sorted(int(p) for p in reads["plate"].unique())
    missing_plates = sorted(set(int(p) for p in lay["plate"]) - set(plates_in_file))
    if missing_plates:
        raise InputError(
            f"Expected the layout's plates among {plates_in_file} (the plates in the file), but "
            f"the layout names plate(s) {', '.join(map(str, missing_plates))}",
            file=layout_file,
            field="plate",
        )
    problems = []
    for plate, wells in lay.groupby("plate"):
        on_plate = set(reads.loc[reads["plate"] == plate, "well"])
        n = 384 if len(on_plate) > 96 else 96
        allowed = set(plate_wells(n)) & on_plate if on_plate else set()
        off = [w for w in wells["well"] if w not in allowed]
        if off:
            problems.append(f"plate {plate}: {', '.join(off)}")
    if problems:
        raise InputError(
            "Expected every layout well on the plate, but these wells are not in the plate file "
            f"{'(' + str(plate_file) + ')' if plate_file else ''}: {'; '.join(problems)}",
            file=layout_file,
            field="well",
        )
    if "value" not in reads.columns:
        raise InputError("Expected plate reads with a 'value' column", file=plate_file)
    keep = ["plate", "well"] + [c for c in reads.columns if c not in lay.columns and c != "raw"]
    out = lay.merge(reads[keep], on=["plate", "well"], how="left", validate="one_to_one")
    out = out[out["type"] != "empty"].reset_index(drop=True)
    flag = np.where(out["masked"], "masked", "ok").astype(object)
    missing = (~out["masked"].to_numpy()) & ~np.isfinite(out["value"].to_numpy(dtype=float))
    flag[missing] = "no_signal"
    if "raw" in reads.columns:
        raw = out[["plate", "well"]].merge(reads[["plate", "well", "raw"]], how="left")["raw"]
        flag[missing & raw.map(is_overflow).to_numpy(dtype=bool)] = "overflow"
    out["flag"] = flag
    return out


def no_signal_wells(wells: pd.DataFrame) -> list[str]:
    """``"<well> (<type> <sample>, plate <n>[, overflow])"`` for every used well without a
    usable reading (empty or saturated)."""
    hit = wells[wells["flag"].isin(["no_signal", "overflow"])]
    return [
        f"{r.well} ({r.type} {r.sample}, plate {r.plate}"
        + (", overflow)" if r.flag == "overflow" else ")")
        for r in hit.itertuples()
    ]

"""Molecular Devices SoftMax Pro text exports (``.txt`` saved from an ``.sda``/``.sdf`` file).

The export is tab-separated, usually latin-1 encoded, and starts with ``##BLOCKS= n``. It holds
one ``Plate:`` block per plate (raw reads, one or more wavelengths) followed by that plate's
``Group:`` tables (``Standards`` with ``Concentration`` and ``BackCalcConc``; unknowns with
``Result``, ``MeanResult``, ``Dilution``, ``AdjResult``; controls), each ended by ``~End``.
Two plate-block layouts exist: *list* (a header row ``Temperature(°C) A1 A2 ... H12`` and one
line per wavelength) and *plate* (an 8 x 12 grid per wavelength, the wavelengths side by side).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.assays.plate_readers.wells import PLATE_FORMATS, format_well, plate_wells
from neuroprotect.errors import InputError

__all__ = ["SoftMaxExport", "read_softmax_text"]

_WAVELENGTHS = re.compile(r"^\s*\d{3}(\s+\d{3})*\s*$")


@dataclass
class SoftMaxExport:
    """What a SoftMax Pro text export holds.

    Attributes
    ----------
    reads
        One row per plate and well: ``plate`` (1, 2, ...), ``plate_name``, ``well``, ``value``
        (the first wavelength minus the last when ``reference_correction`` and two or more
        wavelengths were read, as SoftMax's "Reduction"; else the first wavelength), and one
        ``od_<nm>`` column per wavelength. Empty cells are NaN.
    layout
        The plate map the operator defined in SoftMax's groups, in the columns of
        :func:`neuroprotect.assays.plates.read_layout`: ``plate, well, type, sample,
        concentration, dilution, masked, group``.
    results
        SoftMax's own numbers per well: ``plate, group, sample, well, value, concentration``
        (nominal, standards), ``result`` (``BackCalcConc`` of standards or ``Result(s)`` of
        unknowns/controls, NaN when masked or out of range), ``mean_result``, ``dilution``,
        ``adj_result``.
    wavelengths
        The wavelengths read (nm).
    """

    reads: pd.DataFrame
    layout: pd.DataFrame
    results: pd.DataFrame
    wavelengths: list[int] = field(default_factory=list)


def _num(text: str) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return float("nan")


def _plate_block(
    lines: list[list[str]], header: list[str], file: Path
) -> tuple[list[int], dict[str, list[float]]]:
    """Per-wavelength values of one plate block (lines between ``Plate:`` and ``~End``)."""
    waves_field = next((f for f in header[8:] if _WAVELENGTHS.match(f) and f.strip()), None)
    if waves_field is None:
        raise InputError("Expected the wavelengths in the 'Plate:' header line", file=file)
    waves = [int(w) for w in waves_field.split()]
    n_wells = next((int(f) for f in header[8:] if f.strip() in ("96", "384")), 96)
    names = plate_wells(n_wells)
    values: dict[str, list[float]] = {}
    first = lines[0] if lines else []
    if any(c.strip() == "A1" for c in first):
        # list layout: header row of well names, then one row per wavelength
        cols = {c.strip(): i for i, c in enumerate(first) if c.strip()}
        data = [ln for ln in lines[1:] if any(c.strip() for c in ln)]
        if len(data) < len(waves):
            raise InputError(
                f"Expected {len(waves)} read rows (one per wavelength) in the plate block, but "
                f"got {len(data)}",
                file=file,
            )
        for k, wl in enumerate(waves):
            row = data[k]
            values[str(wl)] = [
                _num(row[cols[w]]) if w in cols and cols[w] < len(row) else np.nan for w in names
            ]
        return waves, values
    # plate layout: column header then n_rows lines of (temperature) + one grid per wavelength
    n_rows, n_cols = PLATE_FORMATS[n_wells]
    grid = [ln for ln in lines[1:] if any(c.strip() for c in ln)][:n_rows]
    if len(grid) < n_rows:
        raise InputError(
            f"Expected {n_rows} plate rows in the plate block, but got {len(grid)}", file=file
        )
    for k, wl in enumerate(waves):
        start = 2 + k * (n_cols + 1)
        vals = []
        for r in range(n_rows):
            row = grid[r]
            vals += [
                _num(row[start + c]) if start + c < len(row) else np.nan for c in range(n_cols)
            ]
        values[str(wl)] = vals
    return waves, values


def _group_table(
    name: str, lines: list[list[str]], plate: int, file: Path
) -> list[dict[str, object]]:
    """Rows of one ``Group:`` table (continuation rows inherit the sample name)."""
    if not lines:
        return []
    header = [c.strip() for c in lines[0]]
    idx = {h: i for i, h in enumerate(header) if h}

    def cell(row: list[str], *names: str) -> str:
        for n in names:
            for h, i in idx.items():
                if (h == n or h.startswith(n + " ")) and i < len(row):
                    return row[i].strip()
        return ""

    if "Wells" not in idx:
        return []
    out: list[dict[str, object]] = []
    sample = conc = dilution = mean_result = adj = ""
    for row in lines[1:]:
        if not any(c.strip() for c in row):
            break
        if cell(row, "Sample").strip():
            sample = cell(row, "Sample")
            conc = cell(row, "Concentration")
            dilution = cell(row, "Dilution", "Factor")
            mean_result = cell(row, "MeanResult", "Mean")
            adj = cell(row, "AdjResult")
        well = cell(row, "Wells")
        if not well:
            continue
        value = cell(row, "Value", "Values")
        result = cell(row, "BackCalcConc", "Result", "Results")
        out.append(
            {
                "plate": plate,
                "group": name,
                "sample": sample,
                "well": format_well(well, file=file),
                "masked": value.lower() == "masked" or result.lower() == "masked",
                "value": _num(value),
                "concentration": _num(conc),
                "result": _num(result),
                "mean_result": _num(mean_result),
                "dilution": _num(dilution),
                "adj_result": _num(adj),
            }
        )
    return out


def _block_end(lines: list[list[str]], start: int, file: Path) -> int:
    """Index of the ``~End`` line closing the block that starts at ``start``.

    Raises naming the block and the last line when the file ends first (a truncated export).
    """
    for j in range(start + 1, len(lines)):
        first = lines[j][0].strip()
        if first.startswith("~End"):
            return j
        if first.startswith(("Plate:", "Group:")):
            break
    else:
        j = len(lines)
    title = lines[start][0].strip()
    if j < len(lines):
        ended = f"a new block starts at line {j + 1}"
    else:
        ended = f"the file ends at line {_last_line(lines)}"
    raise InputError(
        f"Expected '~End' closing the '{title}' block of line {start + 1}, but {ended} "
        "(truncated export?)",
        file=file,
    )


def _last_line(lines: list[list[str]]) -> int:
    """1-based number of the last non-blank line."""
    return max((k for k in range(len(lines)) if any(c.strip() for c in lines[k])), default=0) + 1


def _declared_blocks(first_line: list[str]) -> int | None:
    m = re.match(r"##BLOCKS=\s*(\d+)", first_line[0].strip())
    return int(m.group(1)) if m else None


def _layout_type(group: str, rows: pd.DataFrame) -> str:
    g = group.lower()
    if "blank" in g:
        return "blank"
    if "std" in g or "standard" in g or rows["concentration"].notna().any():
        return "standard"
    if "control" in g or "ctrl" in g or "qc" in g:
        return "control"
    return "sample"


def read_softmax_text(
    path: str | PathLike[str], *, reference_correction: bool = True
) -> SoftMaxExport:
    """Read a SoftMax Pro plate export saved as text.

    Parameters
    ----------
    path
        The ``.txt`` export (tab-separated; latin-1 or UTF-8).
    reference_correction
        With two or more wavelengths, report ``value`` = first - last (e.g. OD450 - OD620, the
        reference wavelength correcting for plate imperfections); False keeps the first.

    Returns
    -------
    SoftMaxExport

    Raises
    ------
    InputError
        Not a SoftMax export (no ``##BLOCKS`` line or no ``Plate:`` block), or a truncated block.

    Notes
    -----
    Sample names of standard and control groups that are bare numbers (SoftMax numbers
    standards 1, 2, ...) are prefixed with the group name ("Standards 1") so that they stay
    distinct from the unknowns.
    """
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError:
        raise InputError("Expected an existing, readable file", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = [ln.rstrip("\r").split("\t") for ln in text.split("\n")]
    if not lines or not lines[0][0].startswith("##BLOCKS"):
        raise InputError(
            "Expected a SoftMax Pro text export starting with '##BLOCKS=', but the first line is "
            f"{lines[0][0][:40]!r}"
            if lines
            else "Expected a SoftMax Pro export, got empty file",
            file=file,
        )
    reads: list[pd.DataFrame] = []
    groups: list[dict[str, object]] = []
    all_waves: list[int] = []
    plate = blocks = 0
    i = 0
    while i < len(lines):
        first = lines[i][0].strip()
        if first.startswith("Plate:"):
            end = _block_end(lines, i, file)
            blocks += 1
            plate += 1
            header = lines[i]
            waves, values = _plate_block(lines[i + 1 : end], header, file)
            all_waves = all_waves or waves
            names = plate_wells(len(next(iter(values.values()))))
            frame = pd.DataFrame(
                {
                    "plate": plate,
                    "plate_name": header[1].strip() if len(header) > 1 else str(plate),
                    "well": names,
                }
            )
            for wl in waves:
                frame[f"od_{wl}"] = values[str(wl)]
            if reference_correction and len(waves) > 1:
                frame["value"] = frame[f"od_{waves[0]}"] - frame[f"od_{waves[-1]}"]
            else:
                frame["value"] = frame[f"od_{waves[0]}"]
            reads.append(frame)
            i = end + 1
        elif first.startswith("Group:"):
            name = first.split(":", 1)[1].strip()
            end = _block_end(lines, i, file)
            blocks += 1
            table_end = next(
                (j for j in range(i + 1, end) if lines[j][0].startswith("Group Column")), end
            )
            groups += _group_table(name, lines[i + 1 : table_end], max(plate, 1), file)
            i = end + 1
        else:
            i += 1
    if not reads:
        raise InputError("Expected at least one 'Plate:' block in the SoftMax export", file=file)
    declared = _declared_blocks(lines[0])
    if declared is not None and blocks < declared:
        raise InputError(
            f"Expected {declared} blocks (##BLOCKS= {declared}), but the file ends after "
            f"{blocks} at line {_last_line(lines)} (truncated export?)",
            file=file,
        )
    results = pd.DataFrame(
        groups,
        columns=[
            "plate",
            "group",
            "sample",
            "well",
            "masked",
            "value",
            "concentration",
            "result",
            "mean_result",
            "dilution",
            "adj_result",
        ],
    )
    layout_rows = []
    for (plate_no, group), rows in results.groupby(["plate", "group"], sort=False):
        kind = _layout_type(str(group), rows)
        for rec in rows.itertuples():
            sample = str(rec.sample)
            if kind in ("standard", "control", "blank") and re.fullmatch(r"\d+(\.\d+)?", sample):
                sample = f"{group} {sample}"
            layout_rows.append(
                {
                    "plate": plate_no,
                    "well": rec.well,
                    "type": kind,
                    "sample": sample,
                    "concentration": rec.concentration if kind == "standard" else np.nan,
                    "dilution": rec.dilution if np.isfinite(rec.dilution) else 1.0,
                    "masked": bool(rec.masked),
                    "group": group,
                }
            )
    layout = pd.DataFrame(
        layout_rows,
        columns=["plate", "well", "type", "sample", "concentration", "dilution", "masked", "group"],
    )
    return SoftMaxExport(
        reads=pd.concat(reads, ignore_index=True),
        layout=layout,
        results=results,
        wavelengths=all_waves,
    )

"""Write small plate files (long format) and layouts for the in vitro plate-assay tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from neuroprotect.assays.plates import apply_layout, read_layout, read_plate_file

ROWS = "ABCDEFGH"


def well_name(i: int) -> str:
    return f"{ROWS[i // 12]}{i % 12 + 1}"


def write_plate(
    folder: Path, stem: str, wells: list[dict[str, Any]], *, value: str = "value"
) -> tuple[Path, Path]:
    """``wells``: dicts with ``type``, ``sample`` (optional for standards/blanks),
    ``concentration``, ``value`` and any extra layout column (``group``, ``protein_mg``...).
    Wells are placed A1, A2, ... in order. Returns (plate file, layout file)."""
    layout, plate = [], []
    for i, w in enumerate(wells):
        name = well_name(i)
        row = {"well": name, **{k: v for k, v in w.items() if k not in (value, "raw")}}
        layout.append(row)
        plate.append({"well": name, "value": w.get("raw", w[value])})
    lay_path, plate_path = folder / f"{stem}_layout.csv", folder / f"{stem}_plate.csv"
    pd.DataFrame(layout).to_csv(lay_path, index=False)
    pd.DataFrame(plate).to_csv(plate_path, index=False)
    return plate_path, lay_path


def joined(plate: Path, layout: Path) -> pd.DataFrame:
    reads, _ = read_plate_file(plate)
    return apply_layout(reads, read_layout(layout), plate_file=plate, layout_file=layout)


def replicate(n: int, **well: Any) -> list[dict[str, Any]]:
    return [dict(well) for _ in range(n)]

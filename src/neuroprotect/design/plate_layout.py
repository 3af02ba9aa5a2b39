"""Randomised plate layouts for in vitro studies: which well of which plate gets which group.

Notes
-----
Each independent experiment gets its own plate(s). On every plate the groups' wells (each well
one culture, ``replicates`` per group and experiment) and optional blank wells are put on wells
drawn at random (``numpy.random.default_rng(seed)``), so that no group sits in one corner of the
plate, where gradients of temperature, evaporation and reading order would be confounded with
treatment. Edge wells (row A and the last row, column 1 and the last column) evaporate faster;
``edges="avoid"`` leaves them empty (fill them with medium or PBS), ``"flag"`` uses them and marks
them (``edge`` column), and the plate readouts warn about sample wells on the edge either way.

When an experiment does not fit on one plate, each group's replicates are dealt over the plates
in turn (per plate, a group's counts differ by at most one), so that plate is not confounded
with group either.

References
----------
Lundholt BK, Scudder KM, Pagliaro L (2003). A simple technique for reducing edge effect in
cell-based assays. J Biomol Screen 8:566-570.
Lazic SE (2016). Experimental design for laboratory biologists, ch. 5 (plate layouts).
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.design.randomise import make_blinded_codes
from neuroprotect.errors import InputError

#: Wells per plate -> (rows, columns).
PLATE_FORMATS: dict[int, tuple[int, int]] = {
    6: (2, 3),
    12: (3, 4),
    24: (4, 6),
    48: (6, 8),
    96: (8, 12),
    384: (16, 24),
}

Edges = Literal["avoid", "flag"]


def plate_wells(plate_format: int) -> list[str]:
    """Well names of a plate in reading order (``A1``, ``A2``, ... ``H12`` for 96 wells)."""
    rows, cols = _shape(plate_format)
    return [f"{string.ascii_uppercase[r]}{c + 1}" for r in range(rows) for c in range(cols)]


def is_edge_well(well: str, plate_format: int) -> bool:
    """True for a well of the outer ring of a plate (first or last row or column)."""
    rows, cols = _shape(plate_format)
    name = well.strip().upper()
    r, c = string.ascii_uppercase.index(name[0]), int(name[1:]) - 1
    return r in (0, rows - 1) or c in (0, cols - 1)


def plate_format_of(wells: list[str], *, smallest: int = 96) -> int:
    """The smallest plate format, of at least ``smallest`` wells, that holds these well names.

    A reader's export may list only the wells it read, so a plate is taken to be a 96-well
    plate unless its wells need 384 (``smallest`` lowers that for 6- to 48-well plates)."""
    names = [w.strip().upper() for w in wells]
    rows = max(string.ascii_uppercase.index(w[0]) for w in names) + 1
    cols = max(int(w[1:]) for w in names)
    for n, (r, c) in sorted(PLATE_FORMATS.items()):
        if n >= smallest and rows <= r and cols <= c:
            return n
    return 384


def edge_sample_wells(wells: pd.DataFrame) -> list[str]:
    """Sample wells (``type`` sample, not ``masked``) on the outer ring of their plate, from a
    plate table with ``well`` and ``type`` columns."""
    if wells.empty or "well" not in wells:
        return []
    names = wells["well"].astype(str).tolist()
    fmt = plate_format_of(names)
    sample = wells["type"].astype(str).str.lower() == "sample"
    if "masked" in wells:
        sample &= ~wells["masked"].fillna(False).astype(bool)
    return [w for w, s in zip(names, sample, strict=True) if s and is_edge_well(w, fmt)]


def _shape(plate_format: int) -> tuple[int, int]:
    if plate_format not in PLATE_FORMATS:
        raise InputError(
            f"Expected a plate format of {', '.join(map(str, PLATE_FORMATS))} wells, but got "
            f"{plate_format}",
            field="plate_format",
        )
    return PLATE_FORMATS[plate_format]


@dataclass
class PlateLayout:
    """Result of :func:`randomise_plates`.

    Attributes
    ----------
    cultures
        The study's cultures table: ``culture_id, experiment, plate, well, group, edge,
        blinded_code``, one row per culture (well).
    layouts
        Plate id -> layout table for the plate readouts: ``well, type, sample, group, edge``
        (``sample`` = culture id; blank wells ``type: blank``; unused wells ``type: empty``).
    seed, method, warnings
        What is needed to reproduce and describe the allocation.
    """

    cultures: pd.DataFrame
    layouts: dict[str, pd.DataFrame]
    seed: int
    method: str
    groups: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def balance(self) -> pd.DataFrame:
        """Per group, in the given order: wells (``n``), experiments and wells on the edge."""
        c = self.cultures
        out = c.groupby("group").agg(
            n=("culture_id", "size"), experiments=("experiment", "nunique"), edge=("edge", "sum")
        )
        return out.reindex(self.groups or list(out.index)).reset_index()


def randomise_plates(
    groups: list[str],
    *,
    experiments: int,
    replicates: int,
    seed: int,
    plate_format: int = 96,
    edges: Edges = "avoid",
    blanks: int = 0,
) -> PlateLayout:
    """Randomise the groups' wells on the plates of each independent experiment.

    Parameters
    ----------
    groups
        Group ids (equal numbers of wells each).
    experiments
        Independent experiments (one set of plates each).
    replicates
        Wells (cultures) per group and experiment.
    seed
        Seed of the random generator; record it.
    plate_format
        Wells per plate: 6, 12, 24, 48, 96 or 384.
    edges
        ``"avoid"``: leave the outer ring empty; ``"flag"``: use it and flag its wells.
    blanks
        Blank wells (medium without cells) per plate, also placed at random.

    Returns
    -------
    PlateLayout

    Raises
    ------
    InputError
        Fewer than two distinct groups, experiments or replicates below 1, negative blanks, an
        unknown plate format or edge rule, no room for one replicate of each group and the blanks.
    """
    if len(groups) < 2 or len(set(groups)) != len(groups):
        raise InputError(
            f"Expected at least two distinct groups, but got {groups!r}", field="groups"
        )
    for name, value, low in (("experiments", experiments, 1), ("replicates", replicates, 1)):
        if value < low:
            raise InputError(f"Expected {name} >= {low}, but got {value}", field=name)
    if blanks < 0:
        raise InputError(f"Expected blanks >= 0, but got {blanks}", field="blanks")
    if edges not in ("avoid", "flag"):
        raise InputError(f"Expected edges 'avoid' or 'flag', but got {edges!r}", field="edges")
    wells = plate_wells(plate_format)
    usable = [w for w in wells if edges == "flag" or not is_edge_well(w, plate_format)]
    room = len(usable) - blanks
    if room < len(groups):
        raise InputError(
            f"Expected room for one well of each of the {len(groups)} groups and {blanks} blanks "
            f"on a {plate_format}-well plate ({len(usable)} usable wells with edges={edges}), "
            "but there is not: use a larger plate, fewer blanks or --edges flag",
            field="plate_format",
        )
    per_experiment = len(groups) * replicates
    n_plates = math.ceil(per_experiment / room)
    rng = np.random.default_rng(seed)
    cultures: list[dict[str, object]] = []
    layouts: dict[str, pd.DataFrame] = {}
    for e in range(1, experiments + 1):
        # each group's wells dealt over the plates in turn (counts differ by at most one);
        # the random group order decides which plates get the odd wells
        labels = [str(g) for g in rng.permutation(groups) for _ in range(replicates)]
        for k in range(n_plates):
            plate = f"E{e}" if n_plates == 1 else f"E{e}P{k + 1}"
            mine = list(labels[k::n_plates]) + ["(blank)"] * blanks
            chosen = [usable[i] for i in rng.permutation(len(usable))[: len(mine)]]
            order = rng.permutation(len(mine))
            assigned = {chosen[i]: mine[j] for i, j in enumerate(order)}
            rows: list[dict[str, object]] = []
            for w in wells:
                edge = is_edge_well(w, plate_format)
                label = assigned.get(w)
                if label is None:
                    rows.append({"well": w, "type": "empty", "sample": None, "group": None})
                elif label == "(blank)":
                    rows.append({"well": w, "type": "blank", "sample": None, "group": None})
                else:
                    cid = f"{plate}-{w}"
                    rows.append({"well": w, "type": "sample", "sample": cid, "group": label})
                    cultures.append(
                        {
                            "culture_id": cid,
                            "experiment": e,
                            "plate": plate,
                            "well": w,
                            "group": label,
                            "edge": edge,
                        }
                    )
                rows[-1]["edge"] = edge
            layouts[plate] = pd.DataFrame(rows)
    table = pd.DataFrame(cultures)
    table["blinded_code"] = make_blinded_codes(len(table), rng=rng)
    notes = []
    if experiments < 3:
        notes.append(
            f"Only {experiments} independent experiment(s): at least 3 are needed for a valid "
            "comparison (the wells of one experiment are technical replicates)."
        )
    if edges == "flag" and table["edge"].any():
        notes.append(
            f"{int(table['edge'].sum())} culture wells are on the plate edge (evaporation); they "
            "are flagged in the edge column."
        )
    method = (
        f"Randomised plate layout: {replicates} well(s) per group in each of {experiments} "
        f"independent experiment(s), {n_plates} {plate_format}-well plate(s) per experiment, "
        f"wells drawn at random {'outside the edge wells' if edges == 'avoid' else 'over the whole plate (edge wells flagged)'}"
        f"{f', {blanks} blank well(s) per plate' if blanks else ''}; numpy default_rng seed {seed}."
    )
    return PlateLayout(
        cultures=table,
        layouts=layouts,
        seed=seed,
        method=method,
        groups=list(groups),
        warnings=notes,
    )

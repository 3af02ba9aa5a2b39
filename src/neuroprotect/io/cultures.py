"""The cultures table of an in vitro study (``setting: in_vitro``): one row per culture.

A *culture* is one well, dish or flask treated on its own (the ``sample`` of the plate layouts);
an *independent experiment* is one run of the whole protocol on its own cell preparation (another
passage, thaw or day). Cultures of one group within one experiment are technical replicates: the
independent experiment, not the culture, is the unit of analysis (Lazic et al. 2018, PLoS Biol
16:e2005282). No sex or body weight is asked.

Columns::

    culture_id,experiment,plate,well,group[,excluded,exclusion_reason]
    E1-A02,1,P1,A02,normoxia
    E1-B05,1,P1,B05,vehicle

``culture_id`` may also be called ``animal_id`` (as in the animals table), ``culture`` or
``well_id``; ``experiment`` also ``independent_experiment`` or ``experiment_id``. ``plate`` and
``well`` are optional (written by ``design randomize`` for a plate layout).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from neuroprotect.errors import InputError, InputWarning
from neuroprotect.io.animals import check_unit_table
from neuroprotect.io.tables import Column, read_table
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Study

EXPERIMENT = "experiment"
PLATE = "plate"
WELL = "well"

#: Fewer independent experiments than this is warned about (pseudo-replication).
MIN_EXPERIMENTS = 3

CULTURE_TABLE_COLUMNS = [
    Column(C.ANIMAL_ID, "str", aliases=("culture_id", "culture", "well_id")),
    Column(EXPERIMENT, "str", aliases=("independent_experiment", "experiment_id")),
    Column(C.GROUP, "str"),
    Column(PLATE, "str", required=False, allow_missing=True, aliases=("plate_id",)),
    Column(WELL, "str", required=False, allow_missing=True),
    Column(C.EXCLUDED, "bool", required=False),
    Column(C.EXCLUSION_REASON, "str", required=False, allow_missing=True, aliases=("reason",)),
]

_WELL = re.compile(r"^[A-Pa-p](0?[1-9]|1[0-9]|2[0-4])$")


def load_cultures(study: Study, *, group_codes: dict[str, str] | None = None) -> pd.DataFrame:
    """Read and check the cultures table named by an in vitro manifest (``animals:`` or
    ``cultures:``).

    Returns
    -------
    pandas.DataFrame
        As :func:`neuroprotect.io.animals.load_animals` (``animal_id`` holds the culture id) plus
        ``experiment`` and, when given, ``plate`` and ``well``.

    Raises
    ------
    InputError
        Missing ``experiment`` column or value, duplicate culture id, unknown group, a well name
        that is not A1-P24, a well used twice on one plate, an exclusion without a reason.

    Warns
    -----
    InputWarning
        Fewer than :data:`MIN_EXPERIMENTS` independent experiments among the analysed cultures.
    """
    path = study.resolve(study.animals)
    try:
        table = read_table(path, CULTURE_TABLE_COLUMNS)
    except InputError as exc:
        if f"column {EXPERIMENT!r}" not in exc.message:
            raise
        raise InputError(
            exc.message + " (the independent experiment each culture comes from: 1, 2, 3...)",
            file=path,
        ) from None
    table[EXPERIMENT] = table[EXPERIMENT].astype(str).str.strip()
    if WELL in table:
        _check_wells(table, path)
    table = check_unit_table(study, table, path, group_codes=group_codes, unit="culture")
    analysed = table.loc[~table[C.EXCLUDED].astype(bool), EXPERIMENT]
    n = analysed.nunique()
    if n < MIN_EXPERIMENTS:
        warnings.warn(InputWarning(fewer_experiments_warning(path, n)), stacklevel=2)
    return table


def fewer_experiments_warning(path: Path | str, n: int) -> str:
    """The warning of a study with fewer than :data:`MIN_EXPERIMENTS` independent experiments."""
    return (
        f"{path}: only {n} independent experiment{'s' if n != 1 else ''} (column "
        f"{EXPERIMENT!r}); at least {MIN_EXPERIMENTS} are needed for a valid in vitro comparison: "
        "cultures and wells of one experiment are technical replicates, not independent samples "
        "(pseudo-replication)"
    )


def _check_wells(table: pd.DataFrame, path: Path) -> None:
    plate = table[PLATE] if PLATE in table else pd.Series("", index=table.index)
    seen: dict[tuple[str, str], int] = {}
    for i, (p, w) in enumerate(zip(plate, table[WELL], strict=True)):
        if w is None or (isinstance(w, float) and pd.isna(w)):
            continue
        row = int(table["source_row"].iloc[i])
        if not _WELL.match(str(w).strip()):
            raise InputError(
                f"Expected a well name such as A1 or H12 (rows A-P, columns 1-24), but got {w!r}",
                file=path,
                row=row,
                field=WELL,
            )
        name = str(w).strip().upper()
        key = (
            "" if p is None or (isinstance(p, float) and pd.isna(p)) else str(p),
            name[0] + str(int(name[1:])),
        )
        if key in seen:
            raise InputError(
                f"Expected each well once per plate, but well {name} of plate {key[0] or '(none)'} "
                f"is already used in row {seen[key]}",
                file=path,
                row=row,
                field=WELL,
            )
        seen[key] = row
